"""runlocal check: one model on one machine, rendered for people (or as the contract's JSON)."""

from __future__ import annotations

import argparse
import dataclasses
import json
from typing import TYPE_CHECKING, Any, cast

from ..errors import InvalidField
from ..estimate.workload import DEFAULT_WORKLOAD as W
from .render import bar, rate, size, table

if TYPE_CHECKING:
    from ..service.answers import MediaAnswer, TextAnswer

EPILOG = """examples:
  runlocal check llama-3.1-8b --hardware rtx-4090
  runlocal check qwen3-30b-a3b --hardware "M2 Max 64GB" --context 32768 --json
  runlocal check llama-3.3-70b --hardware 4090 --gpu-count 2 --quant Q4_K_M --explain
"""

VERDICT = {
    "gpu": "YES - runs fully on the accelerator",
    "gpu+cpu": "PARTLY - runs, with part of the model in system RAM (slower)",
    "cpu": "CPU ONLY - runs from system RAM on the CPU (slow)",
    "no": "NO - does not fit in this machine's memory",
}


def cmd_check(args: argparse.Namespace, assume: dict[str, Any]) -> int:
    from ..service import ask, to_contract
    from ..service.resolve import model_kind

    hardware: Any = args.hardware
    extra_notes: list[str] = []
    if not hardware:
        from ..service.machine import detected_hardware, in_use_notes, this_system

        info = this_system()
        hardware = detected_hardware(info)
        extra_notes = ["hardware: this machine, as detected (see `runlocal system`)", *in_use_notes(info)]
    q: dict[str, Any] = {
        "model": args.model, "hardware": hardware, **({"gpu_count": args.gpu_count} if args.gpu_count else {}),
        "context_tokens": args.context, "depth_tokens": args.depth, "prompt_tokens": args.prompt,
        "kv_cache_type": args.kv_cache_type, "parallel": args.parallel,
    }
    if args.quant:
        q["quant"] = args.quant
    if args.runtime:
        q["runtime"] = args.runtime
    if args.flash_attn:
        q["flash_attention"] = args.flash_attn == "on"
    if args.ram is not None:  # --ram 0 is an error to report, not a value to drop
        q["ram_gb"] = args.ram
    if assume:
        q["assume"] = assume
    media = {k: v for k, v in (("width", args.width), ("height", args.height), ("steps", args.steps),
                                ("cfg_scale", args.cfg), ("batch", args.batch), ("frames", args.frames),
                                ("offload", args.offload)) if v is not None}
    if args.vae_tiling:
        media["vae_tiling"] = True
    kind = model_kind(args.model)
    if kind in ("image", "video"):
        q[kind] = media
        for k in ("context_tokens", "depth_tokens", "prompt_tokens", "kv_cache_type", "parallel"):
            q.pop(k, None)
    elif media:
        raise InvalidField("--width/--height/--steps/--cfg/--frames apply to image and video models")
    if args.use:
        from ..service.tasks import apply_use

        q = apply_use(q, args.use, kind=kind)
    ans = ask(q)
    ans = dataclasses.replace(ans, notes=(*extra_notes, *ans.notes))
    task = None
    if args.use:
        from ..service.tasks import task_time

        task = task_time(to_contract(ans), args.use)
    if args.json:
        out = to_contract(ans)
        if args.use:
            out["task"] = task
        print(json.dumps(out, indent=2))
        return 0
    print(render(ans, explain=args.explain))
    if task:
        sizes = (f"{task['prompt_tokens']:,}-token prompt, {task['output_tokens']:,}-token reply" if not task["images"]
                 else f"{task['images']} images")
        print(f"\nTask: {task['label']} ({sizes}): about {task['seconds_per_request']:g} s per request (estimated)")
    return 0


def render_media(r: MediaAnswer, *, explain: bool = False) -> str:
    """An image/video answer for people: memory per component, time per image or clip, commands."""
    e = r.estimate
    secs = r.seconds
    unit = "image" if r.kind == "image" else "video"
    rng = e.seconds_range
    lines = [
        f"{r.model_id} ({r.quant}, {r.runtime}) on {r.hardware_id or 'custom hardware'}", "",
        "Fits:      " + (VERDICT[e.fits] if e.fits != "gpu+cpu"
                         else "YES, with offload - weights take turns on the GPU"),
        "", "Memory (GiB = 2^30 bytes)",
    ]
    for k, v in e.weights_bytes.items():
        lines.append(f"  {k:<34} {size(v):>11}")
    lines += [f"  {'activations + VAE decode':<34} {size(e.compute_bytes):>11}",
              f"  {'runtime reserve':<34} {size(e.reserve_bytes):>11}",
              f"  peak on the accelerator: {size(e.peak_accelerator_bytes)}", ""]
    if secs is not None and e.seconds_per_step is not None:
        lines.append(f"Time:      {round(secs, 3):.1f} s per {unit}"
                     + (f"  (range {round(rng[0], 2):.1f}-{round(rng[1], 2):.1f} s)" if rng else "")
                     + f"; {round(e.seconds_per_step, 3):.2f} s per step")
        lines.append("           " + ", ".join(f"{k.replace('_s', '')} {round(v, 3):.1f} s"
                                              for k, v in e.stage_seconds.items() if round(v, 3)))
        lines.append("")
    lines.append("Run it")
    for name, cmd in r.commands.items():
        lines.append(f"  {name:<10} {cmd}")
    if r.notes:
        lines += ["", "Notes"] + [f"  - {n}" for n in r.notes]
    if explain:
        lines += ["", f"  {r.method}", f"  latent tokens: {e.tokens:,}; "
                  f"denoiser evaluations per step: {e.evaluations_per_step}"]
        for k, v in r.assumptions.items():
            lines.append(f"    {k} = {v}")
    return "\n".join(lines)


def _pair(x: tuple[float, float] | None) -> tuple[float, float] | None:
    return None if x is None else (round(x[0], 2), round(x[1], 2))


def render(a: TextAnswer | MediaAnswer, *, explain: bool = False) -> str:
    """An answer for people (language model or image/video)."""
    if a.kind != "text":
        return render_media(cast("MediaAnswer", a), explain=explain)
    return render_text(cast("TextAnswer", a), explain=explain)


def render_text(r: TextAnswer, *, explain: bool = False) -> str:
    """A language-model answer for people: fit, memory bars, layers, context, speed, commands, notes."""
    e = r.estimate
    m = e.memory
    sp = e.speed
    lines = [
        f"{r.model_id or 'custom model'} ({r.quant}, {r.runtime}) on {r.hardware_id or 'custom hardware'}",
        "",
        f"Fits:      {VERDICT[e.fits]}",
        f"           {e.reason}",
        f"File:      {size(e.file_bytes)}  ({e.file_bytes_source})",
        "",
        "Memory (GiB = 2^30 bytes)",
    ]
    total = m.total_bytes or 1
    for label, part in (("weights", m.weights_bytes), ("KV cache", m.kv_cache_bytes),
                        ("compute", m.compute_bytes), ("overhead", m.overhead_bytes)):
        lines.append(f"  {label:<10} {size(part):>11}  {bar(part, total)}")
    lines.append(f"  {'total':<10} {size(m.total_bytes):>11}")
    usable = e.capacity.per_gpu_bytes
    cpu_only = e.total_layers and usable <= 0
    if cpu_only:
        lines.append("  all of it in system RAM (no accelerator)")
    else:
        lines.append(f"  on accelerator {size(m.accelerator_bytes)}, in system RAM {size(m.system_bytes)}"
                     f"; usable per GPU {size(usable)}")
    lay = f"Layers:    {e.gpu_layers} of {e.total_layers} on the GPU" if not cpu_only else \
        f"Layers:    all {e.total_layers} on the CPU"
    if e.fits == "gpu+cpu" and e.gpu_layers == e.total_layers and not e.cpu_moe_layers:
        lay += " (the output head stays in system RAM)"
    if e.cpu_moe_layers:
        lay += f"; experts of {e.cpu_moe_layers} layers in system RAM"
    where = "in memory" if cpu_only else "on the accelerator"
    ctx_line = (f"Context:   {r.workload.context_tokens:,} tokens allocated; largest that fits {where}: "
                f"{e.max_context_tokens:,} tokens" if e.max_context_tokens else
                f"Context:   {r.workload.context_tokens:,} tokens allocated; the model does not fit entirely on the "
                "accelerator at any context length")
    lines += ["", lay, ctx_line, ""]
    if sp.decode_tokens_per_s is not None:
        ttft = sp.time_to_first_token_s
        lines += [
            "Speed (estimate, with range)",
            f"  decode     {rate(round(sp.decode_tokens_per_s, 2), _pair(sp.decode_range))}"
            f"   ({sp.decode_bound}-bound)",
            f"  prefill    {rate(_round(sp.prefill_tokens_per_s), _pair(sp.prefill_range))}"
            f"   ({sp.prefill_bound}-bound)",
            f"  first token after the prompt: {round(ttft or 0.0, 3):.2f} s",
            "",
        ]
    if r.verdict:
        lines += [f"Verdict ({r.verdict.date}, hand-written): {r.verdict.summary}", ""]
    if r.commands:
        lines.append("Run it")
        for name, cmd in r.commands.items():
            lines.append(f"  {name:<10} {cmd}")
    if r.notes:
        lines += ["", "Notes"] + [f"  - {n}" for n in r.notes]
    if explain:
        lines += ["", "How this was computed", f"  {r.method}",
                  f"  weights: {e.weights_detail.method}"]
        for t, b in dict(e.weights_detail.type_bytes).items():
            lines.append(f"    {t:<10} {size(b)}")
        lines.append(f"  flash attention: {'on' if e.flash_attention else 'off'}")
        lines.append("  assumptions (override with --assume name=value; see `runlocal assumptions`):")
        for k, v in r.assumptions.items():
            lines.append(f"    {k} = {v}")
        lines.append("  sources:")
        for src in r.sources:
            lines.append(f"    {src}")
    return "\n".join(lines)


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 2)

def assume_pairs(values: list[str] | None) -> dict[str, Any]:
    """--assume name=value (repeatable; a comma makes a list) -> the question's `assume` object."""
    out: dict[str, Any] = {}
    for v in values or []:
        if "=" not in v:
            raise InvalidField(f"--assume takes name=value, got {v!r}")
        k, val = v.split("=", 1)
        out[k.strip()] = [_number(k, x) for x in val.split(",")] if "," in val else _number(k, val)
    return out


def _number(name: str, text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise InvalidField(f"--assume {name.strip()}= takes a number, got {text!r}") from None


def _context(text: str) -> int | str:
    if text.strip().lower() == "auto":
        return "auto"
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a number of tokens or 'auto', got {text!r}") from None


def run(args: argparse.Namespace) -> int:
    models = list(args.model)
    if len(models) > 1:
        return cmd_together(args, models, assume_pairs(args.assume))
    args.model = models[0]
    return cmd_check(args, assume_pairs(args.assume))


def cmd_together(args: argparse.Namespace, models: list[str], assume: dict[str, Any]) -> int:
    """`check A B C --hardware H`: each model's answer, then what stays resident together."""
    from ..service.resolve import model_kind
    from ..service.together import together

    if not args.hardware:
        raise InvalidField("several models at once need --hardware")
    qs = []
    for m in models:
        q: dict[str, Any] = {"model": m, "hardware": args.hardware,
                             **({"gpu_count": args.gpu_count} if args.gpu_count else {})}
        if model_kind(m) == "text":
            # several models share one accelerator: each gets the usual 4,096 unless told, not its whole trained length
            ctx = W.context_tokens if args.context == "auto" else args.context
            q.update(context_tokens=ctx, kv_cache_type=args.kv_cache_type, parallel=args.parallel)
        if args.ram is not None:
            q["ram_gb"] = args.ram
        if assume:
            q["assume"] = assume
        qs.append(q)
    r = together(qs)
    if args.json:
        print(json.dumps({k: v for k, v in r.items()}, indent=2))
        return 0
    rows = [[m["model"], m["quant"], m["runtime"], size(m["accelerator_bytes"]), m["fits_alone"], m["place"]]
            for m in r["models"]]
    print(table(rows, ["model", "quant", "runtime", "on accelerator", "fits alone", "together"]))
    print(f"\n{r['verdict']}")
    return 0


def register(sub: Any) -> None:
    """Add this module's command(s) to the `runlocal` parser."""
    c = sub.add_parser("check", help="does MODEL fit on the hardware, in how much memory, how fast",
                       description="Estimate fit, memory breakdown, offload, largest context and speed "
                                   "of MODEL on the given hardware, with launch commands.",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    c.add_argument("model", nargs="+", help="catalog id, name, Hugging Face repo id, Ollama tag or GGUF file name "
                                            "(several: what stays loaded together on one machine)")
    c.add_argument("--hardware", "-H", help="catalog id or name: rtx-4090, 'M2 Max 64GB', ddr5-5600-2ch")
    c.add_argument("--quant", "-q", help="Q4_K_M, Q8_0, F16, MXFP4, MLX-4bit, AWQ-INT4, FP8 ... "
                                         "(default: the runtime's usual)")
    c.add_argument("--context", "-c", type=_context, default="auto",
                   help="context tokens to allocate; default 'auto': what the runtime picks itself (llama.cpp: "
                        "the trained length lowered to what fits, as --fit does; Ollama: 4k/32k/256k by VRAM; "
                        "vLLM and SGLang: the trained length)")
    c.add_argument("--depth", type=int, default=W.depth_tokens,
                   help=f"tokens already in context when decoding (default {W.depth_tokens})")
    c.add_argument("--prompt", type=int, default=W.prompt_tokens,
                   help=f"prompt tokens for prefill/TTFT (default {W.prompt_tokens})")
    c.add_argument("--kv-cache-type", default=W.kv_cache_type,
                   help=f"f16, bf16, q8_0, q4_0, fp8 (default {W.kv_cache_type})")
    c.add_argument("--gpu-count", type=int, default=None,
                   help="number of identical GPUs (default 1, or the count a name such as '2x RTX 3090' or a cloud "
                        "instance gives)")
    c.add_argument("--runtime", "-r", help="llama.cpp, ollama, vllm, mlx, transformers (default by quant)")
    c.add_argument("--parallel", type=int, default=W.parallel, help="concurrent sequences (default 1)")
    c.add_argument("--flash-attn", choices=["on", "off"], help="force flash attention on or off")
    c.add_argument("--ram", type=float, help="system RAM in GB behind the GPU (default assumed)")
    c.add_argument("--assume", action="append", metavar="NAME=VALUE",
                   help="override an engine assumption (see --explain); repeatable")
    g = c.add_argument_group("image and video models")
    g.add_argument("--width", type=int, help="output width in pixels (default: the model's native size)")
    g.add_argument("--height", type=int, help="output height in pixels")
    g.add_argument("--steps", type=int, help="denoising steps (default: the model's usual)")
    g.add_argument("--cfg", type=float, help="guidance scale (CFG); > 1 doubles the work unless distilled")
    g.add_argument("--batch", type=int, help="images per run")
    g.add_argument("--frames", type=int, help="video frames")
    g.add_argument("--offload", choices=["none", "model", "sequential", "lowvram", "novram"],
                   help="weight offload mode (ComfyUI/diffusers)")
    g.add_argument("--vae-tiling", action="store_true", help="decode the VAE in tiles")
    c.add_argument("--use", choices=["chat", "coding-agent", "rag", "summarise", "long-document", "image-batch"],
                   help="size the question for a task (its prompt and reply lengths); say how long a request takes")
    c.add_argument("--json", action="store_true", help="print the batch-contract answer object")
    c.add_argument("--explain", action="store_true", help="show every assumption and source")
    c.set_defaults(run=run)
