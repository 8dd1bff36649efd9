"""Planted competitor posts as a Meta Business Suite content export (Instagram), one file per account: what a
brand gets when a creator shares their export. The posts are only in the export, never in the API pages."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, time
from pathlib import Path

from pipeline.generate.world import TRUE_ER_FOLLOWERS, World, rng_for, tier_of

HEADER = ["Post ID", "Account ID", "Account username", "Description", "Publish time", "Permalink", "Post type",
          "Views", "Reach", "Likes", "Comments", "Shares", "Saves", "Follows", "Profile visits"]
# The API's post ids of an account end in its post number (< 900 posts even at scale L): these cannot collide.
FIRST_EXPORT_POST = 900


def write_competitor_posts(world: World, out: Path) -> list[dict]:
    """Write the exports under ``out/instagram/business_suite/``; returns one ground-truth row per post."""
    r = rng_for(world.seed, "competitor_posts")
    by_account: dict[str, list] = {}
    for post in world.competitor_posts:
        by_account.setdefault(post.account.account_id, []).append(post)
    folder = out / "instagram" / "business_suite"
    truth = []
    for account_id, posts in by_account.items():
        account = posts[0].account
        folder.mkdir(parents=True, exist_ok=True)
        with (folder / f"{account.handle}.csv").open("w", newline="", encoding="utf-8-sig") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(HEADER)
            for k, post in enumerate(posts):
                post_id = str(18000000000000000 + int(account_id) % 10_000_000 * 1000 + FIRST_EXPORT_POST + k)
                at = datetime.combine(post.day, time(r.randint(11, 20), r.randint(0, 59)), UTC)
                # Typical engagement for the account, so the post moves no other vetting component.
                reach = int(account.followers_start * r.uniform(0.22, 0.45))
                likes = int(account.followers_start * TRUE_ER_FOLLOWERS.get(tier_of(account.followers_start), 0.01)
                            * account.er_scale)
                writer.writerow([post_id, account_id, account.handle, post.caption, at.strftime("%m/%d/%Y %H:%M"),
                                 f"https://www.instagram.com/p/{post_id[-11:]}/", "IG image", int(reach * 1.4), reach,
                                 likes, int(likes * 0.03), int(likes * 0.04), int(likes * 0.05), r.randint(0, 20),
                                 r.randint(20, 400)])
                truth.append({"creator_id": post.creator_id, "platform": "instagram", "post_id": post_id,
                              "date": str(post.day), "competitor": post.brand, "contract_id": post.contract_id,
                              "sponsored": world.creators_by_id[post.creator_id].case is not None})
    return truth


