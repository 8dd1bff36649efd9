"""docs/input-templates.md, generated from the source declarations (one source of truth for what ingest accepts).

    uv run --frozen ingest docs > docs/input-templates.md

Whether a header and a value are required, what a valid value looks like and what a column means all come from
``ingest/sources/``; only the guidance around them (the intro of each group, the rules across files) is written
here. tests/unit/test_input_docs.py fails when the committed document differs from what this prints.
"""

from __future__ import annotations

import re
import sys

from ingest.sources import ALL_SOURCES, GROUPS
from ingest.sources.marketing import MARKETING_SOURCES
from ingest.sources.social import SOCIAL_SOURCES
from ingest.spec import Column, Source
from ingest.sql import expect_text

COMMAND = "uv run --frozen ingest docs > docs/input-templates.md"

INTRO = f"""\
# Input files

<!-- Generated from the source declarations in ingest/sources/ by
`{COMMAND}`;
do not edit by hand (tests/unit/test_input_docs.py checks that it is current). -->

Every file the ingest accepts, source by source: where it lands (the pattern under the landing folder), which
columns it must have and what a valid value looks like. `uv run --frozen ingest sources` lists the same sources.

- **header**: *required* means a CSV file without that column fails as a whole, with a message naming the file and
  the column, and nothing of it loads; *optional* means older exports may lack it (the value is then empty).
- **value**: *required* means a row whose cell is empty is quarantined; *optional* cells may be empty.
- **expected**: what a valid value looks like. A row with a value that does not parse or is out of range goes to
  `raw.quarantine` with its file, row number, column, value and a reason such as "column `Total`: 'abc' is not a
  number (expected a decimal amount)"; the file's other rows still load. A personal-data value is never kept there.
- Columns are matched **by name**; columns a file has beyond these are ignored and listed in
  `raw.load_manifest.extra_columns`. Personal data (emails, names, phones, addresses) is replaced by a keyed hash at
  ingest ([pii.md](pii.md)).
"""

MARKETING_INTRO = """\
## Marketing templates

Marketers maintain these CSV files (or sheet exports) in the landing folder under `marketing/`, and the FX table
under `fx/`. The sample generator writes filled-in examples (`uv run --frozen generate`, then look in
`data/landing/marketing/`). Dates are ISO (`2026-03-01`), amounts plain decimals (`1250.00`), no thousands
separators, currencies ISO 4217 codes.

Rules across files (load `creators.csv` and `campaigns.csv` first; the pipeline does):
- every `creator_id` and `campaign_id` in contracts, code and link assignments must exist in the creators and
  campaigns templates already loaded; an unknown one is quarantined (it would credit money to nobody);
- `valid_to` may not be before `valid_from`, nor `end_date` before `start_date`;
- a code, or a link id, belongs to one creator at a time: rows of one file giving it to two creators over overlapping
  dates are all quarantined, because neither can be trusted; a row giving it to another creator than an assignment
  loaded before is quarantined, and the one loaded keeps its credit. Fix the file and deliver it again (to move a
  code to another creator, end the old assignment's `valid_to` in its file first); a corrected file with the same
  name loads as a new version.
- FX: every order and contract currency other than the reporting currency needs a rate for its day. A day without
  one (a weekend, a holiday) uses the newest earlier rate up to 7 days old (dbt var `fx_max_rate_age_days`); past
  that the build stops with "no EUR→USD rate on 2026-03-01 ...", naming the rate to add.
"""

STORE_INTRO = """\
## Store exports and API pages

Orders from the stores, as the stores export them: Shopify's admin "Export orders" CSV (one row per line item,
any header vintage), Shopify Admin REST pages, WooCommerce REST pages, discount codes and affiliate redemptions.
API pages land as JSON lines, one page per line: `{"request": {...}, "response": <body verbatim>}`; for these the
table names the field each column is read from.
"""

SOCIAL_INTRO = """\
## Social platform API pages, follower snapshots and comment samples

Instagram Graph, TikTok Display and YouTube Data/Analytics API responses (JSON lines, one page per line), plus
the daily follower snapshots and comment samples.
"""

EXPORTS_INTRO = """\
## Scraper and dashboard exports

Files saved from scraper tools and the platforms' own dashboards, in the layouts those tools write.
"""


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return " ".join(text.split()).replace("|", "\\|")


# A JSON source column read straight from one field: item->>'$.id' or doc->>'$.request.account'.
_PLAIN_FIELD = re.compile(r"^(item|doc)->>'\$\.([^']+)'$")


def _read_from(column: Column) -> str:
    plain = _PLAIN_FIELD.match(column.source)
    if not plain:
        return "derived (see expected)"
    return f"`{plain[2]}`" + (" of the page" if plain[1] == "doc" else "")


def _meaning(column: Column) -> str:
    pii = "personal data: only a keyed hash is stored" if column.pii else ""
    return "; ".join(filter(None, (column.doc, pii)))


def _format(source: Source) -> str:
    """What the loader reads, by the pattern's extension (ingest/loader.py: `.json` is one whole document)."""
    whole = "one whole JSON file (an object, or an array whose elements are the records)"
    if source.format == "csv":
        return "CSV"
    if source.pattern.endswith(".jsonl"):
        return "JSON lines, one document per line"
    if source.pattern.endswith(".json"):
        return whole
    return f"JSON lines (`.jsonl`, one document per line) or {whole} (`.json`)"


def source_section(source: Source) -> str:
    csv = source.format == "csv"
    key = ", ".join(f"`{k}`" for k in source.key)
    lines = [f"### `{source.pattern}` ({source.name})", "", source.description, "",
             f"Format: {_format(source)}; loads into `raw.{source.table}`"
             + (f"; one record per {key} (the newest delivery wins)." if key else "."), ""]
    if source.shape_expect:
        lines += [f"Each page must be {_cell(source.shape_expect)}; another line is quarantined.", ""]
    if csv:
        lines += ["| column | header | value | expected | meaning |", "|---|---|---|---|---|"]
        for c in source.columns:
            header = "required" if c.header_required else "optional"
            lines.append(f"| `{_cell(c.source)}` | {header} | {'required' if c.required else 'optional'} | "
                         f"{_cell(expect_text(c))} | {_cell(_meaning(c))} |")
    else:
        lines += ["| column | read from | value | expected | meaning |", "|---|---|---|---|---|"]
        for c in source.columns:
            lines.append(f"| `{c.name}` | {_cell(_read_from(c))} | {'required' if c.required else 'optional'} | "
                         f"{_cell(expect_text(c))} | {_cell(_meaning(c))} |")
    if source.row_checks:
        lines += ["", "Rules over whole rows (a row breaking one is quarantined):"]
        lines += [f"- {_cell(check.reason)}" for check in source.row_checks]
    return "\n".join(lines) + "\n"


def groups() -> list[tuple[str, list[Source]]]:
    """Marketing templates first, then store exports, social API pages, scraper and dashboard exports; every
    source of ALL_SOURCES in exactly one."""
    marketing = {s.name for s in MARKETING_SOURCES}
    social = {s.name for s in SOCIAL_SOURCES}
    store = set(GROUPS["shopify"])
    picked = [(MARKETING_INTRO, marketing), (STORE_INTRO, store), (SOCIAL_INTRO, social),
              (EXPORTS_INTRO, set(ALL_SOURCES) - marketing - store - social)]
    return [(intro, [s for s in ALL_SOURCES.values() if s.name in names]) for intro, names in picked]


def render() -> str:
    parts = [INTRO]
    for intro, sources in groups():
        if sources:
            parts.append(intro)
            parts += [source_section(s) for s in sources]
    return "\n".join(parts)


def main() -> None:
    sys.stdout.write(render())


if __name__ == "__main__":
    main()
