"""The week a report covers, and whether the published data is fresh enough to report it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

StalePolicy = Literal["refuse", "mark"]  # validated where the setting is read (pipeline/settings.py)


class StaleServing(RuntimeError):
    """The serving file was published before the end of the week the report covers."""


@dataclass(frozen=True)
class ReportWeek:
    """An ISO week (Monday to Sunday) in the report's time zone."""

    start: date
    timezone: str = "UTC"

    @property
    def end(self) -> date:
        return self.start + timedelta(days=6)

    @property
    def iso(self) -> str:
        return iso_week_of(self.start)

    @property
    def closes_at(self) -> datetime:
        """Midnight after its Sunday, in the report's time zone: data published before this misses part of it."""
        return datetime.combine(self.end + timedelta(days=1), time(), ZoneInfo(self.timezone))

    @property
    def label(self) -> str:
        """E.g. "9-15 Nov 2026" or "28 Sep-4 Oct 2026"."""
        first = f"{self.start.day} {self.start:%b}" if self.start.month != self.end.month else str(self.start.day)
        if self.start.year != self.end.year:
            first += f" {self.start.year}"
        return f"{first}-{self.end.day} {self.end:%b %Y}"

    def previous(self) -> ReportWeek:
        return ReportWeek(self.start - timedelta(days=7), self.timezone)


def week_before(as_of: datetime, timezone: str) -> ReportWeek:
    """The last complete ISO week before ``as_of`` (a Monday run reports the week that ended the night before)."""
    today = as_of.astimezone(ZoneInfo(timezone)).date()
    return ReportWeek(today - timedelta(days=today.weekday() + 7), timezone)


def iso_week(text: str, timezone: str) -> ReportWeek:
    """``2026-W46`` as a ReportWeek."""
    try:
        return ReportWeek(datetime.strptime(text + "-1", "%G-W%V-%u").date(), timezone)
    except ValueError:
        raise ValueError(f"{text!r} is not an ISO week: write it as YYYY-Www, e.g. 2026-W46") from None


def stale_reason(published_at: datetime, orders_through: date | None, week: ReportWeek, policy: StalePolicy,
                 serving: str) -> str | None:
    """Why the published data cannot report ``week`` whole, or None when it can: its orders stop before the week's
    Sunday (the store exports every order, so the day of the newest order is as far as the data reaches: the marts
    mark such a week incomplete, is_complete_week, and give it no week-over-week change), or it was published before
    the week ended. With ``refuse`` a reason raises StaleServing instead, saying what to do."""
    if orders_through is None or orders_through < week.start:
        ends = f"end on {orders_through:%Y-%m-%d}" if orders_through else "are empty"
        reason = f"the published orders {ends}, before week {week.iso} began: none of that week's orders are in it"
        covered = f", or report a week the data covers (--week {_last_whole_week(orders_through)})" \
            if orders_through else ""
    elif orders_through < week.end:
        reason = (f"the published orders end on {orders_through:%a %Y-%m-%d}, before week {week.iso} ended on "
                  f"{week.end:%a %Y-%m-%d}: its last days' orders are missing")
        covered = f", or report the last week the data covers whole (--week {_last_whole_week(orders_through)})"
    elif published_at < week.closes_at:
        reason = (f"these figures were published at {published_at:%Y-%m-%d %H:%M %Z}, before week {week.iso} ended "
                  f"({week.closes_at:%Y-%m-%d %H:%M %Z}): its last orders are missing")
        covered = ""
    else:
        return None
    if policy == "refuse":
        raise StaleServing(
            f"no report of week {week.iso} from the serving file {serving}: {reason}. Run the creator_pipeline DAG "
            f"so it publishes newer data, then the report again{covered}; to make it anyway with every page marked "
            "stale, pass `pipeline report --stale mark` (the weekly_report DAG: set PIPELINE_REPORT_STALE=mark)")
    return reason


def _last_whole_week(orders_through: date) -> str:
    """The newest ISO week whose Sunday the orders reach."""
    return iso_week_of(orders_through - timedelta(days=orders_through.isoweekday() % 7))


def iso_week_of(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"
