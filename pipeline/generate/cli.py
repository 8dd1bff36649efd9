"""``generate``: write realistic sample input files (real export and API formats) for the pipeline."""

from __future__ import annotations

import argparse
import json
import logging
from datetime import date
from pathlib import Path

from pipeline.generate.run import DEFAULT_END, generate
from pipeline.generate.scales import SCALES
from pipeline.settings import load_settings


def main(argv: list[str] | None = None) -> int:
    scales = ", ".join(f"{s.name} = {s.creators:,} creators x {s.days} days" for s in SCALES.values())
    parser = argparse.ArgumentParser(
        prog="generate",
        description="Write a landing folder of sample inputs in the real formats: Shopify order CSV exports "
                    "and REST pages, Instagram/TikTok/YouTube API responses, follower snapshots, comment "
                    "samples, marketing CSVs (creators, campaigns, contracts, codes, links), FX rates, and "
                    "ground_truth.json listing the planted cases. The same seed always gives the same files.",
    )
    parser.add_argument("--scale", choices=sorted(SCALES), default="S", help=f"data size ({scales}); default S")
    parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    parser.add_argument("--out", type=Path, default=None,
                        help="landing folder to (re)create: empty, new or generated before (a folder holding "
                             "other files is refused); default $PIPELINE_LANDING_DIR or data/landing")
    parser.add_argument("--end-date", type=date.fromisoformat, default=DEFAULT_END,
                        help=f"last day of the generated data (default {DEFAULT_END})")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    out = args.out or load_settings().landing_dir
    try:
        summary = generate(out, scale=args.scale, seed=args.seed, end=args.end_date)
    except ValueError as exc:
        logging.getLogger("generate").error("%s", exc)
        return 1
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
