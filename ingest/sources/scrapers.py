"""Creator metrics from scraper-style dataset exports (TikTok web field names, display counts like "1.4M")."""

from ingest.spec import COUNT_TEXT, EPOCH_S, LINE, Column, Source

_NONNEG = "{v} >= 0"

SCRAPER_SOURCES = (
    Source(
        name="tiktok_scraper_videos", pattern="tiktok/scraper/*.jsonl", table="tiktok_scraper_videos", format="jsonl",
        records=LINE, key=("video_id",), shape="json_type(doc, '$.id') is not null",
        shape_expect="one scraped video object per line with an id",
        description="TikTok videos from scraper-style dataset exports (web field names, display counts like 1.4M).",
        columns=(
            Column("video_id", "item->>'$.id'", required=True),
            Column("username", "item->>'$.authorMeta.name'"),
            Column("follower_count", "item->>'$.authorMeta.fans'", COUNT_TEXT, check=_NONNEG,
                   expect="a count like 12400 or 12.4K"),
            Column("posted_at", "item->>'$.createTime'", EPOCH_S, required=True, expect="unix seconds"),
            Column("description", "item->>'$.text'"),
            Column("view_count", "item->>'$.playCount'", COUNT_TEXT, check=_NONNEG, expect="a count like 1.4M"),
            Column("like_count", "item->>'$.diggCount'", COUNT_TEXT, check=_NONNEG, expect="a count like 304.9K"),
            Column("comment_count", "item->>'$.commentCount'", COUNT_TEXT, check=_NONNEG, expect="a count"),
            Column("share_count", "item->>'$.shareCount'", COUNT_TEXT, check=_NONNEG, expect="a count"),
            Column("save_count", "item->>'$.collectCount'", COUNT_TEXT, check=_NONNEG, expect="a count"),
        ),
    ),
)
