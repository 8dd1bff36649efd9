"""Exports from the platforms' own dashboards and from creator discovery tools (CSV as the tools save them)."""

from ingest.spec import COUNT_TEXT, UNIX_OR_ISO, Column, Derived, Source

_COUNT = "a count like 1200, 1,200 or 1.2K"
_NONNEG = "{v} >= 0"
# Meta Business Suite writes "Publish time" as MM/DD/YYYY HH:MM (no time zone: the exporting user's); ISO also passes.
_PUBLISH_TIME = "coalesce(try_strptime({v}, '%m/%d/%Y %H:%M'), try_cast({v} as timestamp))"


_TIME = "a time like 2026-03-01T14:30:00Z, 2026-03-01 or epoch seconds like 1772375400"


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
            Column("post_type", "Post type", header_required=False,
                   doc="IG reel, IG image, IG carousel, IG story, or the shorter labels other exports write (Reel, "
                       "Video, Post, Photo, Image, Carousel, Story), in any case; another value loads, its posts "
                       "count as format unmapped and the build warns naming it (seed content_formats)"),
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
    # A follower sample: the profiles of some of an account's followers, as scraping and audit tools export them
    # (one CSV per sampled account). Only what the follower-quality rule needs is kept; the follower's handle is a
    # third party's identifier, so it is stored as a keyed hash (it only tells repeated rows apart).
    Source(
        name="follower_samples", pattern="follower_samples/*.csv", table="follower_samples", format="csv",
        key=("platform", "account", "sampled_at", "follower_handle"),
        description="Follower samples exported by scraping and audience-audit tools: one row per sampled follower "
                    "of a creator account (profile counts, picture, bio length, dates; other columns such as Is "
                    "private are not loaded). Vetting uses each account's newest sample; sample at least 100 "
                    "followers at random.",
        columns=(
            Column("platform", "Platform", required=True,
                   check="lower({v}) in ('instagram', 'tiktok')", expect="Instagram or TikTok"),
            Column("account", "Account", required=True, expect="the creator's handle, e.g. @anna.bakes",
                   doc="the sampled creator account: matched to the platform's handle in creators.csv, ignoring "
                       "case and a leading @"),
            Column("sampled_at", "Sampled at", UNIX_OR_ISO, required=True, expect=_TIME,
                   doc="when the sample was taken: the rows of one account and time are one sample"),
            # A handle heavy with digits (user84213377) is a sign of a bot: its length and digit count are kept,
            # computed before the handle is hashed.
            Column("follower_handle", "Username", required=True, pii=True, expect="the follower's handle",
                   doc="its length and how many digits it has (a bot sign) are counted before hashing",
                   derived=(Derived("handle_length", "length(ltrim({v}, '@'))"),
                            Derived("handle_digit_count", "length(regexp_replace({v}, '[^0-9]', '', 'g'))"))),
            Column("follower_followers", "Followers", COUNT_TEXT, required=True, check=_NONNEG, expect=_COUNT,
                   doc="the follower's own follower count"),
            Column("follower_following", "Following", COUNT_TEXT, required=True, check=_NONNEG, expect=_COUNT,
                   doc="how many accounts the follower follows (over 1,500 is a mass follower)"),
            Column("follower_posts", "Posts", COUNT_TEXT, required=True, check=_NONNEG, expect=_COUNT),
            Column("has_profile_picture", "Has profile picture", "BOOLEAN", required=True,
                   expect="true or false (also yes/no, 1/0)"),
            Column("bio_length", "Biography length", "BIGINT", header_required=False, check=_NONNEG,
                   expect="a whole number of characters >= 0",
                   doc="characters in the follower's bio (0 = no bio); the bio text itself is not needed"),
            Column("created_at", "Created at", UNIX_OR_ISO, header_required=False, expect=_TIME,
                   doc="when the follower's account was created, where the tool gives it (a burst of accounts "
                       "created together is a bought-follower sign)"),
            Column("last_post_at", "Last post at", UNIX_OR_ISO, header_required=False, expect=_TIME,
                   doc="the follower's newest post, where the tool gives it (an old one means inactive)"),
        ),
    ),
)
