"""Traffic to the shop from creators' links: a link shortener's clicks per link and day (Bitly) and GA4's sessions
per landing page and day. Both are matched to a creator by the link's ``ref=`` id (link_assignments) in dbt."""

from ingest.spec import COUNT_TEXT, Column, RowCheck, Source

_COUNT = "a count like 1200 or 1,200"
_NONNEG = "{v} >= 0"
# Bitly writes days as 2026-10-01 in its CSV downloads, the API's clicks-by-day as 2026-10-01T00:00:00+0000, and a
# spreadsheet re-save as 10/01/2026 (US order, as Bitly's dashboard shows dates).
BITLY_DAY = ("coalesce(try_strptime({v}, '%Y-%m-%d'), try_strptime({v}, '%Y-%m-%dT%H:%M:%S%z'), "
             "try_strptime({v}, '%m/%d/%Y'))")
# GA4 writes its Date dimension as YYYYMMDD.
GA4_DAY = "try_strptime({v}, '%Y%m%d')"
# GA4 adds a totals row (no date, "Grand total" or nothing as the first dimension): loaded, never counted (dbt).
GA4_TOTALS = "('', 'grand total', 'total', 'totals')"
GA4_REVENUE = "DECIMAL(20,2)"


def _ga4_count(header: str, name: str, doc: str = "") -> Column:
    """A GA4 count: a report shows the metrics its user picked, so each header is optional."""
    return Column(name, header, COUNT_TEXT, header_required=False, check=_NONNEG, expect=_COUNT, doc=doc)


TRAFFIC_SOURCES = (
    Source(
        name="bitly_clicks", pattern="bitly/*.csv", table="bitly_clicks", format="csv", key=("bitlink", "click_date"),
        description="Bitly link clicks by day (Analytics > a link > Export, or the clicks-by-day API written as "
                    "CSV): one row per short link and day. The link's destination (Long URL) carries the creator's "
                    "ref= id, as the order's landing page does.",
        columns=(
            Column("bitlink", "Bitlink", required=True, expect="the short link, e.g. bit.ly/3xAnna1",
                   doc="the short link; one creator may have several, one per destination"),
            Column("long_url", "Long URL", required=True,
                   check="regexp_matches({v}, '[?&]ref=[^&#]+')",
                   expect="the destination URL with the creator's ref= id, e.g. "
                          "https://shop.example/products/glow-serum?utm_source=instagram&ref=anna-c1",
                   doc="matched to link_id in link_assignments by its ref= parameter, ignoring case"),
            Column("title", "Title", header_required=False),
            Column("click_date", "Date", required=True, check=f"{BITLY_DAY} is not null",
                   expect="a day like 2026-10-01, 2026-10-01T00:00:00+0000 or 10/01/2026 (MM/DD/YYYY)",
                   doc="the day of the clicks (Bitly's days are UTC)"),
            Column("clicks", "Clicks", COUNT_TEXT, required=True, check=_NONNEG, expect=_COUNT,
                   doc="clicks on the short link that day (QR scans are not clicks: export them apart)"),
        ),
    ),
    Source(
        # No business key declared: every file's totals row would share the same (empty) key and be reported as a
        # re-delivery. Staging keeps the newest row per day, landing page, source / medium and campaign.
        name="ga4_landing_pages", pattern="ga4/*.csv", table="ga4_landing_pages", format="csv",
        description="GA4 Reports > Engagement > Landing page (or an Exploration) downloaded as CSV with the "
                    "dimensions Landing page + query string and Date (Session source / medium and Session campaign "
                    "if added): the '#' lines GA4 writes before the header are skipped, and its totals row is "
                    "loaded but never counted.",
        columns=(
            Column("landing_page", "Landing page + query string",
                   expect="the landing page with its query, e.g. /products/glow-serum?utm_source=instagram&ref=anna-c1",
                   doc="matched to link_id in link_assignments by its ref= parameter, ignoring case; the totals row "
                       "has 'Grand total' or nothing here"),
            Column("session_date", "Date", check=f"{GA4_DAY} is not null",
                   expect="a day like 20261001 (YYYYMMDD, as GA4 writes its Date dimension)",
                   doc="add Date as a dimension: a link only counts on the days it is assigned"),
            Column("source_medium", "Session source / medium", header_required=False,
                   doc="e.g. instagram / creator (utm_source / utm_medium); kept for reading, not for matching"),
            Column("campaign", "Session campaign", header_required=False, doc="utm_campaign"),
            Column("sessions", "Sessions", COUNT_TEXT, required=True, check=_NONNEG, expect=_COUNT),
            _ga4_count("Engaged sessions", "engaged_sessions"),
            _ga4_count("Key events", "key_events", doc="GA4's name for conversions since March 2024"),
            _ga4_count("Conversions", "conversions", doc="the same count in exports made before March 2024"),
            # Refunds can make a day's revenue negative in GA4: no range check. Not MONEY, so the raw gate does not
            # judge it as an order amount: the pipeline never counts it, and the totals row's sum is far above the
            # rows' 99th percentile by nature (the gate rejected every GA4 batch for it).
            Column("total_revenue", "Total revenue", GA4_REVENUE, header_required=False,
                   expect="an amount like 1234.5 (no currency sign)",
                   doc="in the property's currency; the pipeline counts revenue from the store's orders, not this"),
        ),
        row_checks=(
            RowCheck("session_date", f"session_date is null and lower(trim(coalesce(landing_page, ''))) not in "
                                     f"{GA4_TOTALS}",
                     "column `Date`: empty, but every row except GA4's totals row needs one (expected a day like "
                     "20261001: add the Date dimension to the report and download it again)"),
            RowCheck("landing_page", "landing_page is null and session_date is not null",
                     "column `Landing page + query string`: empty on a row with a Date (expected the landing page "
                     "with its query, e.g. /products/glow-serum?ref=anna-c1; only GA4's totals row has none)"),
        ),
    ),
)
