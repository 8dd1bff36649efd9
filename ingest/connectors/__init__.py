"""API connectors: fetch pages from store and platform APIs into the landing folder as JSON lines
(``{"request": ..., "headers": ..., "response": <body verbatim>}``), which ingest then loads like any file."""

from __future__ import annotations

import logging
from pathlib import Path

log = logging.getLogger(__name__)


def fetch_configured(group: str, landing: Path, warehouse: Path) -> list[Path]:
    """Fetch the APIs of a source group whose credentials are configured; returns the landed files."""
    landed: list[Path] = []
    if group == "shopify":
        from ingest.connectors import shopify

        try:
            creds = shopify.credentials()
        except RuntimeError as exc:
            log.info("Shopify API not fetched (%s)", exc)
        else:
            result = shopify.fetch_orders(creds, landing)
            log.info("Shopify API: %d pages, %d orders landed, cursor %s", result.pages, result.orders, result.cursor)
            landed += [result.file] if result.file else []
    if group == "social":
        from ingest.connectors import instagram

        try:
            creds = instagram.credentials()
        except RuntimeError as exc:
            log.info("Instagram Graph API not fetched (%s)", exc)
        else:
            accounts = _instagram_accounts(warehouse)
            file = instagram.fetch_media(creds, accounts, landing)
            log.info("Instagram Graph API: media of %d accounts landed in %s", len(accounts), file)
            landed += [file] if file else []
            story_files = instagram.fetch_stories(creds, accounts, landing)
            log.info("Instagram Graph API: live stories of %d accounts landed in %s", len(accounts), story_files)
            landed += story_files
    return landed


def _instagram_accounts(warehouse: Path) -> list[str]:
    """The Instagram user ids of the creators template (loaded by the marketing group)."""
    from ingest.warehouse import connect

    con = connect(warehouse, read_only=True)
    try:
        return [r[0] for r in con.execute("select distinct instagram_user_id from raw.creators "
                                          "where instagram_user_id is not null order by 1").fetchall()]
    finally:
        con.close()
