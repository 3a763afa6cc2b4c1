"""Run every hostile input of tests/fuzz/hostile_cases.py and print, per class, how many were tried and broke a
rule, then the slowest inputs and the largest peak memory. `--show` prints each input's outcome (first line).

    python bench/hostile.py [--show] [--class NAME]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "fuzz"))
os.environ.setdefault("RUNLOCAL_CACHE", tempfile.mkdtemp(prefix="runlocal-hostile-cache-"))

from harness import peak_mb, run_case  # noqa: E402
from hostile_cases import CLASSES, cases  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--show", action="store_true", help="print every input's outcome")
    ap.add_argument("--class", dest="cls", choices=sorted(CLASSES), help="only this class")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        todo = [c for c in cases(Path(tmp)) if args.cls in (None, c.cls)]
        start = peak_mb()
        rows = []
        for c in todo:
            before = peak_mb()
            o = run_case(c)
            rows.append((c, o, o.peak_mb - before))
            if args.show:
                said = (o.err.strip() or o.out.strip()).splitlines()
                first = said[0][:150] if said else ""
                flag = "BROKE " + o.problems[0][:100] if o.problems else "ok"
                print(f"[{c.cls}] {c.label[:70]} -> rc {o.rc}, {o.seconds:.2f} s: {first}  [{flag}]")
    print(f"{'class':<11} {'inputs':>6} {'broke':>5}  what")
    for cls, what in CLASSES.items():
        mine = [r for r in rows if r[0].cls == cls]
        if mine:
            print(f"{cls:<11} {len(mine):>6} {sum(1 for r in mine if r[1].problems):>5}  {what}")
    print(f"{'all':<11} {len(rows):>6} {sum(1 for r in rows if r[1].problems):>5}")
    print("\nslowest inputs:")
    for c, o, _ in sorted(rows, key=lambda r: -r[1].seconds)[:5]:
        print(f"  {o.seconds:6.2f} s  [{c.cls}] {c.label[:90]}")
    print(f"\npeak memory of the whole run: {peak_mb():.0f} MB (after start-up {start:.0f} MB); largest growth:")
    for c, _o, grew in sorted(rows, key=lambda r: -r[2])[:5]:
        print(f"  +{grew:6.0f} MB  [{c.cls}] {c.label[:90]}")
    return 1 if any(r[1].problems for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
