"""The keys each kind of data file may hold, their types, and which are required."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from ..estimate.specs import MAX_BANDWIDTH_GB_S, MAX_CORES, MAX_MEMORY_GB, MAX_TFLOPS

# key -> (accepted python types, required)
Spec = dict[str, tuple[tuple[type, ...], bool]]

NUM = (int, float)
STR = (str,)
DATE = (dt.date,)
LIST = (list,)

SOURCE: Spec = {
    "id": (STR, True),
    "url": (STR, True),
    "title": (STR, True),
    "accessed": (DATE, True),
    "note": (STR, False),
}

ARCH: Spec = {
    "arch": (STR, True),
    "n_layers": ((int,), True),
    "hidden_size": ((int,), True),
    "n_heads": ((int,), True),
    "n_kv_heads": ((int,), True),
    "head_dim": ((int,), True),
    "intermediate_size": ((int,), True),
    "vocab_size": ((int,), True),
    "tie_embeddings": ((bool,), False),
    "sliding_window": ((int,), False),
    "sliding_window_pattern": ((int,), False),
    "full_attention_interval": ((int,), False),
    "layer_types": (LIST, False),
    "attn_bias": ((bool,), False),
    "qk_norm": ((bool,), False),
    "ffn_gated": ((bool,), False),
    "parallel_attn_ffn": ((bool,), False),
    "n_experts": ((int,), False),
    "n_experts_used": ((int,), False),
    "moe_intermediate_size": ((int,), False),
    "n_shared_experts": ((int,), False),
    "shared_expert_intermediate_size": ((int,), False),
    "first_k_dense": ((int,), False),
    "q_lora_rank": ((int,), False),
    "kv_lora_rank": ((int,), False),
    "qk_rope_head_dim": ((int,), False),
    "qk_nope_head_dim": ((int,), False),
    "v_head_dim": ((int,), False),
    "linear_state_elements": ((int,), False),
    "ssm_d_inner": ((int,), False),
    "ssm_d_state": ((int,), False),
    "ssm_n_groups": ((int,), False),
    "ssm_n_heads": ((int,), False),
    "ssm_conv_kernel": ((int,), False),
    "linear_num_key_heads": ((int,), False),
    "linear_key_head_dim": ((int,), False),
    "linear_num_value_heads": ((int,), False),
    "linear_value_head_dim": ((int,), False),
    "extra_params": ((int,), False),
    "nextn_layers": ((int,), False),
    "moe_layer_step": ((int,), False),
    "moe_latent_size": ((int,), False),
    "parallel_ssm": ((bool,), False),
    "indexer_n_heads": ((int,), False),
    "indexer_head_dim": ((int,), False),
    "indexer_top_k": ((int,), False),
    "global_head_dim": ((int,), False),
    "global_n_kv_heads": ((int,), False),
    "kv_shared_layers": ((int,), False),
    "attn_k_eq_v": ((bool,), False),
    "double_wide_mlp": ((bool,), False),
    "per_layer_input_size": ((int,), False),
    "altup_inputs": ((int,), False),
    "laurel_rank": ((int,), False),
    "layer_n_kv_heads": (LIST, False),  # deci: per-layer shapes, checked by Architecture.problems()
    "layer_n_heads": (LIST, False),
    "layer_ffn_widths": (LIST, False),
}

ARTIFACT: Spec = {
    "format": (STR, True),
    "quant": (STR, True),
    "file_bytes": ((int,), True),
    "repo": (STR, False),
    "file": (STR, False),
    "source": (STR, True),
    "files": ((int,), False),
    "note": (STR, False),
}

DERIVATIVE: Spec = {
    "name": (STR, True),
    "aliases": (LIST, False),
    "url": (STR, True),
    "relation": (STR, True),  # how it relates to the entry: "a fine-tune of", "a merge of", ...
    "source": (STR, True),  # a [[sources]] id: the page that says so
    "context_length": ((int,), False),  # its own context where it differs from the entry's (answered with it)
}

MODEL: Spec = {
    "name": (STR, True),
    "family": (STR, True),
    "kind": (STR, True),
    "org": (STR, True),
    "release_date": (DATE, True),
    "license": (STR, True),
    "params": ((int,), True),
    "active_params": ((int,), False),
    "context_length": ((int,), True),
    "aliases": (LIST, True),
    "default_quant": (STR, False),
    "notes": (STR, False),
    "description": (STR, False),
    "arch": ((dict,), False),
    "artifacts": (LIST, False),
    "derivatives": (LIST, False),
    "sources": (LIST, True),
    "components": (LIST, False),
    "diffusion": ((dict,), False),
}

COMPONENT: Spec = {
    "role": (STR, True),
    "name": (STR, True),
    "params": ((int,), True),
    "kind": (STR, False),
    "hidden": ((int,), False),
    "blocks": ((int,), False),
    "activation_factor": (NUM, False),
    "note": (STR, False),
}

DIFFUSION: Spec = {
    "latent_channels": ((int,), False),
    "vae_scale": ((int,), False),
    "temporal_scale": ((int,), False),
    "patch": ((int,), False),
    "guidance_distilled": ((bool,), False),
    "vae_gflops_per_mpixel": (NUM, False),
    "default_steps": ((int,), False),
    "default_cfg": (NUM, False),
    "native_width": ((int,), False),
    "native_height": ((int,), False),
    "default_frames": ((int,), False),
    "fps": ((int,), False),
    "default_precision": (STR, False),
    "unet_reuse": (NUM, False),
}

INSTANCE: Spec = {  # a cloud instance type built from this GPU: "g5.12xlarge" = 4 x A10G
    "name": (STR, True),
    "gpus": ((int,), True),
    "provider": (STR, True),
    "source": (STR, True),
}

HARDWARE: Spec = {
    "name": (STR, True),
    "kind": (STR, True),
    "vendor": (STR, True),
    "segment": (STR, True),
    "backend": (STR, True),
    "architecture": (STR, False),
    "aliases": (LIST, True),
    "instances": (LIST, False),
    "memory_gb": (NUM, False),
    "memory_options_gb": (LIST, False),
    "memory_type": (STR, False),
    "memory_bandwidth_gb_s": (NUM, True),
    "fp16_tensor_tflops": (NUM, False),
    "bf16_tensor_tflops": (NUM, False),
    "int8_tensor_tops": (NUM, False),
    "fp8_tensor_tflops": (NUM, False),
    "fp32_tflops": (NUM, False),
    "tdp_w": (NUM, False),
    "idle_w": (NUM, False),  # measured power at idle (desktop, display on), from a cited review
    "launch_date": (DATE, False),
    "launch_price_usd": (NUM, False),
    "pcie": (STR, False),
    "interconnect": (STR, False),
    "devices_per_board": ((int,), False),  # dual-GPU boards (K80, M60, MI250X): figures are board totals
    "gpu_cores": ((int,), False),
    "cpu_cores": ((int,), False),
    "gpu_memory_fraction": (NUM, False),
    "memory_channels": ((int,), False),
    "memory_mt_s": (NUM, False),
    "notes": (STR, False),
    "sources": (LIST, True),
}

QUANT: Spec = {
    "name": (STR, True),
    "format": (STR, True),
    "bits_per_weight": (NUM, True),
    "block_size": ((int,), False),
    "block_bytes": ((int,), False),
    "description": (STR, True),
    "runtimes": (LIST, True),
    "aliases": (LIST, False),
    "sources": (LIST, True),
}

RUNTIME: Spec = {
    "name": (STR, True),
    "kind": (STR, True),
    "description": (STR, True),
    "platforms": (LIST, True),
    "backends": (LIST, True),
    "formats": (LIST, True),
    "default_quant": (STR, False),
    "install": (STR, False),
    "homepage": (STR, True),
    "aliases": (LIST, False),
    "defaults": ((dict,), False),
    "estimate": ((dict,), False),  # {id, placement}: how the engine estimates it (absent: not estimated)
    "loads_through": (LIST, False),  # a front end's engines (estimate keys), in the order it picks them by quant
    "quants": (LIST, False),
    "license": (STR, False),
    "memory_overhead": (STR, False),
    "verdict": (STR, False),
    "verdict_date": (DATE, False),
    "sources": (LIST, True),
}

BENCHMARK: Spec = {
    "model": (STR, True),
    "hardware": (STR, True),
    "runtime": (STR, True),
    "quant": (STR, True),
    "date": (DATE, True),
    "build_date": (DATE, False),  # the llama.cpp code the run used when it is not the run's date's (a PR branch)
    "gpu_count": ((int,), False),
    "context_tokens": ((int,), False),
    "prompt_tokens": ((int,), False),
    "depth_tokens": ((int,), False),
    "kv_cache_type": (STR, False),
    "decode_tokens_per_s": (NUM, False),
    "prefill_tokens_per_s": (NUM, False),
    "memory_used_gb": (NUM, False),
    "seconds_per_image": (NUM, False),
    "seconds_per_video": (NUM, False),
    "seconds_per_step": (NUM, False),
    "peak_vram_gb": (NUM, False),
    "width": ((int,), False),
    "height": ((int,), False),
    "steps": ((int,), False),
    "cfg_scale": (NUM, False),
    "batch": ((int,), False),
    "frames": ((int,), False),
    "offload": (STR, False),
    "command": (STR, False),
    "build": (STR, False),
    "backend": (STR, False),
    "memory_gb": (NUM, False),  # the machine's memory where its entry has options (Apple, unified PCs)
    "suite": (STR, False),  # a benchmark suite whose figures average several tests (service.accuracy.SUITES)
    "notes": (STR, False),
    "sources": (LIST, True),
}

SERVING: Spec = {  # data/serving: published runs of many concurrent requests (see data/serving/README.md)
    "model": (STR, True),
    "hardware": (STR, True),
    "gpu_count": ((int,), False),
    "tensor_parallel": ((int,), False),
    "engine": (STR, True),  # vllm | sglang | llama.cpp | tensorrt-llm | ollama
    "engine_version": (STR, False),
    "quant": (STR, True),
    "date": (DATE, True),
    "dataset": (STR, False),
    "input_tokens": ((int,), False),
    "output_tokens": ((int,), False),
    "speculative_decoding": (STR, False),  # present when the server drafted tokens: not plain decode speed
    "memory_fraction": (NUM, False),  # as launched: SGLang --mem-fraction-static, vLLM --gpu-memory-utilization
    "enforce_eager": ((bool,), False),  # no CUDA graphs: vLLM --enforce-eager, SGLang --disable-cuda-graph
    "kv_cache_type": (STR, False),  # fp8 (vLLM/SGLang --kv-cache-dtype), q8_0 / q4_0 (llama.cpp): not the dtype
    "memory_gb": (NUM, False),  # the machine's memory where its entry has options (Apple, unified PCs)
    "notes": (STR, False),
    "points": (LIST, True),
    "sources": (LIST, True),
}

SERVING_POINT: Spec = {
    "concurrency": ((int,), True),
    "request_rate": (STR, False),
    "input_tokens": ((int,), False),
    "output_tokens": ((int,), False),
    "output_tokens_per_s": (NUM, False),
    "per_user_tokens_per_s": (NUM, False),
    "tpot_ms": (NUM, False),
    "ttft_ms": (NUM, False),
    "total_tokens_per_s": (NUM, False),
    "prefill_tokens_per_s": (NUM, False),
    "kv_cache_type": (STR, False),
    "notes": (STR, False),
}

PRICES: Spec = {
    "hardware": (STR, True),  # the catalog hardware id these prices are for
    "offers": (LIST, True),  # [[offers]]: one dated, cited price each
    "notes": (STR, False),
    "sources": (LIST, True),
}
OFFER: Spec = {
    "condition": (STR, True),  # new (street price) or used
    "usd": (NUM, True),
    "date": (DATE, True),  # when the price was seen
    "source": (STR, True),  # a [[sources]] id of this file
    "memory_gb": (NUM, False),  # for machines sold in several memory sizes: which one
    "region": (STR, False),  # us (default), eu, ...
    "note": (STR, False),
}
API_PRICES: Spec = {
    "provider": (STR, True),  # the hosting provider's name
    "url": (STR, True),
    "prices": (LIST, True),  # [[prices]]: one model each
    "sources": (LIST, True),
}
API_PRICE: Spec = {
    "model": (STR, True),  # the catalog model id
    "input_usd_per_mtok": (NUM, True),
    "output_usd_per_mtok": (NUM, True),
    "date": (DATE, True),
    "source": (STR, True),
    "quant": (STR, False),  # what the provider serves, when it says (fp8, bf16, ...)
    "note": (STR, False),
}

KIT: Spec = {
    "name": (STR, True),  # the family's display name, e.g. "Qwen3"
    "models": (LIST, True),  # catalog model ids this kit applies to
    "template_format": (STR, True),  # chatml, llama3, gemma, harmony, mistral, phi3, deepseek, ... (a short name)
    "chat_template": (STR, True),  # the Jinja chat template as published (or its essential part), verbatim
    "template_source": (STR, True),  # a [[sources]] id: the tokenizer_config.json / GGUF / model card it came from
    "stop": (LIST, False),  # stop strings the template ends a turn with
    "sampling": ((dict,), True),  # the makers' recommended settings (SAMPLING_KEYS in load.py)
    "sampling_source": (STR, True),  # a [[sources]] id: generation_config.json or the model card
    "modes": (LIST, False),  # [[modes]]: named alternatives (thinking / non-thinking), each with its own sampling
    "system_prompt": (STR, False),  # a default system prompt when the makers give one
    "notes": (STR, False),
    "sources": (LIST, True),
}

GLOSSARY: Spec = {
    "term": (STR, True),
    "aliases": (LIST, False),
    "category": (STR, True),
    "related": (LIST, False),
    "example": ((dict,), False),
    "sources": (LIST, True),
}

ERROR: Spec = {
    "title": (STR, True),
    "runtime": (STR, True),
    "category": (STR, True),
    "patterns": (LIST, True),
    "engine_check": (STR, False),
    "aliases": (LIST, False),
    "sources": (LIST, True),
}

VERDICT: Spec = {
    "model": (STR, True),
    "hardware": (STR, True),
    "date": (DATE, True),
    "summary": (STR, True),
    "author": (STR, False),
    "sources": (LIST, False),
}

PAGE: Spec = {
    "title": (STR, True),
    "summary": (STR, True),
    "section": (STR, True),  # learn (/learn/ID), start (/start/PLATFORM), site (/ID: about, privacy, ...)
    "platform": (STR, False),  # start pages: the platform slug in /start/{platform}
    "order": ((int,), False),  # position in its section's index (lowest first)
    "updated": (DATE, False),
    "aliases": (LIST, False),
    "sources": (LIST, False),
}

# Markdown kinds: TOML front matter between +++ lines, then the body; required body sections.
MD_KINDS: dict[str, Spec] = {"glossary": GLOSSARY, "errors": ERROR, "verdicts": VERDICT, "pages": PAGE}
MD_SECTIONS: dict[str, tuple[str, ...]] = {
    "glossary": ("## Definition", "## Deeper dive", "## Example", "## Workflow"),
    "errors": ("## Cause", "## Fix", "## Check"),
    "verdicts": (),
    "pages": (),
}

KINDS: dict[str, Spec] = {"models": MODEL, "hardware": HARDWARE, "quants": QUANT, "runtimes": RUNTIME,
                          "prices": PRICES, "api_prices": API_PRICES, "kits": KIT,
                          "benchmarks": BENCHMARK, "serving": SERVING}

ENUMS: dict[tuple[str, str], set[str]] = {
    ("models", "kind"): {"text", "image", "video"},
    ("hardware", "kind"): {"gpu", "apple", "unified", "cpu"},
    ("hardware", "backend"): {"cuda", "rocm", "metal", "vulkan", "sycl", "cpu"},
    ("hardware", "vendor"): {"nvidia", "amd", "intel", "apple", "qualcomm", "generic"},
    ("glossary", "category"): {"llm", "hardware", "runtime", "image", "general"},
    ("errors", "category"): {"memory", "gpu-not-used", "install", "driver", "performance", "format"},
    ("pages", "section"): {"learn", "start", "site"},
}

MAX_PARAMS = 100_000_000_000_000
"""Parameters of one model or component: 2026's largest open models have about 1.6 trillion."""
MAX_FILE_BYTES = 100 * 1000**4
"""A published weights file set: the largest is a few TB."""
MAX_RATE = 1_000_000.0
"""A measured tokens/s: the fastest published single-stream figures are below 100,000."""
MAX_SECONDS = 10_000_000.0
"""A measured time in seconds (per image, video or step): about four months."""

RANGES: dict[str, tuple[float, float, bool]] = {
    # key -> (low, high, low itself allowed); keys mean the same in every kind that has them
    "memory_gb": (0, MAX_MEMORY_GB, False),
    "memory_options_gb": (0, MAX_MEMORY_GB, False),
    "memory_bandwidth_gb_s": (0, MAX_BANDWIDTH_GB_S, False),
    "fp16_tensor_tflops": (0, MAX_TFLOPS, False),
    "bf16_tensor_tflops": (0, MAX_TFLOPS, False),
    "int8_tensor_tops": (0, MAX_TFLOPS, False),
    "fp8_tensor_tflops": (0, MAX_TFLOPS, False),
    "fp32_tflops": (0, MAX_TFLOPS, False),
    "tdp_w": (0, 100_000, False),
    "idle_w": (0, 10_000, False),
    "usd": (0, 100_000_000, False),
    "input_usd_per_mtok": (0, 10_000, True),
    "output_usd_per_mtok": (0, 10_000, True),
    "launch_price_usd": (0, 100_000_000, False),
    "gpu_cores": (1, MAX_CORES, True),
    "cpu_cores": (1, MAX_CORES, True),
    "gpu_memory_fraction": (0, 1, False),
    "memory_channels": (1, 64, True),
    "memory_mt_s": (0, 100_000, False),
    "bits_per_weight": (0, 64, False),
    "block_size": (1, 1 << 20, True),
    "block_bytes": (1, 1 << 20, True),
    "params": (1, MAX_PARAMS, True),
    "active_params": (1, MAX_PARAMS, True),
    "file_bytes": (1, MAX_FILE_BYTES, True),
    "files": (1, 100_000, True),
    "gpu_count": (0, 1024, True),
    "context_tokens": (1, 100_000_000, True),
    "prompt_tokens": (1, 100_000_000, True),
    "depth_tokens": (0, 100_000_000, True),
    "decode_tokens_per_s": (0, MAX_RATE, False),
    "prefill_tokens_per_s": (0, MAX_RATE, False),
    "memory_used_gb": (0, MAX_MEMORY_GB, False),
    "peak_vram_gb": (0, MAX_MEMORY_GB, False),
    "seconds_per_image": (0, MAX_SECONDS, False),
    "seconds_per_video": (0, MAX_SECONDS, False),
    "seconds_per_step": (0, MAX_SECONDS, False),
    "width": (1, 100_000, True),
    "height": (1, 100_000, True),
    "steps": (1, 10_000, True),
    "batch": (1, 10_000, True),
    "frames": (1, 100_000, True),
    "cfg_scale": (0, 100, True),
}
"""Physical ranges of the numbers in data files; any other number must be finite and not negative."""


def _range_problem(key: str, value: Any) -> str | None:
    values = value if isinstance(value, list) else [value]
    for v in values:
        if isinstance(v, bool) or not isinstance(v, int | float):
            continue
        if isinstance(v, float) and not math.isfinite(v):
            return f"key '{key}' must be a finite number, got {v}"
        lo, hi, closed = RANGES.get(key, (0, math.inf, True))
        if not ((v >= lo if closed else v > lo) and v <= hi):
            low = f"at least {lo:g}" if closed else f"above {lo:g}"
            return f"key '{key}' must be {low}" + (f" and at most {hi:,g}" if hi < math.inf else "") + f", got {v}"
    return None


LAYER_KINDS = {"full", "sliding", "linear", "mla", "none"}


def check_table(data: dict[str, Any], spec: Spec, where: str) -> list[str]:
    """Problems with one table: unknown keys, missing required keys, wrong types."""
    problems: list[str] = []
    for key, value in data.items():
        if key not in spec:
            problems.append(f"{where}: unknown key '{key}'")
            continue
        types, _ = spec[key]
        if isinstance(value, bool) and bool not in types:
            problems.append(f"{where}: key '{key}' must be {types[0].__name__}, not a boolean")
        elif not isinstance(value, types):
            problems.append(f"{where}: key '{key}' must be {'/'.join(t.__name__ for t in types)}")
        else:
            why = _range_problem(key, value)
            if why:
                problems.append(f"{where}: {why}")
    for key, (_, required) in spec.items():
        if required and key not in data:
            problems.append(f"{where}: missing required key '{key}'")
    return problems
