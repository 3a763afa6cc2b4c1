"""Server-side SVG charts as plain strings: accessible, escaped, bounded, responsive and deterministic.

Every chart is an inline ``<svg role="img">`` with a ``<title>`` and a ``<desc>`` that states the data in words. Text
and axes use ``currentColor``; data marks carry CSS classes (``s0``..``s7``, ``part-*``, ``overflow``, ``target``)
and, as a fallback when the site stylesheet is absent, an Okabe-Ito fill or stroke attribute. Standard library only.
"""

from __future__ import annotations

import hashlib
import html
import math
import numbers
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

__all__ = ["PALETTE", "PART_COLOURS", "Series", "bar_chart", "format_gb", "line_chart", "memory_bar", "scatter"]

PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
PART_COLOURS = {"part-weights": "#0072B2", "part-kv": "#E69F00", "part-compute": "#009E73",
                "part-overhead": "#CC79A7", "part-free": "#56B4E9"}
OVERFLOW_COLOUR = "#D55E00"
MAX_PARTS, MAX_SERIES, MAX_POINTS, MAX_HLINES, MAX_BARS, MAX_SCATTER = 20, 20, 200, 20, 100, 200
MAX_ABS = 1e18  # every number must be finite and within +-1e18 (an exabyte, in bytes)
W = 640  # viewBox width; the chart scales to its container (width="100%")

_UNITS = {"GB": (1e9, 1e6, "MB"), "GiB": (float(2**30), float(2**20), "MiB")}
_BAD_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,63}")
_DASHES = ("", ' stroke-dasharray="6 3"', ' stroke-dasharray="2 3"')  # series 8+ repeat colours, so vary the dash
Fmt = Callable[[float], str]


@dataclass(frozen=True)
class Series:
    """One named line of (x, y) points for `line_chart`."""

    name: str
    points: tuple[tuple[float, float], ...]


# ---------------------------------------------------------------- helpers


def _esc(text: object, limit: int | None = None) -> str:
    """Text made safe for SVG: characters XML forbids dropped, optionally shortened, then escaped."""
    s = _BAD_XML.sub("", str(text))
    if limit is not None and len(s) > limit:
        s = s[: limit - 1] + "\u2026"
    return html.escape(s, quote=True)


def _num(v: object, what: str) -> float:
    """A finite float within +-MAX_ABS, or ValueError."""
    if isinstance(v, bool) or not isinstance(v, numbers.Real):
        raise ValueError(f"{what} must be a number, got {type(v).__name__}")
    try:
        x = float(v)
    except OverflowError:
        raise ValueError(f"{what} is out of range") from None
    if not math.isfinite(x) or abs(x) > MAX_ABS:
        raise ValueError(f"{what} must be finite and within +-{MAX_ABS:g}, got {x!r}")
    return x


def _bound(items: Sequence[object], limit: int, what: str) -> None:
    if len(items) > limit:
        raise ValueError(f"at most {limit} {what}, got {len(items)}")


def _f(v: float) -> str:
    """A coordinate rounded to one decimal, without a trailing '.0'."""
    s = f"{v:.1f}".removesuffix(".0")
    return "0" if s == "-0" else s


def _trim(s: str) -> str:
    return s.rstrip("0").rstrip(".") if "." in s else s


def _fmt_num(v: float) -> str:
    """A value for people: '42', '4.7', '0.25'."""
    a = abs(v)
    if a >= 100 or v == int(v):
        return f"{v:.0f}" if a < 1e15 else f"{v:.3g}"
    if a >= 0.01:
        return _trim(f"{v:.{1 if a >= 10 else 2}f}")
    return f"{v:.2g}"


def _fmt_binary(v: float) -> str:
    """A token count in binary steps: 2048 -> '2K', 131072 -> '128K'."""
    for size, suffix in ((2.0**30, "G"), (2.0**20, "M"), (2.0**10, "K")):
        if abs(v) >= size:
            return f"{v / size:.3g}{suffix}"
    return _fmt_num(v)


def _fmt_step(step: float) -> Fmt:
    """Tick labels with as many decimals as the 1-2-5 step needs."""
    d = max(0, -math.floor(math.log10(step) + 1e-9))

    def fmt(v: float) -> str:
        if d > 6 or abs(v) >= 1e6:
            return _fmt_num(v)
        s = f"{v:.{d}f}"
        return "0" if float(s) == 0 else s

    return fmt


def format_gb(n_bytes: int, unit: str = "GB") -> str:
    """Bytes as '4.7 GB' ('512 MB' below one; unit 'GB' = 1e9 bytes or 'GiB' = 2**30)."""
    if unit not in _UNITS:
        raise ValueError(f"unit must be one of {sorted(_UNITS)}, got {unit!r}")
    n = _num(n_bytes, "n_bytes")
    if n < 0:
        raise ValueError(f"n_bytes must not be negative, got {n_bytes!r}")
    big, small, small_name = _UNITS[unit]
    if n == 0:
        return f"0 {unit}"
    if n < big and round(n / small) < 1000:
        m = n / small
        return f"{m:.0f} {small_name}" if m >= 10 else f"{_trim(f'{m:.1f}') if m >= 0.05 else '<0.1'} {small_name}"
    return f"{_trim(f'{n / big:.1f}')} {unit}"


def _svg(kind: str, cid: str, title: str, desc: str, height: float, body: list[str]) -> str:
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-{kind}" viewBox="0 0 {W} {_f(height)}" '
            f'width="100%" role="img" aria-labelledby="{cid}-title" aria-describedby="{cid}-desc" '
            f'font-family="system-ui, sans-serif">')
    return "\n".join([head, f'<title id="{cid}-title">{_esc(title)}</title>',
                      f'<desc id="{cid}-desc">{_esc(desc)}</desc>',
                      _text(16, 22, _esc(title, 80), size=14, cls="chart-title", extra=' font-weight="bold"'),
                      *body, "</svg>"])


def _chart_id(kind: str, chart_id: str | None, payload: object) -> str:
    if chart_id is not None:
        if not _ID.fullmatch(chart_id):
            raise ValueError("chart_id must be a letter then up to 63 letters, digits, '_' or '-'")
        return chart_id
    return f"chart-{kind}-{hashlib.sha1(repr(payload).encode()).hexdigest()[:10]}"


def _text(x: float, y: float, s: str, *, size: int = 12, anchor: str = "start", cls: str = "", extra: str = "") -> str:
    c = f' class="{cls}"' if cls else ""
    return (f'<text x="{_f(x)}" y="{_f(y)}" font-size="{size}px" fill="currentColor" '
            f'text-anchor="{anchor}"{c}{extra}>{s}</text>')


def _no_data(kind: str, cid: str, title: str) -> str:
    return _svg(kind, cid, title, "No data.", 120, [_text(W / 2, 75, "no data", size=14, anchor="middle",
                                                          cls="no-data")])


def _nice(lo: float, hi: float, target: int = 5) -> tuple[float, float, list[float], float]:
    """Linear axis bounds and 1-2-5 ticks covering [lo, hi]."""
    big = max(abs(lo), abs(hi))
    if hi - lo <= max(big, 1e-9) * 1e-9:  # one value (or nearly): pad it, but never below 0 for values >= 0
        pad = max(big * 0.1, 1e-9) if big else 1.0
        lo, hi = (max(lo - pad, 0.0) if lo >= 0 else lo - pad), hi + pad
    raw = (hi - lo) / target
    mag = 10.0 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw * (1 - 1e-12))
    start, stop = math.floor(lo / step + 1e-9), math.ceil(hi / step - 1e-9)
    ticks = [i * step for i in range(start, stop + 1)]
    return start * step, stop * step, ticks, step


def _log2_ticks(lo_v: float, hi_v: float) -> tuple[float, float, list[float]]:
    """Exponent bounds and power-of-two ticks covering [lo_v, hi_v] (at most 9 ticks)."""
    lo, hi = math.floor(math.log2(lo_v)), math.ceil(math.log2(hi_v))
    hi = max(hi, lo + 1)
    k = max(1, math.ceil((hi - lo) / 8))
    hi = lo + k * math.ceil((hi - lo) / k)
    return float(lo), float(hi), [2.0**e for e in range(lo, hi + 1, k)]


@dataclass(frozen=True)
class _Frame:
    x0: float
    x1: float
    y0: float
    y1: float
    xlo: float
    xhi: float
    ylo: float
    yhi: float
    log_x: bool = False

    def sx(self, v: float) -> float:
        t = (math.log2(v) - self.xlo) if self.log_x else (v - self.xlo)
        return self.x0 + (self.x1 - self.x0) * t / (self.xhi - self.xlo)

    def sy(self, v: float) -> float:
        return self.y1 - (self.y1 - self.y0) * (v - self.ylo) / (self.yhi - self.ylo)


def _axes(fr: _Frame, xticks: list[float], yticks: list[float], xf: Fmt, yf: Fmt, x_label: str, y_label: str,
          ) -> list[str]:
    out = []
    for t in yticks:
        y = _f(fr.sy(t))
        out.append(f'<line class="grid" x1="{_f(fr.x0)}" x2="{_f(fr.x1)}" y1="{y}" y2="{y}" stroke="currentColor" '
                   f'stroke-opacity="0.15"/>')
        out.append(_text(fr.x0 - 6, fr.sy(t) + 4, _esc(yf(t), 12), size=11, anchor="end", cls="tick"))
    for t in xticks:
        x = fr.sx(t)
        out.append(f'<line class="axis" x1="{_f(x)}" x2="{_f(x)}" y1="{_f(fr.y1)}" y2="{_f(fr.y1 + 4)}" '
                   f'stroke="currentColor"/>')
        out.append(_text(x, fr.y1 + 17, _esc(xf(t), 12), size=11, anchor="middle", cls="tick"))
    out.append(f'<path class="axis" d="M{_f(fr.x0)} {_f(fr.y0)}V{_f(fr.y1)}H{_f(fr.x1)}" fill="none" '
               f'stroke="currentColor"/>')
    out.append(_text((fr.x0 + fr.x1) / 2, fr.y1 + 36, _esc(x_label, 60), anchor="middle", cls="axis-label"))
    cy = (fr.y0 + fr.y1) / 2
    out.append(_text(16, cy, _esc(y_label, 40), anchor="middle", cls="axis-label",
                     extra=f' transform="rotate(-90 16 {_f(cy)})"'))
    return out


def _part_class(label: str, i: int) -> str:
    low = label.lower()
    for key, cls in (("weight", "part-weights"), ("kv", "part-kv"), ("compute", "part-compute"),
                     ("overhead", "part-overhead"), ("free", "part-free")):
        if key in low:
            return cls
    return f"s{i % 8}"


def _colour(cls: str) -> str:
    return PART_COLOURS.get(cls) or PALETTE[int(cls[1:]) % 8]


# ---------------------------------------------------------------- charts


def memory_bar(parts: Sequence[tuple[str, int]], usable_bytes: int, *, title: str, unit: str = "GB",
               chart_id: str | None = None) -> str:
    """One stacked bar of memory parts against the usable memory, marking the usable line and any overflow."""
    _bound(parts, MAX_PARTS, "parts")
    format_gb(0, unit)  # checks the unit
    items = [(str(label), _num(b, f"bytes of part {i}")) for i, (label, b) in enumerate(parts)]
    if any(b < 0 for _, b in items):
        raise ValueError("part sizes must not be negative")
    usable = _num(usable_bytes, "usable_bytes")
    if usable <= 0:
        raise ValueError(f"usable_bytes must be positive, got {usable_bytes!r}")
    total = sum(b for _, b in items)
    if total > MAX_ABS:
        raise ValueError(f"the parts add up to more than {MAX_ABS:g} bytes")
    cid = _chart_id("memory", chart_id, ("memory", title, unit, items, usable))

    def gb(n: float) -> str:
        return format_gb(round(n), unit)

    end = max(usable, total) * 1.05
    x0, span, bar_y, bar_h = 16.0, W - 32.0, 48.0, 28.0

    def sx(b: float) -> float:
        return round(x0 + span * b / end, 1)

    body = []
    if total < usable:
        body.append(f'<rect class="part part-free" x="{_f(sx(total))}" y="{_f(bar_y)}" '
                    f'width="{_f(sx(usable) - sx(total))}" height="{_f(bar_h)}" fill="{PART_COLOURS["part-free"]}" '
                    f'fill-opacity="0.25"><title>free {_esc(gb(usable - total))}</title></rect>')
    cum = 0.0
    classes = [_part_class(label, i) for i, (label, _) in enumerate(items)]
    for (label, b), cls in zip(items, classes, strict=True):
        if b > 0:
            body.append(f'<rect class="part {cls}" x="{_f(sx(cum))}" y="{_f(bar_y)}" '
                        f'width="{_f(sx(cum + b) - sx(cum))}" height="{_f(bar_h)}" fill="{_colour(cls)}">'
                        f'<title>{_esc(label)} {_esc(gb(b))}</title></rect>')
        cum += b
    if total > usable:
        hid = f"{cid}-hatch"
        body.append(f'<defs><pattern id="{hid}" width="6" height="6" patternUnits="userSpaceOnUse" '
                    f'patternTransform="rotate(45)"><path d="M0 0V6" stroke="{OVERFLOW_COLOUR}" stroke-width="3"/>'
                    f'</pattern></defs>')
        body.append(f'<rect class="overflow" x="{_f(sx(usable))}" y="{_f(bar_y)}" width="{_f(sx(total) - sx(usable))}" '
                    f'height="{_f(bar_h)}" fill="url(#{hid})" stroke="{OVERFLOW_COLOUR}" stroke-width="2"/>')
        body.append(_text(sx(total), bar_y + bar_h + 18, _esc(f"does not fit: {gb(total - usable)} over"),
                          anchor="end", cls="overflow-label", extra=' font-weight="bold"'))
    ux = sx(usable)
    body.append(f'<line class="usable-marker" x1="{_f(ux)}" x2="{_f(ux)}" y1="{_f(bar_y - 6)}" '
                f'y2="{_f(bar_y + bar_h + 6)}" stroke="currentColor" stroke-width="2"/>')
    anchor = "end" if ux > W - 100 else "start" if ux < 100 else "middle"
    body.append(_text(ux, bar_y - 10, _esc(f"usable {gb(usable)}"), size=11, anchor=anchor, cls="usable-label"))
    legend_y = bar_y + bar_h + 40
    for i, ((label, b), cls) in enumerate(zip(items, classes, strict=True)):
        lx, ly = x0 + (i % 3) * 204, legend_y + (i // 3) * 20
        body.append(f'<rect class="swatch part {cls}" x="{_f(lx)}" y="{_f(ly - 10)}" width="12" height="12" '
                    f'fill="{_colour(cls)}"/>')
        body.append(_text(lx + 18, ly, _esc(f"{label} {gb(b)}", 28), cls="legend"))
    height = legend_y + math.ceil(len(items) / 3) * 20 + 4
    listed = ", ".join(f"{label} {gb(b)}" for label, b in items) or "nothing"
    verdict = (f"does not fit: {gb(total - usable)} over" if total > usable else f"fits with {gb(usable - total)} free")
    desc = f"{listed}; total {gb(total)} of {gb(usable)} usable; {verdict}."
    return _svg("memory", cid, title, desc, height, body)


def line_chart(series: Sequence[Series], *, title: str, x_label: str, y_label: str,
               hlines: Sequence[tuple[str, float]] = (), log_x: bool = False, x_format: Fmt | None = None,
               y_format: Fmt | None = None, chart_id: str | None = None) -> str:
    """Lines of (x, y) points with nice ticks, optional log2 x axis, labelled horizontal reference lines, a legend."""
    _bound(series, MAX_SERIES, "series")
    _bound(hlines, MAX_HLINES, "hlines")
    data = []
    for i, s in enumerate(series):
        _bound(s.points, MAX_POINTS, f"points in series {i}")
        pts = sorted((_num(x, f"x in series {i}"), _num(y, f"y in series {i}")) for x, y in s.points)
        if log_x and any(x <= 0 for x, _ in pts):
            raise ValueError(f"series {i}: x must be positive on a log axis")
        data.append((str(s.name), pts))
    refs = [(str(label), _num(v, f"hline {i}")) for i, (label, v) in enumerate(hlines)]
    cid = _chart_id("line", chart_id, ("line", title, x_label, y_label, data, refs, log_x))
    xs = [x for _, pts in data for x, _ in pts]
    if not xs:
        return _no_data("line", cid, title)
    ys = [y for _, pts in data for _, y in pts] + [v for _, v in refs]
    ylo, yhi, yticks, ystep = _nice(min(0.0, min(ys)), max(ys))
    if log_x:
        xlo, xhi, xticks = _log2_ticks(min(xs), max(xs))
        xtick: Fmt = _fmt_binary
    else:
        xlo, xhi, xticks, xstep = _nice(min(xs), max(xs))
        xtick = _fmt_step(xstep)
    xd, yd = x_format or (_fmt_binary if log_x else _fmt_num), y_format or _fmt_num

    def xf(v: float) -> str:
        return str(xd(v))

    def yf(v: float) -> str:
        return str(yd(v))

    fr = _Frame(60, W - 150, 36, 276, xlo, xhi, ylo, yhi, log_x)
    body = _axes(fr, xticks, yticks, lambda v: str((x_format or xtick)(v)),
                 lambda v: str((y_format or _fmt_step(ystep))(v)), x_label, y_label)
    label_y = -1e9
    for label, v in sorted(refs, key=lambda r: -r[1]):
        y = fr.sy(v)
        body.append(f'<line class="hline" x1="{_f(fr.x0)}" x2="{_f(fr.x1)}" y1="{_f(y)}" y2="{_f(y)}" '
                    f'stroke="currentColor" stroke-dasharray="4 3" stroke-opacity="0.7"/>')
        label_y = max(y + 4, label_y + 13)
        body.append(_text(fr.x1 + 6, label_y, _esc(label, 24), size=11, cls="hline-label"))
    for i, (_, pts) in enumerate(data):
        cls, colour, dash = f"s{i % 8}", PALETTE[i % 8], _DASHES[i // 8 % 3]
        coords = " ".join(f"{_f(fr.sx(x))},{_f(fr.sy(y))}" for x, y in pts)
        if pts:
            body.append(f'<polyline class="line {cls}" points="{coords}" fill="none" stroke="{colour}" '
                        f'stroke-width="2" stroke-linejoin="round"{dash}/>')
        body += [f'<circle class="dot {cls}" cx="{_f(fr.sx(x))}" cy="{_f(fr.sy(y))}" r="2.5" fill="{colour}"/>'
                 for x, y in pts]
    legend_y = fr.y1 + 58
    for i, (name, _) in enumerate(data):
        lx, ly = 16 + (i % 3) * 200, legend_y + (i // 3) * 18
        cls, colour = f"s{i % 8}", PALETTE[i % 8]
        body.append(f'<line class="swatch line {cls}" x1="{_f(lx)}" x2="{_f(lx + 18)}" y1="{_f(ly - 4)}" '
                    f'y2="{_f(ly - 4)}" stroke="{colour}" stroke-width="2"{_DASHES[i // 8 % 3]}/>')
        body.append(_text(lx + 24, ly, _esc(name, 26), cls="legend"))
    height = legend_y + math.ceil(len(data) / 3) * 18 + 4

    def said(x: float, y: float) -> str:
        return f"{yf(y)} at {xf(x)}"

    parts = []
    for name, pts in data:
        if not pts:
            parts.append(f"{name}: no points")
        elif len(pts) <= 12:
            parts.append(f"{name}: " + ", ".join(said(x, y) for x, y in pts))
        else:
            yv = [y for _, y in pts]
            parts.append(f"{name}: {len(pts)} points, x from {xf(pts[0][0])} to {xf(pts[-1][0])}, "
                         f"y from {yf(min(yv))} to {yf(max(yv))}")
    desc = f"{y_label} against {x_label}{' (log scale)' if log_x else ''}. " + "; ".join(parts) + "."
    if refs:
        desc += " Reference lines: " + ", ".join(f"{label} at {yf(v)}" for label, v in refs) + "."
    return _svg("line", cid, title, desc, height, body)


def bar_chart(rows: Sequence[tuple[str, float, str]], *, title: str, unit: str, max_value: float | None = None,
              chart_id: str | None = None) -> str:
    """Horizontal bars (label, value, note) with the value and unit at each bar's end and the note beside it."""
    _bound(rows, MAX_BARS, "bars")
    items = [(str(label), _num(v, f"value of row {i}"), str(note)) for i, (label, v, note) in enumerate(rows)]
    if any(v < 0 for _, v, _ in items):
        raise ValueError("bar values must not be negative")
    if max_value is not None:
        top = _num(max_value, "max_value")
        if top <= 0:
            raise ValueError(f"max_value must be positive, got {max_value!r}")
    else:
        top = max((v for _, v, _ in items), default=0.0) or 1.0
    cid = _chart_id("bar", chart_id, ("bar", title, unit, items, top))
    if not items:
        return _no_data("bar", cid, title)
    notes = list(dict.fromkeys(note for _, _, note in items))
    x0, row_h, top_y = 168.0, 26.0, 36.0
    # the longest value-and-note text after a full-length bar must end inside the viewBox (12 px and 10 px type:
    # about 7 and 6 px a character), so the bars give up length rather than the labels running past the chart
    tail_px = max(7 * len(f"{_fmt_num(v)} {unit}".strip()[:24]) + (6 * len(note[:24]) + 6 if note else 0)
                  for _, v, note in items)
    span = max(120.0, min(300.0, W - x0 - 6 - tail_px - 4))
    body = []
    said = []
    for i, (label, v, note) in enumerate(items):
        y = top_y + i * row_h
        cls = f"s{notes.index(note) % 8}"
        w = round(span * min(v / top, 1.0), 1)
        value = f"{_fmt_num(v)} {unit}".strip()
        body.append(_text(x0 - 8, y + 13, _esc(label, 22), anchor="end", cls="bar-label"))  # 22 fit in 160 px
        body.append(f'<rect class="bar {cls}" x="{_f(x0)}" y="{_f(y)}" width="{_f(w)}" height="16" '
                    f'fill="{PALETTE[int(cls[1:])]}"><title>{_esc(label)}: {_esc(value)}</title></rect>')
        if v == 0 and note:
            body.append(_text(x0 + 6, y + 13, _esc(note, 24), size=11, cls="note"))
            said.append(f"{label}: {note}")
        else:
            tail = (f'<tspan class="note" font-size="10px" dx="6" fill-opacity="0.75">{_esc(note, 24)}</tspan>'
                    if note else "")
            body.append(_text(x0 + w + 6, y + 13, _esc(value, 24) + tail, cls="value"))
            said.append(f"{label}: {value}" + (f" ({note})" if note else ""))
    height = top_y + len(items) * row_h + 4
    return _svg("bar", cid, title, "; ".join(said) + ".", height, body)


def scatter(points: Sequence[tuple[str, float, float]], *, title: str, x_label: str, y_label: str,
            target_y: float | None = None, target_label: str = "", chart_id: str | None = None,
            diagonal: bool = False) -> str:
    """Labelled points (label, x, y) on linear axes, with an optional horizontal target line and an optional
    y = x diagonal (where an estimate on y equals a measurement on x)."""
    _bound(points, MAX_SCATTER, "points")
    items = [(str(label), _num(x, f"x of point {i}"), _num(y, f"y of point {i}"))
             for i, (label, x, y) in enumerate(points)]
    target = None if target_y is None else _num(target_y, "target_y")
    cid = _chart_id("scatter", chart_id, ("scatter", title, x_label, y_label, items, target, target_label, diagonal))
    if not items:
        return _no_data("scatter", cid, title)
    xs, ys = [x for _, x, _ in items], [y for _, _, y in items] + ([] if target is None else [target])
    xlo, xhi, xticks, xstep = _nice(min(xs), max(xs))
    ylo, yhi, yticks, ystep = _nice(min(ys), max(ys))
    fr = _Frame(60, W - 40, 36, 276, xlo, xhi, ylo, yhi)
    body = _axes(fr, xticks, yticks, _fmt_step(xstep), _fmt_step(ystep), x_label, y_label)
    lo, hi = max(xlo, ylo), min(xhi, yhi)
    if diagonal and lo < hi:
        body.append(f'<line class="diagonal" x1="{_f(fr.sx(lo))}" y1="{_f(fr.sy(lo))}" x2="{_f(fr.sx(hi))}" '
                    f'y2="{_f(fr.sy(hi))}" stroke="#555555" stroke-width="1" stroke-dasharray="4 4"/>')
    if target is not None:
        y = fr.sy(target)
        body.append(f'<line class="target" x1="{_f(fr.x0)}" x2="{_f(fr.x1)}" y1="{_f(y)}" y2="{_f(y)}" '
                    f'stroke="{OVERFLOW_COLOUR}" stroke-width="1.5" stroke-dasharray="6 4"/>')
        if target_label:
            body.append(_text(fr.x1 - 4, y - 5, _esc(target_label, 40), size=11, anchor="end", cls="target-label"))
    for label, x, y in items:
        px, py = fr.sx(x), fr.sy(y)
        body.append(f'<circle class="dot s0" cx="{_f(px)}" cy="{_f(py)}" r="4" fill="{PALETTE[0]}">'
                    f'<title>{_esc(label)}</title></circle>')
        right = px > fr.x1 - 100
        body.append(_text(px - 7 if right else px + 7, py + 4, _esc(label, 24), size=11,
                          anchor="end" if right else "start", cls="point-label"))
    said = "; ".join(f"{label}: {x_label} {_fmt_num(x)}, {y_label} {_fmt_num(y)}" for label, x, y in items)
    desc = f"{y_label} against {x_label}. {said}."
    if target is not None:
        desc += f" Target{' ' + target_label if target_label else ''}: {y_label} {_fmt_num(target)}."
    return _svg("scatter", cid, title, desc, fr.y1 + 48, body)
