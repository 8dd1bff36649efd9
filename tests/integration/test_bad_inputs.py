"""The bad-input corpus (tests/fixtures/bad_inputs/, see its README): every broken file gets a clear message
naming the file (and column), good rows of the same file still land, rejected rows are kept with their reason,
and for every file rows_read = rows_loaded + rows_quarantined."""

from __future__ import annotations

import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest

from ingest.errors import IngestError
from ingest.loader import SIBLING_LABEL
from ingest.runs import load_with_results
from tests.conftest import PII_TEST_KEY

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "bad_inputs"


@dataclass(frozen=True)
class Case:
    file: str
    source: str
    loaded: int | None = None          # None: the whole file must fail
    quarantined: list[tuple[str | None, str]] = field(default_factory=list)  # (column, reason fragment)
    error: tuple[str, ...] = ()        # fragments of the error message
    preload: str | None = None         # a corpus file loaded first (re-delivery)
    status: str = "loaded"             # or "empty": recorded in the manifest, nothing loaded


CASES = [
    Case("shopify/orders_export/truncated.csv", "shopify_orders_csv", 2,
         [(None, "unreadable CSV row: it has 8 values where the header has 79 columns, so its values cannot be "
                 "matched to columns; fix the row, or, if it is the last, the file was cut short")]),
    Case("shopify/orders_export/latin1.csv", "shopify_orders_csv", 1),
    Case("shopify/orders_export/cp1252.csv", "shopify_orders_csv", 2),
    Case("shopify/orders_export/utf16_unicode_text.csv", "shopify_orders_csv", 2),
    Case("shopify/orders_export/cut_in_quotes.csv", "shopify_orders_csv", 2,
         [(None, "it has 44 values where the header has 79 columns, so its values cannot be matched to columns; fix "
                 "the row, or, if it is the last, the file was cut short")]),
    Case("shopify/orders_export/all_rejected.csv", "shopify_orders_csv", 0, [("Currency", "ISO 4217")] * 3),
    Case("shopify/orders_export/bom_semicolon.csv", "shopify_orders_csv", 2),
    Case("shopify/orders_export/missing_column.csv", "shopify_orders_csv",
         error=("missing_column.csv", "'Lineitem price' is missing")),
    Case("shopify/orders_export/duplicated_header.csv", "shopify_orders_csv",
         error=("duplicated_header.csv", "duplicated header")),
    Case("shopify/orders_export/garbage_numeric.csv", "shopify_orders_csv", 2,
         [("Subtotal", "column `Subtotal`: '34,OO' is not a number (expected")]),
    Case("shopify/orders_export/negative_quantity.csv", "shopify_orders_csv", 2,
         [("Lineitem quantity", "a whole number > 0")]),
    Case("shopify/orders_export/unknown_currency.csv", "shopify_orders_csv", 2, [("Currency", "ISO 4217")]),
    Case("shopify/orders_export/future_date.csv", "shopify_orders_csv", 2, [("Created at", "not in the future")]),
    Case("shopify/orders_export/bad_timestamp.csv", "shopify_orders_csv", 2,
         [("Created at", "column `Created at`: 'yesterday' is not a date and time")]),
    Case("shopify/orders_export/empty.csv", "shopify_orders_csv", 0, status="empty"),
    Case("shopify/orders_export/header_only.csv", "shopify_orders_csv", 0),
    Case("shopify/orders_export/bad_status.csv", "shopify_orders_csv", 2, [("Financial Status", "one of paid")]),
    Case("shopify/orders_export/missing_name.csv", "shopify_orders_csv", 2,
         [("Name", "column `Name`: the value is empty, but a value is required")]),
    Case("shopify/orders_export/redelivered.csv", "shopify_orders_csv", 1,
         preload="shopify/orders_export/bom_semicolon.csv"),
    Case("shopify/orders_export/redelivered_bad_line.csv", "shopify_orders_csv", 1,
         [("Currency", "ISO 4217"), ("Name", "another line of the same record (Name #2001) was rejected (row 1")],
         preload="shopify/orders_export/bom_semicolon.csv"),
    Case("shopify/orders_export/redelivered_cut_line.csv", "shopify_orders_csv", 1,
         [(None, "unreadable CSV row"), ("Name", "another line of the same record (Name #2001) was rejected (row 2")],
         preload="shopify/orders_export/bom_semicolon.csv"),
    Case("shopify/orders_export/absurd_total.csv", "shopify_orders_csv", 2,
         [("Total", "too large for DECIMAL(18,2)")]),
    Case("shopify/orders_export/unquoted_comma.csv", "shopify_orders_csv", 2,
         [(None, "unreadable CSV row: it has more values than the header's 79 columns, so its values cannot be "
                 "matched to columns (a value holding ',' that is not in double quotes?)")]),
    Case("shopify/orders_api/not_json.jsonl", "shopify_orders_api", 1, [("(line)", "not valid JSON")]),
    Case("shopify/orders_api/wrong_shape.jsonl", "shopify_orders_api", 1, [("(line)", "unexpected JSON shape")]),
    Case("shopify/orders_api/error_page.jsonl", "shopify_orders_api", 1,
         [("(line)", "an API error page, not data: Exceeded 2 calls per second for api client."),
          ("(line)", "an API error page, not data: (#4) Application request limit reached (fetch the page again)")]),
    Case("shopify/orders_api/missing_id.jsonl", "shopify_orders_api", 1,
         [("order_id", "column `order_id`: the value is empty, but a value is required")]),
    Case("shopify/orders_api/empty.jsonl", "shopify_orders_api", 0, status="empty"),
    Case("followers/bad_rows.csv", "follower_snapshots", 2,
         [("snapshot_date", "is not a date (expected"), ("followers", "a follower count >= 0"),
          ("platform", "is not accepted")]),
    Case("followers/absurd_values.csv", "follower_snapshots", 1,
         [("snapshot_date", "is outside the years 1 to 9999"), ("followers", "too large for BIGINT")]),
    Case("tiktok/video_list-counts.jsonl", "tiktok_videos", 1, [("like_count", "is not a count")]),
    Case("tiktok/video_list-absurd.jsonl", "tiktok_videos", 1,
         [("posted_at", "too large for TIMESTAMP"), ("view_count", "is not a")]),
    Case("youtube/videos-negative.jsonl", "youtube_videos", 1, [("view_count", "out of range")]),
    Case("tiktok/scraper/dataset_tiktok-scraper-ids_and_times.jsonl", "tiktok_scraper_videos", 1,
         [("video_id", "the video id in digits"), ("posted_at", "unix seconds or ISO 8601"),
          ("posted_at", "unix seconds or ISO 8601")]),
    Case("tiktok/scraper/flat-bad_values.jsonl", "tiktok_scraper_videos", 1,
         [("follower_count", "is not a count (expected a follower count"), ("view_count", "a count >= 0 like 1.4M"),
          ("username", "no author"), ("(line)", "unexpected JSON shape")]),
    Case("tiktok/scraper/excel_resaved.csv", "tiktok_scraper_videos_csv", 1,
         [("id", "do not re-save it in Excel"), ("createTimeISO", "unix seconds or ISO 8601")]),
    Case("tiktok/scraper/snake_headers.csv", "tiktok_scraper_videos_csv",
         error=("snake_headers.csv", "required columns 'id', 'createTimeISO',")),
    Case("tiktok/scraper/dataset_tiktok-scraper_cut_short.json", "tiktok_scraper_videos_json",
         error=("dataset_tiktok-scraper_cut_short.json", "not complete, valid JSON (at byte 1071: unexpected end",
                "download or export it again")),
    Case("tiktok/scraper/dataset_tiktok-scraper_error_page.json", "tiktok_scraper_videos_json",
         error=("dataset_tiktok-scraper_error_page.json", "is not a JSON object or array (it starts with '<')")),
    Case("tiktok/scraper/dataset_tiktok-scraper_bad_items.json", "tiktok_scraper_videos_json", 1,
         [("view_count", "is not a count"), ("(line)", "expected one scraped video object per element")]),
    Case("instagram/media_insights-values.jsonl", "instagram_media_insights", 2, [("metric_value", "is not a")]),
    Case("instagram/media_insights-bare_body.jsonl", "instagram_media_insights", 1,
         [("(line)", "saved by hand belongs in instagram/<account_id>/media_insights_<media_id>_<YYYY-MM-DD>.json")]),
    Case("instagram/anna.bakes/media_insights_18027939643014021_2026-03-01.json", "instagram_media_insights_saved", 0,
         [("account_id", "the numeric folder the file is saved in")] * 2),
    Case("instagram/17841405822304914/media_insights_2026-03-01.json", "instagram_media_insights_saved", 1,
         [("media_id", "or a file named instagram/<account_id>/media_insights_<media_id>_<YYYY-MM-DD>.json")]),
    Case("instagram/business_suite/bad_values.csv", "instagram_post_exports", 1,
         [("Publish time", "MM/DD/YYYY HH:MM"), ("Likes", "'lots' is not a count")]),
    Case("instagram/business_suite/utf16.csv", "instagram_post_exports", 1),
    Case("discovery/bad_values.csv", "discovery_creators", 1,
         [("Engagement rate", "a percentage like 2.3%"), ("Platform", "Instagram, TikTok or YouTube"),
          ("Followers", "'about 48k' is not a count")]),
    Case("marketing/contracts-unknown_creator.csv", "contracts", 1,
         [("creator_id", "listed in creators.csv"), ("campaign_id", "listed in campaigns.csv")]),
    Case("marketing/contracts-bad_values.csv", "contracts", 1,
         [("commission_rate", "between 0 and 1"), ("currency", "ISO 4217")]),
    Case("marketing/code_assignments-overlapping.csv", "code_assignments", 1,
         [("code", "another creator"), ("code", "another creator"), ("valid_to", "before valid_from")]),
    Case("marketing/link_assignments-shared_link.csv", "link_assignments", 1,
         [("link_id", "another creator"), ("link_id", "another creator")]),
    Case("marketing/campaigns-missing_column.csv", "campaigns", error=("campaigns-missing_column.csv", "'start_date'")),
    Case("marketing/campaigns-end_before_start.csv", "campaigns", 1, [("end_date", "before start_date")]),
    Case("marketing/campaigns-bad_budget.csv", "campaigns", 2,
         [("budget_currency", "empty while `budget` is set"), ("budget", "'-50.00' is out of range"),
          ("budget_currency", "'XXX' is not accepted")]),
    Case("marketing/creators-bad_country.csv", "creators", 1, [("home_country", "alpha-2")]),
    Case("fx/fx_rates-bad_rates.csv", "fx_rates", 1,
         [("rate", "is out of range (expected a rate > 0)"), ("rate", "is not a number"),
          ("quote_currency", "ISO 4217")]),
    Case("fx/fx_rates-eur_base.csv", "fx_rates", 1,
         [("base_currency", "'EUR' is not accepted (expected USD (rates per 1 US dollar; rebase other files"),
          ("base_currency", "'EUR' is not accepted")]),
]


def test_the_corpus_covers_at_least_25_broken_files() -> None:
    files = {str(p.relative_to(CORPUS)) for p in CORPUS.rglob("*") if p.is_file() and p.name != "README.md"}
    assert len(files) >= 25
    assert files == {c.file for c in CASES}, "every corpus file has a case, every case a file"
    readme = (CORPUS / "README.md").read_text()
    assert all(f"`{c.file}`" in readme for c in CASES), "every file is described in the corpus README"


@pytest.mark.parametrize("case", CASES, ids=[c.file for c in CASES])
def test_bad_input_gets_a_clear_outcome_and_nothing_is_lost(case: Case, sample_landing: Path, tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    # Templates refer to known creators and campaigns: load the sample's first.
    load_with_results(["creators", "campaigns"], sample_landing, warehouse, PII_TEST_KEY)
    landing = tmp_path / "landing"
    for rel in filter(None, (case.preload, case.file)):
        (landing / rel).parent.mkdir(parents=True, exist_ok=True)
    if case.preload:
        shutil.copy(CORPUS / case.preload, landing / case.preload)
        load_with_results([case.source], landing, warehouse, PII_TEST_KEY)
    shutil.copy(CORPUS / case.file, landing / case.file)

    if case.loaded is None:
        with pytest.raises(IngestError) as err:
            load_with_results([case.source], landing, warehouse, PII_TEST_KEY)
        for fragment in case.error:
            assert fragment in str(err.value)
        con = duckdb.connect(str(warehouse), read_only=True)
        assert con.execute("select count(*) from raw.load_manifest where file_name = ?",
                           [Path(case.file).name]).fetchall()[0][0] == 0, "a failed file writes nothing"
        con.close()
        return

    results = [r for r in load_with_results([case.source], landing, warehouse, PII_TEST_KEY)
               if r.file.endswith(case.file) and r.status == case.status]
    assert len(results) == 1
    result = results[0]
    assert (result.rows_loaded, result.rows_quarantined) == (case.loaded, len(case.quarantined))
    assert result.rows_read == result.rows_loaded + result.rows_quarantined
    # The top reasons (in the reject-share error) count each fault under its column; a good line held back with its
    # record's bad line is counted apart, not under the key column it is filed by.
    expected = Counter(SIBLING_LABEL if reason.startswith("another line of the same record") else column or "(line)"
                       for column, reason in case.quarantined)
    assert {label: rows for label, rows, _ in result.top_rejects} == {
        label: expected[label] for label, _, _ in result.top_rejects}
    assert len(result.top_rejects) == min(3, len(expected))
    con = duckdb.connect(str(warehouse), read_only=True)
    rows = con.execute("select column_name, reason, source_row, raw_value, file_name, line_hash from raw.quarantine "
                       "where load_id = ? order by source_row", [result.load_id]).fetchall()
    con.close()
    assert len(rows) == len(case.quarantined)
    unmatched = list(rows)
    for column, fragment in case.quarantined:
        match = next((r for r in unmatched if r[0] == column and fragment in r[1]), None)
        assert match is not None, f"no quarantine row for {column!r} with {fragment!r} in {rows}"
        unmatched.remove(match)
        assert match[2] is not None and match[4].endswith(Path(case.file).name)
        # The reason reads alone (an alert, a spreadsheet of rejects): it starts with the file and the row.
        assert match[1].startswith(f"{Path(case.file).name} row {match[2]}: "), match[1]
        # The bad value is kept; of a line that could not be read, only its keyed hash (it may hold personal data).
        assert match[3] is not None or match[5] is not None or "a value is required" in match[1] or "empty" in match[1]
    if case.preload:
        assert result.records_already_delivered == 1
