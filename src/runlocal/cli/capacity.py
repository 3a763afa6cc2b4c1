"""runlocal capacity: how many users a machine serves at once, how fast each, and what N users at M tok/s need."""

from __future__ import annotations

import argparse
import json
import math
from typing import Any

from .render import table

EPILOG = """examples:
  runlocal capacity llama-3.1-8b --hardware h100-sxm --runtime vllm --users 50 --context 8192 --output 400
  runlocal capacity qwen3-32b -H rtx-4090 --runtime vllm -q AWQ-INT4 --rate 2/s --target-tps 20 --users 200
  runlocal capacity llama-3.3-70b -H h100-sxm --gpu-count 4 --runtime sglang --json
"""


def _secs(v: float | None) -> str:
    if v is None:
        return "-"
    return f"{v * 1000:,.0f} ms" if v < 1 else f"{v:,.1f} s"


def chart(curve: list[dict[str, Any]], width: int = 48, height: int = 12) -> str:
    """Aggregate tokens/s (up) against per-user tokens/s (across, falling as concurrency grows): the usual
    throughput-against-interactivity picture, one mark per batch size (its concurrency printed beside it)."""
    pts = [(p["per_user_tokens_per_s"], p["aggregate_tokens_per_s"], p["concurrency"], p["fits_kv_pool"])
           for p in curve if p["per_user_tokens_per_s"] > 0]
    if len(pts) < 2:
        return ""
    xmax = max(x for x, _, _, _ in pts)
    ymax = max(y for _, y, _, _ in pts)
    grid = [[" "] * (width + 6) for _ in range(height + 1)]
    for x, y, c, fits in pts:
        col = int(round(x / xmax * (width - 1)))
        row = height - int(round(y / ymax * height))
        label = ("*" if fits else "o") + str(c)
        for k, ch in enumerate(label):
            if col + k < len(grid[row]):
                grid[row][col + k] = ch
    lines = [f"{ymax:>8,.0f} |" + "".join(grid[0])]
    lines += ["         |" + "".join(r) for r in grid[1:]]
    lines.append("       0 +" + "-" * (width + 6))
    lines.append(f"          0{'per-user tokens/s':^{width - 4}}{xmax:,.0f}")
    lines.append("          aggregate tokens/s up; *N = N concurrent users that fit the KV pool, oN = they do not")
    return "\n".join(lines)


def render(r: dict[str, Any]) -> str:
    lines = [f"{r['model_id'] or 'custom model'} ({r['quant']}, {r['runtime']}) on "
             f"{r['gpu_count'] // r.get('nodes', 1)} x {r['hardware_id'] or 'custom hardware'}"
             + (f" x {r['nodes']} nodes over {r['network']} "
                f"({'llama.cpp RPC' if r.get('runtime') == 'llama.cpp' else 'pipeline parallel'})"
                if r.get("nodes", 1) > 1 else
                " (tensor parallel)" if r["tensor_parallel"] else ""), ""]
    if r["fits"] != "gpu":
        lines.append("The model does not fit on the accelerator with this engine: it cannot serve from there.")
        return "\n".join(lines)
    gib = 2**30
    lines += [
        f"KV pool:      {r['kv_pool_bytes'] / gib:,.1f} GiB; one sequence of {r['context_tokens']:,} tokens holds "
        f"{r['kv_bytes_per_sequence'] / gib * 1024:,.0f} MiB",
        f"At once:      {r['max_concurrency']:,} sequences at the full context, {r['typical_concurrency']:,} at the "
        f"average length in flight ({r['prompt_tokens']:,} prompt + half of {r['output_tokens']:,} output)",
        f"One user:     {r['single_user_tokens_per_s']:,.1f} tokens/s"
        + (f"; the step turns compute-bound from {r['knee_concurrency']} users" if r["knee_concurrency"] else ""),
        "",
    ]
    rows = [[p["concurrency"], f"{p['per_user_tokens_per_s']:,.1f}", f"{p['aggregate_tokens_per_s']:,.0f}",
             f"{p['aggregate_with_prompts_tokens_per_s']:,.0f}", _secs(p["ttft_with_prompts_s"]),
             f"{p['step_ms']:.1f}", p["bound"], "yes" if p["fits_kv_pool"] else "no"] for p in r["curve"]]
    lines.append(table(rows, ["users", "tok/s each", "tok/s total", "with prompts", "first token", "step ms",
                              "bound", "fits pool"]))
    lines.append(f"(with prompts: each request also brings its {r['prompt_tokens']:,}-token prompt, whose prefill "
                 "shares the GPU; first token: the mean wait, queue included, with that many users keeping a "
                 "request open, as a serving benchmark measures them)")
    c = chart(r["curve"])
    if c:
        lines += ["", c]
    if "users" in r:
        u = r["users"]
        lines += ["", f"{u['asked']:,} users: {u['at_once']:,} at once at {u['per_user_tokens_per_s']:,.1f} tokens/s "
                      f"each ({u['aggregate_tokens_per_s']:,.0f} in total)"
                  + (f"; {u['waiting']:,} wait for a slot" if u["waiting"] else "")]
    if "load" in r:
        ld = r["load"]
        if ld["stable"]:
            lines += [f"At {ld['rate_per_s']:g} requests/s: about {ld['concurrency']:.0f} in flight, first token "
                      f"p50 {ld['ttft_p50_s']:.2f} s / p90 {ld['ttft_p90_s']:.2f} s, whole answer p50 "
                      f"{ld['e2e_p50_s']:.1f} s / p90 {ld['e2e_p90_s']:.1f} s, {ld['per_user_tokens_per_s']:.1f} "
                      "tokens/s each"]
        else:
            lines += [f"At {ld['rate_per_s']:g} requests/s the queue grows without bound: requests arrive faster "
                      "than this machine finishes them"]
    if "plan" in r:
        pl = r["plan"]
        lines += [f"At {pl['target_tokens_per_s']:g} tokens/s each: {pl['users_per_machine']:,} users per machine"]
        if pl.get("machines_needed"):
            lines.append(f"  {pl['machines_needed']} machine(s) like this one for the users asked")
        for o in pl.get("options", []):
            nodes = f" x {o['nodes_per_replica']} nodes" if o.get("nodes_per_replica", 1) > 1 else ""
            lines.append(f"  {o['machines']} x {o['gpus_per_machine']} GPU(s){nodes}: {o['users_per_machine']:,} "
                         f"users each, {o['gpus_total']} GPUs in all")
    if r.get("commands"):
        lines += ["", "Run it"] + [f"  {k:<12} {v}" for k, v in r["commands"].items()]
    if r.get("notes"):
        lines += ["", "Notes"] + [f"  - {n}" for n in r["notes"]]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    from ..service.capacity import capacity, parse_rate

    q: dict[str, Any] = {"model": args.model, "hardware": args.hardware,
                         **({"gpu_count": args.gpu_count} if args.gpu_count else {}),
                         "context_tokens": args.context, "output_tokens": args.output}
    for key, val in (("runtime", args.runtime), ("quant", args.quant), ("users", args.users),
                     ("target_tokens_per_s", args.target_tps), ("prompt_tokens", args.prompt),
                     ("nodes", args.nodes if args.nodes != 1 else None), ("network", args.network),
                     ("kv_cache_type", args.kv_cache_type)):
        if val is not None:
            q[key] = val
    if args.rate is not None:
        q["rate_per_s"] = parse_rate(args.rate)
    if args.enforce_eager:
        q["enforce_eager"] = True
    r = capacity(q)
    if args.json:
        print(json.dumps(r, indent=2, allow_nan=False, default=lambda x: None if isinstance(x, float)
                         and not math.isfinite(x) else x))
    else:
        print(render(r))
    return 0


def register(sub: Any) -> None:
    c = sub.add_parser("capacity", help="how many users a machine serves at once, and how fast each",
                       description="Serving capacity: the KV pool, concurrent sequences at your context, per-user "
                                   "and aggregate tokens/s as users grow, time to first token under a request "
                                   "rate, and what N users at M tokens/s each need.",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    c.add_argument("model", help="catalog id, name or Hugging Face repo id")
    c.add_argument("--hardware", "-H", required=True, help="catalog id or name of one GPU or machine")
    c.add_argument("--gpu-count", type=int, default=None,
                   help="identical GPUs per node (tensor parallel on vLLM/SGLang; default 1, or the count a name such "
                        "as '8x H100' or a cloud instance gives)")
    c.add_argument("--nodes", type=int, default=1, help="nodes in pipeline parallel (vLLM with Ray, SGLang, "
                                                        "TensorRT-LLM; default 1)")
    c.add_argument("--network", help="link between nodes: ethernet-10g, ethernet-25g (default), ethernet-100g, "
                                     "infiniband-200g, infiniband-400g")
    c.add_argument("--runtime", help="vllm, sglang, tensorrt-llm, llama.cpp, ollama ... (default: the quant's)")
    c.add_argument("--quant", "-q", help="BF16, FP8, AWQ-INT4, Q4_K_M ...")
    c.add_argument("--users", type=int, help="concurrent users to plan for")
    c.add_argument("--context", type=int, default=4096, help="context per sequence, tokens (default 4096)")
    c.add_argument("--prompt", type=int, help="average prompt tokens (default: min(1024, context))")
    c.add_argument("--output", type=int, default=256, help="average output tokens (default 256)")
    c.add_argument("--rate", help="request arrival rate: 2, 2/s, 120/min")
    c.add_argument("--target-tps", type=float, help="tokens/s each user should see")
    c.add_argument("--kv-cache-type", help="KV cache type: f16 (default), fp8 (vLLM/SGLang/TensorRT-LLM "
                                           "--kv-cache-dtype fp8), q8_0 or q4_0 (llama.cpp, Ollama)")
    c.add_argument("--enforce-eager", action="store_true",
                   help="the engine runs without CUDA graphs (vLLM --enforce-eager, SGLang --disable-cuda-graph)")
    c.add_argument("--json", action="store_true", help="JSON output")
    c.set_defaults(run=run)
