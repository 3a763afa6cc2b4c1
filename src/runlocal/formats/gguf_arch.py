"""GGUF header -> the engine's Architecture (and parameter counts, file type label).

The GGUF counterpart of ``hfconfig.arch_from_config``: both take the per-architecture defaults a file may
leave out from ``arch_defaults``.
"""

from __future__ import annotations

from typing import Any

from ..errors import FileFormatError
from ..estimate.ggml_types import FTYPES
from ..estimate.specs import LINEAR, SLIDING, Architecture, mamba2_state_elements, shortconv_state_elements
from . import gguf as gg
from .arch_defaults import DEFAULT_CONTEXT_LENGTH, PARALLEL_ATTN_FFN, SLIDING_WINDOW_PATTERN


def _num(v: Any, what: str, label: str) -> int:
    if isinstance(v, list):
        v = max((x for x in v if isinstance(x, int | float)), default=0)
    if isinstance(v, bool) or not isinstance(v, int | float) or v < 0 or v > 1 << 40:
        raise FileFormatError(f"{label}: metadata {what} = {v!r} is not a usable count")
    return int(v)


def arch_from_gguf(g: gg.GGUFFile) -> tuple[Architecture, int, int | None]:
    """Architecture, total and active parameters from a GGUF header (metadata + tensor table)."""
    md = g.metadata
    label = g.path
    arch = md.get("general.architecture")
    if not isinstance(arch, str) or not arch:
        raise FileFormatError(f"{label}: no general.architecture in the metadata")

    def get(key: str, default: Any = None) -> Any:
        return md.get(f"{arch}.{key}", default)

    def num(key: str, default: int | None = None) -> int:
        v = get(key, default)
        if v is None:
            raise FileFormatError(f"{label}: metadata {arch}.{key} is missing")
        return _num(v, f"{arch}.{key}", label)

    names = {t.name for t in g.tensors}
    for t in g.tensors:
        if t.name.startswith("blk.") and not t.name.split(".", 2)[1].isdigit():
            raise FileFormatError(f"{label}: tensor name {t.name!r} has no layer number")
    n_layers = num("block_count")
    hidden = num("embedding_length")
    heads_raw = get("attention.head_count")
    heads = num("attention.head_count")
    if heads <= 0 or n_layers <= 0 or hidden <= 0:
        raise FileFormatError(f"{label}: block_count, embedding_length and attention.head_count must be positive")
    kv_raw = get("attention.head_count_kv", heads_raw)
    n_kv = _num(kv_raw, f"{arch}.attention.head_count_kv", label) or heads
    layer_types: list[str] | None = None
    deci: dict[str, Any] = {}
    if arch == "deci":
        # per-layer head_count_kv / head_count / feed_forward_length arrays (DeciModel.set_gguf_parameters):
        # 0 KV heads = no attention cache (attention-free or linear-attention layer), 0 FFN width = no FFN
        for key, field in (("attention.head_count_kv", "layer_n_kv_heads"), ("attention.head_count", "layer_n_heads"),
                           ("feed_forward_length", "layer_ffn_widths")):
            raw = get(key)
            if isinstance(raw, list):
                if len(raw) != n_layers:
                    raise FileFormatError(f"{label}: metadata {arch}.{key} lists {len(raw)} layers, not {n_layers}")
                deci[field] = tuple(_num(x, f"{arch}.{key}", label) for x in raw)
        if "layer_n_heads" in deci and "layer_n_kv_heads" not in deci:
            deci["layer_n_kv_heads"] = (n_kv,) * n_layers
        if "layer_n_kv_heads" in deci:
            n_kv = max(deci["layer_n_kv_heads"]) or n_kv
    elif isinstance(kv_raw, list) and len(kv_raw) == n_layers and any(x == 0 for x in kv_raw):
        layer_types = [LINEAR if x == 0 else "full" for x in kv_raw]  # recurrent/conv layers keep no KV
    n_exp = num("expert_count", 0)
    ffn = num("feed_forward_length", 0) or (num("expert_feed_forward_length", 0) if n_exp else 4 * hidden)
    embd = next((t for t in g.tensors if t.name == "token_embd.weight"), None)
    if embd is not None and len(embd.shape) >= 2:
        vocab = embd.shape[1]
    else:
        vocab = num("vocab_size", 0) or len(md.get("tokenizer.ggml.tokens") or [])
    sliding = num("attention.sliding_window", 0) or None
    pattern_raw = get("attention.sliding_window_pattern")
    pattern: int | None = None
    if isinstance(pattern_raw, list) and len(pattern_raw) == n_layers and sliding:
        base = layer_types or ["full"] * n_layers
        layer_types = [SLIDING if swa and base[i] == "full" else base[i] for i, swa in enumerate(pattern_raw)]
    elif isinstance(pattern_raw, int) and not isinstance(pattern_raw, bool) and pattern_raw > 0:
        pattern = pattern_raw
    elif sliding:
        # llama.cpp's default where the GGUF carries only the window; other architectures: every layer
        pattern = SLIDING_WINDOW_PATTERN.get(arch, 1)
    kv_lora = num("attention.kv_lora_rank", 0)
    rope_dim = num("rope.dimension_count", 0)
    key_len = num("attention.key_length_mla", 0) or num("attention.key_length", 0)
    val_len = num("attention.value_length_mla", 0) or num("attention.value_length", 0)
    head_dim = num("attention.key_length", 0) or hidden // heads
    gated = any(".ffn_gate" in n for n in names) or not any(".ffn_up" in n for n in names)
    shapes = {t.name: t.shape for t in g.tensors}
    gemma: dict[str, Any] = {}
    if arch in ("gemma3n", "gemma4"):
        ple = shapes.get("per_layer_token_embd.weight")
        gemma["per_layer_input_size"] = ple[0] // n_layers if ple and len(ple) == 2 else 0
        # llama.cpp keeps KV on the first 20 layers of Gemma 3n (hard-coded) and reads Gemma 4's count
        shared = num("attention.shared_kv_layers", 0) if arch == "gemma4" else max(0, n_layers - 20)
        gemma["kv_shared_layers"] = shared if shared < n_layers else 0
        router, laurel = shapes.get("blk.0.altup_router.weight"), shapes.get("blk.0.laurel_l.weight")
        gemma["altup_inputs"] = router[1] if router and len(router) == 2 else 0
        gemma["laurel_rank"] = laurel[1] if laurel and len(laurel) == 2 else 0
    if arch == "gemma4" and layer_types:
        # key_length is the full layers' head width, key_length_swa the sliding layers'; head_count_kv and
        # feed_forward_length may be per-layer arrays
        full_i = next((i for i, k in enumerate(layer_types) if k == "full"), None)
        swa_i = next((i for i, k in enumerate(layer_types) if k == SLIDING), None)
        head_dim = num("attention.key_length_swa", 0) or head_dim
        gemma["global_head_dim"] = num("attention.key_length", 0)
        if isinstance(kv_raw, list) and full_i is not None and swa_i is not None:
            n_kv = _num(kv_raw[swa_i], f"{arch}.attention.head_count_kv", label)
            gemma["global_n_kv_heads"] = _num(kv_raw[full_i], f"{arch}.attention.head_count_kv", label)
        gemma["attn_k_eq_v"] = full_i is not None and f"blk.{full_i}.attn_v.weight" not in names
        ff_raw = get("feed_forward_length")
        if isinstance(ff_raw, list) and ff_raw:
            ffn = _num(ff_raw[0], f"{arch}.feed_forward_length", label)
            gemma["double_wide_mlp"] = _num(ff_raw[-1], f"{arch}.feed_forward_length", label) == 2 * ffn
    if arch in ("lfm2", "lfm2moe"):
        # short-convolution layers (head_count_kv 0): a conv window of shortconv.l_cache taps, whose last
        # l_cache - 1 inputs are the recurrent state (llama_hparams::n_embd_r)
        l_cache = num("shortconv.l_cache", 3)
        gemma["ssm_conv_kernel"] = l_cache
        gemma["linear_state_elements"] = shortconv_state_elements(hidden, l_cache)
    a = Architecture(
        arch=arch, n_layers=n_layers, hidden_size=hidden, n_heads=heads, n_kv_heads=n_kv,
        head_dim=head_dim, intermediate_size=ffn, vocab_size=vocab,
        tie_embeddings="output.weight" not in names,
        context_length=num("context_length", DEFAULT_CONTEXT_LENGTH) or DEFAULT_CONTEXT_LENGTH,
        sliding_window=sliding if (pattern or layer_types) else None,
        sliding_window_pattern=pattern if sliding else None,
        full_attention_interval=num("full_attention_interval", 0) or None,
        layer_types=tuple(layer_types) if layer_types else None,
        attn_bias="blk.0.attn_q.bias" in names or "blk.0.attn_qkv.bias" in names,
        qk_norm="blk.0.attn_q_norm.weight" in names,
        ffn_gated=gated,
        parallel_attn_ffn=arch in PARALLEL_ATTN_FFN and "blk.0.ffn_norm.weight" not in names,
        n_experts=n_exp,
        n_experts_used=num("expert_used_count", 0) if n_exp else 0,
        moe_intermediate_size=num("expert_feed_forward_length", 0) or (ffn if n_exp else 0),
        n_shared_experts=num("expert_shared_count", 0),
        shared_expert_intermediate_size=num("expert_shared_feed_forward_length", 0),
        first_k_dense=num("leading_dense_block_count", 0),
        q_lora_rank=num("attention.q_lora_rank", 0),
        kv_lora_rank=kv_lora,
        qk_rope_head_dim=rope_dim if kv_lora else 0,
        qk_nope_head_dim=max(0, key_len - rope_dim) if kv_lora else 0,
        v_head_dim=val_len if kv_lora else 0,
        ssm_d_inner=num("ssm.inner_size", 0),
        ssm_d_state=num("ssm.state_size", 0),
        ssm_n_groups=num("ssm.group_count", 0),
        ssm_n_heads=num("ssm.time_step_rank", 0),
        ssm_conv_kernel=gemma.pop("ssm_conv_kernel", None) or num("ssm.conv_kernel", 0),
        nextn_layers=num("nextn_predict_layers", 0),
        moe_layer_step=num("interleave_moe_layer_step", 0),
        moe_latent_size=num("moe_latent_size", 0) if n_exp else 0,
        parallel_ssm=arch == "falcon-h1",  # the architecture runs attention and Mamba-2 side by side
        linear_state_elements=gemma.pop("linear_state_elements", None) or (
            mamba2_state_elements(num("ssm.inner_size", 0), num("ssm.state_size", 0),
                                  num("ssm.group_count", 0) or 1, num("ssm.conv_kernel", 0) or 4)
            if num("ssm.inner_size", 0) and num("ssm.state_size", 0) else 0),
        indexer_n_heads=num("attention.indexer.head_count", 0),
        indexer_head_dim=num("attention.indexer.key_length", 0),
        indexer_top_k=num("attention.indexer.top_k", 0),
        **gemma,
        **deci,
    )
    total = experts = 0
    for t in g.tensors:
        total += t.n_elements
        if "_exps" in t.name:
            experts += t.n_elements
    active = total - experts + experts * a.n_experts_used // a.n_experts if a.n_experts else None
    return a, total, active


# ggml type of the bulk of the weights -> the llama-quantize label (when general.file_type is absent)
_DOMINANT_FTYPE = {"q4_k": "Q4_K_M", "q5_k": "Q5_K_M", "q3_k": "Q3_K_M", "q2_k": "Q2_K", "mxfp4": "MXFP4_MOE"}


def gguf_quant(g: gg.GGUFFile) -> str | None:
    """The file type label: general.file_type when it names a known type, else the dominant tensor type."""
    ft = g.metadata.get("general.file_type")
    if isinstance(ft, int) and not isinstance(ft, bool):
        label = gg.LLAMA_FTYPES.get(ft & ~1024)  # 1024: LLAMA_FTYPE_GUESSED
        if label in FTYPES:
            return label
    by: dict[str, int] = {}
    for t in g.tensors:
        if len(t.shape) >= 2 and t.shape[1] > 1:
            by[t.type] = by.get(t.type, 0) + t.n_bytes
    if not by:
        return None
    top = max(by, key=lambda k: by[k])
    label = _DOMINANT_FTYPE.get(top, top.upper())
    return label if label in FTYPES else None


__all__ = ["arch_from_gguf", "gguf_quant"]
