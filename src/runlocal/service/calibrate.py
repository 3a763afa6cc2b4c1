"""runlocal calibrate: fit the engine's efficiency factors to benchmark runs of one machine (this one, from its own
`runlocal bench` runs) or of one catalog machine (from every shown run on it), and keep them as user-level
assumption overrides that later estimates for that machine use and name in their basis.

What is fitted is one multiplicative scale per figure and per kind of run, applied to the named physical factor
that sets that figure: on the CPU, decode is streamed weights per thread (cpu_core_bandwidth_gb_s, and the share
of RAM bandwidth decode_eff_cpu, scaled together so that whichever binds moves) and prefill the CPU's matrix rate
(cpu_gflops_per_core); on a GPU, the backend's decode_eff_* and prefill_eff_*. The scale minimises the median
absolute log error over the runs used (golden-section search over 1/5 to 5 times the default); every third run
(by id) is held back when there are three or more, and the error before and after is reported on both shares."""

from __future__ import annotations

import datetime as dt
import json
import math
import statistics
from collections.abc import Callable
from typing import Any

from ..errors import InvalidField, RunlocalError
from .calibration import OFF_ENV, current, path

__all__ = ["OFF_ENV", "calibrate", "current", "fit", "path", "reset"]

FIGURES = ("decode_tokens_per_s", "prefill_tokens_per_s")
MIN_SCALE, MAX_SCALE = 0.2, 5.0
ITERATIONS = 24
GPU_BACKENDS = ("cuda", "rocm", "metal", "vulkan")
MIN_HELD_TO_JUDGE = 2
"""With at least this many held-back runs, a fitted scale that makes their median error worse is not kept (the
report still shows it): a calibration must not fit the noise of the runs it used."""


# ------------------------------------------------------------------------------------------ fitting
def _question(run: dict[str, Any]) -> dict[str, Any]:
    q = run.get("question")
    if isinstance(q, dict):
        return {k: v for k, v in q.items() if k != "assume"}
    s = run.get("settings") or {}
    depth = int(s.get("depth", 0))
    q = {"model": run.get("model_id"), "hardware": run.get("hardware_id"), "quant": (run.get("model") or {})
         .get("quant"), "context_tokens": depth + int(s.get("pp", 512)) + int(s.get("tg", 128)) + 16,
         "prompt_tokens": int(s.get("pp", 512)), "runtime": run.get("runtime") or "llama.cpp"}
    if depth:
        q["depth_tokens"] = depth
    return q


def _backend(q: dict[str, Any]) -> str:
    from .question import parse
    from .resolve import resolve_machine

    try:
        m = resolve_machine(parse(q)).machine
    except RunlocalError:
        return "cpu"
    return m.gpus[0].backend if m.gpus else "cpu"


def factors(backend: str, figure: str) -> tuple[str, ...]:
    """The assumption(s) that set a figure on a backend (scaled together)."""
    if backend == "cpu":
        return ("cpu_core_bandwidth_gb_s", "decode_eff_cpu") if figure == "decode_tokens_per_s" else (
            "cpu_gflops_per_core",)
    b = backend if backend in GPU_BACKENDS else "cuda"
    return (f"decode_eff_{b}",) if figure == "decode_tokens_per_s" else (f"prefill_eff_{b}",)


def _estimate(q: dict[str, Any], assume: dict[str, float], figure: str) -> float | None:
    from .api import answer_plain

    a = answer_plain({**q, "assume": assume} if assume else q)
    v = (a.get("speed") or {}).get(figure) if a.get("ok") else None
    return float(v) if isinstance(v, int | float) and v > 0 else None


def _errors(runs: list[dict[str, Any]], assume: dict[str, float], figure: str) -> list[float]:
    out = []
    for r in runs:
        meas = (r.get("measured") or {}).get(figure)
        est = _estimate(r["_q"], assume, figure)
        if est and meas:
            out.append(est / meas - 1)
    return out


def _stats(errs: list[float]) -> dict[str, Any] | None:
    if not errs:
        return None
    a = [abs(e) for e in errs]
    return {"n": len(errs), "median_error": statistics.median(a), "worst_error": max(a),
            "median_signed": statistics.median(errs)}


def _golden(f: Callable[[float], float], lo: float, hi: float, iters: int) -> float:
    g = (math.sqrt(5) - 1) / 2
    a, b = lo, hi
    c, d = b - g * (b - a), a + g * (b - a)
    fc, fd = f(c), f(d)
    for _ in range(iters):
        if fc <= fd:
            b, d, fd = d, c, fc
            c = b - g * (b - a)
            fc = f(c)
        else:
            a, c, fc = c, d, fd
            d = a + g * (b - a)
            fd = f(d)
    return (a + b) / 2


def _scaled(defaults: dict[str, float], names: tuple[str, ...], scale: float) -> dict[str, float]:
    """The factors times `scale`; an efficiency stops at 1 (it cannot pass the hardware's peak)."""
    return {n: min(defaults[n] * scale, 1.0) if n.startswith(("decode_eff", "prefill_eff")) else defaults[n] * scale
            for n in names}


def fit(runs: list[dict[str, Any]], *, base: dict[str, float] | None = None) -> dict[str, Any]:
    """Fit scales on `runs` (every third by id held back when there are 3 or more); the overrides and the
    before/after report."""
    from ..estimate.assumptions import DEFAULT

    if not runs:
        raise InvalidField("no benchmark runs to calibrate from: run `runlocal bench MODEL` here first")
    runs = sorted(runs, key=lambda r: int(r.get("id") or 0))
    for r in runs:
        r["_q"] = _question(r)
        r["_backend"] = _backend(r["_q"])
    held = [r for i, r in enumerate(runs) if len(runs) >= 3 and i % 3 == 2]
    used = [r for r in runs if r not in held]
    overrides: dict[str, float] = dict(base or {})
    report: list[dict[str, Any]] = []
    for backend in sorted({r["_backend"] for r in used}):
        group = [r for r in used if r["_backend"] == backend]
        group_held = [r for r in held if r["_backend"] == backend]
        for figure in FIGURES:
            names = factors(backend, figure)
            defaults = {n: float(overrides.get(n, getattr(DEFAULT, n))) for n in names}
            before = {n: v for n, v in overrides.items()}

            def cost(log_s: float, names: tuple[str, ...] = names, defaults: dict[str, float] = defaults,
                     group: list[dict[str, Any]] = group, figure: str = figure,
                     base: dict[str, float] = before) -> float:
                trial = {**base, **_scaled(defaults, names, math.exp(log_s))}
                errs = _errors(group, trial, figure)
                return statistics.median(abs(math.log1p(e)) for e in errs) if errs else 0.0

            errs_before = _errors(group, before, figure)
            if not errs_before:
                continue
            log_s = _golden(cost, math.log(MIN_SCALE), math.log(MAX_SCALE), ITERATIONS)
            scale = math.exp(log_s)
            trial = {**overrides, **{n: round(v, 4) for n, v in _scaled(defaults, names, scale).items()}}
            errs_trial = _errors(group, trial, figure)
            if errs_trial and statistics.median(abs(e) for e in errs_trial) > statistics.median(
                    abs(e) for e in errs_before):
                # the search's tolerance (or the rounding) landed on a scale worse than none on the runs it used, by
                # the median error the report gives: keep the defaults
                scale, trial = 1.0, {**overrides, **{n: round(defaults[n], 4) for n in names}}
            hb_before, hb_after = _stats(_errors(group_held, before, figure)), _stats(_errors(group_held, trial,
                                                                                                figure))
            kept = not (hb_before and hb_after and hb_before["n"] >= MIN_HELD_TO_JUDGE
                        and hb_after["median_error"] > hb_before["median_error"])
            if kept:
                overrides = trial
            report.append({"backend": backend, "figure": figure, "factors": {n: {"before": defaults[n],
                           "after": trial[n]} for n in names}, "scale": round(scale, 4), "kept": kept,
                           "used": {"before": _stats(errs_before), "after": _stats(_errors(group, trial, figure))},
                           "held_back": {"before": hb_before, "after": hb_after}})
    for r in runs:
        r.pop("_q", None)
        r.pop("_backend", None)
    return {"overrides": overrides, "report": report, "runs": [r.get("id") for r in used],
            "held_back": [r.get("id") for r in held]}


def this_machine_scope() -> tuple[dict[str, Any], str]:
    from .machine import detected_hardware

    hw = detected_hardware()
    if isinstance(hw, str):
        return {"machine": {"name": hw}}, f"this machine ({hw})"
    from .machine import bandwidth_for_threads

    gpus = sorted(str(g.get("name")) for g in hw.get("gpus") or [])
    full = hw.get("ram_bandwidth_gb_s")
    one = bandwidth_for_threads(1) or full
    return ({"machine": {"gpus": gpus, "ram_bandwidth_gb_s": full,
                         "ram_bandwidth_gb_s_range": [min(one, full), max(one, full)] if one and full else None}},
            f"this machine ({', '.join(gpus) if gpus else 'CPU only'})")


def _same_machine(run: dict[str, Any], fp: dict[str, Any]) -> bool:
    h = run.get("hardware") or {}
    return (run.get("origin") == "local" and h.get("cpu") == fp.get("cpu") and h.get("gpus") == fp.get("gpus")
            and h.get("ram_bytes") == fp.get("ram_bytes"))


BACKEND_CLASSES = ("cuda", "rocm", "metal", "vulkan", "sycl", "cpu")


def calibrate(*, hardware: str | None = None, backend: str | None = None, write: bool = True) -> dict[str, Any]:
    """Fit on this machine's runs (or every shown run on a catalog machine, or on every catalog machine of one
    backend: a hardware class) and keep the overrides."""
    from . import benchruns
    from .bench import fingerprint
    from .calibration import backend_of

    if hardware and backend:
        raise InvalidField("calibrate one machine (--hardware) or one class (--backend), not both")
    if backend:
        if backend not in BACKEND_CLASSES:
            raise InvalidField(f"backend: one of {', '.join(BACKEND_CLASSES)}", list(BACKEND_CLASSES))
        runs = [r for r in benchruns.runs(limit=10_000) if backend_of(r.get("hardware_id")) == backend]
        scope, label = {"backend": backend}, f"every {backend} machine"
    elif hardware:
        from ..catalog.resolve import resolve_hardware
        from .resolve import catalog

        hid = resolve_hardware(catalog(), hardware).entity.id
        runs = benchruns.runs(hardware_id=hid, limit=10_000)
        scope, label = {"hardware_id": hid}, hid
    else:
        fp = fingerprint()
        runs = [r for r in benchruns.runs(status="local", limit=10_000) if _same_machine(r, fp)]
        scope, label = this_machine_scope()
    if not runs:
        where = f"on {label}" if hardware or backend else "from this machine"
        raise InvalidField(f"no benchmark runs {where} to calibrate from: run `runlocal bench MODEL` first")
    prev = current()
    result = fit(runs)  # "before" is the engine's own defaults (answer_plain: no calibration applied)
    doc = {"scope": scope, "scope_label": label, "fitted_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
           **result, "replaced": bool(prev)}
    if write:
        p = path()
        p.parent.mkdir(parents=True, exist_ok=True)
        tmp = p.with_suffix(".tmp")
        tmp.write_text(json.dumps(doc, indent=2, default=str), encoding="utf-8")
        tmp.replace(p)
        doc["written"] = str(p)
    return doc


def reset() -> bool:
    try:
        path().unlink()
        return True
    except FileNotFoundError:
        return False
