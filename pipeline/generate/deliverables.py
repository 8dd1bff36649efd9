"""The contract_deliverables template: what each contract asks the creator to post, and by when.

Derived from the sponsored posts the social writer wrote (no random draws, so no other file changes): a contract asks
for the posts its creator made, by format, due DELIVERABLE_DAYS after the campaign start. The planted delivery cases
change only the template: a late_delivery contract was due the day of its first post (the others came late), a
missed_delivery contract that is due asks for MISSED_POSTS more posts than were made. A contract of a campaign that
ended less than FOLLOW_UP_DAYS before the data's last day also asks for a follow-up post due FOLLOW_UP_DAYS after the
campaign end: not posted, not due yet (pending).
"""

from __future__ import annotations

import csv
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

from pipeline.generate.world import DELIVERABLE_DAYS, MISSED_POSTS, World, deliverable_format

HEADER = ["contract_id", "format", "posts", "due_date", "content_review"]
FOLLOW_UP_DAYS = 30


def write_deliverables(world: World, delivered: dict[int, list[tuple[date, str]]], out: Path) -> dict[str, list]:
    """Write marketing/contract_deliverables.csv; return the planted late and missing contracts (ground truth)."""
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
    path = out / "marketing" / "contract_deliverables.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(rows)
    return {"late_contracts": late, "missed_contracts": missed}
