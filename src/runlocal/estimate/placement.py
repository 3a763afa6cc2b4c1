"""Where each byte goes: accelerator or system RAM, the way each runtime places a model.

llama.cpp (and Ollama, which runs it): token embeddings stay in host memory; repeating layers are
offloaded from the output end (``-ngl N`` puts the last N layers and, when N exceeds the layer count,
the output head on the GPU); with ``--n-cpu-moe K`` the routed experts of the first K layers stay on
the CPU, which llama.cpp's ``--fit`` tries before moving whole layers. vLLM and MLX keep everything on
the accelerator or do not run.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from .memory import ComputeBuffers, KVCache
from .weights import Weights


@dataclass(frozen=True, kw_only=True)
class Capacity:
    """Memory the runtime may fill, per accelerator and in system RAM, after overheads and margins."""

    gpu_count: int
    per_gpu_bytes: int  # usable by weights + KV + compute on each accelerator
    overhead_per_gpu: int
    system_bytes: int  # usable system RAM (for unified memory: the whole pool)
    unified: bool


@dataclass(frozen=True, kw_only=True)
class Placement:
    """Where the weights and the KV cache go, and the bytes on the accelerators and in system RAM."""

    fits: str  # gpu | gpu+cpu | cpu | no
    gpu_layers: int  # repeating layers on the accelerator
    total_layers: int
    output_on_gpu: bool
    cpu_moe_layers: int  # layers whose routed experts stay in system RAM
    accelerator_bytes: int
    system_bytes: int
    weights_gpu: int
    weights_cpu: int
    kv_gpu: int
    kv_cpu: int
    reason: str


def largest_that_fits(lo: int, hi: int, ok: Callable[[int], bool]) -> int:
    """The largest x in [lo, hi) with ok(x), by bisection.

    ok(lo) must hold and ok must be monotone (true up to some x, false above it); hi itself is never tested,
    so the caller knows or assumes it fails. Returns lo when nothing above lo passes.
    """
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if ok(mid):
            lo = mid
        else:
            hi = mid
    return lo


@lru_cache(maxsize=4096)
def _suffix(xs: tuple[int, ...]) -> tuple[int, ...]:
    """s[i] = sum(xs[i:])."""
    out = [0] * (len(xs) + 1)
    for i in range(len(xs) - 1, -1, -1):
        out[i] = out[i + 1] + xs[i]
    return tuple(out)


def _gpu_need(w: Weights, kv: KVCache, cb: ComputeBuffers, cap: Capacity, n_gpu_layers: int,
              cpu_moe: int, output: bool) -> tuple[int, int, int]:
    """(bytes on all accelerators, weights on them, KV on them) for a given split."""
    n = len(w.layer_bytes)
    first = n - n_gpu_layers
    ws = _suffix(w.layer_bytes)
    es = _suffix(w.layer_expert_bytes)
    ks = _suffix(kv.layer_bytes)
    wg = ws[first]
    if cpu_moe > first:
        wg -= es[first] - es[cpu_moe]
    kg = ks[first]
    if output:
        wg += w.output_bytes
    total = wg + kg + cap.gpu_count * (cb.device_bytes + cap.overhead_per_gpu)
    return total, wg, kg


def place_llamacpp(w: Weights, kv: KVCache, cb: ComputeBuffers, cap: Capacity) -> Placement:
    """Mirror llama.cpp's placement: all on the GPU if it fits, else experts to CPU, else fewer layers."""
    n = len(w.layer_bytes)
    all_weights = w.total_bytes + w.tied_copy_bytes
    limit = cap.per_gpu_bytes * cap.gpu_count + cap.gpu_count * cap.overhead_per_gpu

    def result(fits: str, ngl: int, out: bool, moe: int, reason: str) -> Placement:
        acc, wg, kg = _gpu_need(w, kv, cb, cap, ngl, moe, out) if ngl or out else (0, 0, 0)
        wc = all_weights - wg
        if not out and w.tied_copy_bytes:
            wc -= w.tied_copy_bytes  # without an offloaded head the tied matrix is not loaded twice
        kc = kv.total_bytes - kg
        sys = wc + kc + cb.host_bytes
        if fits == "cpu":
            sys += cb.device_bytes  # the graph then runs on the CPU
        return Placement(fits=fits, gpu_layers=ngl, total_layers=n, output_on_gpu=out, cpu_moe_layers=moe,
                         accelerator_bytes=acc, system_bytes=sys, weights_gpu=wg, weights_cpu=wc, kv_gpu=kg,
                         kv_cpu=kc, reason=reason)

    if cap.gpu_count == 0:
        p = result("cpu", 0, False, 0, "no accelerator: every layer runs on the CPU")
        if p.system_bytes > cap.system_bytes:
            return _no(p, "the model needs more system RAM than is usable")
        return p

    full, _, _ = _gpu_need(w, kv, cb, cap, n, 0, True)
    if full <= limit:
        p = result("gpu", n, True, 0, "weights, KV cache and buffers fit on the accelerator")
        return _check_system(p, cap)

    # MoE: keep routed experts of the first K layers in RAM (llama.cpp --n-cpu-moe K).
    if any(w.layer_expert_bytes):
        # GPU need falls as K grows: the smallest K that fits is one more than the largest that does not
        # (K = 0 does not fit, K = n does).
        if _gpu_need(w, kv, cb, cap, n, n, True)[0] <= limit:
            k = 1 + largest_that_fits(0, n, lambda j: _gpu_need(w, kv, cb, cap, n, j, True)[0] > limit)
            p = result("gpu+cpu", n, True, k,
                       f"experts of the first {k} layers stay in system RAM (--n-cpu-moe {k})")
            return _check_system(p, cap)
        moe_all = n
    else:
        moe_all = 0

    # Dense (or MoE with all experts on the CPU and still too big): fewer layers on the accelerator.
    # GPU need grows with the layer count: the largest count that fits, by bisection.
    best = 0
    if _gpu_need(w, kv, cb, cap, 1, moe_all, False)[0] <= limit:
        best = largest_that_fits(1, n + 1, lambda k: _gpu_need(w, kv, cb, cap, k, moe_all, False)[0] <= limit)
    if best == 0:
        p = result("cpu", 0, False, 0, "not even one layer fits on the accelerator")
        return _check_system(p, cap)
    p = result("gpu+cpu", best, False, moe_all,
               f"{best} of {n} layers fit on the accelerator; the rest run from system RAM")
    return _check_system(p, cap)


def _check_system(p: Placement, cap: Capacity) -> Placement:
    if cap.unified:
        if p.system_bytes + p.accelerator_bytes > cap.system_bytes:
            return _no(p, "weights, cache and buffers exceed the unified memory")
        return p
    if p.system_bytes > cap.system_bytes:
        return _no(p, "the part left in system RAM exceeds the usable RAM")
    return p


def _no(p: Placement, reason: str) -> Placement:
    return dataclasses.replace(p, fits="no", reason=reason)


def place_all_or_nothing(w: Weights, kv: KVCache, cb: ComputeBuffers, cap: Capacity,
                         runtime: str) -> Placement:
    """vLLM, MLX, transformers: the whole model on the accelerator(s) (tensor parallel), or no run."""
    n = len(w.layer_bytes)
    weights = w.total_bytes
    acc = weights + kv.total_bytes + cap.gpu_count * (cb.device_bytes + cap.overhead_per_gpu)
    limit = cap.per_gpu_bytes * cap.gpu_count + cap.gpu_count * cap.overhead_per_gpu
    if cap.gpu_count == 0:
        sys = weights + kv.total_bytes + cb.host_bytes + cb.device_bytes
        fits = "cpu" if sys <= cap.system_bytes else "no"
        return Placement(fits=fits, gpu_layers=0, total_layers=n, output_on_gpu=False, cpu_moe_layers=0,
                         accelerator_bytes=0, system_bytes=sys, weights_gpu=0, weights_cpu=weights, kv_gpu=0,
                         kv_cpu=kv.total_bytes, reason=f"{runtime} runs on the CPU here")
    fits = "gpu" if acc <= limit else "no"
    reason = ("weights and KV cache fit in the accelerators' memory" if fits == "gpu"
              else f"{runtime} does not offload to system RAM and the model does not fit")
    p = Placement(fits=fits, gpu_layers=n, total_layers=n, output_on_gpu=True, cpu_moe_layers=0,
                  accelerator_bytes=acc, system_bytes=cb.host_bytes, weights_gpu=weights, weights_cpu=0,
                  kv_gpu=kv.total_bytes, kv_cpu=0, reason=reason)
    return _check_system(p, cap) if fits == "gpu" else p
