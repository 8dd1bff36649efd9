"""Serving: everything people read the published marts through (docs/serving.md).

- ``serve/dashboard/``: the Streamlit dashboard (``pipeline dashboard``), reading ``serving/current`` read-only.
- ``serve/superset/``: Apache Superset's configuration and an importable dashboard of the main marts.
- ``serve/report/``: the weekly report and its templates.

The list of published marts is ``pipeline.publish.MARTS``; nothing here repeats it.
"""
