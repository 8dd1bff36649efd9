"""``pipeline``: the project's entry point for people.

  pipeline demo      generate the sample data and run the whole pipeline through Airflow, then summarise
  pipeline summary   print the summary of the published marts
  pipeline evaluate  score the published marts against the sample data's ground_truth.json
  pipeline evaluate-followers --instafake DIR [--tune]   the follower-quality rule on labelled InstaFake accounts
  pipeline report [--week 2026-W46] [--stale refuse|mark]   build the weekly report now (HTML, PDF), no delivery
  pipeline benchmark ingest|dbt|stages|spark --scales S,M,L   wall time, rows/s and peak memory vs bare DuckDB
  pipeline dashboard [--port 8501]   the Streamlit dashboard over the published marts (read-only)
  pipeline airflow   run any airflow command in the project's Airflow environment (e.g. ``standalone``)
  pipeline gate status | admit LOAD_ID --reason TEXT   the quality gate's verdict on each batch; admit a
                     rejected batch into the marts (the decision is recorded)
"""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb

from ingest.cli import add_command, reader_gone
from ingest.errors import WarehouseLocked, WarehouseMissing
from pipeline.airflow_batch import MARKER
from pipeline.airflow_env import SETUP_STEPS, airflow_env, run_airflow
from pipeline.airflow_runs import ABANDONED
from pipeline.settings import BRAND_HANDLES_ENV, DEMO_ENV, SAMPLE_BRAND_HANDLE, Settings, load_settings
from serve.report.data import CREATOR_VERDICTS_VIEW
from serve.report.summary import NO_TOP_YET, TOP_MIN_ORDERS
from serve.report.week import StaleServing

log = logging.getLogger("pipeline")

BENCHMARK_HELP = """Each step in its own process (its own peak RSS), beside a bare-DuckDB baseline measured in the same
run; prints stage, rows, wall s, rows/s, peak RSS MB and the ratio to the baseline. Kinds:

  ingest   the Shopify CSV export through ingest vs a bare read_csv CREATE TABLE AS of the same files
  dbt      dbt build --full-refresh vs every model's compiled SQL run without dbt (marts checked equal), the
           Airflow dbt task group (--skip-airflow leaves it out), the verdict evaluation against the planted
           cases, then one more day: the daily run, dbt's fixed cost (a parse with the parse saved) and a plain
           incremental build, each build's 10 slowest nodes
  stages   a whole run on one warehouse, in order: ingest (all sources) vs reading every file with DuckDB; the
           raw gate vs its frame queries alone; dbt build (its baseline: the dbt kind); the mart gate vs its frame
           queries; publish vs one COPY ... TO parquet per mart; the weekly report vs its queries alone
  spark    the dbt project on both targets from the same gated batches: `dbt debug` (start-up: on Spark, the JVM
           and a session) and `dbt build --full-refresh` on DuckDB and on Spark, then one more day of orders and
           snapshots built incrementally on each; peak RSS of dbt and the JVM together; the marts of both compared
           after each. Needs `uv run --extra spark` and Java 17

Generated data is kept per scale under --workdir and reused (scale L: ~8 GB, ~50 min to generate here)."""

# The demo runs each DAG explicitly, in the order the assets would trigger them in a deployment: the file ingest
# (the sample data is files), the transform it feeds, then the report. ingest_apis has no credentials in the demo.
DAG_RUN_ORDER = ("ingest_files", "creator_pipeline", "weekly_report")


class StepFailed(Exception):
    pass


class MissingInput(Exception):
    """A file the command reads is not there; the message says what produces it."""


def _require(path: Path, hint: str) -> Path:
    if not path.is_file():
        raise MissingInput(f"{path} does not exist: {hint}")
    return path


def run_airflow_steps(settings: Settings, commands: list[tuple[str, ...]], log_file: Path) -> None:
    """Run Airflow commands in order in one Airflow process (pipeline/airflow_batch.py), its output appended to
    ``log_file``; logs each command as it starts and ends. Raises StepFailed at the first that fails, and when a
    ``dags test`` exits 0 without its DAG run finishing in success (the exit code alone is not trusted)."""
    from pipeline.dbt import die_with_parent

    with log_file.open("a") as fh:
        # The Airflow process dies with this one (SIGTERM or kill -9 of the demo), and its dbt with it (run_dbt):
        # an orphan would go on writing the warehouse. Each load and build is crash-safe (docs/reliability.md).
        proc = subprocess.Popen([sys.executable, "-m", "pipeline.airflow_batch", json.dumps(commands)],
                                env=airflow_env(settings), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True, preexec_fn=die_with_parent)
        assert proc.stdout is not None
        output: list[str] = []
        for line in proc.stdout:
            fh.write(line)
            if line.startswith(ABANDONED):
                log.warning(line[len(ABANDONED):].strip())
            if not line.startswith(MARKER):
                output.append(line)
                continue
            step = json.loads(line[len(MARKER):])
            command = " ".join(step["command"])
            if "exit" not in step:
                fh.write(f"\n$ airflow {command}\n")
                log.info("airflow %s", command)
                output = []
                continue
            log.info("airflow %s: exit %d in %.1fs", command, step["exit"], step["seconds"])
            if step["exit"]:
                proc.wait()
                raise StepFailed(f"'airflow {command}' failed (exit {step['exit']}); see {log_file}"
                                 + failed_tasks(output))
            if step["command"][:2] == ["dags", "test"]:
                finished = [ln for ln in output if f"DagRun Finished: dag_id={step['command'][2]}," in ln]
                if not finished or "state=success" not in finished[-1]:
                    proc.wait()
                    raise StepFailed(f"DAG {step['command'][2]} did not succeed; see {log_file}" + failed_tasks(output))
    if proc.wait() != 0:
        raise StepFailed(f"Airflow stopped before its commands finished (exit {proc.returncode}); see {log_file}")


_TASK_STARTED = re.compile(r"\[DAG TEST\] starting task_id=(\S+)")
_EXCEPTION = re.compile(r"^[A-Za-z_][\w.]*: \S")  # a traceback's last line: "pipeline.dbt.DbtFailed: dbt build ..."


def failed_tasks(output: list[str], limit: int = 600) -> str:
    """A line "task X failed: <its exception>" for each task of a `dags test` whose run raised (the last time it
    ran), from Airflow's output: the console then says what went wrong without opening the log."""
    errors: dict[str, str] = {}
    task, raised = "?", False
    for line in output:
        if started := _TASK_STARTED.search(line):
            task, raised = started.group(1), False
        elif "Task failed with exception" in line:
            raised = True
        elif raised and _EXCEPTION.match(line):
            errors[task] = line.strip() if len(line.strip()) <= limit else line.strip()[:limit] + " ..."
            raised = False
    return "".join(f"\n  task {task} failed: {error}" for task, error in errors.items())


def summary(settings: Settings) -> str:
    from expectations.gate import data_docs_index

    _require(settings.serving_path, "nothing is published yet: run `pipeline demo` (or the creator_pipeline DAG) "
             "first, or set PIPELINE_SERVING_DIR (or PIPELINE_DATA_DIR) to where the marts are published")
    con = duckdb.connect(str(settings.serving_path), read_only=True)
    try:
        con.execute(CREATOR_VERDICTS_VIEW)
        verdicts = dict(con.execute("select verdict, count(*) from creator_verdicts group by 1").fetchall())
        accounts = con.execute("select count(*) from creator_vetting").fetchall()[0][0]
        top = con.execute("select creator_name, creator_id, campaign_name, roi, net_revenue, creator_cost, "
                          "reporting_currency from creator_roi where roi is not null and orders >= ? "
                          "order by roi desc, creator_id limit 5", [TOP_MIN_ORDERS]).fetchall()
        version = con.execute("select version from publication").fetchall()[0][0]
    finally:
        con.close()
    # The newest written, not the latest week by name: a report run by hand for a later week stays behind.
    reports = sorted(settings.report_dir.glob("weekly_report_*.pdf"), key=lambda pdf: pdf.stat().st_mtime_ns)
    lines = [
        f"Creators vetted: {sum(verdicts.values())} (approved {verdicts.get('approve', 0)}, in review "
        f"{verdicts.get('review', 0)}, rejected {verdicts.get('reject', 0)}: each creator's worst verdict over "
        f"{accounts} platform accounts)",
        f"Top 5 creators by ROI (campaign to date, at least {TOP_MIN_ORDERS} orders):",
    ]
    for i, (name, cid, campaign, roi, revenue, cost, cur) in enumerate(top, 1):
        lines.append(f"  {i}. {name} ({cid}), {campaign}: ROI {roi * 100:,.0f}% (ROAS {roi + 1:.1f}×), "
                     f"net revenue {revenue:,.2f} {cur} on cost {cost:,.2f} {cur}")
    if not top:
        lines.append(f"  ({NO_TOP_YET})")
    lines += [
        f"Warehouse (marts schema): {settings.warehouse_path}",
        f"Serving file for BI:      {settings.serving_path}  (+ Parquet in {settings.serving_path.parent / 'parquet'}; "
        f"version {version}; how to read it: docs/serving.md)",
        f"Weekly report:            {reports[-1] if reports else '(none yet)'}",
        f"Quality gate (Data Docs): {data_docs_index(settings.quality_dir)}",
    ]
    return "\n".join(lines)


@contextmanager
def _parse_ahead(settings: Settings, log_file: Path) -> Iterator[None]:
    """``dbt parse`` in the background while the block runs. On a fresh clone dbt's first command parses the whole
    project (~8 s of one core); started with Airflow, the parse runs on the other core while Airflow starts and loads
    the files, and the first dbt task finds it saved (a dbt on the same target waits for it: pipeline/dbt.py). If it
    fails, the dbt tasks parse the project themselves and say what is wrong."""
    from pipeline.dbt import die_with_parent

    settings.warehouse_path.parent.mkdir(parents=True, exist_ok=True)  # dbt runs in the warehouse's folder
    with log_file.open("w") as out:
        # It dies with the demo, as the Airflow process does (run_airflow_steps), should the demo be killed.
        parse = subprocess.Popen([sys.executable, "-m", "pipeline.dbt_cli", "parse"], env=airflow_env(settings),
                                 stdout=out, stderr=subprocess.STDOUT, preexec_fn=die_with_parent)
    try:
        yield
    finally:
        if parse.poll() is None:
            parse.terminate()
        if parse.wait() > 0:
            log.warning("the dbt parse started ahead of the dbt tasks failed (exit %d; see %s)", parse.returncode,
                        log_file)


def demo(settings: Settings, scale: str, seed: int) -> None:
    from pipeline.generate import generate
    from pipeline.generate.run import DEFAULT_END

    # Marks the demo, the only run allowed the public PII key when PIPELINE_PII_KEY is unset (docs/pii.md);
    # the Airflow processes inherit it.
    os.environ[DEMO_ENV] = "1"
    # The dbt unit tests test the code, not the sample: the README's second command (the test suite) runs them, so the
    # demo's build leaves them out (~25 s of it) unless PIPELINE_DBT_UNIT_TESTS says otherwise.
    os.environ.setdefault("PIPELINE_DBT_UNIT_TESTS", "never")

    started = time.perf_counter()
    if settings.warehouse_path.exists():
        from ingest.warehouse import connect

        # Another process writing the warehouse would leave the demo's tasks waiting on it for up to an hour (the
        # ingest sensor re-checks every 20 s): say who holds it now, as every other command does.
        connect(settings.warehouse_path).close()
    log_dir = settings.data_dir / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    log_file = log_dir / "airflow.log"
    log.info("generating sample data (scale %s, seed %d) into %s", scale, seed, settings.landing_dir)
    info = generate(settings.landing_dir, scale=scale, seed=seed)
    log.info("generated %d creators, %d orders (%d CSV lines, %d API orders) in %.1fs", info["creators"],
             info["orders"], info["csv_lines"], info["api_orders"], info["seconds"])
    unit_tests = "left to the test suite" if load_settings().dbt_unit_tests == "never" else "run by the first build"
    log.info("preparing Airflow in %s (log: %s); dbt unit tests: %s", airflow_env(settings)["AIRFLOW_HOME"], log_file,
             unit_tests)
    # The report runs as on the Monday after the sample's last (complete) week, so it reports that week.
    report_day = datetime.combine(DEFAULT_END + timedelta(days=1), datetime.min.time(), UTC).replace(hour=7)
    dag_runs = [("dags", "test", dag_id, *([report_day.isoformat()] if dag_id == "weekly_report" else []))
                for dag_id in DAG_RUN_ORDER]
    with _parse_ahead(settings, log_dir / "dbt_parse.log"):
        run_airflow_steps(settings, [*SETUP_STEPS, *dag_runs], log_file)
    log.info("pipeline finished in %.1fs", time.perf_counter() - started)
    print(summary(settings))


GATE_HELP = """The raw quality gate judges every loaded batch (file) before dbt reads it. A rejected batch stays out
of the marts until a corrected file replaces it (drop it in the landing folder under the same name, or under
another name holding every record of the rejected one: it loads as a newer version, and the rejected one is then
listed as superseded, with --all) or an operator admits it here;
the decision (who, why, when) is kept in raw.batch_gate. An admitted batch reaches the marts on the next pipeline
run. The Data Docs (HTML) of every validation: <quality dir>/gx/uncommitted/
data_docs/local_site/index.html.

  pipeline gate status
  pipeline gate admit shopify_orders_csv-20261123T101500-0123456789ab --reason "wholesale order, confirmed" --by ana
"""


def gate(settings: Settings, args: argparse.Namespace) -> int:
    from expectations.gate import data_docs_index
    from expectations.state import AdmitError, admit, batch_statuses, ensure_gate_tables
    from ingest.warehouse import connect, require_warehouse

    if args.gate_command == "admit":
        decided_by = args.by or getpass.getuser()
        require_warehouse(settings.warehouse_path)  # admitting into a new, empty warehouse makes no sense
        con = connect(settings.warehouse_path)
        try:
            ensure_gate_tables(con)
            admit(con, args.load_id, args.reason, decided_by)
        except AdmitError as exc:
            log.error("%s", exc)
            return 1
        finally:
            con.close()
        print(f"admitted {args.load_id} (by {decided_by}: {args.reason}); it reaches the marts on the next run")
        return 0
    con = connect(settings.warehouse_path, read_only=True)  # a status look must not need the writer's lock
    try:
        rows = batch_statuses(con, everything=args.all)
    except duckdb.CatalogException:
        log.error("no batch has been through the quality gate in %s yet: run the pipeline first",
                  settings.warehouse_path)
        return 1
    finally:
        con.close()
    for load_id, source, file_name, status, checked_at, failures, by, reason, decided_at in rows:
        checked = f", checked {checked_at:%Y-%m-%d %H:%M}" if checked_at else ""
        print(f"{status:9} {load_id}  ({source}, {file_name}{checked})")
        if failures:
            print(f"          failures: {failures}")
        if status == "rejected":
            print(f"          deliver a corrected file, or if its rows are right: pipeline gate admit {load_id} "
                  "--reason TEXT")
        if by:
            print(f"          admitted by {by} at {decided_at:%Y-%m-%d %H:%M %Z}: {reason}")
    print(f"{len(rows)} batch(es) listed{'' if args.all else ' (neither passed nor superseded)'}; Data Docs: "
          f"{data_docs_index(settings.quality_dir)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pipeline", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p_demo = add_command(sub, "demo", help="generate sample data and run the whole pipeline through Airflow")
    p_demo.add_argument("--scale", default="S", choices=("S", "M", "L"), help="sample data size (default S)")
    p_demo.add_argument("--seed", type=int, default=42, help="sample data seed (default 42)")
    add_command(sub, "summary", help="summarise the published marts")
    add_command(sub, "evaluate", help="precision and recall of the flags against the sample data's planted cases")
    p_followers = add_command(sub, "evaluate-followers", help="accuracy, precision and recall of the "
                              "follower-quality rule on InstaFake's labelled accounts (a held-out part)")
    p_followers.add_argument("--instafake", type=Path, required=True,
                             help="folder holding fakeAccountData.json and realAccountData.json")
    p_followers.add_argument("--tune", action="store_true",
                             help="choose the thresholds on the training part first (else the dbt vars)")
    p_report = add_command(
        sub, "report", help="build the weekly report from the serving file now (no delivery)",
        description="Build the weekly report (PDF, HTML, Markdown, chart PNGs) from the published serving file into "
                    "$PIPELINE_REPORT_DIR (default data/reports), without sending it. A week the data does not cover "
                    "(no order of it, or published before it ended) is refused, naming the last week it covers.")
    p_report.add_argument("--week", help="ISO week, e.g. 2026-W46 (default: the last complete week before now, in "
                                         "$PIPELINE_REPORT_TZ)")
    p_report.add_argument("--stale", choices=("refuse", "mark"),
                          help="data that does not cover the week: refuse, or build it with every page marked stale "
                               "(default $PIPELINE_REPORT_STALE, refuse)")
    p_bench = add_command(sub, "benchmark", help="each step against a bare-DuckDB baseline at several data sizes",
                          description=BENCHMARK_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    p_bench.add_argument("kind", choices=("ingest", "dbt", "stages", "spark"), help="what to measure (above)")
    p_bench.add_argument("--scales", default="S,M", help="comma-separated scales (default S,M; L takes long)")
    p_bench.add_argument("--workdir", type=Path, default=None,
                         help="where generated data and benchmark warehouses go (default data/benchmark)")
    p_bench.add_argument("--skip-airflow", action="store_true",
                         help="dbt kind: leave out the Airflow dbt task group step (a dbt process per model and "
                              "test group, under Airflow: the longest step at M)")
    p_gate = add_command(sub, "gate", help="the raw quality gate: batch statuses, admitting a rejected batch",
                         description=GATE_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    gate_sub = p_gate.add_subparsers(dest="gate_command", required=True)
    p_status = add_command(gate_sub, "status",
                           help="rejected, admitted and pending batches (--all: passed and superseded ones too)")
    p_status.add_argument("--all", action="store_true", help="list the passed and superseded batches too")
    p_admit = add_command(gate_sub, "admit", help="let a rejected batch into the marts from the next run on")
    p_admit.add_argument("load_id", help="the batch's load id (from `pipeline gate status` or the alert)")
    p_admit.add_argument("--reason", required=True, help="why the batch is right after all (kept with the decision)")
    p_admit.add_argument("--by", help="who decides (default: the login name)")
    p_dash = add_command(sub, "dashboard", help="the BI dashboard over the published marts (Streamlit, read-only)")
    p_dash.add_argument("--port", type=int, default=8501, help="port (default 8501)")
    p_dash.add_argument("--address", default="127.0.0.1",
                        help="listen address (default 127.0.0.1: this machine only; 0.0.0.0 exposes it)")
    p_dash.add_argument("--serving-dir", type=Path, default=None,
                        help="folder holding `current` (default $PIPELINE_SERVING_DIR)")
    p_af = add_command(sub, "airflow", help="run an airflow command in the project's Airflow environment")
    p_af.add_argument("args", nargs=argparse.REMAINDER,
                      help="the airflow command and its arguments, e.g. standalone, or dags list-import-errors")
    args = parser.parse_args(argv)
    # This process and those it starts (Airflow, dbt, GX) cache the modules they compile in .venv, once
    # (pyproject.toml: the install compiles none).
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    sys.dont_write_bytecode = False
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    try:
        return _run(args)
    except BrokenPipeError:
        return reader_gone()
    except (StepFailed, MissingInput, WarehouseLocked, WarehouseMissing, ValueError, StaleServing) as exc:
        log.error("%s", exc)
    except duckdb.Error as exc:  # its later lines can quote data
        log.error("%s", str(exc).splitlines()[0])
    return 1


# Commands that build the generated sample data with dbt: its brand's handles, whatever the environment says.
_ON_THE_SAMPLE = ("demo", "benchmark", "evaluate-followers")


def _run(args: argparse.Namespace) -> int:
    if args.command in _ON_THE_SAMPLE:
        os.environ[BRAND_HANDLES_ENV] = SAMPLE_BRAND_HANDLE  # the Airflow and dbt processes inherit it
    settings = load_settings()
    if args.command == "demo":
        demo(settings, args.scale, args.seed)
    elif args.command == "summary":
        print(summary(settings))
    elif args.command == "benchmark":
        from pipeline.benchmark.run import main as benchmark

        benchmark(args.kind, args.scales.split(","), args.workdir or settings.data_dir / "benchmark",
                  airflow=not args.skip_airflow)
    elif args.command == "gate":
        return gate(settings, args)
    elif args.command == "report":
        from serve.report import build_report
        from serve.report.week import iso_week

        _require(settings.serving_path, "nothing is published yet: run `pipeline demo` (or the creator_pipeline DAG)")
        report = build_report(settings.serving_path, settings.report_dir,
                              week=iso_week(args.week, settings.report_timezone) if args.week else None,
                              timezone=settings.report_timezone, on_stale=args.stale or settings.report_stale)
        print(f"{report.subject}\n  {report.pdf}\n  {report.html}\n  {report.markdown}"
              f"{'  (marked stale)' if report.stale else ''}")
    elif args.command == "evaluate":
        from pipeline.evaluate import evaluate_files

        truth = _require(settings.landing_dir / "ground_truth.json", "evaluate scores the generated sample data; "
                         "run `pipeline demo` (or `generate --out $PIPELINE_LANDING_DIR`) first")
        print(evaluate_files(_require(settings.serving_path, "run `pipeline demo` first"), truth).as_text())
    elif args.command == "evaluate-followers":
        from pipeline.evaluate_followers import evaluate_followers

        print(evaluate_followers(args.instafake, settings, tune=args.tune).as_text())
    elif args.command == "dashboard":
        from serve.dashboard.launcher import main as dashboard

        dashboard(args.port, args.serving_dir, args.address)  # becomes Streamlit; returns only if it cannot start
    else:
        return run_airflow(args.args, airflow_env(settings))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
