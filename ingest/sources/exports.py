"""Exports from the platforms' own dashboards and from creator discovery tools (CSV as the tools save them)."""

from ingest.spec import COUNT_TEXT, Column, Source

_COUNT = "a count like 1200, 1,200 or 1.2K"
_NONNEG = "{v} >= 0"
# Meta Business Suite writes "Publish time" as MM/DD/YYYY HH:MM (no time zone: the exporting user's); ISO also passes.
_PUBLISH_TIME = "coalesce(try_strptime({v}, '%m/%d/%Y %H:%M'), try_cast({v} as timestamp))"


def _metric(header: str, name: str) -> Column:
    """A per-post count; older or narrower exports lack some of them, so the header is optional."""
    return Column(name, header, COUNT_TEXT, header_required=False, check=_NONNEG, expect=_COUNT)


EXPORT_SOURCES = (
    Source(
        name="instagram_post_exports", pattern="instagram/business_suite/*.csv", table="instagram_post_exports",
        format="csv", key=("post_id",),
        description="Meta Business Suite > Insights > Content > Export (Instagram): one row per post, lifetime "
                    "totals, display names as headers (UTF-8 with BOM as Meta writes it).",
        columns=(
            Column("post_id", "Post ID", required=True, expect="the Instagram media id",
                   doc="a post the Graph API also delivered keeps the API's numbers"),
            Column("account_id", "Account ID", required=True, expect="the Instagram account id (IG user id)",
                   doc="matched to instagram_user_id in creators.csv"),
            Column("account_username", "Account username", header_required=False),
            Column("description", "Description", header_required=False),
            Column("posted_at", "Publish time", required=True, check=f"{_PUBLISH_TIME} is not null",
                   expect="a time like 03/01/2026 14:05 (MM/DD/YYYY HH:MM, as Meta Business Suite writes it)",
                   doc="in the exporting user's time zone (the export gives none); taken as UTC"),
            Column("permalink", "Permalink", header_required=False),
            Column("post_type", "Post type", header_required=False),
            # "Views" replaced "Impressions" in 2025 (seed instagram_metric_names); older exports have the latter.
            _metric("Views", "views"),
            _metric("Impressions", "impressions"),
            _metric("Reach", "reach"),
            Column("likes", "Likes", COUNT_TEXT, check=_NONNEG, expect=_COUNT),
            Column("comments", "Comments", COUNT_TEXT, check=_NONNEG, expect=_COUNT),
            _metric("Shares", "shares"),
            _metric("Saves", "saves"),
            _metric("Follows", "follows"),
            _metric("Profile visits", "profile_visits"),
        ),
    ),
    Source(
        name="discovery_creators", pattern="discovery/*.csv", table="discovery_creators", format="csv",
        key=("platform", "username"),
        description="Creator lists exported from discovery and ranking tools (Modash, HypeAuditor, Upfluence-like): "
                    "one row per creator account, display counts and percentages as the tools write them.",
        columns=(
            Column("username", "Username", required=True, expect="the creator's handle, e.g. @anna.bakes",
                   doc="matched to the platform's handle in creators.csv, ignoring case and a leading @"),
            Column("full_name", "Full name", header_required=False),
            Column("platform", "Platform", required=True,
                   check="lower({v}) in ('instagram', 'tiktok', 'youtube')", expect="Instagram, TikTok or YouTube"),
            Column("followers", "Followers", COUNT_TEXT, required=True, check=_NONNEG,
                   expect="a follower count like 35500, 35.5k or 1.2m"),
            # Kept as written ("2.3%"), the percent sign required: a bare 0.023 or 2.3 is ambiguous. Staging casts.
            Column("engagement_rate", "Engagement rate", header_required=False,
                   check="regexp_full_match({v}, '[0-9]+([.][0-9]+)? ?%')", expect="a percentage like 2.3%",
                   doc="as the tool computes it (usually interactions per post over followers)"),
            Column("country", "Country", header_required=False,
                   doc="a country name in English, an ISO 3166 code (GB, GBR) or UK/USA (seed country_names); "
                       "another name is kept as written, without a code"),
            Column("category", "Category", header_required=False),
            Column("profile_url", "Profile URL", header_required=False),
        ),
    ),
)
