"""Follower samples as audit and scraping tools export them: one CSV per sampled account, 200 followers each.

Every account of a "bought_followers_gradual" creator is sampled, and about one in five other Instagram and TikTok
accounts. A genuine audience has a few bots, mass followers and dormant accounts; a bought one has a large share of
bot profiles (no picture, few posts and followers, no bio, created in a few bursts, handles heavy with digits as
sign-up scripts make them: user84213377, maya_k20417).
"""

from __future__ import annotations

import csv
import math
import random
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from pipeline.generate.text import FIRST_NAMES, LAST_NAMES
from pipeline.generate.world import SAMPLED_PLATFORMS, Account, World, rng_for

SAMPLE_SIZE = 200
SAMPLED_SHARE = 0.2  # of the other Instagram and TikTok accounts
HEADER = ["Platform", "Account", "Sampled at", "Username", "Followers", "Following", "Posts", "Has profile picture",
          "Is private", "Biography length", "Created at", "Last post at"]


def write_follower_samples(world: World, out: Path) -> list[dict]:
    """Write the samples under ``out/follower_samples/``; returns the bought share planted per sampled account."""
    r = rng_for(world.seed, "follower_samples")
    sampled_at = datetime.combine(world.end, time(12), UTC)
    planted = []
    for creator in world.creators:
        for account in creator.accounts:
            if account.platform not in SAMPLED_PLATFORMS:
                continue
            bought = creator.case == "bought_followers_gradual"
            if not bought and r.random() >= SAMPLED_SHARE:
                continue
            bought_share = r.uniform(0.35, 0.55) if bought else 0.0
            _write_sample(r, out, account, sampled_at, bought_share)
            planted.append({"creator_id": creator.creator_id, "platform": account.platform,
                            "bought_share": round(bought_share, 3)})
    return planted


def _write_sample(r: random.Random, out: Path, account: Account, sampled_at: datetime, bought_share: float) -> None:
    path = out / "follower_samples" / f"{account.platform}_{account.handle}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    # Bought accounts are made in batches: a few creation weeks shared by most of them.
    bursts = [sampled_at.date() - timedelta(days=r.randint(30, 700)) for _ in range(3)]
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(HEADER)
        handles: set[str] = set()
        for _ in range(SAMPLE_SIZE):
            draw = r.random()
            bot = draw < bought_share + 0.03  # every audience has a few bots
            if draw < bought_share:
                profile = _bot(r, sampled_at.date(), r.choice(bursts))
            elif bot:
                profile = _bot(r, sampled_at.date(), None)
            else:
                profile = _person(r, sampled_at.date(), mass=r.random() < 0.03, dormant=r.random() < 0.15)
            writer.writerow([account.platform.capitalize(), "@" + account.handle, sampled_at.isoformat(),
                             _handle(r, handles, bot), *profile])


def _person(r: random.Random, today: date, mass: bool, dormant: bool) -> list:
    posts = 0 if dormant and r.random() < 0.3 else int(math.exp(r.gauss(math.log(60), 1.0)))
    following = r.randint(1_600, 7_500) if mass else min(1_500, int(math.exp(r.gauss(math.log(400), 0.7))))
    last_post = None if posts == 0 else today - timedelta(days=r.randint(400, 2_000) if dormant
                                                          else int(r.expovariate(1 / 20)))
    created = today - timedelta(days=r.randint(200, 5_000))
    return [int(math.exp(r.gauss(math.log(350), 1.0))), following, posts, _yes(r.random() < 0.97),
            _yes(r.random() < 0.4), 0 if r.random() < 0.3 else r.randint(5, 150), created.isoformat(),
            last_post.isoformat() if last_post else ""]


def _bot(r: random.Random, today: date, burst: date | None) -> list:
    created = burst + timedelta(days=r.randint(0, 3)) if burst else today - timedelta(days=r.randint(30, 2_000))
    posts = r.randint(0, 4)
    last_post = "" if posts == 0 else (created + timedelta(days=r.randint(0, 20))).isoformat()
    return [r.randint(0, 40), r.randint(150, 2_500), posts, _yes(r.random() < 0.35), _yes(r.random() < 0.2),
            0 if r.random() < 0.85 else r.randint(1, 30), created.isoformat(), last_post]


def _handle(r: random.Random, taken: set[str], bot: bool) -> str:
    """A handle not yet in the sample (a handle names one account). A person's may end in a year or a lucky number
    (anna.smith92); a bot's is a name or "user" and a long run of digits (user84213377, maya_k20417)."""
    while True:
        first, last = r.choice(FIRST_NAMES).lower(), r.choice(LAST_NAMES).lower()
        if bot:
            stem = r.choice(("user", first, f"{first}_{last[0]}", f"{last}.{first[:3]}"))
            name = stem + str(r.randint(10 ** 3, 10 ** r.randint(5, 9)))
        else:
            name = f"{first}{r.choice(('', '.', '_'))}{last}"
            name += str(r.randint(0, 99_999)) if r.random() < 0.4 else ""
        if name not in taken:
            taken.add(name)
            return name


def _yes(value: bool) -> str:
    return "true" if value else "false"
