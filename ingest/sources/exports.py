"""Exports from the platforms' own dashboards and from creator discovery tools (CSV as the tools save them)."""

from ingest.spec import Source

EXPORT_SOURCES: tuple[Source, ...] = ()
