#!/usr/bin/env python3
"""Accuracy report: score the engine on the measured dev set and print median / p90 / worst absolute %
error per metric and hardware class (also by source tag with --by source_tag).

The dev set (measured questions) lives outside the repository: $RUNLOCAL_MEASURED, else
../shared/data/measured beside the repository root. --benchmarks scores the held-out data/benchmarks/
instead, which is inside the repository (tests/calibration/test_benchmarks.py holds its tolerances).

    python bench/accuracy.py                 # markdown tables
    python bench/accuracy.py --json          # machine-readable
    python bench/accuracy.py --worst 15      # list the worst cases per metric
    python bench/accuracy.py --benchmarks    # the held-out catalog benchmarks
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from runlocal.service.accuracy import FAMILIES, measured_dir, score, summarize, worst


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--family", action="append", choices=FAMILIES)
    ap.add_argument("--by", default="hardware_class", choices=["hardware_class", "source_tag", "family"])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--worst", type=int, default=0)
    ap.add_argument("--benchmarks", action="store_true",
                    help="score the held-out catalog benchmarks (data/benchmarks) instead of the dev set")
    ap.add_argument("--no-row-split", action="store_true",
                    help="leave out the 2023 multi-GPU runs that split every matrix by rows (not llama.cpp's "
                         "default since January 2024)")
    args = ap.parse_args()
    t0 = time.perf_counter()
    if args.benchmarks:
        from runlocal.service.accuracy import score_benchmarks

        pts = score_benchmarks()
    else:
        root = measured_dir()
        if root is None or not root.is_dir():
            print(f"measured questions not found ({root or '../shared/data/measured/queries'}): set "
                  "RUNLOCAL_MEASURED to the measured data folder, or use --benchmarks", file=sys.stderr)
            return 2
        pts = score(args.family or [f for f in FAMILIES if f != "diffusion"], root)
    if args.no_row_split:
        pts = [p for p in pts if not p.row_split]
    dt = time.perf_counter() - t0
    summ = summarize(pts, args.by)
    if args.json:
        print(json.dumps(summ, indent=2))
        return 0
    print(f"{len(pts)} measured values scored in {dt:.2f} s\n")
    for metric, groups in summ.items():
        print(f"### {metric}\n")
        print(f"| {args.by} | n | answered | median abs % | p90 abs % | worst abs % | median signed % |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for g, s in sorted(groups.items(), key=lambda kv: (kv[0] != "ALL", kv[0])):
            print(f"| {g} | {s['n']} | {s['answered']} | {s['median_abs_pct']} | {s['p90_abs_pct']} | "
                  f"{s['worst_abs_pct']} | {s['median_signed_pct']} |")
        print()
        if args.worst:
            for p in worst(pts, metric, args.worst):
                q = p.question
                print(f"  {p.pct_error:+7.1f}%  {p.qid}  {q.get('model')} / {q.get('hardware')} "
                      f"x{q.get('gpu_count', 1)} "
                      f"{q.get('quant')} ctx={q.get('context_tokens')} depth={q.get('depth_tokens')} "
                      f"prompt={q.get('prompt_tokens')}  measured={p.measured:g} est={p.estimated:g}")
            print()
    errors = [p for p in pts if p.error]
    if errors:
        print(f"{len(errors)} questions not answered, e.g.:")
        seen = set()
        for p in errors:
            if p.error not in seen:
                seen.add(p.error)
                print(f"  {p.qid}: {p.error}")
            if len(seen) >= 15:
                break
    refused = [p for p in pts if p.estimated is None and not p.error]
    if refused:  # answered, but "does not fit": no figure to score
        print(f"{len(refused)} measured values get no estimate (the engine says the run does not fit): "
              + ", ".join(p.qid for p in refused[:15]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
