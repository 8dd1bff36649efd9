"""Creator metrics: Instagram Graph, TikTok Display and YouTube Data/Analytics API pages, follower snapshots
and comment samples. API pages arrive as JSON lines: {"request": {...}, "response": <body verbatim>}."""

from ingest.spec import COUNT, COUNT_TEXT, EPOCH_S, TS_OFFSET, Column, Source

_ACCOUNT = Column("account_id", "doc->>'$.request.account'", required=True,
                  expect="the account the page was fetched for (request.account)")
_FETCHED = Column("fetched_at", "doc->>'$.request.fetched_at'", TS_OFFSET, expect="ISO 8601")
_NONNEG = "{v} >= 0"

# Graph insights saved by hand: the bare response body ({"data": [...]}, often without the metrics' "id") in a file
# named instagram/<account_id>/<kind>_[<media_id>_]<YYYY-MM-DD>.json or .jsonl. What the body lacks comes from the
# name: the account from the folder, the media id and the day the response was saved from the file name.
_SAVED_NAMING = "instagram/<account_id>/media_insights_<media_id>_<YYYY-MM-DD>.json"


def _from_path(regex: str) -> str:
    """The first group of ``regex`` in the landing file's path, or null."""
    return f"nullif(regexp_extract(file_path, '{regex}', 1), '')"


_FOLDER_ACCOUNT = _from_path("/instagram/([0-9]+)/[^/]+$")
_NAME_DATE = _from_path("[_-]([0-9]{4}-[0-9]{2}-[0-9]{2})[.]jsonl?$") + " || 'T00:00:00+00:00'"
_INSIGHT_NAME = Column("metric_name", "item->>'$.name'", required=True,
                       expect="the metric's name (each entry of 'data' has a 'name', e.g. reach or views)")


def _media_insight_columns(saved: bool) -> tuple[Column, ...]:
    """Media insights from API pages or saved bodies: one declaration, so both land in one raw table."""
    return (
        Column("account_id", f"coalesce(doc->>'$.request.account', {_FOLDER_ACCOUNT})", required=True,
               expect="the account: request.account, or the numeric folder the file is saved in "
                      f"({_SAVED_NAMING})"),
        # The metric id is '<media_id>/insights/<metric>/<period>'; without it, the media id in the file name.
        Column("media_id", f"coalesce(nullif(split_part(item->>'$.id', '/', 1), ''), "
                           f"{_from_path('media_insights_([0-9]+)_[^/]*$')})", required=True,
               expect=f"the media id: the metric's id '<media_id>/insights/<metric>/lifetime' or a file named "
                      f"{_SAVED_NAMING}"),
        _INSIGHT_NAME,
        Column("metric_period", "item->>'$.period'"),
        # A metric asked with a breakdown (a story's navigation by story_navigation_action_type) answers a
        # total_value instead of a values list.
        Column("metric_value", "coalesce(item->>'$.values[0].value', item->>'$.total_value.value')", COUNT,
               check=_NONNEG, expect="a count >= 0"),
        Column("fetched_at", f"coalesce(doc->>'$.request.fetched_at', {_NAME_DATE}, "
                             "item->>'$.values[0].end_time')", TS_OFFSET, required=saved,
               expect="when the response was fetched: request.fetched_at, the date at the end of the file name "
                      f"({_SAVED_NAMING}) or the values' end_time"),
    )


def _account_insight_columns(saved: bool) -> tuple[Column, ...]:
    """Account insights from API pages or saved bodies (one declaration, one raw table)."""
    return (
        # The metric id is '<account_id>/insights/<metric>/<period>'.
        Column("account_id", f"coalesce(doc->>'$.request.account', nullif(split_part(item->>'$.id', '/', 1), ''), "
                             f"{_FOLDER_ACCOUNT})", required=True,
               expect="the account: request.account, the metric's id '<account_id>/insights/<metric>/day' or "
                      "the numeric folder the file is saved in (instagram/<account_id>/account_insights_"
                      "<YYYY-MM-DD>.json)"),
        _INSIGHT_NAME,
        Column("metric_period", "item->>'$.period'"),
        # One value per day: the list is flattened into a JSON array of {value, end_time} and kept whole here;
        # staging unnests it.
        Column("daily_values", "item->>'$.values'", "JSON", required=True, expect="a list of daily values"),
        Column("fetched_at", f"coalesce(doc->>'$.request.fetched_at', {_NAME_DATE}, "
                             "item->>'$.values[#-1].end_time')", TS_OFFSET, required=saved,
               expect="when the response was fetched: request.fetched_at, the date at the end of the file name "
                      "(instagram/<account_id>/account_insights_<YYYY-MM-DD>.json) or the last value's end_time"),
    )


# Media objects from GET /<ig-user-id>/media and /<ig-user-id>/stories (one declaration, two raw tables: a story is
# no post, so it must not reach the engagement, activity or disclosure checks).
_MEDIA_COLUMNS = (
    _ACCOUNT,
    Column("media_id", "item->>'$.id'", required=True),
    Column("caption", "item->>'$.caption'"),
    Column("media_type", "item->>'$.media_type'"),
    Column("media_product_type", "item->>'$.media_product_type'"),
    Column("posted_at", "item->>'$.timestamp'", TS_OFFSET, required=True, expect="ISO 8601"),
    Column("permalink", "item->>'$.permalink'"),
    Column("like_count", "item->>'$.like_count'", COUNT, check=_NONNEG),
    Column("comments_count", "item->>'$.comments_count'", COUNT, check=_NONNEG),
    _FETCHED,
)


def _by_header(name: str) -> str:
    """A YouTube Analytics row value by its column name (rows are arrays ordered like columnHeaders)."""
    headers = "json_extract_string(doc, '$.response.columnHeaders[*].name')"
    return f"item->>('$[' || (list_position({headers}, '{name}') - 1) || ']')"

SOCIAL_SOURCES = (
    Source(
        name="follower_snapshots", pattern="followers/*.csv", table="follower_snapshots", format="csv",
        key=("platform", "account_id", "snapshot_date"),
        description="Daily follower count per platform account.",
        columns=(
            Column("snapshot_date", "snapshot_date", "DATE", required=True, expect="a date like 2026-03-01"),
            Column("platform", "platform", required=True, check="{v} in ('instagram', 'tiktok', 'youtube')",
                   expect="instagram, tiktok or youtube"),
            Column("account_id", "account_id", required=True),
            Column("handle", "handle"),
            Column("followers", "followers", COUNT_TEXT, required=True, check=_NONNEG,
                   expect="a follower count >= 0"),
            Column("following", "following", COUNT_TEXT, check=_NONNEG, expect="a count >= 0"),
        ),
    ),
    Source(
        name="comment_samples", pattern="comments/*.csv", table="comment_samples", format="csv",
        key=("platform", "comment_id"), description="Sampled comments per post, for comment authenticity.",
        columns=(
            Column("platform", "platform", required=True),
            Column("post_id", "post_id", required=True),
            Column("comment_id", "comment_id", required=True),
            Column("commented_at", "commented_at", TS_OFFSET, expect="ISO 8601"),
            Column("comment_text", "text"),
        ),
    ),
    Source(
        name="instagram_users", pattern="instagram/users*.jsonl", table="instagram_users", format="jsonl",
        key=("account_id", "fetched_at"), shape="json_type(doc, '$.response.id') is not null",
        shape_expect="a page whose response is an IG user object with an id",
        description="Instagram Graph API user objects.",
        columns=(
            Column("account_id", "item->>'$.id'", required=True),
            Column("username", "item->>'$.username'"),
            Column("followers_count", "item->>'$.followers_count'", COUNT, check=_NONNEG),
            Column("follows_count", "item->>'$.follows_count'", COUNT, check=_NONNEG),
            Column("media_count", "item->>'$.media_count'", COUNT, check=_NONNEG),
            _FETCHED,
        ),
    ),
    Source(
        name="instagram_media", pattern="instagram/media-*.jsonl", table="instagram_media", format="jsonl",
        records="$.response.data", key=("media_id", "fetched_at"),
        shape="json_type(doc, '$.response.data') = 'ARRAY'",
        shape_expect="a page {'response': {'data': [...], 'paging': {...}}}",
        description="Instagram Graph API media objects (posts, reels).",
        columns=_MEDIA_COLUMNS,
    ),
    Source(
        name="instagram_stories", pattern="instagram/stories-*.jsonl", table="instagram_stories", format="jsonl",
        records="$.response.data", key=("media_id", "fetched_at"),
        shape="json_type(doc, '$.response.data') = 'ARRAY'",
        shape_expect="a page of GET /<ig-user-id>/stories {'response': {'data': [...], 'paging': {...}}}",
        description="Instagram Graph API story media objects (media_product_type STORY), fetched daily while they "
                    "are live (24 hours); their insights (reach, views, replies, navigation, follows, "
                    "profile_visits) load with the media insights.",
        columns=_MEDIA_COLUMNS,
    ),
    Source(
        name="instagram_media_insights", pattern="instagram/media_insights*.jsonl",
        table="instagram_media_insights", format="jsonl", records="$.response.data",
        key=("media_id", "metric_name", "fetched_at"), shape="json_type(doc, '$.response.data') = 'ARRAY'",
        shape_expect="a page {'response': {'data': [{'name': ..., 'values': [...]}]}} (a bare response body "
                     f"saved by hand belongs in {_SAVED_NAMING})",
        description="Instagram media insights, one row per metric; an empty 'values' list is kept as null.",
        columns=_media_insight_columns(saved=False),
    ),
    Source(
        name="instagram_media_insights_saved", pattern="instagram/*/media_insights_*.json*",
        table="instagram_media_insights", format="jsonl", records="$.data",
        key=("media_id", "metric_name", "fetched_at"), shape="json_type(doc, '$.data') = 'ARRAY'",
        shape_expect="a Graph response body {'data': [{'name': ..., 'period': ..., 'values': [...]}]} (a .json file "
                     "holds it whole, pretty-printed or not; a .jsonl file one body per line)",
        description="Instagram media insights saved by hand (bare response body) as "
                    f"{_SAVED_NAMING}; loads into the API pages' table.",
        columns=_media_insight_columns(saved=True),
    ),
    Source(
        name="instagram_audience", pattern="instagram/audience*.jsonl", table="instagram_audience",
        format="jsonl", records="$.response.data[0].total_value.breakdowns[0].results",
        key=("account_id", "breakdown", "dimension_value", "fetched_at"),
        shape="json_type(doc, '$.response.data[0].total_value.breakdowns[0].results') = 'ARRAY'",
        shape_expect="a follower_demographics page with total_value.breakdowns[0].results",
        description="Instagram follower demographics (buckets under 100 people are withheld by Meta).",
        columns=(
            _ACCOUNT,
            Column("metric_name", "doc->>'$.response.data[0].name'"),
            Column("breakdown", "doc->>'$.response.data[0].total_value.breakdowns[0].dimension_keys[0]'"),
            Column("dimension_value", "item->>'$.dimension_values[0]'", required=True),
            Column("follower_count", "item->>'$.value'", COUNT, required=True, check=_NONNEG),
            _FETCHED,
        ),
    ),
    Source(
        name="tiktok_users", pattern="tiktok/user_info*.jsonl", table="tiktok_users", format="jsonl",
        records=None, key=("account_id", "fetched_at"),
        shape="json_type(doc, '$.response.data.user') = 'OBJECT'",
        shape_expect="a page {'response': {'data': {'user': {...}}, 'error': {...}}}",
        description="TikTok Display API user/info.",
        columns=(
            Column("account_id", "item->>'$.data.user.open_id'", required=True),
            Column("username", "item->>'$.data.user.username'"),
            Column("follower_count", "item->>'$.data.user.follower_count'", COUNT_TEXT, check=_NONNEG),
            Column("following_count", "item->>'$.data.user.following_count'", COUNT_TEXT),
            Column("likes_count", "item->>'$.data.user.likes_count'", COUNT_TEXT),
            Column("video_count", "item->>'$.data.user.video_count'", COUNT_TEXT),
            _FETCHED,
        ),
    ),
    Source(
        name="tiktok_videos", pattern="tiktok/video_list*.jsonl", table="tiktok_videos", format="jsonl",
        records="$.response.data.videos", key=("video_id", "fetched_at"),
        shape="json_type(doc, '$.response.data.videos') = 'ARRAY'",
        shape_expect="a page {'response': {'data': {'videos': [...], 'cursor': ..., 'has_more': ...}}}",
        description="TikTok Display API video/list.",
        columns=(
            _ACCOUNT,
            Column("video_id", "item->>'$.id'", required=True),
            Column("posted_at", "item->>'$.create_time'", EPOCH_S, required=True, expect="unix seconds"),
            Column("description", "item->>'$.video_description'"),
            Column("duration_s", "item->>'$.duration'", "INTEGER"),
            Column("view_count", "item->>'$.view_count'", COUNT_TEXT, check=_NONNEG),
            Column("like_count", "item->>'$.like_count'", COUNT_TEXT, check=_NONNEG),
            Column("comment_count", "item->>'$.comment_count'", COUNT_TEXT, check=_NONNEG),
            Column("share_count", "item->>'$.share_count'", COUNT_TEXT, check=_NONNEG),
            _FETCHED,
        ),
    ),
    Source(
        name="youtube_channels", pattern="youtube/channels*.jsonl", table="youtube_channels", format="jsonl",
        records="$.response.items", key=("channel_id", "fetched_at"),
        shape="json_type(doc, '$.response.items') = 'ARRAY'",
        shape_expect="a channelListResponse page with items", description="YouTube Data API channels.list.",
        columns=(
            Column("channel_id", "item->>'$.id'", required=True),
            Column("title", "item->>'$.snippet.title'"),
            Column("country", "item->>'$.snippet.country'"),
            Column("subscriber_count", "item->>'$.statistics.subscriberCount'", COUNT, check=_NONNEG),
            Column("hidden_subscriber_count", "item->>'$.statistics.hiddenSubscriberCount'", "BOOLEAN"),
            Column("view_count", "item->>'$.statistics.viewCount'", COUNT, check=_NONNEG),
            Column("video_count", "item->>'$.statistics.videoCount'", COUNT, check=_NONNEG),
            _FETCHED,
        ),
    ),
    Source(
        name="youtube_videos", pattern="youtube/videos*.jsonl", table="youtube_videos", format="jsonl",
        records="$.response.items", key=("video_id", "fetched_at"),
        shape="json_type(doc, '$.response.items') = 'ARRAY'",
        shape_expect="a videoListResponse page with items", description="YouTube Data API videos.list.",
        columns=(
            Column("channel_id", "item->>'$.snippet.channelId'", required=True),
            Column("video_id", "item->>'$.id'", required=True),
            Column("posted_at", "item->>'$.snippet.publishedAt'", TS_OFFSET, required=True, expect="ISO 8601"),
            Column("title", "item->>'$.snippet.title'"),
            Column("description", "item->>'$.snippet.description'"),
            Column("view_count", "item->>'$.statistics.viewCount'", COUNT, check=_NONNEG),
            Column("like_count", "item->>'$.statistics.likeCount'", COUNT, check=_NONNEG),
            Column("comment_count", "item->>'$.statistics.commentCount'", COUNT, check=_NONNEG),
            _FETCHED,
        ),
    ),
    Source(
        name="youtube_audience", pattern="youtube/analytics_country*.jsonl", table="youtube_audience",
        format="jsonl", records="$.response.rows", key=("account_id", "country", "fetched_at"),
        shape="json_type(doc, '$.response.rows') = 'ARRAY'",
        shape_expect="a youtubeAnalytics#resultTable page with rows [[country, views], ...]",
        description="YouTube Analytics views by viewer country (last 90 days).",
        columns=(
            _ACCOUNT,
            Column("country", "item->>'$[0]'", required=True),
            Column("views", "item->>'$[1]'", COUNT, required=True, check=_NONNEG),
            Column("period_start", "doc->>'$.request.params.startDate'", "DATE"),
            Column("period_end", "doc->>'$.request.params.endDate'", "DATE"),
            _FETCHED,
        ),
    ),


    Source(
        name="instagram_account_insights", pattern="instagram/account_insights*.jsonl",
        table="instagram_account_insights", format="jsonl", records="$.response.data",
        key=("account_id", "metric_name", "fetched_at"),
        shape="json_type(doc, '$.response.data') = 'ARRAY'",
        shape_expect="a page {'response': {'data': [{'name': ..., 'period': 'day', 'values': [...]}]}} (a bare "
                     "response body saved by hand belongs in "
                     "instagram/<account_id>/account_insights_<YYYY-MM-DD>.json)",
        description="Instagram account insights by day (follower_count = new followers that day, reach, views); "
                    "one row per metric and day.",
        columns=_account_insight_columns(saved=False),
    ),
    Source(
        name="instagram_account_insights_saved", pattern="instagram/*/account_insights_*.json*",
        table="instagram_account_insights", format="jsonl", records="$.data",
        key=("account_id", "metric_name", "fetched_at"), shape="json_type(doc, '$.data') = 'ARRAY'",
        shape_expect="a Graph response body {'data': [{'name': ..., 'period': 'day', 'values': [...]}]} (a .json "
                     "file holds it whole, pretty-printed or not; a .jsonl file one body per line)",
        description="Instagram account insights saved by hand (bare response body) as "
                    "instagram/<account_id>/account_insights_<YYYY-MM-DD>.json; loads into the API pages' table.",
        columns=_account_insight_columns(saved=True),
    ),
    Source(
        name="youtube_daily_analytics", pattern="youtube/analytics_daily*.jsonl", table="youtube_daily_analytics",
        format="jsonl", records="$.response.rows", key=("account_id", "day"),
        shape="json_type(doc, '$.response.rows') = 'ARRAY' and json_type(doc, '$.response.columnHeaders') = 'ARRAY'",
        shape_expect="a youtubeAnalytics#resultTable page with columnHeaders and rows (dimension day)",
        description="YouTube Analytics daily report per channel; values are picked by column name from columnHeaders.",
        columns=(
            _ACCOUNT,
            Column("day", _by_header("day"), "DATE", required=True, expect="a date like 2026-05-01"),
            Column("views", _by_header("views"), COUNT, check=_NONNEG, expect="a count >= 0"),
            Column("likes", _by_header("likes"), COUNT, check=_NONNEG, expect="a count >= 0"),
            Column("comments", _by_header("comments"), COUNT, check=_NONNEG, expect="a count >= 0"),
            Column("shares", _by_header("shares"), COUNT, check=_NONNEG, expect="a count >= 0"),
            Column("subscribers_gained", _by_header("subscribersGained"), COUNT, check=_NONNEG,
                   expect="a count >= 0"),
            Column("subscribers_lost", _by_header("subscribersLost"), COUNT, check=_NONNEG, expect="a count >= 0"),
            Column("estimated_minutes_watched", _by_header("estimatedMinutesWatched"), COUNT, check=_NONNEG,
                   expect="a count >= 0"),
            Column("average_view_duration_s", _by_header("averageViewDuration"), COUNT, check=_NONNEG,
                   expect="seconds >= 0"),
            _FETCHED,
        ),
    ),
)
