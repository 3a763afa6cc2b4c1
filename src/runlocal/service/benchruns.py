"""Benchmark runs kept in the site's database: this machine's own (`runlocal bench` saves each run), and runs
submitted to the Bench API (POST /api/v1/bench), which are checked here and held for moderation.

A submission is the JSON that `runlocal bench --json` prints, with the catalog model and machine it was run on
(`model_id`, `hardware_id`). Everything in it is bounded and checked; the estimate beside it is worked out again
here from the catalog rather than taken from the submitter, and so is the command that reproduces it."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import re
from pathlib import Path
from typing import Any

from ..errors import InvalidField, NotFound, RunlocalError
from ..store import bench as store
from .database import database

MAX_BODY_BYTES = 64 * 1024
"""The largest submission accepted (a run from `runlocal bench --json` is about 3 KB)."""
RATE_LIMIT = 20
RATE_WINDOW = dt.timedelta(hours=1)
"""Submissions accepted from one address per window; more get 429 and Retry-After ($RUNLOCAL_BENCH_RATE_LIMIT
changes the number, for a deployment behind one proxy address or a load test)."""


def rate_limit() -> int:
    import os

    v = os.environ.get("RUNLOCAL_BENCH_RATE_LIMIT", "")
    return int(v) if v.isdigit() else RATE_LIMIT
RUNTIMES = ("llama.cpp", "ollama")
LIMITS = {"decode_tokens_per_s": (0.01, 100_000.0), "prefill_tokens_per_s": (0.01, 1_000_000.0),
          "peak_memory_bytes": (1.0, float(2**50)), "model_memory_bytes": (0.0, float(2**50)),
          "load_seconds": (0.0, 86_400.0), "decode_std": (0.0, 100_000.0), "prefill_std": (0.0, 1_000_000.0),
          "decode_best": (0.01, 100_000.0), "prefill_best": (0.01, 1_000_000.0)}
"""Measured figures: (smallest, largest) a real run can give; outside is an error, not a record."""
SETTINGS = {"threads": (1, 1024), "gpu_layers": (-1, 10_000), "reps": (1, 20), "pp": (1, 16384), "tg": (1, 16384),
            "depth": (0, 131072)}
MAX_TEXT = 200
HEX64 = re.compile(r"[0-9a-f]{64}")


class Duplicate(RunlocalError):
    code = "duplicate"


class RateLimited(RunlocalError):
    code = "rate_limited"


# ------------------------------------------------------------------------------------------ checks
def _num(d: dict[str, Any], key: str, lo: float, hi: float, where: str, *, required: bool) -> float | None:
    v = d.get(key)
    if v is None:
        if required:
            raise InvalidField(f"{where}.{key}: required")
        return None
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
        raise InvalidField(f"{where}.{key}: must be a number")
    if not lo <= v <= hi:
        raise InvalidField(f"{where}.{key}: {v:g} is outside {lo:g} to {hi:g}")
    return float(v)


def _text(v: Any, where: str, *, required: bool = False) -> str | None:
    if v is None:
        if required:
            raise InvalidField(f"{where}: required")
        return None
    if not isinstance(v, str):
        raise InvalidField(f"{where}: must be a string")
    if len(v) > MAX_TEXT:
        raise InvalidField(f"{where}: longer than {MAX_TEXT} characters")
    if any(not c.isprintable() for c in v):
        raise InvalidField(f"{where}: must not hold control characters")
    return v


def _obj(body: dict[str, Any], key: str, *, required: bool = True) -> dict[str, Any]:
    v = body.get(key)
    if v is None and not required:
        return {}
    if not isinstance(v, dict):
        raise InvalidField(f"{key}: must be an object")
    return v


def model_id_for(name: str) -> str | None:
    """The catalog model a file name (or a name) is, when the catalog knows it."""
    from ..catalog.resolve import resolve_model
    from .resolve import catalog

    try:
        return resolve_model(catalog(), Path(name).name.removesuffix(".gguf")).entity.id
    except RunlocalError:
        return None


def catalog_id(kind: str, name: str) -> str:
    from ..catalog.resolve import resolve_hardware, resolve_model
    from .resolve import catalog

    if kind == "model":
        return resolve_model(catalog(), name).entity.id
    return resolve_hardware(catalog(), name).entity.id


def question_for(model_id: str, hardware: Any, quant: str | None, settings: dict[str, Any],
                 runtime: str = "llama.cpp") -> dict[str, Any]:
    """The contract question a run's figures are estimated from: its model, machine (a CPU-only catalog machine
    with the threads the run used), quant, prompt, generation and depth."""
    from .resolve import catalog

    ent = catalog().hardware.get(hardware) if isinstance(hardware, str) else None
    threads = settings.get("threads")
    if ent is not None and ent.data.get("kind") == "cpu" and threads and ent.data.get("memory_bandwidth_gb_s"):
        cores = int(ent.data.get("cpu_cores") or threads)
        if threads < cores:  # a CPU run on fewer threads than the machine has: the estimate for those threads
            mem = ent.data.get("memory_options_gb") or [ent.data.get("memory_gb") or 32]
            hardware = {"gpus": [], "ram_gb": float(max(mem)), "cpu_cores": int(threads),
                        "ram_bandwidth_gb_s": float(ent.data["memory_bandwidth_gb_s"])}
            from ..catalog.build import simd_of

            simd = simd_of(str(ent.data.get("architecture", "")))
            if simd:
                hardware["cpu_simd"] = simd
    depth = int(settings.get("depth", 0))
    q: dict[str, Any] = {"model": model_id, "hardware": hardware, "runtime": runtime,
                         "context_tokens": depth + int(settings.get("pp", 512)) + int(settings.get("tg", 128)) + 16,
                         "prompt_tokens": int(settings.get("pp", 512))}
    if depth:
        q["depth_tokens"] = depth
    if quant:
        q["quant"] = quant
    return q


def estimate_for(model_id: str, hardware: Any, quant: str | None, settings: dict[str, Any],
                 runtime: str = "llama.cpp") -> dict[str, Any]:
    """The engine's figures for a run's model, machine and settings (None where it cannot say), and the question."""
    from .api import answer

    q = question_for(model_id, hardware, quant, settings, runtime)
    a = answer(q)
    if not a.get("ok") and "quant" in q:
        q.pop("quant")
        a = answer(q)
    sp = a.get("speed") or {}
    return {"decode_tokens_per_s": sp.get("decode_tokens_per_s"),
            "prefill_tokens_per_s": sp.get("prefill_tokens_per_s"),
            "peak_memory_bytes": (a.get("memory") or {}).get("total_bytes"),
            "quant": a.get("quant"), "fits": a.get("fits"), "ok": bool(a.get("ok")), "question": q}


def command_for(model: str, s: dict[str, Any], runtime: str) -> str:
    parts = [f"runlocal bench {model}"]
    if runtime == "ollama":
        parts.append("--runtime ollama")
    if s.get("tool") == "llama-bench":
        parts.append("--tool llama-bench")
    parts += [f"--threads {s['threads']}" if s.get("threads") else "", f"--gpu-layers {s.get('gpu_layers', 0)}",
              f"--reps {s.get('reps', 3)}", f"--pp {s.get('pp', 512)}", f"--tg {s.get('tg', 128)}",
              f"--depth {s['depth']}" if s.get("depth") else ""]
    return " ".join(p for p in parts if p)


def _dedupe(sha: str, hardware: str, runtime: str, settings: dict[str, Any], meas: dict[str, Any],
            fp: dict[str, Any]) -> str:
    key = json.dumps([sha, hardware, runtime, {k: settings.get(k) for k in SETTINGS},
                      [round(float(meas.get(k) or 0), 3) for k in ("decode_tokens_per_s", "prefill_tokens_per_s")],
                      fp], sort_keys=True, default=str)
    return hashlib.sha256(key.encode()).hexdigest()


def check_submission(body: Any) -> dict[str, Any]:
    """A submitted run checked and normalised into a stored row (status pending); InvalidField, UnknownModel or
    UnknownHardware saying what is wrong."""
    if not isinstance(body, dict):
        raise InvalidField("the body must be one JSON object (the output of runlocal bench --json)")
    meas_in = _obj(body, "measured")
    meas = {k: _num(meas_in, k, lo, hi, "measured", required=k in ("decode_tokens_per_s", "prefill_tokens_per_s"))
            for k, (lo, hi) in LIMITS.items()}
    s_in = _obj(body, "settings", required=False)
    settings: dict[str, Any] = {}
    for k, (lo, hi) in SETTINGS.items():
        v = s_in.get(k)
        if v is None:
            continue
        if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
            raise InvalidField(f"settings.{k}: must be a whole number from {lo} to {hi}")
        settings[k] = v
    runtime = _text(body.get("runtime") or "llama.cpp", "runtime") or "llama.cpp"
    if runtime not in RUNTIMES:
        raise InvalidField(f"runtime: {runtime!r} is not one the bench runs", list(RUNTIMES))
    model = _obj(body, "model")
    sha = _text(model.get("sha256"), "model.sha256", required=True) or ""
    if not HEX64.fullmatch(sha):
        raise InvalidField("model.sha256: must be 64 lower-case hex digits (the file's SHA-256)")
    quant = _text(model.get("quant"), "model.quant")
    name = _text(body.get("model_id"), "model_id") or model_id_for(_text(model.get("path"), "model.path") or "")
    if not name:
        raise InvalidField("model_id: required (the catalog model the file is, as in qwen3-8b)")
    model_id = catalog_id("model", name)
    hw_name = _text(body.get("hardware_id"), "hardware_id", required=True) or ""
    hardware_id = catalog_id("hardware", hw_name)
    raw_fp = body.get("hardware")
    fp_in: dict[str, Any] = raw_fp if isinstance(raw_fp, dict) else {}
    fp: dict[str, Any] = {k: _text(fp_in.get(k), f"hardware.{k}") for k in ("cpu", "os", "machine")
                          if fp_in.get(k) is not None}
    gpus = fp_in.get("gpus")
    if isinstance(gpus, list):
        fp["gpus"] = [_text(g, "hardware.gpus") for g in gpus[:16]]
    raw_versions = body.get("versions")
    versions_in: dict[str, Any] = raw_versions if isinstance(raw_versions, dict) else {}
    versions = {k: _text(v, f"versions.{k}") for k, v in list(versions_in.items())[:8]
                if isinstance(k, str) and len(k) <= 40}
    est = estimate_for(model_id, hardware_id, quant, settings, runtime)
    doc: dict[str, Any] = {"model": {"sha256": sha, "quant": quant or est.get("quant"),
                     "file_bytes": _num(model, "file_bytes", 1, float(2**50), "model", required=False)},
           "measured": {k: v for k, v in meas.items() if v is not None},
           "estimated": {k: est[k] for k in ("decode_tokens_per_s", "prefill_tokens_per_s", "peak_memory_bytes")},
           "settings": settings, "versions": versions, "hardware": fp, "question": est["question"],
           "command": command_for(model_id, settings, runtime)}
    doc["ratio"] = ratios(doc["measured"], doc["estimated"])
    return _row(doc, model_id, hardware_id, runtime, "pending", "submitted")


def ratios(meas: dict[str, Any], est: dict[str, Any]) -> dict[str, float | None]:
    return {k: (est[k] / meas[k] if est.get(k) and meas.get(k) else None)
            for k in ("decode_tokens_per_s", "prefill_tokens_per_s")}


def _row(doc: dict[str, Any], model_id: str | None, hardware_id: str | None, runtime: str, status: str,
         origin: str) -> dict[str, Any]:
    m, e = doc["measured"], doc["estimated"]
    return {"status": status, "origin": origin, "model_id": model_id, "hardware_id": hardware_id,
            "runtime": runtime, "quant": doc["model"].get("quant"), "model_sha256": doc["model"]["sha256"],
            "decode_tokens_per_s": m.get("decode_tokens_per_s"), "prefill_tokens_per_s": m.get("prefill_tokens_per_s"),
            "peak_memory_bytes": m.get("peak_memory_bytes"),
            "est_decode_tokens_per_s": e.get("decode_tokens_per_s"),
            "est_prefill_tokens_per_s": e.get("prefill_tokens_per_s"), "command": doc["command"],
            "body": json.dumps(doc, sort_keys=True, default=str),
            "dedupe": _dedupe(doc["model"]["sha256"], hardware_id or json.dumps(doc.get("hardware"), sort_keys=True),
                              runtime, doc["settings"], m, doc.get("hardware") or {})}


# ------------------------------------------------------------------------------------------ actions
def save_local(result: dict[str, Any], hardware_id: str | None = None) -> dict[str, Any]:
    """Keep a run of `runlocal bench` on this machine; {"id", "new"}."""
    runtime = str(result.get("runtime") or "llama.cpp")
    hw = catalog_id("hardware", hardware_id) if hardware_id else result.get("hardware_id")
    row = _row(result, result.get("model_id"), hw, runtime, "local", "local")
    rid, new = store.add(database(), row)
    return {"id": rid, "new": new}


def client_key(address: str | None) -> str:
    """A submitter's address as stored: hashed, so the rate limit works and the address is not kept."""
    return hashlib.sha256(f"runlocal-bench:{address or '?'}".encode()).hexdigest()


def submit(body: Any, client: str | None) -> dict[str, Any]:
    """Check and store a submitted run for moderation; the answer of POST /api/v1/bench."""
    key = client_key(client)
    db = database()
    limit = rate_limit()
    if store.recent_from(db, key, RATE_WINDOW) >= limit:
        raise RateLimited(f"at most {limit} submissions an hour from one address; try again later")
    row = check_submission(body)
    row["client"] = key
    rid, new = store.add(db, row)
    if not new:
        raise Duplicate(f"this run is already stored (run {rid})", [f"/bench/{rid}"])
    return {"ok": True, "id": rid, "status": "pending", "url": f"/bench/{rid}",
            "message": "stored for moderation: it is shown once a moderator accepts it"}


def runs(*, status: str | None = None, model_id: str | None = None, hardware_id: str | None = None,
         runtime: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
    statuses = store.SHOWN if status is None else (status,)
    if status is not None and status not in store.STATUSES:
        raise InvalidField(f"status: one of {', '.join(store.STATUSES)}", list(store.STATUSES))
    if not 1 <= limit <= 10_000:
        raise InvalidField("limit: from 1 to 10,000")
    return store.find(database(), statuses=statuses, model_id=model_id, hardware_id=hardware_id, runtime=runtime,
                      limit=limit)


def run(rid: Any, *, shown_only: bool = True) -> dict[str, Any]:
    try:
        n = int(rid)
    except (TypeError, ValueError):
        raise NotFound(f"no bench run {rid!r}") from None
    r = store.get(database(), n) if 0 < n < 2**62 else None
    if r is None or (shown_only and r["status"] not in store.SHOWN):
        raise NotFound(f"no bench run {rid}")
    return r


def moderate(rid: int, status: Any, reason: str | None = None) -> dict[str, Any]:
    if status not in ("accepted", "rejected", "pending"):
        raise InvalidField("status: accepted, rejected or pending")
    if isinstance(rid, bool) or not isinstance(rid, int) or not 0 < rid < 2**62:
        raise NotFound(f"no bench run {str(rid)[:40]}")
    if not store.set_status(database(), rid, status, reason):
        raise NotFound(f"no bench run {rid}")
    return run(rid, shown_only=False)


def version() -> str:
    return store.version(database())


def export() -> list[dict[str, Any]]:
    """Every stored run, all statuses (for `runlocal bench export`)."""
    return store.find(database(), statuses=store.STATUSES, limit=1_000_000)
