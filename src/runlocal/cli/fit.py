"""runlocal fit: rank what runs on a machine, best configuration per model."""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from ..errors import InvalidField
from .render import size, table


class Progress:
    """A one-line progress bar on stderr, shown only on a terminal and only after half a second."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.start = time.monotonic()
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        if not sys.stderr.isatty() or time.monotonic() - self.start < 0.5:
            return
        width = 30
        n = round(width * done / max(total, 1))
        sys.stderr.write(f"\r{self.label} [{'#' * n}{'.' * (width - n)}] {done}/{total}")
        sys.stderr.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            sys.stderr.write("\r" + " " * 70 + "\r")
            sys.stderr.flush()


def hardware_for(args: argparse.Namespace) -> str | dict[str, Any]:
    if args.hardware:
        return str(args.hardware)
    try:
        from ..service.machine import detected_hardware
    except ImportError as exc:  # pragma: no cover - detection module ships with the same release
        raise InvalidField("give --hardware (machine detection is not available)") from exc
    return detected_hardware()


def installed_ids() -> list[str] | None:
    from ..service.installed import installed_model_ids

    return installed_model_ids()


def run(args: argparse.Namespace) -> int:
    from ..service.fit import FitRow, MediaFitRow, rank

    if args.limit < 1:
        raise InvalidField("--limit must be at least 1")
    hw = hardware_for(args)
    only = installed_ids() if args.installed else None
    bar = Progress("ranking models")
    try:
        res = rank(hw, kind=args.kind, min_speed=args.min_speed, context=args.context, use=args.use,
                   sort=args.sort, only=only, progress=bar)
    finally:
        bar.close()
    if args.json:
        print(json.dumps(res.as_dict(), indent=2, default=str))
        return 0
    if args.kind != "text":
        media = [r for r in res.runs if isinstance(r, MediaFitRow)][: args.limit]
        unit = "s/image" if args.kind == "image" else "s/video"
        print(table([(r.id, r.quant, r.fits, f"{r.seconds:.1f}" if r.seconds else "-",
                      size(r.peak_bytes or 0)) for r in media], ["model", "precision", "fits", unit, "peak"]))
        print(f"\n{len(res.runs)} {args.kind} models run; {len(res.does_not_run)} do not")
        return 0
    runs = [r for r in res.runs if isinstance(r, FitRow)][: args.limit]
    label = hw if isinstance(hw, str) else "this machine"
    print(f"What runs on {label} at {args.context:,} tokens of context (estimates):\n")
    print(table([(r.id, r.quant, r.fits, f"{r.decode_tokens_per_s:.0f}" if r.decode_tokens_per_s
                  else "-", size(r.total_bytes or 0), f"{r.max_context_tokens or 0:,}") for r in runs],
                ["model", "quant", "fits", "tok/s", "memory", "max context"]))
    print(f"\n{len(res.runs)} models run; {len(res.does_not_run)} do not", end="")
    if res.does_not_run:
        smallest = res.does_not_run[0]
        print(f" (smallest that does not: {smallest.id}: {smallest.why})")
    else:
        print()
    return 0


def register(sub: Any) -> None:
    """Add this module's command(s) to the `runlocal` parser."""
    ft = sub.add_parser("fit", help="rank what runs on this machine (or --hardware)")
    ft.add_argument("--hardware", "-H", help="rank for a catalog machine instead of this one")
    ft.add_argument("--kind", choices=["text", "image", "video"], default="text")
    ft.add_argument("--min-speed", type=float, default=5.0,
                    help="minimum decode tokens/s to count as running (default 5, about reading speed)")
    ft.add_argument("--context", type=int, default=8192, help="context tokens to fit (default 8192)")
    ft.add_argument("--use", choices=["coding", "chat", "reasoning", "vision"])
    ft.add_argument("--sort", choices=["quality", "speed", "size", "context"], default="size")
    ft.add_argument("--installed", action="store_true", help="only models already downloaded here")
    ft.add_argument("--limit", type=int, default=30)
    ft.add_argument("--json", action="store_true")
    ft.set_defaults(run=run)
