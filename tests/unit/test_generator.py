"""The sample-data generator: deterministic for a seed, and writing the real formats."""

from __future__ import annotations

import csv
import hashlib
import json
import random
import re
from datetime import date
from pathlib import Path

import pytest

from pipeline.generate import generate
from pipeline.generate.orders import CSV_HEADER, OLD_CSV_HEADER
from pipeline.generate.run import GENERATED_MARK
from pipeline.generate.scales import SCALES
from pipeline.generate.social import SocialWriter
from pipeline.generate.world import MICRO_MAX_FOLLOWERS, build_world


def _digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name not in ("manifest.json", GENERATED_MARK)}


def test_same_seed_gives_identical_files_and_another_seed_does_not(tmp_path: Path, sample_landing: Path) -> None:
    generate(tmp_path / "a", scale="S", seed=8)
    generate(tmp_path / "a", scale="S", seed=7)  # a folder it generated before is replaced whole
    assert _digest(tmp_path / "a") == _digest(sample_landing)
    generate(tmp_path / "b", scale="S", seed=8)
    assert _digest(tmp_path / "b") != _digest(sample_landing)


def test_a_folder_holding_other_files_is_never_replaced(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """generate replaces its folder whole: a real landing folder (PIPELINE_LANDING_DIR pointed at the exports, say)
    is refused with a message, and its files stay."""
    from pipeline.generate.cli import main

    exports = tmp_path / "landing"
    (exports / "shopify").mkdir(parents=True)
    (exports / "shopify" / "orders_export_1.csv").write_text("Name,Email\n#1001,a@example.com\n")
    assert main(["--out", str(exports)]) == 1
    assert f"{exports} holds files the sample generator did not write" in caplog.text
    assert "choose an empty or new folder" in caplog.text
    assert [p.name for p in exports.rglob("*")] == ["shopify", "orders_export_1.csv"]


def test_a_generated_folder_with_files_added_or_changed_since_is_never_replaced(tmp_path: Path) -> None:
    """An operator's next-day export dropped into the demo's landing folder was deleted by the next demo."""
    out = tmp_path / "landing"
    generate(out, scale="S", seed=7)
    added = out / "shopify" / "orders_export" / "orders_export-0009-nextday.csv"
    added.write_text("Name,Email\n#9999,a@example.com\n")
    changed = next((out / "marketing").glob("*.csv"))
    changed.write_text(changed.read_text() + "\n")
    with pytest.raises(ValueError, match=r"holds 2 file\(s\) added or changed since the sample was generated") \
            as refused:
        generate(out, scale="S", seed=7)
    assert "orders_export-0009-nextday.csv" in str(refused.value) and changed.name in str(refused.value)
    assert added.read_text() == "Name,Email\n#9999,a@example.com\n", "nothing was deleted"
    added.unlink()
    changed.unlink()
    generate(out, scale="S", seed=7)  # a file removed since is no reason to keep the folder


def test_unknown_scale_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown scale 'XL'"):
        generate(tmp_path, scale="XL")


def test_shopify_csv_has_the_real_export_shape(sample_landing: Path) -> None:
    files = sorted((sample_landing / "shopify" / "orders_export").glob("*.csv"))
    assert files, "no CSV export written"
    raw = files[0].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "Shopify exports start with a BOM"
    with files[0].open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0].keys()) in (CSV_HEADER, OLD_CSV_HEADER)
    assert len(CSV_HEADER) == 79
    # One row per line item: order fields on the first row of an order only.
    by_order: dict[str, list[dict]] = {}
    for row in rows:
        by_order.setdefault(row["Name"], []).append(row)
    multi = [lines for lines in by_order.values() if len(lines) > 1]
    assert multi, "expected orders with several line items"
    assert all(lines[0]["Created at"] and not lines[1]["Created at"] for lines in multi)
    created = [r["Created at"] for r in rows if r["Created at"]]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}", c) for c in created)
    statuses = {r["Financial Status"] for r in rows if r["Financial Status"]}
    assert {"paid", "refunded", "partially_refunded", "voided"} <= statuses
    assert {r["Currency"] for r in rows if r["Currency"]} >= {"USD", "GBP", "CAD", "EUR"}
    assert any(", " in r["Discount Code"] for r in rows), "orders with two codes"
    assert any(r["Cancelled at"] for r in rows)


def test_api_extracts_are_json_lines_with_documented_shapes(sample_landing: Path) -> None:
    def first(path: str) -> dict:
        file = next((sample_landing).glob(path))
        return json.loads(file.read_text().splitlines()[0])

    page = first("shopify/orders_api/*.jsonl")
    order = page["response"]["orders"][0]
    for key in ("id", "name", "created_at", "discount_codes", "discount_applications", "line_items", "refunds",
                "landing_site", "total_price_set", "customer"):
        assert key in order
    assert "Link" in page["headers"]
    video = first("tiktok/video_list*.jsonl")["response"]["data"]["videos"][0]
    assert isinstance(video["create_time"], int) and "view_count" in video
    yt = first("youtube/videos*.jsonl")["response"]["items"][0]
    assert isinstance(yt["statistics"]["viewCount"], str), "YouTube counts arrive as strings"
    insights = (sample_landing / "instagram").glob("media_insights*.jsonl")
    names, empty = set(), 0
    for file in insights:
        for line in file.read_text().splitlines():
            for metric in json.loads(line)["response"]["data"]:
                names.add(metric["name"])
                empty += metric["values"] == []
    assert {"impressions", "plays", "engagement"} & names, "deprecated Instagram metric names appear"
    assert {"views", "total_interactions"} <= names
    assert empty > 0, "some metrics come back as an empty list"


def test_ground_truth_lists_every_planted_case(sample_landing: Path) -> None:
    truth = json.loads((sample_landing / "ground_truth.json").read_text())
    cases = {p["case"] for p in truth["planted_creators"]}
    assert set(truth["bad_cases"]) | {"viral_genuine"} == cases
    assert truth["follower_spikes"] and truth["viral_posts"] and truth["undisclosed_posts"]
    assert truth["leaked_codes"] and truth["zero_cost_contracts"] and truth["two_creator_code_orders"]
    planted = {p["creator_id"] for p in truth["planted_creators"] if p["case"] != "viral_genuine"}
    assert planted.isdisjoint(truth["genuine_creators"])


@pytest.mark.parametrize("scale", ["M", "L"])
def test_the_creators_priced_off_the_micro_card_stay_micro_to_the_end(scale: str, tmp_path: Path) -> None:
    """rate_fairness judges a fee against the card row of the creator's tier: an over-priced creator grown into a macro
    one (at L a 33,000-follower account did) is priced in range, and the planted case proves nothing."""
    world = build_world(42, SCALES[scale], date(2026, 11, 15))
    writer = SocialWriter(world, tmp_path)
    try:
        priced = {c: case for c, case in world.rate_cases.items() if case in ("over_priced", "under_priced")}
        assert len(priced) == 2, world.rate_cases
        for creator in (c for c in world.creators if c.creator_id in priced):
            for account in creator.accounts:
                # posting every day: the fastest growth the writer draws
                series = writer._follower_series(random.Random(1), account, world.scale.days,
                                                 set(range(world.scale.days)), None, None, None)
                assert max(series) < MICRO_MAX_FOLLOWERS, \
                    f"{creator.creator_id} ({priced[creator.creator_id]}) ends macro on {account.platform}"
    finally:
        writer.close()
