"""Every command of `pipeline` and `ingest` explains itself in its own --help: a sentence on what it does, and a help
text for every argument (a new-user trial found bare `--landing LANDING` and commands with no description)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from ingest.cli import main as ingest
from pipeline.cli import main as pipeline

COMMANDS: list[tuple[Callable[[list[str]], int], list[str]]] = [
    *[(pipeline, [c]) for c in ("demo", "summary", "evaluate", "evaluate-followers", "report", "benchmark", "gate",
                                "dashboard", "airflow")],
    (pipeline, ["gate", "status"]), (pipeline, ["gate", "admit"]),
    *[(ingest, [c]) for c in ("load", "fetch", "status", "rekey", "locate", "sources", "docs")],
]
_ARGUMENT = re.compile(r"^  (\S.*?)(?:\s{2,}(\S.*))?$")


def _help(main: Callable[[list[str]], int], command: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as ended:
        main([*command, "--help"])
    assert ended.value.code == 0
    return capsys.readouterr().out


def undocumented(text: str) -> list[str]:
    """The arguments listed without a help text: an argument line at indent 2 with nothing after it, and no deeper
    indented line under it."""
    lines = text.splitlines()
    missing = []
    section = False
    for i, line in enumerate(lines):
        if line.endswith(":") and not line.startswith(" "):
            section = line in ("options:", "positional arguments:")
            continue
        match = _ARGUMENT.match(line) if section else None
        if match and not match.group(2):
            following = lines[i + 1] if i + 1 < len(lines) else ""
            if len(following) - len(following.lstrip()) <= 2:
                missing.append(match.group(1))
    return missing


@pytest.mark.parametrize(("main", "command"), COMMANDS, ids=[" ".join(c) for _, c in COMMANDS])
def test_every_command_says_what_it_does_and_documents_every_argument(
        main: Callable[[list[str]], int], command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    text = _help(main, command, capsys)
    paragraphs = text.split("\n\n")
    assert len(paragraphs) > 2 and not paragraphs[1].startswith(("options:", "positional arguments:")), (
        f"`{' '.join(command)} --help` has no description:\n{text}")
    assert undocumented(text) == [], text


def test_the_check_finds_an_undocumented_argument() -> None:
    text = ("usage: x [-h] [--landing LANDING] api\n\nDoes x.\n\npositional arguments:\n  api\n\noptions:\n"
            "  -h, --help         show this help message and exit\n  --landing LANDING\n"
            "  --very-long-option-name VALUE\n                     its help on the next line\n")
    assert undocumented(text) == ["api", "--landing LANDING"]
