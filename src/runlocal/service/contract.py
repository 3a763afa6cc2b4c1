"""The batch contract's JSON (shared/contracts/estimate-jsonl.md): the only code that knows its shape."""

from __future__ import annotations

from typing import Any

from ..errors import RunlocalError
from .answers import Answer, MediaAnswer, TextAnswer


def _n(x: float | None, digits: int = 2) -> float | None:
    return None if x is None else round(x, digits)


def _pair(x: tuple[float, float] | None, digits: int = 2) -> list[float] | None:
    return None if x is None else [round(x[0], digits), round(x[1], digits)]


def to_contract(a: Answer) -> dict[str, Any]:
    """One answer object of the contract, for a language-model or an image/video answer."""
    head: dict[str, Any] = {"id": a.id, "ok": True, "model_id": a.model_id, "hardware_id": a.hardware_id,
                            "runtime": a.runtime, "quant": a.quant}
    if isinstance(a, TextAnswer):
        return {**head, **_text(a), "error": None}
    return {**head, **_media(a), "error": None}


def _parallel(a: TextAnswer, total: float | None) -> dict[str, Any]:
    """With parallel > 1: what each sequence sees and the total (decode_tokens_per_s stays the total)."""
    n = a.workload.parallel
    if n <= 1 or total is None:
        return {}
    return {"per_user_decode_tokens_per_s": _n(total / n), "aggregate_decode_tokens_per_s": _n(total)}


def _text(a: TextAnswer) -> dict[str, Any]:
    e = a.estimate
    s = e.speed
    w = e.weights_detail
    out: dict[str, Any] = {
        "fits": e.fits,
        "file_bytes": e.file_bytes,
        "memory": {"weights_bytes": e.memory.weights_bytes, "kv_cache_bytes": e.memory.kv_cache_bytes,
                   "compute_bytes": e.memory.compute_bytes, "overhead_bytes": e.memory.overhead_bytes,
                   "total_bytes": e.memory.total_bytes, "accelerator_bytes": e.memory.accelerator_bytes,
                   "system_bytes": e.memory.system_bytes},
        "offload": {"gpu_layers": e.gpu_layers, "total_layers": e.total_layers,
                    "cpu_moe_layers": e.cpu_moe_layers},
        "max_context_tokens": e.max_context_tokens,
        "context_tokens": a.workload.context_tokens,
        "speed": {
            "decode_tokens_per_s": _n(s.decode_tokens_per_s),
            "prefill_tokens_per_s": _n(s.prefill_tokens_per_s),
            "time_to_first_token_s": _n(s.time_to_first_token_s, 3),
            "seconds_per_image": None,
            "seconds_per_video": None,
            "ranges": {"decode_tokens_per_s": _pair(s.decode_range),
                       "prefill_tokens_per_s": _pair(s.prefill_range),
                       "time_to_first_token_s": _pair(s.ttft_range),
                       "seconds_per_image": None, "seconds_per_video": None},
            "bound": s.decode_bound,
            "prefill_bound": s.prefill_bound,
            **_parallel(a, s.decode_tokens_per_s),
        },
        "commands": dict(a.commands),
        "basis": {
            "method": a.method,
            "weights": {"method": w.method, "by_type_bytes": dict(w.type_bytes)},
            "file_bytes_source": e.file_bytes_source,
            "flash_attention": e.flash_attention,
            "placement": e.reason,
            "usable_accelerator_bytes_per_gpu": e.capacity.per_gpu_bytes,
            "assumptions": a.assumptions,
            "sources": list(a.sources),
            "notes": list(a.notes),
        },
    }
    if a.verdict is not None:
        out["verdict"] = {"date": a.verdict.date, "summary": a.verdict.summary, "text": a.verdict.text}
    return out


def _media(a: MediaAnswer) -> dict[str, Any]:
    e = a.estimate
    weights = sum(e.weights_bytes.values())
    rng = _pair(e.seconds_range)
    return {
        "fits": e.fits, "file_bytes": weights,
        "memory": {"weights_bytes": weights, "kv_cache_bytes": 0, "compute_bytes": e.compute_bytes,
                   "overhead_bytes": e.reserve_bytes, "total_bytes": e.total_bytes,
                   "accelerator_bytes": e.peak_accelerator_bytes,
                   "system_bytes": max(0, e.total_bytes - e.peak_accelerator_bytes)},
        "offload": {"gpu_layers": None, "total_layers": None},
        "max_context_tokens": None,
        "speed": {"decode_tokens_per_s": None, "prefill_tokens_per_s": None, "time_to_first_token_s": None,
                  "seconds_per_image": _n(e.seconds_per_image, 3), "seconds_per_video": _n(e.seconds_per_video, 3),
                  "seconds_per_step": _n(e.seconds_per_step, 3),
                  "ranges": {"decode_tokens_per_s": None, "prefill_tokens_per_s": None,
                             "time_to_first_token_s": None,
                             "seconds_per_image": rng if a.kind == "image" else None,
                             "seconds_per_video": rng if a.kind == "video" else None},
                  "bound": e.bound, "stages_s": {k: round(v, 3) for k, v in e.stage_seconds.items()}},
        "commands": dict(a.commands),
        "basis": {"method": a.method,
                  "weights": {"by_component_bytes": e.weights_bytes},
                  "latent_tokens": e.tokens, "evaluations_per_step": e.evaluations_per_step,
                  "assumptions": a.assumptions,
                  "sources": list(a.sources),
                  "notes": list(a.notes)},
    }


def error_answer(qid: Any, exc: RunlocalError) -> dict[str, Any]:
    """The contract's ok: false object for an error."""
    return {"id": qid, "ok": False, "error": exc.to_dict()}


def unforeseen_answer(qid: Any, exc: Exception) -> dict[str, Any]:
    """A value no validator foresaw: still one clear error object, never a traceback."""
    return {"id": qid, "ok": False, "error": {"code": "invalid_field", "suggestions": [],
                                               "message": f"a field has a value that cannot be used: {exc}"}}
