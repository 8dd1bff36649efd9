"""CSV templates maintained by marketers: creators, campaigns, contracts, code and link assignments, FX rates.

A typo here silently misattributes money, so types and ranges are strict (see docs/input-templates.md).
"""

from ingest.spec import COUNT, CURRENCY_CHECK, CURRENCY_EXPECT, MONEY, Column, RowCheck, Source

_DATE = "a date like 2026-03-01"
_NONNEG = "{v} >= 0"
# Templates refer to creators and campaigns loaded before them (the marketing group loads creators and campaigns
# first): an unknown id would silently credit money to nobody.
_KNOWN_CREATOR = "{v} in (select creator_id from raw.creators)"
_KNOWN_CAMPAIGN = "{v} in (select campaign_id from raw.campaigns)"
_CREATOR_REF = Column("creator_id", "creator_id", required=True, check=_KNOWN_CREATOR,
                      expect="a creator_id listed in creators.csv", doc="who gets the credit or the pay")
_CAMPAIGN_REF = Column("campaign_id", "campaign_id", required=True, check=_KNOWN_CAMPAIGN,
                       expect="a campaign_id listed in campaigns.csv", doc="in which campaign")
_VALID_FROM = Column("valid_from", "valid_from", "DATE", required=True, expect=_DATE,
                     doc="first day an order can get the credit (inclusive)")
_VALID_TO = Column("valid_to", "valid_to", "DATE", required=True, expect=_DATE,
                   doc="last day an order can get the credit (inclusive)")
# Deliverable formats a contract can name; each is one platform's post type (dbt maps posts onto them).
FORMATS = ("instagram_post", "instagram_reel", "instagram_story", "tiktok_video", "youtube_video")
_FORMAT_CHECK = "lower({v}) in (" + ", ".join(f"'{f}'" for f in FORMATS) + ")"
_DATES_IN_ORDER = RowCheck("valid_to", "valid_to < valid_from",
                           "column `valid_to`: the date is before valid_from (expected valid_from or later)")


def _exclusive(column: str, table: str, normalise: str) -> RowCheck:
    """One code or link can credit only one creator at a time: rows of the file giving it to two creators over
    overlapping dates are all quarantined, because neither can be trusted; a row conflicting with an assignment loaded
    before is quarantined, and the loaded one stands."""
    same = f"{normalise}({{alias}}.{column}) = {normalise}(_typed.{column})"
    overlap = "{alias}.valid_from <= _typed.valid_to and _typed.valid_from <= {alias}.valid_to"
    other_creator = "{alias}.creator_id <> _typed.creator_id"
    where = " and ".join((same, other_creator, overlap))
    return RowCheck(
        column,
        f"exists (select 1 from _typed as other where other._row_number <> _typed._row_number and "
        f"{where.format(alias='other')}) or exists (select 1 from raw.{table} as loaded where "
        f"{where.format(alias='loaded')})",
        f"column `{column}`: the {column.replace('_', ' ')} is assigned to another creator over overlapping dates "
        f"(expected one creator per {column.replace('_', ' ')} at a time; fix the rows and deliver the file again)",
    )

MARKETING_SOURCES = (
    Source(
        name="creators", pattern="marketing/creators*.csv", table="creators", format="csv", key=("creator_id",),
        description="Creators and their handle/account id on each platform.",
        columns=(
            Column("creator_id", "creator_id", required=True, expect="a creator id like cr_00001",
                   doc="your stable id for the creator; every other template refers to it"),
            Column("creator_name", "creator_name", required=True, doc="display name"),
            Column("home_country", "home_country", check="length({v}) = 2",
                   expect="an ISO 3166 alpha-2 country code (2 letters) such as US", doc="where the creator lives"),
            Column("instagram_username", "instagram_username", header_required=False, doc="Instagram handle"),
            Column("instagram_user_id", "instagram_user_id", header_required=False,
                   doc="Instagram Graph API user id (joins the API data)"),
            Column("tiktok_username", "tiktok_username", header_required=False, doc="TikTok handle"),
            Column("tiktok_open_id", "tiktok_open_id", header_required=False, doc="TikTok Display API open_id"),
            Column("youtube_handle", "youtube_handle", header_required=False, doc="YouTube handle"),
            Column("youtube_channel_id", "youtube_channel_id", header_required=False, doc="YouTube channel id (UC...)"),
        ),
    ),
    Source(
        name="campaigns", pattern="marketing/campaigns*.csv", table="campaigns", format="csv",
        key=("campaign_id",), description="Campaigns with their dates, target countries and optional budget.",
        columns=(
            Column("campaign_id", "campaign_id", required=True, doc="stable id"),
            Column("campaign_name", "campaign_name", required=True, doc="name shown in reports"),
            Column("start_date", "start_date", "DATE", required=True, expect=_DATE, doc="first day (inclusive)"),
            Column("end_date", "end_date", "DATE", required=True, expect=_DATE, doc="last day (inclusive)"),
            Column("target_countries", "target_countries", expect="ISO country codes separated by ';' like US;CA;GB",
                   doc="the campaign's markets"),
            Column("budget", "budget", MONEY, header_required=False, check=_NONNEG, expect="an amount >= 0",
                   doc="what the campaign may spend on creators in total (fees, gifts, commission, bonuses, "
                       "amplification); empty = no budget set"),
            Column("budget_currency", "budget_currency", header_required=False, check=CURRENCY_CHECK,
                   expect=CURRENCY_EXPECT, doc="currency of the budget; converted at the campaign's start date"),
        ),
        row_checks=(RowCheck("end_date", "end_date < start_date",
                             "column `end_date`: the date is before start_date (expected start_date or later)"),
                    # A budget without its currency cannot be compared with the spend: neither can be guessed.
                    RowCheck("budget_currency", "budget is not null and budget_currency is null",
                             "column `budget_currency`: empty while `budget` is set (expected the budget's ISO 4217 "
                             "currency code such as USD; fill it in and deliver the file again)")),
    ),
    Source(
        name="contracts", pattern="marketing/contracts*.csv", table="contracts", format="csv",
        key=("contract_id",), description="What each creator is paid for each campaign.",
        columns=(
            Column("contract_id", "contract_id", required=True, doc="stable id"),
            _CREATOR_REF,
            _CAMPAIGN_REF,
            Column("currency", "currency", required=True, check=CURRENCY_CHECK, expect=CURRENCY_EXPECT,
                   doc="currency of every amount in the row"),
            Column("flat_fee", "flat_fee", MONEY, required=True, check=_NONNEG, expect="an amount >= 0", doc="fee"),
            Column("gifted_units", "gifted_units", COUNT, check=_NONNEG, expect="a whole number >= 0",
                   doc="number of products gifted"),
            Column("unit_cost", "unit_cost", MONEY, check=_NONNEG, expect="an amount >= 0 (COGS, not retail)",
                   doc="cost of goods per gifted unit, not the retail price; empty = not recorded"),
            Column("gift_shipping_cost", "gift_shipping_cost", MONEY, check=_NONNEG, expect="an amount >= 0",
                   doc="shipping paid for the gifts"),
            Column("commission_rate", "commission_rate", "DECIMAL(9,4)", check="{v} between 0 and 1",
                   expect="a fraction between 0 and 1 (0.10 = 10%)",
                   doc="share of attributed net sales (after refunds) paid as commission"),
            Column("bonus_threshold_net_revenue", "bonus_threshold_net_revenue", MONEY, check=_NONNEG,
                   expect="an amount >= 0", doc="the bonus is paid when attributed net revenue reaches this"),
            Column("bonus_amount", "bonus_amount", MONEY, check=_NONNEG, expect="an amount >= 0", doc="the bonus"),
            Column("paid_amplification", "paid_amplification", MONEY, check=_NONNEG, expect="an amount >= 0",
                   doc="ad spend boosting the creator's posts"),
            # The exclusivity clause is optional and newer than the template: files without these headers load.
            Column("exclusivity_category", "exclusivity_category", header_required=False,
                   expect="a category of dbt seed competitor_brands, like skincare",
                   doc="the competitor category the creator may not promote around the campaign (seed "
                       "competitor_brands); empty = no exclusivity clause"),
            Column("exclusivity_days_before", "exclusivity_days_before", COUNT, header_required=False,
                   check=_NONNEG, expect="a whole number of days >= 0",
                   doc="the exclusivity starts this many days before the campaign start; empty = 0"),
            Column("exclusivity_days_after", "exclusivity_days_after", COUNT, header_required=False,
                   check=_NONNEG, expect="a whole number of days >= 0",
                   doc="the exclusivity ends this many days after the campaign end; empty = 0"),
            Column("usage_rights", "usage_rights", header_required=False, check="lower({v}) in ('yes', 'no')",
                   expect="yes or no",
                   doc="yes when the brand buys the right to reuse the posts in its own ads (paid usage or "
                       "whitelisting), which rate cards price as a premium; empty = no"),
        ),
        # Days without a category would be an exclusivity against nobody: the clause is incomplete, not absent.
        row_checks=(RowCheck("exclusivity_category",
                             "exclusivity_category is null and (exclusivity_days_before is not null "
                             "or exclusivity_days_after is not null)",
                             "column `exclusivity_category`: empty while exclusivity days are set (expected the "
                             "competitor category of the clause, a category of dbt seed competitor_brands such as "
                             "skincare; fill it in, or empty the days, and deliver the file again)"),),
    ),
    Source(
        name="contract_deliverables", pattern="marketing/contract_deliverables*.csv", table="contract_deliverables",
        format="csv", key=("contract_id", "format", "due_date"),
        description="What each contract asks the creator to post, and by when: one row per contract, format and due "
                    "date (2 Reels and 3 Stories due 2026-03-20 are two rows). Optional: contracts without rows are "
                    "not checked for delivery.",
        columns=(
            Column("contract_id", "contract_id", required=True, check="{v} in (select contract_id from raw.contracts)",
                   expect="a contract_id listed in contracts.csv", doc="the contract the posts are owed under"),
            Column("format", "format", required=True, check=_FORMAT_CHECK, expect=f"one of {', '.join(FORMATS)}",
                   doc="what is posted: " + ", ".join(FORMATS) + " (case-insensitive)"),
            Column("posts", "posts", COUNT, required=True, check="{v} >= 1", expect="a whole number of posts >= 1",
                   doc="how many posts of this format are due by due_date"),
            Column("due_date", "due_date", "DATE", required=True, expect=_DATE,
                   doc="the deadline (inclusive: a post on this day is on time)"),
            Column("content_review", "content_review", header_required=False, check="lower({v}) in ('yes', 'no')",
                   expect="yes or no", doc="yes = the brand approves each post before it goes live; empty = no"),
        ),
    ),
    Source(
        name="code_assignments", pattern="marketing/code_assignments*.csv", table="code_assignments",
        format="csv", key=("code", "valid_from"), description="Which creator a discount code belongs to, when.",
        columns=(
            Column("code", "code", required=True,
                   doc="the discount code as customers type it (matched case-insensitively)"),
            _CREATOR_REF,
            _CAMPAIGN_REF,
            Column("discount_percent", "discount_percent", "DECIMAL(5,2)", check="{v} between 0 and 100",
                   expect="a percentage between 0 and 100", doc="the code's discount"),
            _VALID_FROM,
            _VALID_TO,
        ),
        row_checks=(
            _DATES_IN_ORDER,
            _exclusive("code", "code_assignments", "upper"),
        ),
    ),
    Source(
        name="link_assignments", pattern="marketing/link_assignments*.csv", table="link_assignments",
        format="csv", key=("link_id",), description="Which creator a tracking link id (ref / utm) belongs to.",
        columns=(
            Column("link_id", "link_id", required=True,
                   doc="the ref= value of the creator's links (matched case-insensitively)"),
            _CREATOR_REF,
            _CAMPAIGN_REF,
            _VALID_FROM,
            _VALID_TO,
        ),
        row_checks=(
            _DATES_IN_ORDER,
            _exclusive("link_id", "link_assignments", "lower"),
        ),
    ),
    Source(
        name="fx_rates", pattern="fx/fx_rates*.csv", table="fx_rates", format="csv",
        key=("rate_date", "base_currency", "quote_currency"),
        description="Daily reference FX rates (quote units per one base unit), business days only.",
        columns=(
            Column("rate_date", "rate_date", "DATE", required=True, expect=_DATE, doc="business day of the rate"),
            # Only rates per 1 USD are used: a row of another base (ECB files are per 1 EUR) would load and be
            # ignored, and the build would then stop on a missing rate far from its cause.
            Column("base_currency", "base_currency", required=True, check="upper({v}) = 'USD'",
                   expect="USD (rates per 1 US dollar; rebase other files: USD→X = EUR→X / EUR→USD)",
                   doc="USD: rates per 1 US dollar; a row of another base is quarantined"),
            Column("quote_currency", "quote_currency", required=True, check=CURRENCY_CHECK, expect=CURRENCY_EXPECT,
                   doc="one row per quote currency and day"),
            Column("rate", "rate", "DECIMAL(18,8)", required=True, check="{v} > 0", expect="a rate > 0",
                   doc="units of quote currency per 1 base unit; a day without a row uses the newest earlier rate "
                       "up to 7 days old (dbt var fx_max_rate_age_days)"),
        ),
    ),
)
