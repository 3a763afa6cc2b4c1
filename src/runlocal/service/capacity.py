"""Serving capacity: how many users a machine serves at once, how fast each, and what N users at M tokens/s need.

Validation and resolution go through the one question path (service.question, service.resolve); the physics is
runlocal.estimate.serving. `capacity()` returns a plain JSON-ready dict (the CLI's --json and the API)."""

from __future__ import annotations

import math
from typing import Any

from ..errors import InvalidField, UnsupportedQuestion
from ..estimate.engine import Query, Unsupported
from ..estimate.serving import (
    NETWORKS,
    ServingEstimate,
    serve,
    ttft_with_prompts,
    under_load,
    users_at,
    with_prompts,
)
from .question import parse
from .resolve import catalog, named_gpu_count, resolve

MAX_USERS = 100_000
"""Users asked about: a bound on the input, far above what one box serves."""
MAX_RATE = 100_000.0
"""Requests per second asked about."""
SCALE_GPUS = (1, 2, 4, 8)
"""Tensor-parallel sizes tried when a target cannot be met on the GPUs given."""
PAGED_ENGINES = ("vllm", "sglang", "tensorrt-llm")
"""Engines whose KV cache types are the model's dtype or FP8 (vLLM/SGLang --kv-cache-dtype, TensorRT-LLM's
kv_cache_config dtype); the llama.cpp family takes ggml's types (-ctk/-ctv q8_0, q4_0 ...) and no FP8."""
PAGED_KV_TYPES = ("f16", "bf16", "fp8")


def kv_type_for(engine: str, kv_type: str) -> str:
    """The KV cache type asked for, checked against what the engine offers."""
    kv = kv_type.lower()
    if engine in PAGED_ENGINES and kv not in PAGED_KV_TYPES:
        raise InvalidField(f"{engine} keeps its KV cache in the model's dtype or FP8, not {kv_type}",
                           list(PAGED_KV_TYPES))
    if engine not in PAGED_ENGINES and kv == "fp8":
        raise InvalidField(f"{engine} has no FP8 KV cache: its 8-bit cache type is q8_0", ["q8_0", "q4_0", "f16"])
    return kv


def _int(v: Any, name: str, lo: int, hi: int) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
        raise InvalidField(f"{name} must be a whole number from {lo:,} to {hi:,}, got {v!r}")
    return v


def _num(v: Any, name: str, lo: float, hi: float) -> float:
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v) or not lo <= v <= hi:
        raise InvalidField(f"{name} must be a number from {lo:g} to {hi:g}, got {v!r}")
    return float(v)


def parse_rate(text: str) -> float:
    """'2', '2/s', '120/min' -> requests per second."""
    t = text.strip().lower().replace(" ", "")
    per = 1.0
    for suffix, div in (("/s", 1.0), ("/sec", 1.0), ("/min", 60.0), ("/m", 60.0), ("/h", 3600.0)):
        if t.endswith(suffix):
            t, per = t[: -len(suffix)], div
            break
    try:
        value = float(t)
    except ValueError:
        raise InvalidField(f"--rate takes requests per second such as 2, 2/s or 120/min, got {text!r}") from None
    return _num(value / per, "rate", 1e-6, MAX_RATE)


def _query(q: dict[str, Any]) -> tuple[Query, str, dict[str, Any]]:
    question = parse({k: v for k, v in q.items() if k in ("model", "hardware", "runtime", "quant", "gpu_count",
                                                          "kv_cache_type", "ram_gb", "assume", "backend")})
    r = resolve(question)
    if r.kind != "text" or r.model is None or r.runtime_spec is None:
        raise UnsupportedQuestion("serving capacity is for language models")
    engine_q = Query(model=r.model, machine=r.hw.machine, runtime=r.runtime_spec, quant=r.quant,
                     kv_cache_type=question.workload.kv_cache_type, assumptions=question.assumptions)
    ids = {"model_id": r.model_entity.id if r.model_entity else None,
           "hardware_id": r.hw.entity.id if r.hw.entity else None, "runtime": r.runtime, "quant": r.quant}
    return engine_q, r.runtime, ids


def _curve(s: ServingEstimate, prompt: int, output: int) -> list[dict[str, Any]]:
    # with prompts: the output rate and mean time to first token a benchmark that keeps this many requests of the
    # prompt/output mix open measures (their prefill shares the GPU; past the running batch they queue:
    # estimate.serving.with_prompts, ttft_with_prompts)
    out = []
    one, step_tokens = s.prefill_one_tokens_per_s, s.single_step_tokens
    for p in s.curve:
        ttft = ttft_with_prompts(p, users=p.concurrency, prompt_tokens=prompt, output_tokens=output,
                                 prefill_tokens_per_s=s.prefill_tokens_per_s, one_tokens_per_s=one,
                                 step_tokens=step_tokens)
        out.append({"concurrency": p.concurrency, "per_user_tokens_per_s": round(p.per_user_tokens_per_s, 2),
                    "aggregate_tokens_per_s": round(p.aggregate_tokens_per_s, 1), "step_ms": round(p.step_ms, 3),
                    "bound": p.bound, "fits_kv_pool": p.fits_pool,
                    "aggregate_with_prompts_tokens_per_s": round(with_prompts(
                        p, prompt_tokens=prompt, output_tokens=output, prefill_tokens_per_s=s.prefill_tokens_per_s,
                        one_tokens_per_s=one, step_tokens=step_tokens),
                        1),
                    "ttft_with_prompts_s": round(ttft, 3) if ttft is not None else None})
    return out


def commands(engine: str, ids: dict[str, Any], hf: str | None, *, gpus: int, users: int,
             context: int, nodes: int = 1, eager: bool = False, kv_type: str = "f16") -> dict[str, str]:
    name = hf or ids.get("model_id") or "MODEL"
    out: dict[str, str] = {}
    fp8 = kv_type == "fp8"
    ggml_kv = kv_type not in ("f16", "fp8")
    if engine == "vllm":
        out["vllm"] = (f"vllm serve {name} --max-model-len {context} --max-num-seqs {users}"
                       + (f" --tensor-parallel-size {gpus}" if gpus > 1 else "")
                       + (" --kv-cache-dtype fp8" if fp8 else "")
                       + (" --enforce-eager" if eager else "")
                       + (f" --pipeline-parallel-size {nodes} --distributed-executor-backend ray"
                          "  # after `ray start` on every node" if nodes > 1 else ""))
    elif engine == "sglang":
        out["sglang"] = (f"python -m sglang.launch_server --model-path {name} --context-length {context} "
                         f"--max-running-requests {users}" + (" --kv-cache-dtype fp8_e4m3" if fp8 else "")
                         + (" --disable-cuda-graph" if eager else "")
                         + (f" --tp {gpus * nodes} --nnodes {nodes} --node-rank RANK --dist-init-addr HEAD:5000"
                            if nodes > 1 else f" --tp {gpus}" if gpus > 1 else ""))
    elif engine == "tensorrt-llm":
        out["tensorrt-llm"] = (f"trtllm-serve {name} --max_seq_len {context} --max_batch_size {users}"
                               + (f" --tp_size {gpus}" if gpus > 1 else "")
                               + ("  # FP8 KV cache: kv_cache_config: {dtype: fp8} in --extra_llm_api_options"
                                  if fp8 else ""))
    elif engine in ("llama.cpp", "lmstudio", "koboldcpp", "llamafile", "jan", "localai", "ramalama",
                    "docker-model-runner", "gpt4all", "ik_llama.cpp"):
        rpc = ",".join(f"HOST{i}:50052" for i in range(2, nodes + 1))
        out["llama.cpp"] = (f"llama-server -m MODEL.gguf -np {users} -c {users * context} --kv-unified -ngl 999"
                            + (f" -fa on -ctk {kv_type} -ctv {kv_type}" if ggml_kv else "")
                            + (f" --rpc {rpc}  # after `rpc-server --host 0.0.0.0 --port 50052` on each other host"
                               if nodes > 1 else ""))
    elif engine == "ollama":
        out["ollama"] = (f"OLLAMA_NUM_PARALLEL={users} OLLAMA_CONTEXT_LENGTH={context}"
                         + (f" OLLAMA_FLASH_ATTENTION=1 OLLAMA_KV_CACHE_TYPE={kv_type}" if ggml_kv else "")
                         + " ollama serve")
    return out


def capacity(q: dict[str, Any]) -> dict[str, Any]:
    """How many users at what speed (and, with target_tokens_per_s, what N users at M tokens/s need)."""
    if not isinstance(q, dict):
        raise InvalidField("a capacity question is a JSON object")
    context = _int(q.get("context_tokens", 4096), "context_tokens", 1, 10_000_000)
    output = _int(q.get("output_tokens", 256), "output_tokens", 1, 1_000_000)
    prompt = _int(q.get("prompt_tokens", min(1024, context)), "prompt_tokens", 1, 10_000_000)
    users = _int(q["users"], "users", 1, MAX_USERS) if q.get("users") is not None else None
    rate = _num(q["rate_per_s"], "rate_per_s", 1e-6, MAX_RATE) if q.get("rate_per_s") is not None else None
    target = (_num(q["target_tokens_per_s"], "target_tokens_per_s", 0.01, 100_000)
              if q.get("target_tokens_per_s") is not None else None)
    if prompt > context:
        raise InvalidField(f"prompt_tokens ({prompt:,}) cannot exceed context_tokens ({context:,})")
    nodes = _int(q.get("nodes", 1), "nodes", 1, 16)
    eager = q.get("enforce_eager", False)
    if not isinstance(eager, bool):
        raise InvalidField(f"enforce_eager must be true or false, got {eager!r}")
    network = str(q.get("network", "ethernet-25g"))
    if network not in NETWORKS:
        raise InvalidField(f"unknown network {network!r}", sorted(NETWORKS))
    if q.get("gpu_count") is None:  # "8x H100", "a2-highgpu-8g": the name says how many GPUs a node has
        q = {**q, "gpu_count": named_gpu_count(q.get("hardware"))}
    per_node = _int(q.get("gpu_count", 1), "gpu_count", 1, 8)
    engine_q, engine, ids = _query({**q, "gpu_count": per_node * nodes})
    kv_type = kv_type_for(engine, engine_q.kv_cache_type)
    if nodes > 1 and engine not in ("vllm", "sglang", "tensorrt-llm", "llama.cpp"):
        raise InvalidField(f"several nodes are modelled for vllm, sglang and tensorrt-llm (pipeline parallel) and "
                           f"llama.cpp (its RPC backend), not {engine}", ["vllm", "sglang", "tensorrt-llm",
                                                                          "llama.cpp"])
    if nodes > 1 and engine == "llama.cpp" and not network.startswith("ethernet"):
        raise InvalidField("llama.cpp's RPC backend runs over TCP: choose an ethernet network",
                           [n for n in NETWORKS if n.startswith("ethernet")])
    try:
        s = serve(engine_q, engine=engine, context_tokens=context, output_tokens=output, prompt_tokens=prompt,
                  max_batch=max(256, min(users or 0, 4096)), nodes=nodes, network=network, eager=eager)
    except Unsupported as exc:
        raise UnsupportedQuestion(str(exc)) from exc
    out: dict[str, Any] = {
        "ok": True, **ids, "gpu_count": s.gpu_count, "tensor_parallel": s.tensor_parallel, "nodes": nodes,
        **({"network": network} if nodes > 1 else {}),
        "context_tokens": context, "prompt_tokens": prompt, "output_tokens": output, "kv_cache_type": kv_type,
        "fits": s.single.fits, "kv_pool_bytes": s.pool_bytes, "kv_bytes_per_sequence": s.kv_bytes_per_sequence,
        "max_concurrency": s.max_concurrency, "typical_concurrency": s.typical_concurrency,
        "knee_concurrency": s.knee,
        "single_user_tokens_per_s": round(s.curve[0].per_user_tokens_per_s, 2) if s.curve else None,
        "prefill_tokens_per_s": round(s.prefill_tokens_per_s, 1) if s.prefill_tokens_per_s else None,
        "prefill_one_request_tokens_per_s": (round(s.prefill_one_tokens_per_s, 1) if s.prefill_one_tokens_per_s
                                             else None),
        "prefill_step_tokens": s.single_step_tokens,
        "curve": _curve(s, prompt, output), "notes": list(s.notes),
    }
    if users is not None and s.curve:
        served = min(users, s.typical_concurrency)
        p = s.at(served) if served else None
        out["users"] = {"asked": users, "at_once": served, "waiting": max(0, users - served),
                        "per_user_tokens_per_s": round(p.per_user_tokens_per_s, 2) if p else None,
                        "aggregate_tokens_per_s": round(p.aggregate_tokens_per_s, 1) if p else None}
    if rate is not None:
        lr = under_load(s, rate_per_s=rate, prompt_tokens=prompt, output_tokens=output)

        def f(x: float) -> float | None:
            return round(x, 3) if math.isfinite(x) else None
        out["load"] = {"rate_per_s": rate, "stable": lr.stable, "concurrency": f(lr.concurrency),
                       "ttft_p50_s": f(lr.ttft_p50_s), "ttft_p90_s": f(lr.ttft_p90_s),
                       "e2e_p50_s": f(lr.e2e_p50_s), "e2e_p90_s": f(lr.e2e_p90_s),
                       "per_user_tokens_per_s": round(lr.per_user_tokens_per_s, 2)}
    if target is not None:
        per_box = users_at(s, target)
        plan: dict[str, Any] = {"target_tokens_per_s": target, "users_per_machine": per_box}
        if users is not None:
            plan["machines_needed"] = math.ceil(users / per_box) if per_box else None
            plan["options"] = _options(q, engine, context, output, prompt, target, users)
        out["plan"] = plan
    hf = next((a for a in (getattr(engine_q.model, "id", None),) if a), None)
    out["commands"] = commands(engine, ids, _hf_repo(ids.get("model_id")) or hf, gpus=per_node, nodes=nodes,
                               users=max(1, min(users or s.typical_concurrency or 1, max(s.typical_concurrency, 1))),
                               context=context, eager=eager, kv_type=kv_type)
    return out


def _hf_repo(model_id: str | None) -> str | None:
    if not model_id:
        return None
    from .commands import _hf_repo as repo

    e = catalog().models.get(model_id)
    return repo(e) if e is not None else None


def _options(q: dict[str, Any], engine: str, context: int, output: int, prompt: int, target: float,
             users: int) -> list[dict[str, Any]]:
    """For N users at M tokens/s: machines of 1, 2, 4 and 8 GPUs (tensor parallel where the engine has it)."""
    opts = []
    base = int(q.get("gpu_count") or 1)
    combos = [(g, 1) for g in SCALE_GPUS if g >= base]
    if engine in ("vllm", "sglang", "tensorrt-llm"):
        combos += [(8, 2)]  # two 8-GPU nodes with pipeline parallel: when one node cannot hold the model
    for g, nodes in combos:
        try:
            eq, _, _ = _query({**q, "gpu_count": g * nodes})
            s = serve(eq, engine=engine, context_tokens=context, output_tokens=output, prompt_tokens=prompt,
                      max_batch=512, nodes=nodes, network=str(q.get("network", "ethernet-25g")))
        except (InvalidField, UnsupportedQuestion, Unsupported):
            continue
        per = users_at(s, target)
        if per:
            opts.append({"gpus_per_machine": g, "nodes_per_replica": nodes, "users_per_machine": per,
                         "machines": math.ceil(users / per), "gpus_total": g * nodes * math.ceil(users / per)})
    return sorted(opts, key=lambda o: (o["gpus_total"], o["gpus_per_machine"]))
