"""Data sizes the generator can build. S is the demo; M and L are for benchmarks."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scale:
    name: str
    creators: int
    days: int
    organic_orders_per_day: float
    customers: int
    comments_per_post: int
    campaigns_per_year: int
    csv_lines_per_file: int


SCALES: dict[str, Scale] = {
    # ~60 creators, 4 months: the demo; builds in a few seconds.
    "S": Scale("S", creators=60, days=120, organic_orders_per_day=30, customers=4_000,
               comments_per_post=12, campaigns_per_year=9, csv_lines_per_file=50_000),
    # ~2,000 creators x 365 days, ~1M Shopify order lines.
    "M": Scale("M", creators=2_000, days=365, organic_orders_per_day=950, customers=150_000,
               comments_per_post=8, campaigns_per_year=12, csv_lines_per_file=250_000),
    # ~10,000 creators x 730 days, ~10M Shopify order lines.
    "L": Scale("L", creators=10_000, days=730, organic_orders_per_day=5_200, customers=700_000,
               comments_per_post=6, campaigns_per_year=12, csv_lines_per_file=1_000_000),
}
