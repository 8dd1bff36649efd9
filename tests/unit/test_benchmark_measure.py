"""The benchmark's measuring: a command's own peak RSS (not its parent's), and a failed step stops the benchmark."""

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


def test_a_failed_step_raises_with_its_output() -> None:
    failing = [sys.executable, "-c", "import sys; print('the warehouse is locked'); sys.exit(3)"]
    with pytest.raises(RuntimeError, match="failed: the warehouse is locked"):
        measure(failing)
