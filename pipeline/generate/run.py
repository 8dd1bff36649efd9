"""Build a world for a seed and scale and write every input file into one landing folder."""

from __future__ import annotations

import csv
import json
import logging
import math
import shutil
import time
from datetime import date, timedelta
from pathlib import Path

from pipeline.generate.competitors import write_competitor_posts
from pipeline.generate.customer_value import plant_customer_value
from pipeline.generate.deliverables import write_deliverables
from pipeline.generate.followers import write_follower_samples
from pipeline.generate.orders import OrderWriter
from pipeline.generate.scales import SCALES
from pipeline.generate.social import SocialWriter
from pipeline.generate.traffic import TrafficOrderWriter, write_traffic
from pipeline.generate.world import (
    AUDIENCE_CASES,
    BAD_CASES,
    DELIVERY_CASES,
    PARTNER_CASES,
    SAFETY_CASES,
    SAMPLE_CASES,
    World,
    build_world,
    rng_for,
)

log = logging.getLogger(__name__)

DEFAULT_END = date(2026, 11, 15)  # a Sunday: the last ISO week of the sample is complete


# The file that marks a folder as the generator's own: the only non-empty folder it replaces.
GENERATED_MARK = ".generated-sample"


def _require_generated(out: Path) -> None:
    """Refuse to delete a folder the generator did not write (a real landing folder, say): it replaces the whole
    folder. Empty folders, and generated ones (the mark, or ground_truth.json from before the mark), are fine, unless
    the mark lists what was written and files were added or changed since (an operator's own exports dropped into
    the demo's landing folder)."""
    if not out.is_dir():
        raise ValueError(f"{out} is a file: give `generate --out` (or PIPELINE_LANDING_DIR) a folder")
    if any(out.iterdir()) and not (out / GENERATED_MARK).exists() and not (out / "ground_truth.json").exists():
        raise ValueError(f"{out} holds files the sample generator did not write, and generating replaces the whole "
                         "folder: choose an empty or new folder (generate --out, or PIPELINE_LANDING_DIR for "
                         "`pipeline demo`), or move those files away first")
    if foreign := _not_generated(out):
        raise ValueError(f"{out} holds {len(foreign)} file(s) added or changed since the sample was generated "
                         f"({', '.join(foreign[:5])}{', ...' if len(foreign) > 5 else ''}), and generating replaces "
                         "the whole folder: move them away first, or generate into another folder (generate --out, "
                         "or PIPELINE_LANDING_DIR for `pipeline demo`)")


def _written(out: Path) -> dict[str, list[int]]:
    """Every file under ``out`` but the mark: its path under ``out``, size and modification time (ns)."""
    return {p.relative_to(out).as_posix(): [p.stat().st_size, p.stat().st_mtime_ns]
            for p in sorted(out.rglob("*")) if p.is_file() and p.name != GENERATED_MARK}


def _not_generated(out: Path) -> list[str]:
    """Files added or changed since the generator listed what it wrote in the mark (none for a mark without a list:
    a run that stopped half-way, or a version before the list)."""
    try:
        listed = json.loads((out / GENERATED_MARK).read_text())["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return []
    return [path for path, facts in _written(out).items() if listed.get(path) != facts]


def generate(out: Path, scale: str = "S", seed: int = 42, end: date = DEFAULT_END) -> dict:
    """Write the sample landing folder and return a summary (counts and the ground-truth path)."""
    started = time.perf_counter()
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}: expected one of {', '.join(SCALES)}")
    out = Path(out)
    if out.exists():
        _require_generated(out)
        shutil.rmtree(out)  # a landing folder holds one generated world, never a mix of two
    out.mkdir(parents=True)
    (out / GENERATED_MARK).write_text("written by `generate` (pipeline/generate): replaced by the next run\n")
    world = build_world(seed, SCALES[scale], end)
    _write_marketing(world, out)
    _write_fx(world, out)

    social = SocialWriter(world, out)
    by_creator: dict[str, list] = {}
    for idx, contract in enumerate(world.contracts):
        by_creator.setdefault(contract.creator_id, []).append((idx, contract))
    for n, creator in enumerate(world.creators, 1):
        social.write_creator(creator, by_creator.get(creator.creator_id, []))
        if n % 500 == 0:
            log.info("creators written: %d/%d", n, len(world.creators))
    social.close()
    follower_samples = write_follower_samples(world, out)
    competitor_posts = write_competitor_posts(world, out)
    deliverables = write_deliverables(world, social.delivered, out, social.stories.posted)
    customer_value = plant_customer_value(world, social.intents, social.delivered, out)

    orders = TrafficOrderWriter(world, out)
    for d in range(world.scale.days):
        orders.write_day(d, social.intents.pop(d, []))
        if d % 60 == 59:
            log.info("order days written: %d/%d (%d orders)", d + 1, world.scale.days, orders.stats["orders"])
    orders.close()
    link_traffic = write_traffic(world, orders, out)

    truth = _ground_truth(world, social.truth, orders) | {"follower_samples": follower_samples,
                                                          "competitor_posts": competitor_posts,
                                                          "contract_deliverables": deliverables,
                                                          "link_traffic": link_traffic,
                                                          "customer_value_cases": customer_value}
    (out / "ground_truth.json").write_text(json.dumps(truth, indent=2))
    summary = {"scale": scale, "seed": seed, "start": str(world.start), "end": str(world.end),
               "creators": len(world.creators), "contracts": len(world.contracts), **orders.stats,
               "seconds": round(time.perf_counter() - started, 2), "out": str(out)}
    (out / "manifest.json").write_text(json.dumps(summary, indent=2))
    # What was written, so the next run replaces this folder only if nobody added or changed a file since.
    (out / GENERATED_MARK).write_text(json.dumps({"written by": "generate (pipeline/generate): replaced by the next "
                                                  "run", "files": _written(out)}))
    return summary


def _write_csv(path: Path, header: list[str], rows: list[list]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def _write_marketing(world: World, out: Path) -> None:
    folder = out / "marketing"
    contracts = [*world.contracts, *world.seeding_contracts]  # the planted gifts are contracts like any other here
    handles = []
    for c in world.creators:
        by_platform = {a.platform: a for a in c.accounts}
        ig, tt, yt = (by_platform.get(p) for p in ("instagram", "tiktok", "youtube"))
        handles.append([c.creator_id, c.name, c.home_country,
                        ig.handle if ig else "", ig.account_id if ig else "",
                        tt.handle if tt else "", tt.account_id if tt else "",
                        yt.handle if yt else "", yt.account_id if yt else ""])
    _write_csv(folder / "creators.csv", ["creator_id", "creator_name", "home_country", "instagram_username",
                                         "instagram_user_id", "tiktok_username", "tiktok_open_id",
                                         "youtube_handle", "youtube_channel_id"], handles)
    _write_csv(folder / "campaigns.csv", ["campaign_id", "campaign_name", "start_date", "end_date",
                                          "target_countries", "budget", "budget_currency"],
               [[c.campaign_id, c.name, c.start, c.end, ";".join(c.target_countries), c.budget,
                 "USD" if c.budget else ""] for c in world.campaigns])
    _write_csv(folder / "contracts.csv", ["contract_id", "creator_id", "campaign_id", "currency", "flat_fee",
                                          "gifted_units", "unit_cost", "gift_shipping_cost", "commission_rate",
                                          "bonus_threshold_net_revenue", "bonus_amount", "paid_amplification",
                                          "exclusivity_category", "exclusivity_days_before", "exclusivity_days_after"],
               [[k.contract_id, k.creator_id, k.campaign_id, k.currency, k.flat_fee, k.gifted_units, k.unit_cost,
                 k.gift_shipping_cost, k.commission_rate, k.bonus_threshold_net_revenue, k.bonus_amount,
                 k.paid_amplification, k.exclusivity_category, k.exclusivity_days_before, k.exclusivity_days_after]
                for k in contracts])
    _write_csv(folder / "code_assignments.csv", ["code", "creator_id", "campaign_id", "discount_percent",
                                                 "valid_from", "valid_to"],
               [[k.code, k.creator_id, k.campaign_id, k.discount_percent, k.code_valid_from, k.code_valid_to]
                for k in contracts])
    campaigns = {c.campaign_id: c for c in world.campaigns}
    _write_csv(folder / "link_assignments.csv", ["link_id", "creator_id", "campaign_id", "valid_from",
                                                 "valid_to"],
               [[k.link_id, k.creator_id, k.campaign_id, campaigns[k.campaign_id].start,
                 campaigns[k.campaign_id].end + timedelta(days=30)] for k in contracts])


def _write_fx(world: World, out: Path) -> None:
    """Daily reference rates (quote units per 1 USD) on business days only, as central banks publish them."""
    r = rng_for(world.seed, "fx")
    level = {"CAD": 1.36, "GBP": 0.79, "EUR": 0.92, "AUD": 1.51, "KRW": 1380.0, "JPY": 150.0}
    # KRW and JPY walk on their own stream, so the other rates (and every amount converted with them) stay as
    # they were before those two currencies were added.
    walk = {cur: r for cur in level} | {cur: rng_for(world.seed, "fx", cur) for cur in ("KRW", "JPY")}
    rows = []
    day = world.start - timedelta(days=7)
    while day <= world.end:
        for cur in level:
            level[cur] *= math.exp(walk[cur].gauss(0, 0.003))
            if day.weekday() < 5:
                rows.append([day, "USD", cur, f"{level[cur]:.6f}"])
        day += timedelta(days=1)
    _write_csv(out / "fx" / "fx_rates.csv", ["rate_date", "base_currency", "quote_currency", "rate"], rows)


def _ground_truth(world: World, social_truth: dict, orders: OrderWriter) -> dict:
    planted = [{"creator_id": c.creator_id, "platform": c.primary.platform, "case": c.case}
               for c in world.creators if c.case]
    leaked = [k.code for k in world.contracts if world.creators_by_id[k.creator_id].case == "leaked_code"]
    zero_cost = [k.contract_id for k in world.contracts
                 if world.creators_by_id[k.creator_id].case == "zero_cost_gifting"]
    return {
        "description": "Planted cases. Bad cases must be flagged by vetting/ROI; viral_genuine must not be.",
        "bad_cases": [*BAD_CASES, *SAMPLE_CASES, *PARTNER_CASES, *DELIVERY_CASES, *AUDIENCE_CASES, *SAFETY_CASES],
        "planted_creators": planted,
        "genuine_creators": [c.creator_id for c in world.creators if c.case in (None, "viral_genuine")],
        # Genuine creators whose contract costs make them a case for budget_recommendations.
        "budget_cases": [{"creator_id": creator, "case": case} for creator, case in world.budget_cases.items()],
        # Genuine creators priced far above or under the market rate card, and a partner whose ROAS grew (rate_fairness,
        # rate_review).
        "rate_cases": [{"creator_id": creator, "case": case,
                        "contract_ids": [k.contract_id for k in world.contracts if k.creator_id == creator]}
                       for creator, case in world.rate_cases.items()],
        "follower_spikes": social_truth["spikes"],
        "viral_posts": social_truth["viral_posts"],
        "undisclosed_posts": social_truth["undisclosed_posts"],
        # Unsponsored posts scaled far above their account's usual engagement: the organic winners to find.
        "organic_winners": social_truth["organic_winners"],
        "leaked_codes": leaked,
        "zero_cost_contracts": zero_cost,
        # Gifted-only contracts whose creator never posted about the gift (seeding_performance: posted false).
        "gifted_never_posted": [{"contract_id": k.contract_id, "creator_id": k.creator_id, "campaign_id": k.campaign_id}
                                for k in world.seeding_contracts],
        "two_creator_code_orders": [{"order_name": t["order"].name, "codes": t["codes"]}
                                    for t in orders.truth_two_code_orders],
    }
