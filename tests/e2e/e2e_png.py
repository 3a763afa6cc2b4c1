"""A small PNG reader for the screenshot checks: enough of the format (8-bit greyscale/RGB/RGBA, no interlace) to
count distinct pixel values, with only zlib and struct (Pillow is used instead when it is importable)."""

from __future__ import annotations

import importlib
import struct
import zlib
from collections import Counter
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path
from typing import Any

SIGNATURE = b"\x89PNG\r\n\x1a\n"
CHANNELS = {0: 1, 2: 3, 4: 2, 6: 4}  # colour type -> samples per pixel


@dataclass(frozen=True)
class PixelStats:
    width: int
    height: int
    rows_sampled: int
    pixels_sampled: int
    distinct: int
    background_share: float
    """The share of the sampled pixels that have the most common value (1.0: one flat colour)."""


def _add_bytes(a: int, b: int, n: int) -> int:
    """Bytewise (a + b) mod 256 of two n-byte big-endian integers, without carries between bytes."""
    low = int.from_bytes(b"\x7f" * n, "big")
    high = int.from_bytes(b"\x80" * n, "big")
    return ((a & low) + (b & low)) ^ ((a ^ b) & high)


def _sub(row: bytes, bpp: int) -> bytes:
    out = bytearray(len(row))
    for c in range(bpp):
        out[c::bpp] = bytes(v & 0xFF for v in accumulate(row[c::bpp]))
    return bytes(out)


def decoded_rows(data: bytes) -> tuple[int, int, int, list[tuple[int, bytes]]]:
    """(width, height, bytes per pixel, [(row index, pixel bytes)]) for every row that can be rebuilt cheaply:
    rows filtered None or Sub, and each run of Up rows below one. Rows filtered Average or Paeth (and the Up rows
    that follow them) are skipped: the sample is still spread down the whole image."""
    if not data.startswith(SIGNATURE):
        raise ValueError("not a PNG file")
    pos, idat, header = len(SIGNATURE), bytearray(), None
    while pos + 8 <= len(data):
        (length,), kind = struct.unpack(">I", data[pos:pos + 4]), data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
    if header is None:
        raise ValueError("PNG without IHDR")
    width, height, depth, colour, _, _, interlace = header
    if depth != 8 or colour not in CHANNELS or interlace:
        raise ValueError(f"unsupported PNG: depth {depth}, colour type {colour}, interlace {interlace}")
    bpp = CHANNELS[colour]
    stride = width * bpp
    raw = zlib.decompress(bytes(idat))
    if len(raw) < height * (stride + 1):
        raise ValueError("truncated PNG data")
    rows: list[tuple[int, bytes]] = []
    prev: int | None = 0  # the row above, as an integer; 0 above the first row
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], raw[start + 1:start + 1 + stride]
        if kind == 0:
            cur: bytes | None = line
        elif kind == 1:
            cur = _sub(line, bpp)
        elif kind == 2 and prev is not None:
            cur = _add_bytes(prev, int.from_bytes(line, "big"), stride).to_bytes(stride, "big")
        else:
            cur = None
        prev = int.from_bytes(cur, "big") if cur is not None else None
        if cur is not None:
            rows.append((y, cur))
    return width, height, bpp, rows


def pixel_stats(path: Path, max_rows: int = 400) -> PixelStats:
    """Distinct pixel values over up to max_rows rows spread over the image."""
    try:
        image = importlib.import_module("PIL.Image")
    except ImportError:
        return _stats_zlib(path.read_bytes(), max_rows)
    with image.open(path) as im:
        im = im.convert("RGBA")
        width, height = im.size
        step = max(1, height // max_rows)
        counts: Counter[Any] = Counter()
        n_rows = 0
        for y in range(0, height, step):
            counts.update(im.crop((0, y, width, y + 1)).getdata())
            n_rows += 1
    total = sum(counts.values())
    return PixelStats(width, height, n_rows, total, len(counts), counts.most_common(1)[0][1] / total)


def _stats_zlib(data: bytes, max_rows: int) -> PixelStats:
    width, height, bpp, rows = decoded_rows(data)
    if not rows:
        raise ValueError("no row of this PNG could be decoded")
    step = max(1, len(rows) // max_rows)
    counts: Counter[bytes] = Counter()
    sample = rows[::step]
    for _, line in sample:
        counts.update(line[i:i + bpp] for i in range(0, len(line), bpp))
    total = sum(counts.values())
    return PixelStats(width, height, len(sample), total, len(counts), counts.most_common(1)[0][1] / total)
