"""Creator-side files: follower snapshots, posts with their metrics, comment samples, audience demographics.

Written creator by creator (bounded memory). Returns the order "intents" that sponsored posts drive, which the
order writer turns into Shopify orders day by day.
"""

from __future__ import annotations

import csv
import math
import random
import zlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from pipeline.generate import text
from pipeline.generate.stories import StoryWriter
from pipeline.generate.world import (
    BRAND_HANDLE,
    CADENCE_PER_WEEK,
    GHOST_CASE,
    ORGANIC_WINNER_BOOST,
    ORGANIC_WINNER_DAYS,
    ORGANIC_WINNER_POSTS,
    ORGANIC_WINNER_REACH_BOOST,
    TRUE_ER_FOLLOWERS,
    Account,
    Contract,
    Creator,
    World,
    deliverable_format,
    rng_for,
    tier_of,
)
from pipeline.generate.writers import RotatingJsonl, api_page

GRAPH = "https://graph.facebook.com/v21.0"
WEEKDAY_GROWTH = (1.0, 0.95, 0.95, 1.0, 1.05, 1.15, 1.2)
# Median views per real follower the post draws below centre on (Instagram: reels).
TYPICAL_VIEWS_PER_FOLLOWER = {"instagram": 0.7, "tiktok": 0.9, "youtube": 0.25}
GHOST_VIEW_SHARE = 0.08  # a ghost_audience creator's followers never watch: its views are this share of the usual
MILD_NEGATIVE_SHARE = 0.05  # of a creator's specific comments: critics every genuine creator has
HOSTILE_SHARE = 0.6  # of a hostile_comments creator's comments: negative (half), toxic or spam (a quarter each)


@dataclass
class Post:
    post_id: str
    day: int
    at: datetime
    caption: str
    followers: int
    views: int
    reach: int
    likes: int
    comments: int
    shares: int
    saves: int
    is_reel: bool
    sponsored: bool
    viral: bool


@dataclass
class Intent:
    """An order the world owes on a given day: ``channel`` is code, link, organic (influenced, unattributable)
    or leak (a leaked code used by strangers)."""

    contract: int
    channel: str


class SocialWriter:
    def __init__(self, world: World, out: Path) -> None:
        self.world = world
        self.out = out
        lines = 200_000
        self.ig = {name: RotatingJsonl(out / "instagram", name, lines)
                   for name in ("users", "media", "media_insights", "audience")}
        self.tt = {name: RotatingJsonl(out / "tiktok", name, lines) for name in ("user_info", "video_list")}
        self.yt = {name: RotatingJsonl(out / "youtube", name, lines)
                   for name in ("channels", "videos", "analytics_country")}
        self.stories = StoryWriter(world, out)
        (out / "followers").mkdir(parents=True, exist_ok=True)
        (out / "comments").mkdir(parents=True, exist_ok=True)
        self._snap_fh = (out / "followers" / "follower_snapshots.csv").open("w", newline="", encoding="utf-8")
        self.snapshots = csv.writer(self._snap_fh, lineterminator="\n")
        self.snapshots.writerow(["snapshot_date", "platform", "account_id", "handle", "followers", "following"])
        self._com_fh = (out / "comments" / "comment_samples.csv").open("w", newline="", encoding="utf-8")
        self.comments = csv.writer(self._com_fh, lineterminator="\n")
        self.comments.writerow(["platform", "post_id", "comment_id", "commented_at", "text"])
        self.fetched_at = f"{world.end + timedelta(days=1)}T06:00:00Z"
        self.intents: dict[int, list[Intent]] = {}
        self.truth: dict[str, list] = {"spikes": [], "viral_posts": [], "undisclosed_posts": [], "organic_winners": []}
        # Contract index -> (day, deliverable format) of each sponsored post: the contract_deliverables template.
        self.delivered: dict[int, list[tuple[date, str]]] = {}

    def close(self) -> None:
        for group in (self.ig, self.tt, self.yt):
            for w in group.values():
                w.close()
        self._snap_fh.close()
        self._com_fh.close()
        self.stories.close()

    # ---------------------------------------------------------------- per creator
    def write_creator(self, creator: Creator, contracts: list[tuple[int, Contract]]) -> None:
        r = rng_for(self.world.seed, "social", creator.creator_id)
        for n, account in enumerate(creator.accounts):
            primary = n == 0
            days = self.world.scale.days
            post_days = self._post_days(r, account, days)
            sponsored_days: dict[int, int] = {}
            if primary:
                for idx, contract in contracts:
                    for d in self._sponsored_days(r, contract, days, creator):
                        post_days.add(d)
                        sponsored_days[d] = idx
            spike_day = dump_day = viral_day = None
            last90 = max(35, days - 88)
            if primary and creator.case == "bought_followers":
                spike_day = r.randint(last90, days - 8)
                post_days.discard(spike_day)
                sponsored_days.pop(spike_day, None)
                if r.random() < 0.5:
                    dump_day = min(days - 1, spike_day + r.randint(4, 10))
            if primary and creator.case == "viral_genuine":
                candidates = sorted(d for d in post_days if last90 <= d < days - 3 and d not in sponsored_days)
                viral_day = r.choice(candidates) if candidates else last90
                post_days.add(viral_day)
            followers = self._follower_series(r, account, days, set(post_days), spike_day, dump_day, viral_day)
            self._write_snapshots(account, followers)
            if account.platform == "instagram":
                self.stories.write_account(creator, account, followers)
            posts = self._posts(r, creator, account, sorted(post_days), sponsored_days, viral_day, spike_day,
                                followers)
            if primary and creator.creator_id in self.world.organic_winner_creators:
                self._plant_organic_winners(creator, account, posts)
            self._write_platform(r, creator, account, posts, followers[-1])
            self._write_comments(r, creator, account, posts)
            for post in posts:
                if post.sponsored:
                    self._order_intents(r, sponsored_days[post.day], contracts, post)
                    self.delivered.setdefault(sponsored_days[post.day], []).append(
                        (self.world.day(post.day), deliverable_format(account.platform, post.is_reel)))
            if spike_day is not None:
                self.truth["spikes"].append({
                    "creator_id": creator.creator_id, "platform": account.platform,
                    "date": str(self.world.day(spike_day)),
                    "followers_added": followers[spike_day] - followers[spike_day - 1],
                    "dump_date": str(self.world.day(dump_day)) if dump_day is not None else None})
            if viral_day is not None:
                vp = next(p for p in posts if p.day == viral_day)
                self.truth["viral_posts"].append({
                    "creator_id": creator.creator_id, "platform": account.platform,
                    "date": str(self.world.day(viral_day)), "post_id": vp.post_id, "views": vp.views})
        if creator.case == "leaked_code":
            self._leak_intents(r, contracts)

    # ---------------------------------------------------------------- schedule
    def _post_days(self, r: random.Random, account: Account, days: int) -> set[int]:
        p = CADENCE_PER_WEEK[account.platform] * r.uniform(0.8, 1.2) / 7
        chosen = {d for d in range(days) if r.random() < p}
        # A minority take a long break (the activity score's gap penalty has something to find).
        if r.random() < 0.08 and days > 60:
            gap_start = r.randint(days // 3, days - 30)
            chosen -= set(range(gap_start, gap_start + r.randint(22, 30)))
        return chosen

    def _sponsored_days(self, r: random.Random, contract: Contract, days: int, creator: Creator) -> list[int]:
        first = (contract.code_valid_from - self.world.start).days
        last = min((contract.code_valid_to - self.world.start).days, first + 35, days - 1)
        if last < first:
            return []
        k = min(contract.sponsored_posts, last - first + 1)
        return sorted(r.sample(range(first, last + 1), k=k))

    def _follower_series(self, r: random.Random, account: Account, days: int, post_days: set[int],
                         spike_day: int | None, dump_day: int | None, viral_day: int | None) -> list[int]:
        series = []
        f = float(account.followers_start)
        spike_size = 0.0
        for d in range(days):
            weekday = self.world.day(d).weekday()
            delta = f * account.daily_growth * WEEKDAY_GROWTH[weekday] * max(0.1, 1 + r.gauss(0, 0.3))
            if d in post_days:
                delta *= 1.3
            if d == viral_day:
                delta += f * r.uniform(0.03, 0.05)
            if d == spike_day:
                spike_size = f * r.uniform(0.06, 0.12)
                delta += spike_size
            if d == dump_day:
                delta -= max(f * 0.015, spike_size * r.uniform(0.3, 0.5))
            f += delta
            series.append(int(f))
        return series

    def _write_snapshots(self, account: Account, followers: list[int]) -> None:
        days = len(followers)
        # The YouTube tracker was switched on only ten days ago: "insufficient history" is a real case.
        first = days - 10 if account.platform == "youtube" else 0
        following = 300 + int(account.followers_start) % 900
        for d in range(max(0, first), days):
            self.snapshots.writerow([self.world.day(d).isoformat(), account.platform, account.account_id,
                                     account.handle, followers[d], following])

    # ---------------------------------------------------------------- posts
    def _posts(self, r: random.Random, creator: Creator, account: Account, post_days: list[int],
               sponsored_days: dict[int, int], viral_day: int | None, spike_day: int | None,
               followers: list[int]) -> list[Post]:
        posts = []
        tier = tier_of(account.followers_start)
        er = TRUE_ER_FOLLOWERS.get(tier, 0.01) * account.er_scale
        # Engagement comes from the followers the creator really has: all of them but the bought spike's, from the
        # day after it. (A linear trend of real followers lagged the compounding series: over 730 days it left
        # genuine creators at a quarter of their tier's engagement, and rejected them at scale L.)
        bought = followers[spike_day] - followers[spike_day - 1] if spike_day else 0
        for i, d in enumerate(post_days):
            at = datetime.combine(self.world.day(d), datetime.min.time(), tzinfo=UTC) + timedelta(
                hours=r.randint(11, 20), minutes=r.randint(0, 59), seconds=r.randint(0, 59))
            f_t = followers[d - 1] if d > 0 else followers[0]
            real = f_t - (bought if spike_day is not None and d > spike_day else 0)
            is_reel = account.platform != "instagram" or r.random() < 0.5
            viral = d == viral_day
            noise = math.exp(r.gauss(0, 0.3))
            typical = TYPICAL_VIEWS_PER_FOLLOWER[account.platform]
            if account.platform == "instagram":
                reach = int(real * r.uniform(0.22, 0.45) * noise)
                views = int(real * math.exp(r.gauss(math.log(typical), 0.45))) if is_reel else int(reach * 1.4)
                likes = int(real * er * noise * 0.97)
            elif account.platform == "tiktok":
                views = int(real * math.exp(r.gauss(math.log(typical), 0.6)))
                reach = 0
                likes = int(views * 0.056 * noise)
            else:
                views = int(real * math.exp(r.gauss(math.log(typical), 0.5)))
                reach = 0
                likes = int(views * 0.037 * noise)
            if creator.case == GHOST_CASE and account is creator.primary:
                views = int(views * GHOST_VIEW_SHARE)  # scaled, not drawn: no other draw moves
            if viral:
                # Viral by the metric's definition (views > 3x the account's median) whatever this post's own draw:
                # a 9-15x boost of an unluckily low draw left a planted viral post at 2.6x the median (scale M).
                views = max(views, int(real * typical)) * r.randint(9, 15)
                reach *= 6
                likes *= 5
            comments = max(0, int(likes * r.uniform(0.02, 0.05)))
            sponsored = d in sponsored_days
            caption = self._caption(r, creator, sponsored, sponsored_days.get(d))
            post = Post(
                post_id=self._post_id(account, i, r), day=d, at=at, caption=caption, followers=f_t,
                views=views, reach=reach, likes=likes, comments=comments,
                shares=int(likes * r.uniform(0.02, 0.06)), saves=int(likes * r.uniform(0.03, 0.08)),
                is_reel=is_reel, sponsored=sponsored, viral=viral)
            posts.append(post)
            if sponsored and creator.case == "never_discloses":
                self.truth["undisclosed_posts"].append({"creator_id": creator.creator_id,
                                                        "platform": account.platform, "post_id": post.post_id})
        return posts

    def _plant_organic_winners(self, creator: Creator, account: Account, posts: list[Post]) -> None:
        """Scale (never redraw) a few recent unsponsored posts far above the account's usual engagement, chosen from
        a stream of their own. Comments stay as drawn: the comment sampler draws once per comment from the creator's
        stream, which every later draw of the creator (its orders among them) shares."""
        days = self.world.scale.days
        recent = [p for p in posts if days - ORGANIC_WINNER_DAYS <= p.day < days - 3  # older than the insights lag
                  and not p.sponsored and not p.viral]
        pick = rng_for(self.world.seed, "organic_winners", creator.creator_id)
        for p in sorted(pick.sample(recent, min(len(recent), ORGANIC_WINNER_POSTS)), key=lambda p: p.day):
            p.likes, p.shares, p.saves = (n * ORGANIC_WINNER_BOOST for n in (p.likes, p.shares, p.saves))
            p.reach, p.views = p.reach * ORGANIC_WINNER_REACH_BOOST, p.views * ORGANIC_WINNER_REACH_BOOST
            self.truth["organic_winners"].append({"creator_id": creator.creator_id, "platform": account.platform,
                                                  "post_id": p.post_id, "date": str(self.world.day(p.day))})

    def _post_id(self, account: Account, i: int, r: random.Random) -> str:
        if account.platform == "instagram":
            return str(18000000000000000 + int(account.account_id) % 10_000_000 * 1000 + i)
        if account.platform == "tiktok":
            return str(7300000000000000000 + r.randint(0, 10**15) * 1000 + i)
        return "".join(r.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
                       for _ in range(11))

    def _caption(self, r: random.Random, creator: Creator, sponsored: bool, contract_idx: int | None) -> str:
        topic = r.choice(text.CAPTION_TOPICS)
        tags = " ".join(r.sample(text.FILLER_HASHTAGS, k=r.randint(1, 3)))
        if not sponsored:
            return f"{topic}. {tags}"
        code = self.world.contracts[contract_idx].code if contract_idx is not None else ""
        body = (f"{topic} with my favourite @{BRAND_HANDLE} serum, it has been in my routine for weeks. "
                f"Use code {code} for a discount, link in bio.")
        if creator.case == "never_discloses":
            # What the FTC does not accept: nothing, "#sp", a thank-you, or #ad buried in a hashtag run.
            style = r.choice(("none", "sp", "thanks", "buried"))
            if style == "sp":
                return f"{body} #sp {tags}"
            if style == "thanks":
                return f"{body} Thanks @{BRAND_HANDLE}! {tags}"
            if style == "buried":
                run = " ".join(r.sample(text.FILLER_HASHTAGS, k=6))
                return f"{body} {run} #ad"
            return f"{body} {tags}"
        style = r.choice(("ad", "partnership", "sponsored"))
        if style == "ad":
            return f"#ad {body} {tags}"
        if style == "partnership":
            return f"Paid partnership with @{BRAND_HANDLE}. {body} {tags}"
        return f"{topic} #sponsored by @{BRAND_HANDLE}: it has been in my routine for weeks. " \
               f"Use code {code}, link in bio. {tags}"

    # ---------------------------------------------------------------- platform files
    def _write_platform(self, r: random.Random, creator: Creator, account: Account, posts: list[Post],
                        followers_now: int) -> None:
        if account.platform == "instagram":
            self._write_instagram(r, creator, account, posts, followers_now)
        elif account.platform == "tiktok":
            self._write_tiktok(r, account, posts, followers_now)
        else:
            self._write_youtube(r, creator, account, posts, followers_now)

    def _write_instagram(self, r: random.Random, creator: Creator, account: Account, posts: list[Post],
                         followers_now: int) -> None:
        uid = account.account_id
        fields = "id,username,followers_count,follows_count,media_count,biography,website"
        self.ig["users"].write(api_page(f"/{uid}", {"fields": fields}, self.fetched_at, {
            "id": uid, "username": account.handle, "followers_count": followers_now,
            "follows_count": 300 + account.followers_start % 900, "media_count": len(posts) + 140,
            "biography": f"{creator.name} | everyday routines | collab: DM", "website": "https://linktr.ee/"
            + account.handle}, account=uid))
        newest_first = list(reversed(posts))
        for page_no, start in enumerate(range(0, len(newest_first), 25)):
            page = newest_first[start:start + 25]
            after = f"QVFIU{uid[-6:]}{page_no + 1:04d}"
            paging: dict = {"cursors": {"before": f"QVFIU{uid[-6:]}{page_no:04d}", "after": after}}
            if start + 25 < len(newest_first):
                paging["next"] = f"{GRAPH}/{uid}/media?fields=id,caption&limit=25&after={after}"
            self.ig["media"].write(api_page(f"/{uid}/media", {"fields": "id,caption,media_type,media_product_type,"
                                            "timestamp,permalink,like_count,comments_count", "limit": 25},
                                            self.fetched_at, {"data": [{
                                                "id": p.post_id, "caption": p.caption,
                                                "media_type": "VIDEO" if p.is_reel else "IMAGE",
                                                "media_product_type": "REELS" if p.is_reel else "FEED",
                                                "timestamp": p.at.strftime("%Y-%m-%dT%H:%M:%S+0000"),
                                                "permalink": f"https://www.instagram.com/p/{p.post_id[-11:]}/",
                                                "like_count": p.likes, "comments_count": p.comments,
                                            } for p in page], "paging": paging}, account=uid))
        # An older connector build still asks for the deprecated names (impressions, plays, engagement).
        legacy = int(uid) % 7 == 0
        for p in posts:
            if legacy:
                names = ["reach", "plays" if p.is_reel else "impressions", "likes", "comments", "saved",
                         "shares", "engagement"]
            else:
                names = ["reach", "views", "likes", "comments", "saved", "shares", "total_interactions"]
            values = {"reach": p.reach, "views": p.views, "impressions": p.views, "plays": p.views,
                      "likes": p.likes, "comments": p.comments, "saved": p.saves, "shares": p.shares,
                      "total_interactions": p.likes + p.comments + p.saves + p.shares}
            values["engagement"] = values["total_interactions"]
            data = []
            for name in names:
                # The Graph API sometimes answers a metric with an empty list: unknown, not zero.
                vals = [] if name in ("shares", "saved") and r.random() < 0.03 else [{"value": values[name]}]
                data.append({"name": name, "period": "lifetime", "values": vals, "title": name.title(),
                             "id": f"{p.post_id}/insights/{name}/lifetime"})
            self.ig["media_insights"].write(api_page(f"/{p.post_id}/insights", {"metric": ",".join(names)},
                                                     self.fetched_at, {"data": data}, account=uid))
        results = []
        for country, share in sorted(creator.audience.items(), key=lambda kv: -kv[1]):
            n = int(followers_now * share)
            if n >= 100:  # Meta withholds buckets under 100 people
                results.append({"dimension_values": [country], "value": n})
        self.ig["audience"].write(api_page(
            f"/{uid}/insights", {"metric": "follower_demographics", "period": "lifetime",
                                 "metric_type": "total_value", "breakdown": "country"}, self.fetched_at,
            {"data": [{"name": "follower_demographics", "period": "lifetime", "title": "Follower demographics",
                       "description": "The demographic characteristics of followers.",
                       "total_value": {"breakdowns": [{"dimension_keys": ["country"], "results": results}]},
                       "id": f"{uid}/insights/follower_demographics/lifetime"}]}, account=uid))

    def _write_tiktok(self, r: random.Random, account: Account, posts: list[Post], followers_now: int) -> None:
        oid = account.account_id
        log_id = f"2026{zlib.crc32(oid.encode()):012d}"
        self.tt["user_info"].write(api_page("/v2/user/info/", {"fields": "open_id,username,display_name,"
                                            "follower_count,following_count,likes_count,video_count"},
                                            self.fetched_at, {"data": {"user": {
                                                "open_id": oid, "username": account.handle,
                                                "display_name": account.handle.replace("_", " ").title(),
                                                "follower_count": followers_now,
                                                "following_count": 200 + account.followers_start % 700,
                                                "likes_count": sum(p.likes for p in posts) * 3,
                                                "video_count": len(posts) + 90}},
                                                "error": {"code": "ok", "message": "", "log_id": log_id}},
                                            account=oid))
        newest_first = list(reversed(posts))
        for start in range(0, len(newest_first), 20):
            page = newest_first[start:start + 20]
            more = start + 20 < len(newest_first)
            self.tt["video_list"].write(api_page("/v2/video/list/", {"max_count": 20}, self.fetched_at, {
                "data": {"videos": [{
                    "id": p.post_id, "create_time": int(p.at.timestamp()), "video_description": p.caption,
                    "title": p.caption[:40], "duration": r.randint(9, 90), "like_count": p.likes,
                    "comment_count": p.comments, "share_count": p.shares, "view_count": p.views,
                    "share_url": f"https://www.tiktok.com/@{account.handle}/video/{p.post_id}",
                } for p in page], "cursor": int(page[-1].at.timestamp() * 1000), "has_more": more},
                "error": {"code": "ok", "message": "", "log_id": log_id}}, account=oid))

    def _write_youtube(self, r: random.Random, creator: Creator, account: Account, posts: list[Post],
                       followers_now: int) -> None:
        cid = account.account_id
        self.yt["channels"].write(api_page("/youtube/v3/channels", {"part": "snippet,statistics", "id": cid},
                                           self.fetched_at, {
            "kind": "youtube#channelListResponse", "etag": f"e{cid[-8:]}",
            "pageInfo": {"totalResults": 1, "resultsPerPage": 5},
            "items": [{"kind": "youtube#channel", "etag": f"c{cid[-8:]}", "id": cid,
                       "snippet": {"title": creator.name, "customUrl": f"@{account.handle}",
                                   "publishedAt": "2019-03-04T10:00:00Z", "country": creator.home_country},
                       "statistics": {"viewCount": str(sum(p.views for p in posts) * 4),
                                      "subscriberCount": str(followers_now), "hiddenSubscriberCount": False,
                                      "videoCount": str(len(posts) + 60)}}]}, account=cid))
        for start in range(0, len(posts), 50):
            page = posts[start:start + 50]
            self.yt["videos"].write(api_page("/youtube/v3/videos", {"part": "snippet,statistics",
                                                                    "id": ",".join(p.post_id for p in page)},
                                             self.fetched_at, {
                "kind": "youtube#videoListResponse", "etag": f"v{cid[-6:]}{start}",
                "pageInfo": {"totalResults": len(page), "resultsPerPage": 50},
                "items": [{"kind": "youtube#video", "etag": f"x{p.post_id}", "id": p.post_id,
                           "snippet": {"publishedAt": p.at.strftime("%Y-%m-%dT%H:%M:%SZ"), "channelId": cid,
                                       "title": p.caption[:60], "description": p.caption},
                           "statistics": {"viewCount": str(p.views), "likeCount": str(p.likes),
                                          "favoriteCount": "0", "commentCount": str(p.comments)}}
                          for p in page]}, account=cid))
        end = self.world.end
        views90 = sum(p.views for p in posts if p.day >= self.world.scale.days - 90)
        rows = [[c, int(views90 * s)] for c, s in sorted(creator.audience.items(), key=lambda kv: -kv[1])]
        self.yt["analytics_country"].write(api_page("/v2/reports", {
            "ids": f"channel=={cid}", "startDate": str(end - timedelta(days=89)), "endDate": str(end),
            "metrics": "views", "dimensions": "country", "sort": "-views"}, self.fetched_at, {
            "kind": "youtubeAnalytics#resultTable",
            "columnHeaders": [{"name": "country", "columnType": "DIMENSION", "dataType": "STRING"},
                              {"name": "views", "columnType": "METRIC", "dataType": "INTEGER"}],
            "rows": rows}, account=cid))

    def _write_comments(self, r: random.Random, creator: Creator, account: Account, posts: list[Post]) -> None:
        cutoff = self.world.scale.days - 90  # samples are scraped for recent posts only
        # The tone of the comments has its own stream: it replaces texts after r drew them, so r draws as before.
        tone = rng_for(self.world.seed, "comment_tone", creator.creator_id, account.platform)
        for p in posts:
            if p.day < cutoff or p.comments == 0:
                continue
            share = min(0.95, max(0.0, r.gauss(creator.generic_share, 0.05)))
            for k in range(min(self.world.scale.comments_per_post, p.comments)):
                if r.random() < share:
                    kind = r.random()
                    if kind < 0.6:
                        body = r.choice(text.GENERIC_PRAISE) + r.choice(("", "!", "!!", " 🔥", " ❤️"))
                    elif kind < 0.85:
                        body = r.choice(text.EMOJI_ONLY)
                    else:
                        body = f"@{r.choice(text.FIRST_NAMES).lower()}_{r.randint(1, 99)}"
                else:
                    body = r.choice(text.SPECIFIC_COMMENTS).format(thing=r.choice(text.THINGS))
                    if tone.random() < MILD_NEGATIVE_SHARE:  # not a generic comment: the pod check is unchanged
                        body = tone.choice(text.MILD_NEGATIVE_COMMENTS).format(thing=tone.choice(text.THINGS))
                if creator.case == "hostile_comments" and tone.random() < HOSTILE_SHARE:
                    kind = tone.choice((text.HOSTILE_COMMENTS, text.HOSTILE_COMMENTS, text.TOXIC_COMMENTS,
                                        text.SPAM_COMMENTS))
                    body = tone.choice(kind).format(thing=tone.choice(text.THINGS))
                at = p.at + timedelta(minutes=r.randint(2, 3000))
                self.comments.writerow([account.platform, p.post_id, f"{p.post_id}_c{k:03d}",
                                        at.strftime("%Y-%m-%dT%H:%M:%SZ"), body])

    # ---------------------------------------------------------------- orders the posts drive
    def _order_intents(self, r: random.Random, idx: int, contracts: list[tuple[int, Contract]],
                       post: Post) -> None:
        contract = self.world.contracts[idx]
        expected = post.followers / 1000 * contract.conversion * (2.5 if post.viral else 1.0)
        weights = [0.55 ** j for j in range(21)]
        total = sum(weights)
        for j, w in enumerate(weights):
            day = post.day + j
            if day >= self.world.scale.days:
                break
            for _ in range(_poisson(r, expected * w / total)):
                channel = r.choices(("code", "link", "organic"), weights=(55, 30, 15))[0]
                self.intents.setdefault(day, []).append(Intent(idx, channel))
        # A straggler through the link well after the attribution window: must stay unattributed.
        if r.random() < 0.3 and post.day + 45 < self.world.scale.days:
            self.intents.setdefault(post.day + 45, []).append(Intent(idx, "link"))

    def _leak_intents(self, r: random.Random, contracts: list[tuple[int, Contract]]) -> None:
        for idx, contract in contracts:
            # Strangers use the code from 70 days after its start: over 30 days after the last sponsored post.
            first = (contract.code_valid_from - self.world.start).days + 70
            last = min((contract.code_valid_to - self.world.start).days, self.world.scale.days - 1)
            burst = r.randint(first, max(first, last - 7)) if last > first else first
            for day in range(first, last + 1):
                rate = r.uniform(1.0, 3.0) * (5 if burst <= day < burst + 7 else 1)
                for _ in range(_poisson(r, rate)):
                    self.intents.setdefault(day, []).append(Intent(idx, "leak"))


def _poisson(r: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, int(round(r.gauss(lam, math.sqrt(lam)))))
    threshold, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= r.random()
        if p <= threshold:
            return k
        k += 1
