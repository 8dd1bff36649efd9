"""Incremental dbt runs give the same marts as a full refresh, with late-arriving and re-delivered data.

Delivery A holds the orders and follower snapshots before a cutoff day, half of the Instagram insights, two thirds
of the sampled comments, and the FX rates but three days of GBP rates. Delivery B holds the rest, later API pages, a
corrected re-delivery of some orders already in A, an update of the creators template moving an Instagram account
from one creator to another (its posts from before the cutoff change creator though nothing else about them arrives
again), one account's sponsored posts again, now tagging the brand (in A the tag was missing, so they were not
sponsored: the orders after them are attributed anew), and one account's profile fetched again with more followers
(its snapshots from before the cutoff never arrive, so its early posts take the current count). Delivery C, on its
own because B rebuilds orders all over the span, holds only the late GBP rates (the days took a carried rate until
then) and an early order voided since (its customer's next order becomes their first).
Warehouse 1 loads A, builds, loads B, builds, loads C, builds incrementally; warehouse 2 loads A, B and C and builds
with --full-refresh. Every mart must be identical."""

from __future__ import annotations

import csv
import dataclasses
import itertools
import json
import shutil
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import NamedTuple

import duckdb
import pytest

from expectations.gate import run_raw_gate
from ingest.runs import load_with_results
from pipeline.dbt import code_checksum, run_dbt
from pipeline.publish import MARTS
from pipeline.settings import Settings, load_settings
from tests.conftest import PII_TEST_KEY

CUTOFF = "2026-10-20"  # the scale-S sample (seed 7) runs 2026-07-19 to 2026-11-15
LATE_FX = ("2026-08-11", "2026-08-13")  # a Tuesday to Thursday of GBP rates that arrive late, in delivery C
BRAND_TAG = "@lumenandco"  # dbt var brand_handles: a caption that tags the brand is a sponsored post


def _split_csv(src: Path, dst_a: Path | None, dst_b: Path | None, goes_to_b, encoding: str = "utf-8") -> list[dict]:
    """Rows for which goes_to_b(row) is true go to dst_b, the others to dst_a (None: nowhere). Returns all rows."""
    with src.open(encoding=encoding, newline="") as fh:
        reader = csv.DictReader(fh)
        header, rows = reader.fieldnames, list(reader)
    in_b = [goes_to_b(r) for r in rows]  # once per row, in file order (goes_to_b may keep state)
    for dst, side in ((dst_a, False), (dst_b, True)):
        if dst is None:  # those rows are left out
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        with dst.open("w", encoding=encoding, newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=header, lineterminator="\n")
            writer.writeheader()
            writer.writerows(r for r, b in zip(rows, in_b, strict=True) if b == side)
    return rows


class Planted(NamedTuple):
    """What deliveries() planted, for the test to find again."""

    recounted: str  # the Instagram account whose profile B fetches again
    recount: int  # its follower count in B
    moved: str  # the Instagram account B's creators update moves
    giver: str  # the creator it moves from
    taker: str  # the creator it moves to


def deliveries(full: Path, a: Path, b: Path) -> Planted:
    """The landing files of `full` split into delivery A and delivery B (the module's docstring says how); also
    used by the Spark target's incremental test."""
    shutil.copytree(full, a, ignore=shutil.ignore_patterns("orders_export", "orders_api", "followers",
                                                           "media_insights*", "comment_samples.csv"))
    b.mkdir()
    # Orders: by the order's creation day (continuation lines follow their order's first line).
    for export in sorted((full / "shopify" / "orders_export").glob("*.csv")):
        late: set[str] = set()

        def goes_to_b(row: dict, late: set[str] = late) -> bool:
            if row["Created at"]:
                if row["Created at"][:10] >= CUTOFF:
                    late.add(row["Name"])
            return row["Name"] in late

        rows = _split_csv(export, a / "shopify" / "orders_export" / export.name,
                          b / "shopify" / "orders_export" / export.name, goes_to_b, encoding="utf-8-sig")
    # A corrected re-delivery of some early orders: same names, a refund recorded since.
    early = [r for r in rows if r["Created at"] and r["Created at"][:10] < CUTOFF
             and r["Financial Status"] == "paid"][:25]
    redelivered = b / "shopify" / "orders_export" / "orders_export-redelivery.csv"
    with redelivered.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0].keys()), lineterminator="\n")
        writer.writeheader()
        for r in early:
            writer.writerow({**r, "Financial Status": "partially_refunded", "Refunded Amount": "10.00"})
    shutil.copytree(full / "shopify" / "orders_api", b / "shopify" / "orders_api")
    recounted, recount = _refetch_a_profile(full / "instagram" / "users-0001.jsonl",
                                            b / "instagram" / "users-late.jsonl")
    kept = b.parent / "follower_snapshots-kept.csv"  # every snapshot but the recounted account's early ones
    _split_csv(full / "followers" / "follower_snapshots.csv", kept, None,
               lambda r: r["account_id"] == recounted and r["snapshot_date"] < CUTOFF)
    _split_csv(kept, a / "followers" / "follower_snapshots.csv", b / "followers" / "follower_snapshots-late.csv",
               lambda r: r["snapshot_date"] >= CUTOFF)
    kept.unlink()
    # Comments: every third one arrives late, so posts judged on A's comments are judged again on all of them.
    row_numbers = itertools.count()
    _split_csv(full / "comments" / "comment_samples.csv", a / "comments" / "comment_samples.csv",
               b / "comments" / "comment_samples-late.csv", lambda r: next(row_numbers) % 3 == 2)
    moved, giver, taker = _move_an_instagram_account(full / "marketing" / "creators.csv",
                                                     b / "marketing" / "creators-update.csv")
    _split_csv(full / "fx" / "fx_rates.csv", a / "fx" / "fx_rates.csv", None, _late_fx)  # C brings them (corrections)
    _tag_the_brand_late(full / "instagram" / "media-0001.jsonl", a / "instagram" / "media-0001.jsonl",
                        b / "instagram" / "media-late.jsonl")
    for insights in (full / "instagram").glob("media_insights*.jsonl"):
        lines = insights.read_text().splitlines(keepends=True)
        (a / "instagram" / insights.name).write_text("".join(lines[::2]))
        (b / "instagram").mkdir(exist_ok=True)
        (b / "instagram" / insights.name.replace(".jsonl", "-late.jsonl")).write_text("".join(lines[1::2]))
    return Planted(recounted, recount, moved, giver, taker)


def _move_an_instagram_account(creators: Path, update: Path) -> tuple[str, str, str]:
    """Writes an update of the creators template: the Instagram account of the first creator with another platform
    too moves to the first creator without one. Returns (account id, creator before, creator after)."""
    with creators.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        header, rows = reader.fieldnames, list(reader)
    giver = next(r for r in rows if r["instagram_user_id"] and (r["tiktok_username"] or r["youtube_handle"]))
    taker = next(r for r in rows if not r["instagram_user_id"])
    account = {"instagram_username": giver["instagram_username"], "instagram_user_id": giver["instagram_user_id"]}
    update.parent.mkdir(parents=True, exist_ok=True)
    with update.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerow({**giver, "instagram_username": "", "instagram_user_id": ""})
        writer.writerow({**taker, **account})
    return account["instagram_user_id"], giver["creator_id"], taker["creator_id"]


RECOUNT = 1000  # followers the recounted account gained between its two profile fetches


def _refetch_a_profile(users: Path, late_users: Path) -> tuple[str, int]:
    """B fetches the first Instagram profile again a day later, RECOUNT followers up. Returns its account id and its
    new follower count."""
    page = json.loads(users.read_text().splitlines()[0])
    fetched = datetime.fromisoformat(page["request"]["fetched_at"].replace("Z", "+00:00")) + timedelta(days=1)
    refetch = {"request": {**page["request"], "fetched_at": fetched.strftime("%Y-%m-%dT%H:%M:%SZ")},
               "response": {**page["response"], "followers_count": page["response"]["followers_count"] + RECOUNT}}
    late_users.parent.mkdir(parents=True, exist_ok=True)
    late_users.write_text(json.dumps(refetch) + "\n")
    return page["request"]["account"], refetch["response"]["followers_count"]


def _late_fx(row: dict) -> bool:
    return row["quote_currency"] == "GBP" and LATE_FX[0] <= row["rate_date"] <= LATE_FX[1]


def _tag_the_brand_late(media: Path, a_media: Path, b_media: Path) -> None:
    """The account with the most sponsored posts: in A its captions lack the brand tag; B delivers them again with
    it (a creator asked to tag the brand after posting)."""
    pages = [json.loads(line) for line in media.read_text().splitlines()]
    tagged = Counter(page["request"]["account"] for page in pages for post in page["response"]["data"]
                     if BRAND_TAG in (post.get("caption") or ""))
    account = tagged.most_common(1)[0][0]
    late = []
    for page in pages:
        for post in page["response"]["data"]:
            if page["request"]["account"] == account and BRAND_TAG in (post.get("caption") or ""):
                late.append(dict(post))
                post["caption"] = post["caption"].replace(BRAND_TAG, "the brand")
    a_media.write_text("".join(json.dumps(page) + "\n" for page in pages))
    request = next(page for page in pages if page["request"]["account"] == account)["request"]
    fetched = datetime.fromisoformat(request["fetched_at"].replace("Z", "+00:00")) + timedelta(hours=1)
    refetch = {**request, "fetched_at": fetched.strftime("%Y-%m-%dT%H:%M:%SZ")}
    b_media.parent.mkdir(parents=True, exist_ok=True)
    b_media.write_text(json.dumps({"request": refetch, "response": {"data": late}}) + "\n")


def corrections(full: Path, c: Path) -> str:
    """Delivery C: the late GBP rates, and a new export voiding the first paid order of a customer who paid for
    more than one. Returns the voided order's name."""
    _split_csv(full / "fx" / "fx_rates.csv", None, c / "fx" / "fx_rates-late.csv", _late_fx)
    export = full / "shopify" / "orders_export" / "orders_export-0001.csv"
    with export.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        header, first_lines = reader.fieldnames, [r for r in reader if r["Created at"]]
    paid = Counter(r["Email"] for r in first_lines if r["Financial Status"] == "paid" and r["Email"])
    voided = min((r for r in first_lines if r["Financial Status"] == "paid" and paid[r["Email"]] > 1
                  and r["Created at"][:10] < CUTOFF), key=lambda r: r["Created at"])
    redelivery = c / "shopify" / "orders_export" / "orders_export-voided.csv"
    redelivery.parent.mkdir(parents=True)
    with redelivery.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerow({**voided, "Financial Status": "voided"})
    return voided["Name"]


def _load(landing: Path, warehouse: Path) -> None:
    """Load a delivery and pass it through the raw gate, as the pipeline does before dbt reads it."""
    load_with_results(["marketing", "shopify", "social"], landing, warehouse, PII_TEST_KEY)
    assert run_raw_gate(warehouse, warehouse.with_suffix(".quality"), "test") == []


def _ran(settings: Settings) -> Counter[str]:
    """How many nodes of each kind (model, test, unit_test, seed, ...) the last dbt command ran; also the data tests
    of seeds alone ("test of seeds") and of a model against a seed ("test of a model and a seed")."""
    results = json.loads((settings.dbt_target_dir / "run_results.json").read_text())["results"]
    nodes = json.loads((settings.dbt_target_dir / "manifest.json").read_text())["nodes"]
    ran = Counter(r["unique_id"].split(".")[0] for r in results)
    for r in results:
        parents = {p.split(".")[0] for p in nodes.get(r["unique_id"], {}).get("depends_on", {}).get("nodes", [])}
        if r["unique_id"].startswith("test.") and "seed" in parents:
            ran["test of seeds" if parents == {"seed"} else "test of a model and a seed"] += 1
    return ran


def _build(warehouse: Path, *args: str) -> Counter[str]:
    """Build as the scheduled run does, with the default unit-test policy (on_code_change); returns what it ran."""
    settings = dataclasses.replace(load_settings(), warehouse_path=warehouse, dbt_unit_tests="on_code_change")
    run_dbt(settings, "build", *args, daily_run=True)
    return _ran(settings)


# When ingest loaded a row differs between the two warehouses, what it loaded does not: load times are left out.
LOAD_TIMES = "columns(lambda c: c not in ('loaded_at', 'source_loaded_at'))"


def _incremental_models() -> dict[str, str]:
    """Every incremental model of the project, from dbt's manifest: name -> schema."""
    manifest = json.loads((load_settings().dbt_target_dir / "manifest.json").read_text())
    return {node["name"]: node["schema"] for node in manifest["nodes"].values()
            if node["resource_type"] == "model" and node["config"]["materialized"] == "incremental"}


def _marts(warehouse: Path) -> dict[str, list]:
    """Every mart and every incremental model, without their load times."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = {m: con.execute(f"select {LOAD_TIMES} from marts.{m} order by all").fetchall() for m in MARTS}
        for model, schema in _incremental_models().items():
            tables[model] = con.execute(f"select {LOAD_TIMES} from {schema}.{model} order by all").fetchall()
        return tables
    finally:
        con.close()


def test_the_code_checksum_changes_with_the_code_only(tmp_path: Path) -> None:
    project = tmp_path / "dbt_project"
    shutil.copytree(load_settings().dbt_project_dir, project, ignore=shutil.ignore_patterns("target", "logs"))
    checksum = code_checksum(project)
    (project / "target").mkdir()
    (project / "target" / "run_results.json").write_text("{}")
    (project / "profiles.yml").write_text("# a profile is where dbt runs, not what it computes\n")
    assert code_checksum(project) == checksum, "build artefacts and the profile are not code"
    for changed in (project / "macros" / "portable.sql", project / "models" / "marts" / "_marts__models.yml",
                    project / "dbt_project.yml"):
        original = changed.read_bytes()
        changed.write_bytes(original + b"\n")
        assert code_checksum(project) != checksum, f"a change to {changed.name} is a code change"
        changed.write_bytes(original)
    (project / "macros" / "portable.sql").rename(project / "macros" / "moved.sql")
    assert code_checksum(project) != checksum, "a renamed file is a code change"


@pytest.mark.slow
def test_incremental_runs_equal_a_full_refresh_with_late_and_redelivered_data(sample_landing: Path,
                                                                               tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    planted = deliveries(sample_landing, a, b)
    incremental = tmp_path / "incremental.duckdb"
    _load(a, incremental)
    ran = _build(incremental)
    assert ran["unit_test"] > 0 and ran["seed"] > 0 and ran["test of seeds"] > 0, \
        f"the first build runs the unit tests, loads the seeds and tests them: {ran}"
    before = _marts(incremental)
    _load(b, incremental)
    ran = _build(incremental)
    assert ran["unit_test"] == ran["seed"] == ran["test of seeds"] == 0 and ran["model"] > 0, \
        f"the last build ran this code: the daily run leaves out unit tests, seeds and the seeds' tests: {ran}"
    assert ran["test of a model and a seed"] > 0, f"a model's data checked against a seed is new data: tested {ran}"
    c = tmp_path / "c"
    voided = corrections(sample_landing, c)
    _load(c, incremental)
    _build(incremental)
    after = _marts(incremental)

    full = tmp_path / "full.duckdb"
    for delivery in (a, b, c):
        _load(delivery, full)
    ran = _build(full, "--full-refresh")
    assert ran["unit_test"] > 0 and ran["seed"] > 0, f"a full refresh runs the unit tests and seeds: {ran}"
    expected = _marts(full)

    assert before != after, "deliveries B and C must change the marts, or the test proves nothing"
    incremental_models = _incremental_models()
    assert {"stg_shopify__order_lines_csv", "int_orders", "int_follower_snapshots"} <= set(incremental_models)
    for model in incremental_models:
        assert before[model] != after[model], f"B and C must change {model}, or its comparison proves nothing"
    for table in (*MARTS, *incremental_models):
        assert after[table] == expected[table], table
    con = duckdb.connect(str(full), read_only=True)
    refunded = con.execute("select count(*) from intermediate.int_orders where refunds_ex_tax > 0 and order_name in "
                           "(select order_name from raw.shopify_order_lines_csv where _source_file like "
                           "'%redelivery%')").fetchall()[0][0]
    con.close()
    assert refunded == 25, "the corrected re-delivery wins over the first version"
    # Delivery C's cases are there: orders on the days of the late rates, and a voided first order whose customer
    # has another first order.
    for warehouse in (incremental, full):
        con = duckdb.connect(str(warehouse), read_only=True)
        try:
            late_rate_orders = con.execute("select count(*) from marts.order_attribution where currency = 'GBP' and "
                                           "order_date between ? and ?", list(LATE_FX)).fetchall()[0][0]
            status, new_first = con.execute(
                "select voided.sale_status, count(other.order_name) from marts.order_attribution as voided "
                "left join marts.order_attribution as other on other.customer_key = voided.customer_key "
                "and other.is_first_order_of_customer where voided.order_name = ? group by 1", [voided]).fetchone()
        finally:
            con.close()
        assert late_rate_orders > 0 and (status, new_first) == ("excluded", 1), (late_rate_orders, status, new_first)
    # B's recount is there: the account's posts from before the cutoff have no snapshot and take the count B fetched.
    for warehouse in (incremental, full):
        con = duckdb.connect(str(warehouse), read_only=True)
        try:
            early = con.execute(
                "select followers_at_post_basis, followers_at_post, count(*) from intermediate.int_posts "
                "where platform = 'instagram' and account_id = ? and posted_date < ? group by all",
                [planted.recounted, CUTOFF]).fetchall()
        finally:
            con.close()
        assert len(early) == 1 and early[0][:2] == ("current_count", planted.recount) and early[0][2] > 0, early
    early_posts = [_creators_of_posts(warehouse, planted.moved) for warehouse in (incremental, full)]
    assert early_posts == [{planted.taker}, {planted.taker}], \
        f"the posts of {planted.moved} before the cutoff moved from {planted.giver} to {planted.taker} with the " \
        "creators update"


def _creators_of_posts(warehouse: Path, account: str) -> set[str]:
    """The creators the account's posts from before the cutoff are credited to."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return {row[0] for row in con.execute(
            "select creator_id from intermediate.int_posts where platform = 'instagram' and account_id = ? "
            "and posted_date < ?", [account, CUTOFF]).fetchall()}
    finally:
        con.close()
