"""Hugging Face config.json -> the engine's Architecture (and parameter counts).

The config.json counterpart of ``gguf_arch.arch_from_gguf``: both take the per-architecture defaults a file
may leave out from ``arch_defaults``, and name architectures as llama.cpp does.
"""

from __future__ import annotations

import math
from typing import Any

from ..estimate.specs import Architecture, mamba2_state_elements, shortconv_state_elements
from .arch_defaults import ATTN_BIAS, DEFAULT_CONTEXT_LENGTH, PARALLEL_ATTN_FFN, QK_NORM, SLIDING_WINDOW_PATTERN

_ARCH_MAP = {
    "LlamaForCausalLM": "llama",
    "MistralForCausalLM": "llama",
    "MixtralForCausalLM": "llama",
    "Qwen2ForCausalLM": "qwen2",
    "Qwen3ForCausalLM": "qwen3",
    "Qwen3MoeForCausalLM": "qwen3moe",
    "Gemma2ForCausalLM": "gemma2",
    "Gemma3ForCausalLM": "gemma3",
    "Gemma3ForConditionalGeneration": "gemma3",
    "Gemma3nForCausalLM": "gemma3n",
    "Gemma3nForConditionalGeneration": "gemma3n",
    "GemmaForCausalLM": "gemma",
    "Phi3ForCausalLM": "phi3",
    "PhiForCausalLM": "phi2",
    "DeepseekV3ForCausalLM": "deepseek2",
    "DeepseekV2ForCausalLM": "deepseek2",
    "GptOssForCausalLM": "gpt-oss",
    "FalconForCausalLM": "falcon",
    "CohereForCausalLM": "command-r",
    "Cohere2ForCausalLM": "cohere2",
    "Glm4MoeForCausalLM": "glm4moe",
    "Llama4ForConditionalGeneration": "llama4",
    "Llama4ForCausalLM": "llama4",
    "FalconH1ForCausalLM": "falcon-h1",
    "DeepseekV32ForCausalLM": "deepseek32",
    "GlmMoeDsaForCausalLM": "glm-dsa",
    "HunYuanMoEV1ForCausalLM": "hunyuan-moe",
    "Gemma4ForConditionalGeneration": "gemma4",
    "Gemma4ForCausalLM": "gemma4",
    "Lfm2ForCausalLM": "lfm2",
    "LFM2ForCausalLM": "lfm2",
    "Lfm2MoeForCausalLM": "lfm2moe",
    "DeciLMForCausalLM": "deci",
    "Qwen3NextForCausalLM": "qwen3next",
    "Qwen3_5ForCausalLM": "qwen35",
    "Qwen3_5ForConditionalGeneration": "qwen35",
    "Qwen3_5MoeForCausalLM": "qwen35moe",
    "Qwen3_5MoeForConditionalGeneration": "qwen35moe",
    "NemotronHForCausalLM": "nemotron_h",
    "MambaForCausalLM": "mamba",
    "FalconMambaForCausalLM": "mamba",
    "JambaForCausalLM": "jamba",
    "KimiLinearForCausalLM": "kimi-linear",
    "AfmoeForCausalLM": "afmoe",
}
_MODEL_TYPE_MAP = {
    "llama": "llama", "mistral": "llama", "mixtral": "llama", "qwen2": "qwen2", "qwen3": "qwen3",
    "qwen3_moe": "qwen3moe", "gemma2": "gemma2", "gemma3": "gemma3", "gemma3_text": "gemma3",
    "gemma": "gemma", "phi3": "phi3", "phi": "phi2", "deepseek_v3": "deepseek2", "deepseek_v2": "deepseek2",
    "gpt_oss": "gpt-oss", "falcon": "falcon", "glm4_moe": "glm4moe", "gemma3n": "gemma3n",
    "gemma3n_text": "gemma3n", "cohere": "command-r", "cohere2": "cohere2", "llama4": "llama4",
    "llama4_text": "llama4", "falcon_h1": "falcon-h1", "deepseek_v32": "deepseek32", "hunyuan_v1_moe": "hunyuan-moe",
    "glm_moe_dsa": "glm-dsa",
    "gemma4": "gemma4", "gemma4_text": "gemma4", "lfm2": "lfm2", "lfm2_moe": "lfm2moe",
    "nemotron-nas": "deci", "deci": "deci",
    "qwen3_next": "qwen3next", "qwen3_5": "qwen35", "qwen3_5_text": "qwen35", "qwen3_5_moe": "qwen35moe",
    "qwen3_5_moe_text": "qwen35moe", "nemotron_h": "nemotron_h", "mamba": "mamba", "falcon_mamba": "mamba",
    "jamba": "jamba", "kimi_linear": "kimi-linear", "afmoe": "afmoe",
}


def known_architecture(cfg: dict[str, Any]) -> str | None:
    """The engine's architecture name for a config, or None when neither `architectures` nor `model_type` is one
    it knows (arch_from_config then reads it as a plain llama, which is wrong for MoE/MLA/hybrid designs)."""
    c = {**cfg, **cfg["text_config"]} if isinstance(cfg.get("text_config"), dict) else cfg
    archs = c.get("architectures") or []
    if isinstance(archs, list):
        for a in archs:
            if a in _ARCH_MAP:
                return _ARCH_MAP[a]
    return _MODEL_TYPE_MAP.get(str(c.get("model_type", "")))


def arch_from_config(cfg: dict[str, Any]) -> tuple[Architecture, int, int | None]:
    """Architecture, total parameters and active parameters (MoE) from a config.json dict."""
    if "text_config" in cfg and isinstance(cfg["text_config"], dict):
        merged = {**cfg, **cfg["text_config"]}
    else:
        merged = dict(cfg)
    c = merged
    archs = c.get("architectures") or []
    arch = next((_ARCH_MAP[a] for a in archs if a in _ARCH_MAP), None) or _MODEL_TYPE_MAP.get(
        str(c.get("model_type", "")), "llama")
    hidden = _int(c["hidden_size"])
    if arch == "mamba":  # no attention at all: placeholders the schema requires (no layer keeps a KV cache)
        c = {**c, "num_attention_heads": 1, "num_key_value_heads": 0, "head_dim": 1}
    heads = _int(c["num_attention_heads"])
    kv = 0 if arch == "mamba" else _int(c.get("num_key_value_heads") or heads)
    head_dim = _int(c.get("head_dim") or hidden // heads)
    n_exp = _int(c.get("num_local_experts") or c.get("num_experts") or c.get("n_routed_experts") or 0)
    sliding = c.get("sliding_window")
    pattern = c.get("sliding_window_pattern") or SLIDING_WINDOW_PATTERN.get(arch)
    if arch == "llama" and sliding and c.get("use_sliding_window", True) is not False:
        pattern = 1 if sliding and sliding < _int(c.get("max_position_embeddings", 0) or 0) else None
    if arch == "llama4" and c.get("attention_chunk_size"):
        # chunked attention on three of every four layers, as llama.cpp hard-codes for llama4
        sliding, pattern = c["attention_chunk_size"], 4
    layer_types = c.get("layer_types")
    lt: tuple[str, ...] | None = None
    if isinstance(layer_types, list) and layer_types:
        mapping = {"full_attention": "full", "sliding_attention": "sliding", "linear_attention": "linear",
                   "conv": "linear"}  # LFM2's short-convolution layers keep a fixed state, no KV
        lt = tuple(mapping.get(str(x), "full") for x in layer_types)
    elif arch in ("lfm2", "lfm2moe") and isinstance(c.get("full_attn_idxs"), list):
        # the first LFM2 configs list the attention layers instead of layer_types
        attn = {_int(x) for x in c["full_attn_idxs"]}
        lt = tuple("full" if i in attn else "linear" for i in range(_int(c["num_hidden_layers"])))
    ffn_dense = c.get("intermediate_size")
    moe_width = c.get("moe_intermediate_size") or (c.get("intermediate_size") if n_exp else 0)
    if arch == "llama4" and c.get("intermediate_size_mlp"):
        # Llama 4: intermediate_size is the expert width, intermediate_size_mlp the dense layers' (the GGUF
        # converter swaps them the same way)
        ffn_dense, moe_width = c["intermediate_size_mlp"], c.get("intermediate_size")
    ssm: dict[str, Any] = {}
    if arch in ("gemma3n", "gemma4"):
        # per-layer embeddings, KV sharing and (Gemma 4) the full layers' own head width and KV heads
        ssm = {"kv_shared_layers": _int(c.get("num_kv_shared_layers") or 0),
               "per_layer_input_size": _int(c.get("hidden_size_per_layer_input") or 0),
               "global_head_dim": _int(c.get("global_head_dim") or 0),
               "global_n_kv_heads": _int(c.get("num_global_key_value_heads") or 0),
               "attn_k_eq_v": c.get("attention_k_eq_v") is True,
               "double_wide_mlp": c.get("use_double_wide_mlp") is True}
        if arch == "gemma3n":
            ssm.update(altup_inputs=_int(c.get("altup_num_inputs") or 0), laurel_rank=_int(c.get("laurel_rank") or 0))
        if arch == "gemma4" and c.get("enable_moe_block") is False:
            n_exp = 0
        if arch == "gemma4" and n_exp:
            ssm["n_experts_used"] = _int(c.get("top_k_experts") or c.get("num_experts_per_tok") or 0)
    if arch in ("lfm2", "lfm2moe"):
        l_cache = _int(c.get("conv_L_cache") or 3)
        ssm = {"ssm_conv_kernel": l_cache, "linear_state_elements": shortconv_state_elements(hidden, l_cache),
               "first_k_dense": _int(c.get("num_dense_layers") or 0)}
        if arch == "lfm2":
            ffn_dense = _lfm2_ff_dim(c)
    if arch == "falcon-h1":
        d_inner = _int(c.get("mamba_d_ssm") or 2 * hidden)
        d_state, groups, conv = (_int(c.get("mamba_d_state") or 128), _int(c.get("mamba_n_groups") or 1),
                                 _int(c.get("mamba_d_conv") or 4))
        ssm = {"ssm_d_inner": d_inner, "ssm_d_state": d_state, "ssm_n_groups": groups, "ssm_conv_kernel": conv,
               "ssm_n_heads": _int(c.get("mamba_n_heads") or d_inner // 64),
               "linear_state_elements": mamba2_state_elements(d_inner, d_state, groups, conv)}
    if arch in ("qwen3next", "qwen35", "qwen35moe"):
        ssm = _gated_deltanet(c)
        if c.get("full_attention_interval") and not lt:
            ssm["full_attention_interval"] = _int(c["full_attention_interval"])
    if arch == "nemotron_h":
        if n_exp:
            arch = "nemotron_h_moe"
        lt, ssm = _nemotron_h(c, hidden)
        if n_exp:
            moe_width = c.get("moe_intermediate_size") or moe_width
    if arch == "afmoe":
        # Arcee Trinity: global attention on every global_attn_every_n_layers-th layer, sliding elsewhere; the first
        # num_dense_layers have a dense FFN; a shared expert of the experts' width
        pattern = _int(c.get("global_attn_every_n_layers") or 4)
        ssm = {"first_k_dense": _int(c.get("num_dense_layers") or 0)}
        if c.get("num_shared_experts"):
            ssm["shared_expert_intermediate_size"] = _int(c["num_shared_experts"]) * _int(
                c.get("moe_intermediate_size") or 0)
    if arch == "kimi-linear":
        lt, ssm = _kimi_linear(c)
        # the MLA layers' query/key width, as the deepseek2 entries give it (config head_dim is hidden / heads)
        head_dim = _int(c.get("qk_nope_head_dim") or 128) + _int(c.get("qk_rope_head_dim") or 64)
    if arch in ("mamba", "jamba"):
        lt, ssm = _mamba1(c, arch, hidden)
        if arch == "mamba":
            ffn_dense = ssm["ssm_d_inner"]
    if arch == "deci":
        ssm = _deci_layers(c, heads, hidden)
        if ssm.get("layer_n_kv_heads"):
            kv = max(ssm["layer_n_kv_heads"]) or kv
        if ssm.get("layer_ffn_widths"):
            ffn_dense = max(ssm["layer_ffn_widths"]) or ffn_dense
    a = Architecture(
        arch=arch,
        n_layers=_int(c["num_hidden_layers"]),
        hidden_size=hidden,
        n_heads=heads,
        n_kv_heads=kv,
        head_dim=head_dim,
        intermediate_size=_widest(ffn_dense) or 4 * hidden,
        vocab_size=_int(c["vocab_size"]),
        tie_embeddings=bool(c.get("tie_word_embeddings", c.get("tie_embedding", arch in ("lfm2", "lfm2moe")))),
        context_length=_int(c.get("max_position_embeddings") or c.get("model_max_length") or DEFAULT_CONTEXT_LENGTH),
        sliding_window=_int(sliding) if sliding and (pattern or (lt and "sliding" in lt)) else None,
        sliding_window_pattern=_int(pattern) if sliding and pattern else None,
        layer_types=lt,
        attn_bias=bool(c.get("attention_bias", arch in ATTN_BIAS)),
        qk_norm=arch in QK_NORM or (arch == "hunyuan-moe" and c.get("use_qk_norm") is True),
        parallel_attn_ffn=_parallel_attn_ffn(arch, c),
        n_experts=n_exp,
        n_experts_used=ssm.pop("n_experts_used", None) or (_widest(
            c.get("num_experts_per_tok") or c.get("num_experts_per_token") or c.get("moe_topk") or 0) if n_exp else 0),
        moe_intermediate_size=_widest(moe_width or 0),
        n_shared_experts=_widest(c.get("n_shared_experts") or c.get("num_shared_expert") or c.get("num_shared_experts")
                                 or (1 if (arch == "llama4" or c.get("shared_expert_intermediate_size")) and n_exp
                                     else 0)),
        first_k_dense=ssm.pop("first_k_dense", None) or _int(c.get("first_k_dense_replace") or 0),
        q_lora_rank=_int(c.get("q_lora_rank") or 0),
        kv_lora_rank=_int(c.get("kv_lora_rank") or 0),
        qk_rope_head_dim=_int(c.get("qk_rope_head_dim") or 0),
        qk_nope_head_dim=_int(c.get("qk_nope_head_dim") or 0),
        v_head_dim=_int(c.get("v_head_dim") or 0),
        moe_layer_step=ssm.pop("moe_layer_step", None) or _int(c.get("interleave_moe_layer_step") or 0),
        moe_latent_size=_int(c.get("moe_latent_size") or 0) if n_exp else 0,
        parallel_ssm=arch == "falcon-h1",
        indexer_n_heads=_int(c.get("index_n_heads") or 0),
        indexer_head_dim=_int(c.get("index_head_dim") or 0),
        indexer_top_k=_int(c.get("index_topk") or 0),
        **ssm,
    )
    params = c.get("params")
    active = c.get("active_params")
    problems = a.problems()
    if problems:  # before counting parameters layer by layer: 2**40 layers must not be walked
        raise ValueError("; ".join(problems))
    if params is None:
        params, active_calc = count_params(a)
        active = active or active_calc
    return a, _int(params), (_int(active) if active else None)


def _gated_deltanet(c: dict[str, Any]) -> dict[str, Any]:
    """Qwen3-Next / Qwen3.5 linear layers (Gated DeltaNet): their head shapes and the state llama.cpp keeps per
    sequence, in f32 elements: value heads x key dim x value dim (the recurrent state) + (conv kernel - 1) x
    (2 x key heads x key dim + value heads x value dim) (the short convolution's last inputs)."""
    kh, kd = _int(c.get("linear_num_key_heads") or 16), _int(c.get("linear_key_head_dim") or 128)
    vh, vd = _int(c.get("linear_num_value_heads") or 32), _int(c.get("linear_value_head_dim") or 128)
    conv = _int(c.get("linear_conv_kernel_dim") or 4)
    out: dict[str, Any] = {"linear_num_key_heads": kh, "linear_key_head_dim": kd, "linear_num_value_heads": vh,
                           "linear_value_head_dim": vd, "ssm_conv_kernel": conv,
                           "linear_state_elements": vh * kd * vd + (conv - 1) * (2 * kh * kd + vh * vd)}
    if c.get("shared_expert_intermediate_size"):
        out["shared_expert_intermediate_size"] = _int(c["shared_expert_intermediate_size"])
    return out


def _kimi_linear(c: dict[str, Any]) -> tuple[tuple[str, ...], dict[str, Any]]:
    """Kimi Linear: linear_attn_config lists its MLA layers (full_attn_layers, 1-based); the rest are Kimi Delta
    Attention layers whose state llama.cpp keeps per sequence: head_dim^2 x heads (recurrent) + 3 (q, k, v) x
    (short_conv_kernel_size - 1) x heads x head_dim (the short convolutions), f32 elements."""
    lac = c.get("linear_attn_config")
    if not isinstance(lac, dict) or not isinstance(lac.get("full_attn_layers"), list):
        raise ValueError("kimi_linear config.json needs linear_attn_config.full_attn_layers")
    n = _int(c["num_hidden_layers"])
    full = {_int(x) - 1 for x in lac["full_attn_layers"]}
    heads, hd, k = _int(lac.get("num_heads") or 32), _int(lac.get("head_dim") or 128), _int(
        lac.get("short_conv_kernel_size") or 4)
    out = {"ssm_conv_kernel": k, "linear_state_elements": hd * hd * heads + 3 * (k - 1) * heads * hd}
    if c.get("num_shared_experts"):
        out["shared_expert_intermediate_size"] = _int(c["num_shared_experts"]) * _int(c.get("moe_intermediate_size")
                                                                                       or 0)
    return tuple("mla" if i in full else "linear" for i in range(n)), out


def _mamba1(c: dict[str, Any], arch: str, hidden: int) -> tuple[tuple[str, ...], dict[str, Any]]:
    """Mamba / Falcon Mamba (every layer a Mamba-1 mixer) and Jamba (attention on layers i % attn_layer_period ==
    attn_layer_offset, MoE on every expert_layer_period-th): the Mamba-1 state llama.cpp keeps per sequence,
    (d_conv - 1) x d_inner + d_state x d_inner f32 elements."""
    n = _int(c["num_hidden_layers"])
    if arch == "mamba":
        d_inner = _int(c.get("intermediate_size") or 2 * hidden)
        d_state, d_conv = _int(c.get("state_size") or 16), _int(c.get("conv_kernel") or 4)
        lt = ("linear",) * n
        out: dict[str, Any] = {}
    else:
        d_inner = _int(c.get("mamba_expand") or 2) * hidden
        d_state, d_conv = _int(c.get("mamba_d_state") or 16), _int(c.get("mamba_d_conv") or 4)
        period, offset = _int(c.get("attn_layer_period") or 8), _int(c.get("attn_layer_offset") or 4)
        lt = tuple("full" if i % period == offset else "linear" for i in range(n))
        e_period, e_offset = _int(c.get("expert_layer_period") or 2), _int(c.get("expert_layer_offset") or 1)
        if e_offset != e_period - 1:
            raise ValueError("Jamba configs with MoE layers other than every period-th (offset = period - 1) are not "
                             "expressed by moe_layer_step")
        out = {"moe_layer_step": e_period}
    out.update(ssm_d_inner=d_inner, ssm_d_state=d_state, ssm_conv_kernel=d_conv,
               linear_state_elements=(d_conv - 1) * d_inner + d_state * d_inner)
    return lt, out


_NEMOTRON_KINDS = {"M": "linear", "*": "full", "E": "none", "-": "none"}


def _nemotron_h(c: dict[str, Any], hidden: int) -> tuple[tuple[str, ...], dict[str, Any]]:
    """Nemotron-H (Nemotron Nano 2, Nemotron 3): hybrid_override_pattern gives one block per character, M a Mamba-2
    mixer, * attention, E an MoE block and - an MLP block (both without a cache); squared-ReLU up/down FFNs (no gate);
    Mamba-2 state d_inner = mamba_num_heads x mamba_head_dim."""
    pattern = str(c.get("hybrid_override_pattern") or "")
    if not pattern or any(ch not in _NEMOTRON_KINDS for ch in pattern):
        raise ValueError("nemotron_h config.json needs a hybrid_override_pattern of M, *, E and - characters")
    if len(pattern) != _int(c["num_hidden_layers"]):
        raise ValueError(f"hybrid_override_pattern has {len(pattern)} blocks, num_hidden_layers is "
                         f"{c['num_hidden_layers']}")
    n_head = _int(c.get("mamba_num_heads") or 0)
    d_inner = n_head * _int(c.get("mamba_head_dim") or 64) if n_head else _int(c.get("expand", 2)) * hidden
    d_state, groups = _int(c.get("ssm_state_size") or 128), _int(c.get("n_groups") or 8)
    conv = _int(c.get("conv_kernel") or 4)
    out: dict[str, Any] = {"ffn_gated": False, "ssm_d_inner": d_inner, "ssm_d_state": d_state,
                           "ssm_n_groups": groups, "ssm_n_heads": n_head or d_inner // 64, "ssm_conv_kernel": conv,
                           "linear_state_elements": mamba2_state_elements(d_inner, d_state, groups, conv)}
    if c.get("moe_shared_expert_intermediate_size"):
        out["shared_expert_intermediate_size"] = _int(c["moe_shared_expert_intermediate_size"])
    return tuple(_NEMOTRON_KINDS[ch] for ch in pattern), out


def deci_ffn_width(ffn_mult: float, hidden: int) -> int:
    """DeciModel._ffn_mult_to_intermediate_size (convert_hf_to_gguf.py, as modeling_decilm.py): int(2 x ffn_mult x
    hidden / 3) rounded up to a multiple of 256. Super-49B: 5.25 x 8192 -> 28672, 2.625 -> 14336."""
    n = int(2 * ffn_mult * hidden / 3)
    return n if n % 256 == 0 else n + 256 - n % 256


def _deci_layers(c: dict[str, Any], heads: int, hidden: int) -> dict[str, Any]:
    """Per-layer shapes of a DeciLM / Llama-Nemotron NAS config, as DeciModel writes them to the GGUF.

    block_configs[i].attention: n_heads_in_group g -> heads / g KV heads; none with replace_with_linear -> linear
    attention (query heads, no KV); none otherwise (no_op) -> no attention. ffn: ffn_mult -> deci_ffn_width, none
    (no_op, Ultra-253B) -> no FFN. DeciLM-7B lists num_key_value_heads_per_layer instead."""
    blocks = c.get("block_configs")
    if not isinstance(blocks, list):
        per = c.get("num_key_value_heads_per_layer")
        return {"layer_n_kv_heads": tuple(_int(x) for x in per)} if isinstance(per, list) else {}
    kv: list[int] = []
    qh: list[int] = []
    ff: list[int] = []
    for i, b in enumerate(blocks):
        att = b.get("attention") if isinstance(b, dict) else None
        ffn = b.get("ffn") if isinstance(b, dict) else None
        if not isinstance(att, dict) or not isinstance(ffn, dict):
            raise ValueError(f"block_configs[{i}] needs attention and ffn tables")
        g = att.get("n_heads_in_group")
        if g is None or att.get("no_op") is True or att.get("replace_with_linear") is True:
            kv.append(0)
            qh.append(heads if att.get("replace_with_linear") is True and att.get("no_op") is not True else 0)
        else:
            g = _int(g)
            if g <= 0 or heads % g:
                raise ValueError(f"block_configs[{i}]: n_heads_in_group {g} does not divide {heads} heads")
            kv.append(heads // g)
            qh.append(heads)
        if ffn.get("replace_with_linear") is True and ffn.get("no_op") is not True:
            raise ValueError(f"block_configs[{i}]: a linear-replaced FFN has no llama.cpp (GGUF) form")
        mult = ffn.get("ffn_mult")
        if mult is None or ffn.get("no_op") is True:
            ff.append(0)
        elif isinstance(mult, bool) or not isinstance(mult, int | float) or not 0 < mult < 1e4:
            raise ValueError(f"block_configs[{i}]: ffn_mult must be a positive number, got {mult!r}")
        else:
            ff.append(deci_ffn_width(float(mult), hidden))
    out: dict[str, Any] = {"layer_n_kv_heads": tuple(kv), "layer_ffn_widths": tuple(ff)}
    if any(h and not k for h, k in zip(qh, kv, strict=True)):  # linear-attention layers: heads without KV
        out["layer_n_heads"] = tuple(qh)
    return out


def _lfm2_ff_dim(c: dict[str, Any]) -> int:
    """LFM2's SwiGLU width as LFM2Model._add_feed_forward_length writes it: block_ff_dim (or intermediate_size),
    with block_auto_adjust_ff_dim int(2 x ff / 3), times block_ffn_dim_multiplier, rounded up to a multiple of
    block_multiple_of (Transformers' defaults: adjust, 1.0, 256). LFM2-1.2B: 12288 -> 8192."""
    ff = _int(c.get("block_ff_dim") or c.get("intermediate_size") or 0)
    if c.get("block_auto_adjust_ff_dim", True) is not False:
        ff = int(2 * ff / 3)
        mult = c.get("block_ffn_dim_multiplier", 1.0)
        if isinstance(mult, int | float) and not isinstance(mult, bool):
            ff = int(mult * ff)
        m = _int(c.get("block_multiple_of") or 256)
        ff = m * ((ff + m - 1) // m)
    return ff


def _widest(v: Any) -> int:
    """A width that may be given per layer (Gemma 3n's intermediate_size list): the largest."""
    if isinstance(v, list):
        return max((_int(x) for x in v), default=0)
    return _int(v or 0)


def _int(v: Any) -> int:
    """A size from a config.json: an integer (or a float with no fraction), never a string or a boolean, which
    int() would turn into 32 or 1 without a word."""
    if isinstance(v, bool) or not isinstance(v, int | float):
        raise ValueError(f"a size must be a number, got {v!r}")
    if isinstance(v, float) and not (math.isfinite(v) and v == int(v)):
        raise ValueError(f"a size must be a whole number, got {v!r}")
    return int(v)


def _parallel_attn_ffn(arch: str, c: dict[str, Any]) -> bool:
    """Attention and FFN side by side, unless the config turns it off (Falcon-RW, some GPT-NeoX)."""
    if arch not in PARALLEL_ATTN_FFN:
        return False
    if arch == "falcon":
        return bool(c.get("new_decoder_architecture")) or c.get("parallel_attn", True) is not False
    return c.get("use_parallel_residual", True) is not False


def count_params(a: Architecture) -> tuple[int, int | None]:
    """Total and (for MoE) active parameters from the tensor table."""
    from ..estimate.gguf_layout import gguf_tensors

    total = 0
    experts = 0
    for t in gguf_tensors(a):
        n = math.prod(t.shape)
        total += n
        if "_exps" in t.name:
            experts += n
    if not a.n_experts:
        return total, None
    active = total - experts + experts * a.n_experts_used // a.n_experts
    return total, active
