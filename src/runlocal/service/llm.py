"""Language-model questions: a resolved Question -> the engine's Estimate, commands, basis and verdict."""

from __future__ import annotations

import dataclasses
from typing import Any

from ..errors import InvalidField, UnsupportedQuestion
from ..estimate.engine import Query, Unsupported, estimate
from ..estimate.memory import UnknownKVType
from .answers import TextAnswer, Verdict
from .commands import commands
from .question import KV_TYPES, Question
from .resolve import Resolved, catalog

AUTO_MIN_CONTEXT = 4096
"""llama.cpp's --fit lowers the context no further than this (its --fit-ctx default) before it offloads layers."""

OLLAMA_CONTEXT_BY_VRAM = ((24, 4096), (48, 32768), (None, 262144))
"""Ollama's default context by total VRAM in GiB: under 24 -> 4k, 24-48 -> 32k, 48 and up -> 256k, never above the
model's trained length (docs/context-length.mdx, ollama/ollama@948f693)."""

SERVER_RUNTIMES = frozenset({"vllm", "sglang"})
"""Runtimes whose default context is the model's whole trained length and that refuse to start when one sequence
of that length does not fit the KV pool (vLLM's "To serve at least one request with the model's max seq len")."""


def _vram_gib(r: Resolved) -> float:
    m = r.machine
    if not m.gpus:
        return 0.0
    if m.unified_memory:
        return (m.gpu_memory_limit_bytes or m.ram_bytes) / 2**30
    return sum(d.memory_bytes for d in m.gpus) / 2**30


def ollama_default_context(vram_gib: float, trained: int) -> int:
    """The context Ollama allocates when neither num_ctx nor OLLAMA_CONTEXT_LENGTH is set."""
    for limit, ctx in OLLAMA_CONTEXT_BY_VRAM:
        if limit is None or vram_gib < limit:
            return min(trained, ctx)
    raise AssertionError("unreachable")


def _auto_context(query: Query, r: Resolved) -> tuple[Any, Query, str]:
    """The context the runtime picks itself: Ollama's default by VRAM; vLLM and SGLang the model's trained length
    (said so when that would not start); llama.cpp and the rest the trained length lowered to the largest that fits
    on the accelerator (llama.cpp's --fit, down to AUTO_MIN_CONTEXT)."""
    assert r.model is not None
    trained = max(1, min(int(r.model.arch.context_length), 100_000_000))
    rt = query.runtime.id
    if rt == "ollama":
        vram = _vram_gib(r)
        ctx = ollama_default_context(vram, trained)
        q0 = dataclasses.replace(query, context_tokens=ctx)
        return (estimate(q0), q0, f"context auto: {ctx:,} tokens, Ollama's default for {vram:.0f} GiB of VRAM "
                                  "(4k under 24 GiB, 32k to 48 GiB, 256k above; capped at the trained length)")
    q1 = dataclasses.replace(query, context_tokens=trained)
    est = estimate(q1)
    if est.fits == "gpu":
        return est, q1, f"context auto: the model's trained {trained:,} tokens fit"
    if not est.max_context_tokens:
        ctx = min(trained, AUTO_MIN_CONTEXT)
        q0 = dataclasses.replace(query, context_tokens=ctx)
        return (estimate(q0), q0, f"context auto: {ctx:,} tokens; the weights alone leave no room for a context on "
                                  "the accelerator")
    ctx = max(min(trained, int(est.max_context_tokens)), min(trained, AUTO_MIN_CONTEXT))
    q2 = dataclasses.replace(query, context_tokens=ctx)
    if rt in SERVER_RUNTIMES:
        why = (f"context auto: {rt} defaults to the trained {trained:,} tokens, which does not fit, so it would "
               f"refuse to start; {ctx:,} is the most that fits (pass it as the context length, or "
               "--max-model-len auto on vLLM)")
    else:
        why = (f"context auto: {ctx:,} tokens, the most that fits on the accelerator of the model's trained "
               f"{trained:,} (llama.cpp --fit lowers -c the same way)")
    return estimate(q2), q2, why


def answer_text(q: Question, r: Resolved) -> TextAnswer:
    """Fit, memory, offload, largest context, speed and launch commands for a language model."""
    assert r.model is not None and r.runtime_spec is not None
    w = q.workload
    ctx, depth, prompt, par = w.context_tokens, w.depth_tokens, w.prompt_tokens, w.parallel
    notes = list(r.notes)
    if depth > ctx:
        notes.append(f"depth_tokens ({depth:,}) exceeds the allocated context ({ctx:,}): the speed is for that "
                     "depth, but such a run needs a larger -c")
    if prompt + depth > ctx:
        notes.append(f"the prompt ({prompt:,} tokens) does not fit in the allocated context ({ctx:,})")
    if par > 1:
        notes.append(f"context_tokens is per sequence: {par} sequences x {ctx:,} = {par * ctx:,} cells "
                     "(llama.cpp -c is the total)")
    query = Query(model=r.model, machine=r.machine, runtime=r.runtime_spec, quant=r.quant, context_tokens=ctx,
                  depth_tokens=depth, prompt_tokens=prompt, kv_cache_type=w.kv_cache_type, parallel=par,
                  flash_attention=w.flash_attention, build_date=w.build_date, use_published_sizes=q.use_published_sizes,
                  assumptions=q.assumptions)
    try:
        est = estimate(query)
        if q.context_auto:
            est, query, note = _auto_context(query, r)
            ctx = query.context_tokens
            notes.append(note)
    except Unsupported as exc:
        raise UnsupportedQuestion(str(exc)) from exc
    except UnknownKVType as exc:
        raise InvalidField(f"unknown kv_cache_type {w.kv_cache_type!r}", list(KV_TYPES[:5])) from exc
    srcs: list[str] = []
    for e in (r.model_entity, r.hardware_entity):
        if e is not None:
            srcs += [f"{e.path}#{s}" for s in e.source_ids()]
    verdict = None
    if r.model_entity and r.hardware_entity:
        v = catalog().verdicts.get(f"{r.model_entity.id}--{r.hardware_entity.id}")
        if v is not None:
            verdict = Verdict(date=str(v.data["date"]), summary=v.data["summary"], text=v.body.strip())
    notes += est.notes
    if q.ignored:
        notes.append(f"ignored unknown field(s): {', '.join(q.ignored)}")
    return TextAnswer(
        id=q.id, model_entity=r.model_entity, hardware_entity=r.hardware_entity, runtime=r.runtime,
        quant=est.quant, estimate=est, workload=dataclasses.replace(w, context_tokens=ctx),
        commands=commands(r.command_entity or r.model_entity, est, context=ctx, parallel=par, kv_type=w.kv_cache_type,
                          gpu_count=r.machine.gpu_count),
        sources=tuple(srcs), notes=tuple(notes), assumptions=est.assumptions_used, verdict=verdict)
