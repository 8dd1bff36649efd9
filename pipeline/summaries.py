"""What a run did, from the artefacts the tools write: dbt's run_results.json and sources.json, and the summaries
the tasks return as XCom, folded into the one-paragraph note a DAG run carries (so the UI answers "what did last
night do" without opening logs)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SLOWEST = 3


def dbt_summary(run_results: Path) -> dict[str, object]:
    """Models built, tests passed / warned / failed and the slowest nodes of one dbt invocation."""
    results = json.loads(run_results.read_text())["results"]
    kind = [(r["unique_id"].split(".")[0], r["status"]) for r in results]
    slowest = sorted(results, key=lambda r: r.get("execution_time") or 0, reverse=True)[:SLOWEST]
    return {
        "models_built": sum(k in ("model", "snapshot", "seed") and s == "success" for k, s in kind),
        "models_failed": sum(k in ("model", "snapshot", "seed") and s == "error" for k, s in kind),
        "tests_passed": sum(k in ("test", "unit_test") and s == "pass" for k, s in kind),
        "tests_warned": sum(k in ("test", "unit_test") and s == "warn" for k, s in kind),
        "tests_failed": sum(k in ("test", "unit_test") and s in ("fail", "error") for k, s in kind),
        "slowest": [f"{r['unique_id'].split('.')[-1]} {r.get('execution_time') or 0:.1f}s" for r in slowest],
    }


# What dbt source freshness reports as max_loaded_at for a table without a row.
NEVER_LOADED = "0001-01-01"


def freshness_summary(sources_json: Path) -> dict[str, Any]:
    """Each checked source table's status and age: ``warn`` and ``error`` list the stale ones in words, ``never`` the
    ones never delivered at all."""
    out: dict[str, Any] = {"checked": 0, "warn": [], "error": [], "never": []}
    for r in json.loads(sources_json.read_text())["results"]:
        out["checked"] += 1
        name = ".".join(r["unique_id"].split(".")[-2:])
        status = r["status"]
        if status == "pass":
            continue
        if str(r.get("max_loaded_at")).startswith(NEVER_LOADED):
            # An empty table: dbt reports its age from year 1, an error. A feed that never started is not one that
            # stopped, and failing every run over it alerts daily about a choice (a site without that file).
            out["never"].append(f"{name}: never delivered (no accepted batch yet); what reads it runs without it")
            continue
        age = r.get("max_loaded_at_time_ago_in_s")
        said = (f"{name}: newest accepted delivery {age / 3600:.0f} h old (loaded at {r.get('max_loaded_at')}), "
                f"thresholds {_thresholds(r.get('criteria') or {})}" if age is not None
                else f"{name}: {status}: {r.get('message') or 'no delivery at all'}")
        out["warn" if status == "warn" else "error"].append(said)
    return out


def _thresholds(criteria: dict[str, Any]) -> str:
    parts = [f"{key} {c['count']} {c['period']}" for key in ("warn_after", "error_after")
             if (c := criteria.get(key)) and c.get("count") is not None]
    return ", ".join(parts) or "none"


def run_note(summaries: dict[str, dict[str, Any] | None]) -> str:
    """The DAG run's note (Markdown) from its tasks' summaries (task id -> XCom, None for a task that returned none:
    failed, skipped or not run)."""
    lines = []
    for task_id, s in summaries.items():
        if s is None:
            lines.append(f"- **{task_id}**: no summary (failed, skipped or not run; see its log)")
        elif "family" in s:
            lines.append(f"- **{task_id}**: {s['files_loaded']} file(s) loaded, {s['files_skipped']} already loaded; "
                         f"rows loaded {s['rows_loaded']}, quarantined {s['rows_quarantined']}")
        elif "models_built" in s:
            lines.append(f"- **{task_id}**: {s['models_built']} models built ({s['models_failed']} failed); tests "
                         f"{s['tests_passed']} passed, {s['tests_warned']} warned, {s['tests_failed']} failed; "
                         f"slowest {', '.join(s['slowest'])}")
        elif "rejections" in s:
            held = s.get("held_back", 0)
            lines.append(f"- **{task_id}**: {s['result']} ({s['rejected']} batch(es) rejected"
                         + (f"; {held} rejected batch(es) held out of the marts in all, see `pipeline gate status`"
                            if held else "") + ")")
        elif "mart_rows" in s:
            rows = s["mart_rows"]
            lines.append(f"- **{task_id}**: {s['result']}, {len(rows)} marts, {sum(rows.values())} rows")
        elif "checked" in s:
            lines.append(f"- **{task_id}**: {s['checked']} source tables checked, {len(s['warn'])} warn, "
                         f"{len(s['error'])} error, {len(s.get('never', []))} never delivered")
        elif "version" in s:
            lines.append(f"- **{task_id}**: version {s['version']} ({sum(s['rows'].values())} rows)")
        else:
            lines.append(f"- **{task_id}**: {json.dumps(s, default=str)[:300]}")
    return "\n".join(lines)
