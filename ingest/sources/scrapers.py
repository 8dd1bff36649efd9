"""TikTok videos from scraper dataset exports, in the layouts scraper tools save them.

- Apify's clockworks/tiktok-scraper dataset items as JSON lines, nested (``authorMeta: {name, id, fans}``) or
  flattened by Apify's ``flatten`` option into literal dotted keys (``"authorMeta.name"``);
- flat snake_case items as TikTok's web/mobile API names them (``author_unique_id``, ``play_count``, ``create_time``);
- Apify's CSV export, whose headers flatten nested fields with a slash (``authorMeta/name``);
- Apify's JSON download: one JSON array of the items (``tiktok/scraper/*.json``), usually pretty-printed.

Counts may be display strings ("1.4M", "12.5K", "1,234"), times unix seconds or ISO 8601. Every format loads into one
raw table: a video is the same record whichever way it was saved, and the newest delivery wins downstream.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ingest.spec import COUNT_TEXT, LINE, UNIX_OR_ISO, Column, RowCheck, Source

_TABLE = "tiktok_scraper_videos"
_DESCRIPTION = ("TikTok videos from scraper dataset exports (Apify tiktok-scraper {}): web field names, display "
                "counts like 1.4M, unix or ISO times.")
_NONNEG = "{v} >= 0"
# A spreadsheet re-save turns a 19-digit id into 7.36612E+18: caught here instead of loading a wrong id.
_DIGITS = "regexp_full_match({v}, '[0-9]+')"
_NOT_ROUNDED = ("; an id like 7.36612E+18 was rounded by a spreadsheet: export the file again and do not re-save it "
                "in Excel")


@dataclass(frozen=True)
class _Field:
    """One raw column: the JSON keys it is read from (the first present wins) and its Apify CSV header."""

    name: str
    json_keys: tuple[str, ...]
    csv_header: str
    type: str = "VARCHAR"
    required: bool = False
    header_required: bool = True  # CSV: a file without the header fails
    check: str | None = None
    expect: str = ""
    doc: str = ""


_FIELDS = (
    _Field("video_id", ("id", "video_id", "aweme_id"), "id", required=True, check=_DIGITS,
           expect="the video id in digits (id, video_id or aweme_id)" + _NOT_ROUNDED, doc="TikTok video id"),
    _Field("author_id", ("authorMeta.id", "author_id"), "authorMeta/id", header_required=False, check=_DIGITS,
           expect="the author's user id in digits (authorMeta.id or author_id)" + _NOT_ROUNDED,
           doc="the author's TikTok user id: matched to tiktok_open_id in creators.csv"),
    _Field("username", ("authorMeta.name", "author_unique_id"), "authorMeta/name", header_required=False,
           doc="the author's handle: matched to tiktok_username in creators.csv when the user id is not listed"),
    _Field("follower_count", ("authorMeta.fans", "author_follower_count"), "authorMeta/fans", COUNT_TEXT,
           header_required=False, check=_NONNEG, expect="a follower count >= 0 like 12400 or 12.4K",
           doc="the author's followers at scrape time: a follower snapshot on the scrape day"),
    _Field("posted_at", ("createTimeISO", "createTime", "create_time"), "createTimeISO", UNIX_OR_ISO, required=True,
           expect="the publish time as unix seconds or ISO 8601 (createTime, createTimeISO or create_time)",
           doc="when the video was published"),
    _Field("description", ("text", "desc", "description"), "text", doc="the caption"),
    _Field("view_count", ("playCount", "play_count"), "playCount", COUNT_TEXT, check=_NONNEG,
           expect="a count >= 0 like 1.4M or 1,234", doc="plays"),
    _Field("like_count", ("diggCount", "digg_count"), "diggCount", COUNT_TEXT, check=_NONNEG,
           expect="a count >= 0 like 304.9K", doc="likes"),
    _Field("comment_count", ("commentCount", "comment_count"), "commentCount", COUNT_TEXT, check=_NONNEG,
           expect="a count >= 0 like 1,204", doc="comments"),
    _Field("share_count", ("shareCount", "share_count"), "shareCount", COUNT_TEXT, check=_NONNEG,
           expect="a count >= 0 like 812", doc="shares"),
    _Field("save_count", ("collectCount", "collect_count"), "collectCount", COUNT_TEXT, header_required=False,
           check=_NONNEG, expect="a count >= 0 like 2B", doc="saves"),
)

# Without an author a video cannot be credited to a creator, nor its follower count to an account.
_AUTHOR = RowCheck("username", "username is null and author_id is null",
                   "no author: a value is required in the handle (authorMeta.name, author_unique_id) or the user id "
                   "(authorMeta.id, author_id)")


def _json_value(keys: tuple[str, ...]) -> str:
    """The first of ``keys`` the record has. A dotted key is read nested ({"authorMeta": {"name": ...}}) and as one
    literal flattened key ({"authorMeta.name": ...}, what Apify's ``flatten`` export option writes)."""
    paths = [path for key in keys for path in ((key, f'"{key}"') if "." in key else (key,))]
    return "coalesce(" + ", ".join(f"item->>'$.{path}'" for path in paths) + ")"


def _columns(csv: bool) -> tuple[Column, ...]:
    return tuple(
        Column(f.name, f.csv_header if csv else _json_value(f.json_keys), f.type, required=f.required,
               header_required=f.header_required, check=f.check, expect=f.expect,
               doc=f.doc if csv else f"{f.doc}; read from {' or '.join(f.json_keys)} (the first present)")
        for f in _FIELDS)


_JSON_LINES = Source(
    name="tiktok_scraper_videos", pattern="tiktok/scraper/*.jsonl", table=_TABLE, format="jsonl",
    records=LINE, key=("video_id",), shape="json_type(doc) = 'OBJECT'",
    shape_expect="one scraped video object per line",
    description=_DESCRIPTION.format("JSON lines, nested or flattened keys, or snake_case"),
    columns=_columns(csv=False), row_checks=(_AUTHOR,),
)

SCRAPER_SOURCES = (
    _JSON_LINES,
    # Apify's "Download JSON": the same items as one array, usually pretty-printed. The loader reads a .json file
    # whole, each array element as one record numbered from 1.
    replace(_JSON_LINES, name="tiktok_scraper_videos_json", pattern="tiktok/scraper/*.json",
            shape_expect="one scraped video object per element of the file's JSON array",
            description=_DESCRIPTION.format("JSON download: one array of items, often pretty-printed")),
    Source(
        name="tiktok_scraper_videos_csv", pattern="tiktok/scraper/*.csv", table=_TABLE, format="csv",
        key=("video_id",), description=_DESCRIPTION.format("CSV export, headers like authorMeta/name"),
        columns=_columns(csv=True), row_checks=(_AUTHOR,),
    ),
)
