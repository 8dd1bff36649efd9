"""docs/input-templates.md is generated from the source declarations and must be current."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

from ingest.docs import COMMAND, render, source_section
from ingest.sources import ALL_SOURCES

DOC = Path(__file__).resolve().parents[2] / "docs" / "input-templates.md"


def test_the_committed_document_is_what_the_declarations_generate() -> None:
    # Through the documented command (`ingest docs`), so the command itself is what is tested.
    generated = subprocess.run([sys.executable, "-m", "ingest.cli", "docs"], capture_output=True, text=True,
                               check=True, cwd=DOC.parents[1]).stdout
    assert generated == render()
    assert DOC.read_text(encoding="utf-8") == generated, (
        f"docs/input-templates.md is out of date with the source declarations (ingest/sources/): run `{COMMAND}`")


def test_every_source_is_documented_once() -> None:
    text = render()
    for source in ALL_SOURCES.values():
        assert text.count(f"### `{source.pattern}` ({source.name})") == 1, source.name


def test_required_headers_and_values_come_from_the_declaration() -> None:
    creators = ALL_SOURCES["creators"]
    section = source_section(creators)
    # The issue: home_country's header is required (a file without it fails) though its cells may be empty.
    assert "| `home_country` | required | optional | an ISO 3166 alpha-2" in section
    assert "| `creator_id` | required | required |" in section
    assert "| `instagram_username` | optional | optional |" in section
    loosened = dataclasses.replace(creators, columns=tuple(
        dataclasses.replace(c, header_required=False) if c.name == "home_country" else c for c in creators.columns))
    assert "| `home_country` | optional | optional |" in source_section(loosened), "a changed declaration shows"
