"""Instagram stories as a story connector lands them: GET /<ig-user-id>/stories polled daily (a story lives 24 hours)
and each story's insights fetched when it expires.

Drawn from a random stream of their own (per account), so adding stories changed nothing else the generator writes.
"""

from __future__ import annotations

import math
import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from pipeline.generate.world import GHOST_CASE, Account, Creator, World, rng_for, tier_of
from pipeline.generate.writers import RotatingJsonl, api_page

STORY_DAYS = 35  # the story connector ran over the sample's last 35 days (vetting reads the last 30)
STORY_ACCOUNT_SHARE = 0.75  # Instagram accounts that posted stories in that time; the others have no story data
STORY_DAY_SHARE = 0.55  # days with stories, for an account that posts them
# Story reach per follower the generator draws around (median by tier); the dbt seed reach_benchmarks holds the
# published figures.
TRUE_STORY_REACH = {"nano": 0.091, "micro": 0.052, "macro": 0.046, "mega": 0.038}
# ghost_audience: the followers never watch, so stories reach this share of what the tier's accounts reach (under
# 0.10 is a reject, under 0.35 a review: both are planted).
GHOST_STORY_REACH = (0.04, 0.22)
STORY_METRICS = ("reach", "views", "replies", "shares", "follows", "profile_visits", "total_interactions", "navigation")
# An older connector build (the same accounts as the media insights' legacy names) asks for the names v21.0 had.
LEGACY_STORY_METRICS = ("reach", "impressions", "replies", "exits", "taps_forward", "taps_back")


class StoryWriter:
    def __init__(self, world: World, out: Path) -> None:
        self.world = world
        self.pages = RotatingJsonl(out / "instagram", "stories", 200_000)
        self.insights = RotatingJsonl(out / "instagram", "media_insights_stories", 200_000)
        self.posted: dict[str, list[date]] = {}  # account id -> the day of each story (planted story deliverables)

    def close(self) -> None:
        self.pages.close()
        self.insights.close()

    def write_account(self, creator: Creator, account: Account, followers: list[int]) -> None:
        """Stories of one Instagram account; ``followers`` is its daily follower series."""
        r = rng_for(self.world.seed, "stories", account.account_id)
        ghost = creator.case == GHOST_CASE and account is creator.primary
        posts_stories = r.random() < STORY_ACCOUNT_SHARE
        typical = TRUE_STORY_REACH[tier_of(followers[-1])]
        level = typical * math.exp(r.gauss(0, 0.2))  # some audiences watch stories more than others
        if ghost:
            level = typical * r.uniform(*GHOST_STORY_REACH)
        elif not posts_stories:
            return
        uid = account.account_id
        legacy = int(uid) % 7 == 0
        days = self.world.scale.days
        n = 0
        for d in range(max(0, days - STORY_DAYS), days):
            if r.random() > STORY_DAY_SHARE:
                continue
            day = self.world.day(d)
            stories = []
            for _ in range(r.randint(1, 4)):
                at = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(
                    hours=r.randint(8, 21), minutes=r.randint(0, 59), seconds=r.randint(0, 59))
                story_id = str(18500000000000000 + int(uid) % 10_000_000 * 1000 + n)
                n += 1
                reach = int(followers[d] * level * math.exp(r.gauss(0, 0.3)))
                stories.append({"id": story_id, "media_type": r.choice(("IMAGE", "VIDEO")),
                                "media_product_type": "STORY", "timestamp": at.strftime("%Y-%m-%dT%H:%M:%S+0000"),
                                "permalink": f"https://www.instagram.com/stories/{account.handle}/{story_id}/"})
                self._write_insights(r, uid, story_id, at, reach, legacy)
                self.posted.setdefault(uid, []).append(day)
            self.pages.write(api_page(f"/{uid}/stories", {"fields": "id,media_type,media_product_type,timestamp,"
                                      "permalink"}, f"{day}T23:30:00Z", {"data": stories, "paging": {"cursors": {
                                          "before": f"QVFIU{uid[-6:]}{d:04d}", "after": f"QVFIU{uid[-6:]}{d:04d}z"}}},
                                      account=uid))

    def _write_insights(self, r: random.Random, uid: str, story_id: str, at: datetime, reach: int,
                        legacy: bool) -> None:
        views = int(reach * r.uniform(1.05, 1.3))  # views count replays
        navigation = int(views * r.uniform(0.7, 0.9))
        values = {"reach": reach, "views": views, "impressions": views, "replies": int(reach * r.uniform(0, 0.01)),
                  "shares": int(reach * r.uniform(0, 0.005)), "follows": int(reach * r.uniform(0, 0.002)),
                  "profile_visits": int(reach * r.uniform(0.005, 0.03)), "navigation": navigation,
                  "exits": int(navigation * 0.1), "taps_forward": int(navigation * 0.8),
                  "taps_back": int(navigation * 0.03)}
        values["total_interactions"] = values["replies"] + values["shares"]
        names = LEGACY_STORY_METRICS if legacy else STORY_METRICS
        data = [{"name": name, "period": "lifetime", "values": [{"value": values[name]}], "title": name.title(),
                 "id": f"{story_id}/insights/{name}/lifetime"} for name in names]
        fetched_at = (at + timedelta(hours=24)).strftime("%Y-%m-%dT%H:%M:%SZ")  # when the story expired
        self.insights.write(api_page(f"/{story_id}/insights", {"metric": ",".join(names)}, fetched_at,
                                     {"data": data}, account=uid))
