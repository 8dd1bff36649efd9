"""The contract_deliverables template: what each contract asks the creator to post, and by when.

Derived from the sponsored posts the social writer wrote (no random draws, so no other file changes): a contract asks
for the posts its creator made, by format, due DELIVERABLE_DAYS after the campaign start. The planted delivery cases
change only the template: a late_delivery contract was due the day of its first post (the others came late), a
missed_delivery contract that is due asks for MISSED_POSTS more posts than were made. A contract of a campaign that
ended less than FOLLOW_UP_DAYS before the data's last day also asks for a follow-up post due FOLLOW_UP_DAYS after the
campaign end: not posted, not due yet (pending).

Story deliverables are planted last, from a random stream of their own (see ``_plant_story_deliverables``).
"""

from __future__ import annotations

import csv
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

from pipeline.generate.world import DELIVERABLE_DAYS, MISSED_POSTS, World, deliverable_format, rng_for

HEADER = ["contract_id", "format", "posts", "due_date", "content_review"]
FOLLOW_UP_DAYS = 30
STORY_FORMAT = "instagram_story"
STORY_POSTS = 2  # stories a planted delivered story deliverable asks for
LATE_GRACE_DAYS = 60  # dbt var deliverable_late_grace_days: a post this long after the last due date still counts


def write_deliverables(world: World, delivered: dict[int, list[tuple[date, str]]], out: Path,
                       story_days: dict[str, list[date]]) -> dict[str, list]:
    """Write marketing/contract_deliverables.csv; return the planted late and missing contracts and the planted story
    deliverables (ground truth). ``story_days``: the day of each story per Instagram account (StoryWriter.posted)."""
    start_of = {c.campaign_id: c.start for c in world.campaigns}
    end_of = {c.campaign_id: c.end for c in world.campaigns}
    case_of = {c.creator_id: c.case for c in world.creators}
    rows, late, missed = [], [], []
    for idx, contract in enumerate(world.contracts):
        posts = delivered.get(idx, [])
        due = start_of[contract.campaign_id] + timedelta(days=DELIVERABLE_DAYS)
        counts = Counter(fmt for _, fmt in posts)
        case = case_of[contract.creator_id]
        if case == "late_delivery" and posts:
            due = min(day for day, _ in posts)
            late.append(contract.contract_id)
        elif case == "missed_delivery" and due < world.end:
            primary = world.creators_by_id[contract.creator_id].primary.platform
            fmt = counts.most_common(1)[0][0] if counts else deliverable_format(primary, is_reel=True)
            counts[fmt] += MISSED_POSTS
            missed.append(contract.contract_id)
        # Content review on every third contract: recorded, not judged.
        review = "yes" if idx % 3 == 0 else "no"
        rows += [[contract.contract_id, fmt, n, due, review] for fmt, n in sorted(counts.items())]
        end = end_of[contract.campaign_id]
        if counts and end + timedelta(days=FOLLOW_UP_DAYS) > world.end:  # its follow-up post is not due yet
            rows.append([contract.contract_id, counts.most_common(1)[0][0], 1, end + timedelta(days=FOLLOW_UP_DAYS),
                         review])
    stories = _plant_story_deliverables(world, rows, story_days, set(missed))
    path = out / "marketing" / "contract_deliverables.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(rows)
    return {"late_contracts": late, "missed_contracts": missed, "story_deliverables": stories}


def _plant_story_deliverables(world: World, rows: list[list], story_days: dict[str, list[date]],
                              missed: set[str]) -> list[dict]:
    """Contracts that also ask for Instagram stories, appended to ``rows``. A story names no contract, so it is
    matched by its account and the contract's dates: a planted story row is due on its contract's last due date, so
    the contract's window and first due date (which decide where other posts go) stay as they were.
    - delivered: a contract of a creator without a case (budget, seeding, content and rate cases kept apart, so
      rate_fairness judges their contracts as before) whose Instagram account posted STORY_POSTS stories from the
      campaign start to that date; on time.
    - missing: a planted missed_delivery contract (missing already, so its status does not change) whose creator
      posted no story from the campaign start to LATE_GRACE_DAYS after that date asks for one.
    One of each at most, from a random stream of their own (no other draw changes)."""
    r = rng_for(world.seed, "story_deliverables")
    start_of = {c.campaign_id: c.start for c in world.campaigns}
    creators = world.creators_by_id
    kept_apart = (set(world.budget_cases) | {k.creator_id for k in world.seeding_contracts}
                  | set(world.organic_winner_creators) | set(world.rate_cases))
    last: dict[str, tuple[date, str]] = {}  # contract -> (last due date, content review)
    for contract_id, _, _, due, review in rows:
        if contract_id not in last or due > last[contract_id][0]:
            last[contract_id] = (due, review)
    delivered, missing = [], []
    for contract in world.contracts:
        if contract.contract_id not in last:
            continue
        due = last[contract.contract_id][0]
        creator = creators[contract.creator_id]
        stories = [day for a in creator.accounts if a.platform == "instagram"
                   for day in story_days.get(a.account_id, []) if start_of[contract.campaign_id] <= day]
        if (creator.case is None and creator.creator_id not in kept_apart
                and sum(day <= due for day in stories) >= STORY_POSTS):
            delivered.append(contract)
        elif contract.contract_id in missed and not [d for d in stories if d <= due + timedelta(LATE_GRACE_DAYS)]:
            missing.append(contract)
    planted = []
    for status, posts, candidates in (("delivered", STORY_POSTS, delivered), ("missing", 1, missing)):
        if candidates:
            contract = r.choice(candidates)
            due, review = last[contract.contract_id]
            rows.append([contract.contract_id, STORY_FORMAT, posts, due, review])
            planted.append({"contract_id": contract.contract_id, "creator_id": contract.creator_id,
                            "status": status, "posts": posts, "due_date": str(due)})
    return planted
