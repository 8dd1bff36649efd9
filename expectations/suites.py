"""Expectation suites, versioned as code. Each suite names the data it validates (a DuckDB query) and its
expectations. Raw suites validate only the batch that just arrived (its load ids); mart suites the marts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

ATTRIBUTION_RULES = ["code", "link", "none", "excluded"]
VERDICTS = ["approve", "review", "reject"]


@dataclass(frozen=True)
class Suite:
    name: str
    query: str  # may reference {load_ids}: a SQL list of the batch's load ids
    expectations: Callable[[Any], list[Any]]  # gx.expectations module -> expectation objects
    raw: bool = False


def _manifest(x: Any) -> list[Any]:
    return [
        x.ExpectColumnValuesToBeBetween(column="quarantine_share", min_value=0, max_value=0.05,
                                        meta={"why": "more than 5% of a file quarantined means a broken export"}),
        x.ExpectColumnPairValuesAToBeGreaterThanB(column_A="rows_read", column_B="rows_loaded", or_equal=True),
    ]


def _order_lines(x: Any) -> list[Any]:
    return [
        x.ExpectColumnValuesToNotBeNull(column="order_name"),
        x.ExpectColumnValuesToBeBetween(column="lineitem_quantity", min_value=1),
        x.ExpectColumnValuesToBeInSet(column="currency", value_set=["USD", "CAD", "GBP", "EUR", "AUD"],
                                      mostly=1.0),
        x.ExpectColumnValuesToNotBeNull(column="_load_id"),
    ]


def _order_attribution(x: Any) -> list[Any]:
    return [
        x.ExpectColumnValuesToBeUnique(column="order_name"),
        x.ExpectColumnValuesToNotBeNull(column="order_name"),
        x.ExpectColumnValuesToBeInSet(column="attribution_rule", value_set=ATTRIBUTION_RULES),
        x.ExpectColumnValuesToNotBeNull(column="net_revenue_reporting", row_condition='is_valid == True',
                                        condition_parser="pandas"),
        x.ExpectColumnValuesToNotBeNull(column="creator_id",
                                        row_condition='attribution_rule in ["code", "link"]',
                                        condition_parser="pandas"),
    ]


def _creator_roi(x: Any) -> list[Any]:
    return [
        x.ExpectColumnValuesToBeUnique(column="contract_id"),
        x.ExpectCompoundColumnsToBeUnique(column_list=["creator_id", "campaign_id"]),
        x.ExpectColumnValuesToBeBetween(column="creator_cost", min_value=0),
        x.ExpectColumnValuesToBeBetween(column="orders", min_value=0),
        x.ExpectColumnValuesToNotBeNull(column="roi", row_condition="creator_cost > 0", condition_parser="pandas"),
        x.ExpectColumnValuesToNotBeNull(column="roi_null_reason", row_condition="creator_cost == 0",
                                        condition_parser="pandas"),
    ]


def _creator_vetting(x: Any) -> list[Any]:
    return [
        x.ExpectCompoundColumnsToBeUnique(column_list=["creator_id", "platform"]),
        x.ExpectColumnValuesToBeInSet(column="verdict", value_set=VERDICTS),
        x.ExpectColumnValuesToBeBetween(column="vetting_score", min_value=0, max_value=100),
        x.ExpectColumnValuesToBeBetween(column="data_coverage", min_value=0, max_value=1),
        x.ExpectColumnValuesToNotBeNull(column="verdict"),
    ]


def _weekly(x: Any) -> list[Any]:
    return [
        x.ExpectCompoundColumnsToBeUnique(column_list=["creator_id", "week_start"]),
        x.ExpectColumnValuesToBeBetween(column="orders", min_value=0),
    ]


SUITES: tuple[Suite, ...] = (
    Suite("raw_batch_manifest",
          "select *, rows_quarantined / greatest(rows_read, 1) as quarantine_share from raw.load_manifest "
          "where load_id in {load_ids}", _manifest, raw=True),
    Suite("raw_shopify_order_lines_csv",
          "select order_name, lineitem_quantity, currency, _load_id from raw.shopify_order_lines_csv "
          "where _load_id in {load_ids}", _order_lines, raw=True),
    Suite("mart_order_attribution", "select * from marts.order_attribution", _order_attribution),
    Suite("mart_creator_roi", "select * from marts.creator_roi", _creator_roi),
    Suite("mart_creator_vetting", "select * from marts.creator_vetting", _creator_vetting),
    Suite("mart_creator_weekly_performance", "select * from marts.creator_weekly_performance", _weekly),
)
