"""The keys each kind of data file may hold, their types, and which are required."""

from __future__ import annotations

import datetime as dt
from typing import Any

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

HARDWARE: Spec = {
    "name": (STR, True),
    "kind": (STR, True),
    "vendor": (STR, True),
    "segment": (STR, True),
    "backend": (STR, True),
    "architecture": (STR, False),
    "aliases": (LIST, True),
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
    "launch_date": (DATE, False),
    "launch_price_usd": (NUM, False),
    "pcie": (STR, False),
    "interconnect": (STR, False),
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
                          "benchmarks": BENCHMARK}

ENUMS: dict[tuple[str, str], set[str]] = {
    ("models", "kind"): {"text", "image", "video"},
    ("hardware", "kind"): {"gpu", "apple", "unified", "cpu"},
    ("hardware", "backend"): {"cuda", "rocm", "metal", "vulkan", "sycl", "cpu"},
    ("hardware", "vendor"): {"nvidia", "amd", "intel", "apple", "qualcomm", "generic"},
    ("glossary", "category"): {"llm", "hardware", "runtime", "image", "general"},
    ("errors", "category"): {"memory", "gpu-not-used", "install", "driver", "performance", "format"},
}

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
    for key, (_, required) in spec.items():
        if required and key not in data:
            problems.append(f"{where}: missing required key '{key}'")
    return problems
