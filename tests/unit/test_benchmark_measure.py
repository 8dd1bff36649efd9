"""The benchmark's measuring: a command's own peak RSS (not its parent's), with its children summed when asked (Spark's
JVM beside dbt), and a failed step stops the benchmark."""

from __future__ import annotations

import sys

import pytest

from pipeline.benchmark.run import measure

ALLOCATE = "import sys; block = b'x' * ({mb} << 20); sys.exit({code})"


def test_peak_rss_is_the_commands_own_not_its_parents() -> None:
    parent_block = b"x" * (400 << 20)  # this process's peak is now over 400 MB; a child inherits that mark on Linux
    _, small = measure([sys.executable, "-c", ALLOCATE.format(mb=0, code=0)])
    _, large = measure([sys.executable, "-c", ALLOCATE.format(mb=200, code=0)])
    assert len(parent_block) == 400 << 20
    assert small < 150, f"a child that allocates nothing reported {small:.0f} MB: it read its parent's peak"
    assert 200 <= large < 350


# A command that starts two children, each holding 150 MB for a second at the same time, and waits for both.
TWO_CHILDREN = ("import subprocess, sys; hold = \"import time; block = b'x' * (150 << 20); time.sleep(1.5)\"; "
                "children = [subprocess.Popen([sys.executable, '-c', hold]) for _ in range(2)]; "
                "sys.exit(max(c.wait() for c in children))")


def test_the_tree_peak_sums_a_command_and_the_processes_it_started() -> None:
    _, own = measure([sys.executable, "-c", TWO_CHILDREN])
    _, tree = measure([sys.executable, "-c", TWO_CHILDREN], tree=True)
    # wait4 reports the largest single process of the tree (one child, ~160 MB); the tree sums both children.
    assert own < 250, own
    assert tree >= 300, f"the two children held 300 MB at once, the tree peak says {tree:.0f} MB"


def test_a_failed_step_raises_with_its_output() -> None:
    failing = [sys.executable, "-c", "import sys; print('the warehouse is locked'); sys.exit(3)"]
    with pytest.raises(RuntimeError, match="failed: the warehouse is locked"):
        measure(failing)
