"""Traffic through the creators' links, as the tools export it: Bitly's clicks by link and day, and a GA4 landing-page
report (its '#' preamble and totals row included), one file of each per month. Drawn around the orders that landed
through each link, so sessions always exceed those orders and clicks exceed sessions."""

from __future__ import annotations

import csv
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from pipeline.generate.orders import Order, OrderWriter
from pipeline.generate.world import World, rng_for

BITLY_HEADER = ["Bitlink", "Long URL", "Title", "Date", "Clicks"]
GA4_HEADER = ["Landing page + query string", "Date", "Session source / medium", "Session campaign", "Sessions",
              "Engaged sessions", "Key events", "Total revenue"]
LINK_DAYS_AFTER = 30  # link assignments run to the campaign end + 30 days (pipeline/generate/run.py)
STALE_CLICK_DAYS = 5  # a link left in a bio keeps some clicks after its assignment ended: they must credit nobody


class TrafficOrderWriter(OrderWriter):
    """The order writer, also counting per creator link and day the orders that landed through the link (the ones
    order_attribution can credit by ref) and their totals, which the traffic is drawn around."""

    def __init__(self, world: World, out: Path) -> None:
        super().__init__(world, out)
        self.link_orders: Counter[tuple[str, date]] = Counter()
        self.link_revenue: Counter[tuple[str, date]] = Counter()

    def emit(self, order: Order, d: int) -> None:
        if "ref=" in order.landing_site:
            key = (order.landing_site.split("ref=")[1], self.world.day(d))
            self.link_orders[key] += 1
            self.link_revenue[key] += order.total
        super().emit(order, d)


def write_traffic(world: World, orders: TrafficOrderWriter, out: Path) -> dict[str, dict[str, int]]:
    """Write ``bitly/clicks_<month>.csv`` and ``ga4/landing_pages_<month>.csv``; return the clicks and sessions each
    creator's links had on their assigned days (what creator_roi must sum to)."""
    r = rng_for(world.seed, "traffic")
    campaigns = {c.campaign_id: c for c in world.campaigns}
    platform_of = {c.creator_id: c.primary.platform for c in world.creators}
    bitly: dict[str, list[list]] = {}
    ga4: dict[str, list[list]] = {}
    truth: dict[str, dict[str, int]] = {}
    for contract in world.contracts:
        campaign = campaigns[contract.campaign_id]
        valid_to = campaign.end + timedelta(days=LINK_DAYS_AFTER)
        query = (f"utm_source={platform_of[contract.creator_id]}&utm_medium=creator"
                 f"&utm_campaign={contract.campaign_id}&ref={contract.link_id}")
        bitlink = f"bit.ly/{contract.link_id}"  # a custom back-half
        day = max(campaign.start, world.start)
        while day <= min(valid_to + timedelta(days=STALE_CLICK_DAYS), world.end):
            key = (contract.link_id, day)
            # Visits: the buyers, plus 20-60 browsers per buyer, plus a trickle while the campaign runs.
            live = 3 if day <= campaign.end else 0
            sessions = orders.link_orders[key] * r.randint(20, 60) + r.randint(0, live)
            if sessions:
                # Bitly counts clicks that never become a GA4 session (link previews, bots, consent refused).
                clicks = sessions + r.randint(sessions // 10, sessions // 3 + 1)
                month = f"{day:%Y-%m}"
                bitly.setdefault(month, []).append([bitlink, f"https://lumenandco.com/products/glow-serum?{query}",
                                                    f"{contract.creator_id} {campaign.name}", day.isoformat(),
                                                    clicks])
                ga4.setdefault(month, []).append([
                    f"/products/glow-serum?{query}", f"{day:%Y%m%d}",
                    f"{platform_of[contract.creator_id]} / creator", contract.campaign_id, sessions,
                    sessions - r.randint(0, sessions // 3), orders.link_orders[key],
                    f"{orders.link_revenue[key]:.2f}"])
                if day <= valid_to:
                    counted = truth.setdefault(contract.creator_id, {"clicks": 0, "sessions": 0})
                    counted["clicks"] += clicks
                    counted["sessions"] += sessions
            day += timedelta(days=1)
    for month, rows in bitly.items():
        _write(out / "bitly" / f"clicks_{month}.csv", [], BITLY_HEADER, rows)
    for month, rows in ga4.items():
        # The shop's other landings (no ref) are in the same report and credit nobody.
        organic = [["/", day, "google / organic", "(organic)", r.randint(40, 120), 0, 0, "0.00"]
                   for day in sorted({row[1] for row in rows})]
        _write(out / "ga4" / f"landing_pages_{month}.csv", _ga4_preamble(month), GA4_HEADER,
               [_ga4_totals(rows + organic), *rows, *organic])
    return truth


def _ga4_preamble(month: str) -> list[str]:
    first = date.fromisoformat(f"{month}-01")
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return ["# ----------------------------------------", "# Landing page", "# Account: Lumen & Co",
            "# Property: Lumen & Co - GA4", "# ----------------------------------------", "#", "# All Users",
            f"# Start date: {first:%Y%m%d}", f"# End date: {last:%Y%m%d}"]


def _ga4_totals(rows: list[list]) -> list:
    """GA4's totals row: no dimension values, every metric summed."""
    return ["", "", "", "", *(sum(row[i] for row in rows) for i in (4, 5, 6)),
            f"{sum(Decimal(row[7]) for row in rows):.2f}"]


def _write(path: Path, preamble: list[str], header: list[str], rows: list[list]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        fh.writelines(line + "\n" for line in preamble)
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
