"""Every source the pipeline ingests, by name."""

from __future__ import annotations

from ingest.sources.exports import EXPORT_SOURCES
from ingest.sources.marketing import MARKETING_SOURCES
from ingest.sources.scrapers import SCRAPER_SOURCES
from ingest.sources.shopify import SHOPIFY_SOURCES, STORE_EXTRA_SOURCES
from ingest.sources.social import SOCIAL_SOURCES
from ingest.sources.traffic import TRAFFIC_SOURCES
from ingest.spec import Source

ALL_SOURCES: dict[str, Source] = {
    s.name: s for s in (*MARKETING_SOURCES, *SHOPIFY_SOURCES, *STORE_EXTRA_SOURCES, *SOCIAL_SOURCES,
                       *SCRAPER_SOURCES, *EXPORT_SOURCES, *TRAFFIC_SOURCES)
}

# Groups the Airflow ingest DAG runs as one task each; marketing first because the rest is judged against it.
GROUPS: dict[str, tuple[str, ...]] = {
    "marketing": tuple(s.name for s in MARKETING_SOURCES),
    "shopify": tuple(s.name for s in (*SHOPIFY_SOURCES, *STORE_EXTRA_SOURCES)),
    "social": tuple(s.name for s in (*SOCIAL_SOURCES, *SCRAPER_SOURCES, *EXPORT_SOURCES, *TRAFFIC_SOURCES)),
}
