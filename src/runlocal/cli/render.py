"""Display formatting for the CLI, in one module: sizes, counts, rates, bars and aligned tables
(no colour codes, pipe-friendly). Byte units come from the engine's `units` (GiB = 2**30 bytes)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..estimate.units import GIB, MIB


def size(n: float | None) -> str:
    """Bytes as GiB (binary) with one or two decimals; the CLI labels GiB as such."""
    if n is None:
        return "-"
    g = n / GIB
    if abs(g) >= 100:
        return f"{g:,.0f} GiB"
    if abs(g) >= 1:
        return f"{g:.2f} GiB"
    return f"{n / MIB:,.0f} MiB"


def gib(n: float | None, *, unknown: str = "unknown") -> str:
    """Bytes as GiB with one decimal (for machine memory)."""
    return unknown if n is None else f"{n / GIB:.1f} GiB"


def params(n: float | None) -> str:
    """A parameter count for tables: 8.0B, 135M."""
    if not n:
        return "-"
    return f"{n / 1e9:.1f}B" if n >= 1e9 else f"{n / 1e6:.0f}M"


def count(n: int | None) -> str:
    """A parameter or element count with a unit and two significant decimals: 8.03 B, 134.5 M."""
    if n is None:
        return "-"
    if n >= 1e9:
        return f"{n / 1e9:.2f} B"
    return f"{n / 1e6:.1f} M"


def rate(x: float | None, rng: Sequence[float] | None = None, unit: str = "tok/s") -> str:
    if x is None:
        return "-"
    s = f"{x:,.1f} {unit}" if x < 100 else f"{x:,.0f} {unit}"
    if rng:
        s += f"  ({rng[0]:,.0f}-{rng[1]:,.0f})" if x >= 10 else f"  ({rng[0]:.1f}-{rng[1]:.1f})"
    return s


def table(rows: Sequence[Sequence[Any]], headers: Sequence[str]) -> str:
    cells = [[str(h) for h in headers]] + [["" if c is None else str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = []
    for j, r in enumerate(cells):
        lines.append("  ".join(c.ljust(widths[i]) for i, c in enumerate(r)).rstrip())
        if j == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def bar(part: float, whole: float, width: int = 30) -> str:
    if whole <= 0:
        return ""
    n = max(0, min(width, round(width * part / whole)))
    return "#" * n + "." * (width - n)
