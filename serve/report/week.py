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
        year, week, _ = self.start.isocalendar()
        return f"{year}-W{week:02d}"

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


def is_stale(published_at: datetime, week: ReportWeek, policy: StalePolicy, serving: str) -> bool:
    """True when the data was published before the week ended; with ``refuse`` that raises StaleServing instead."""
    if published_at >= week.closes_at:
        return False
    if policy == "refuse":
        raise StaleServing(
            f"the serving file {serving} was published at {published_at:%Y-%m-%d %H:%M %Z}, before week {week.iso} "
            f"ended ({week.closes_at:%Y-%m-%d %H:%M %Z}): a report now would miss that week's last orders. Run the "
            "creator_pipeline DAG so it publishes, then the report again; to send it anyway with every page marked "
            "stale, set PIPELINE_REPORT_STALE=mark")
    return True
