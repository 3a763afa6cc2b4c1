"""Unit conversion: the one place where vendor units become bytes, bytes/s and FLOP/s."""

from __future__ import annotations

MIB = 1024**2
GIB = 1024**3
GB = 10**9


def gib(x: float) -> int:
    """Binary gigabytes to bytes (memory sizes: a "24 GB" card holds 24 GiB)."""
    return int(round(x * GIB))


def gb_s(x: float) -> float:
    """Decimal GB/s (vendors' bandwidth figures) to bytes per second."""
    return x * 1e9


def tflops(x: float) -> float:
    """TFLOPS to FLOP/s."""
    return x * 1e12


def pad(n: int, step: int) -> int:
    """n rounded up to a multiple of step (llama.cpp pads the KV cache this way)."""
    return -(-n // step) * step
