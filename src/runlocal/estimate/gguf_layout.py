"""The tensors of a GGUF file, computed from architecture facts alone (no model file).

Names follow ``LLM_TENSOR_NAMES`` in src/llama-arch.cpp and shapes follow each architecture's
``load_arch_tensors`` in src/models/*.cpp of the llama.cpp tree vendored by llama-cpp-python 0.3.36.
Shapes are in GGUF order: ne0 (the contiguous row length) first, so a linear layer mapping n_in to n_out
features is ``(n_in, n_out)`` and a stack of experts is ``(n_in, n_out, n_expert)``.

What is left out on purpose: tensors of a few hundred bytes that depend on facts the Architecture does not
carry (``rope_freqs.weight`` of Llama 3.1, Phi-3 long/short rope factors), and vision/audio towers.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import prod

from .specs import FULL, LINEAR, SLIDING, Architecture


@dataclass(frozen=True)
class TensorSpec:
    name: str
    shape: tuple[int, ...]  # GGUF order, ne0 first

    @property
    def n_elements(self) -> int:
        return prod(self.shape)

    @property
    def n_dims(self) -> int:
        return len(self.shape)


# architectures with LayerNorm (weight + bias) instead of RMSNorm
_LAYERNORM_BIAS = frozenset({"phi2", "falcon", "starcoder", "stablelm"})
# architectures whose GGUF never carries output.weight (the output reuses token_embd)
_ALWAYS_TIED = frozenset({"gemma", "gemma2", "gemma3n", "gemma4"})
# architectures that always have q/k/v biases
_QKV_BIAS = frozenset({"qwen2", "qwen2moe", "phi2", "starcoder"})


def _w(name: str, *shape: int) -> TensorSpec:
    return TensorSpec(f"{name}.weight", tuple(shape))


def _b(name: str, *shape: int) -> TensorSpec:
    return TensorSpec(f"{name}.bias", tuple(shape))


def _norm(a: Architecture, name: str, n: int) -> list[TensorSpec]:
    out = [_w(name, n)]
    if a.arch in _LAYERNORM_BIAS:
        out.append(_b(name, n))
    return out


def _q_dim(a: Architecture) -> int:
    return a.n_heads * a.head_dim


def _kv_dim(a: Architecture) -> int:
    return a.n_kv_heads * a.head_dim


def _has_qkv_bias(a: Architecture) -> bool:
    return a.attn_bias or a.arch in _QKV_BIAS


def _is_tied(a: Architecture) -> bool:
    return a.tie_embeddings or a.arch in _ALWAYS_TIED


def _moe_width(a: Architecture) -> int:
    return a.moe_intermediate_size or a.intermediate_size


def _shared_width(a: Architecture) -> int:
    if a.shared_expert_intermediate_size:
        return a.shared_expert_intermediate_size
    return a.n_shared_experts * _moe_width(a)


# --- attention ---------------------------------------------------------------------------------------


def _attn_separate(a: Architecture, p: str) -> list[TensorSpec]:
    """attn_q/attn_k/attn_v (+ biases, + per-head q/k norms) and attn_output."""
    d, q, kv = a.hidden_size, _q_dim(a), _kv_dim(a)
    out = [_w(f"{p}.attn_q", d, q), _w(f"{p}.attn_k", d, kv), _w(f"{p}.attn_v", d, kv)]
    if _has_qkv_bias(a):
        out += [_b(f"{p}.attn_q", q), _b(f"{p}.attn_k", kv), _b(f"{p}.attn_v", kv)]
    if a.qk_norm:
        if a.arch == "stablelm":  # per-head LayerNorm weights, one row per head
            out += [
                _w(f"{p}.attn_q_norm", a.head_dim, a.n_heads),
                _w(f"{p}.attn_k_norm", a.head_dim, a.n_kv_heads),
            ]
        else:
            out += [_w(f"{p}.attn_q_norm", a.head_dim), _w(f"{p}.attn_k_norm", a.head_dim)]
    out.append(_w(f"{p}.attn_output", q, d))
    if a.arch in ("phi2", "gpt-oss"):
        out.append(_b(f"{p}.attn_output", d))
    return out


def _attn_fused(a: Architecture, p: str, bias: bool) -> list[TensorSpec]:
    """One attn_qkv projection (Phi-3, Falcon, MPT, StarCoder) and attn_output."""
    d, q, kv = a.hidden_size, _q_dim(a), _kv_dim(a)
    out = [_w(f"{p}.attn_qkv", d, q + 2 * kv)]
    if bias:
        out.append(_b(f"{p}.attn_qkv", q + 2 * kv))
    out.append(_w(f"{p}.attn_output", q, d))
    if bias:
        out.append(_b(f"{p}.attn_output", d))
    return out


def _attn_mla(a: Architecture, p: str) -> list[TensorSpec]:
    """DeepSeek V2/V3 multi-head latent attention, with kv_b split into attn_k_b / attn_v_b."""
    d, h = a.hidden_size, a.n_heads
    rope, nope = a.qk_rope_head_dim, a.qk_nope_head_dim
    v_hd = a.v_head_dim or nope
    out: list[TensorSpec] = []
    if a.q_lora_rank:
        out += [
            _w(f"{p}.attn_q_a", d, a.q_lora_rank),
            _w(f"{p}.attn_q_a_norm", a.q_lora_rank),
            _w(f"{p}.attn_q_b", a.q_lora_rank, h * (nope + rope)),
        ]
    else:
        out.append(_w(f"{p}.attn_q", d, h * (nope + rope)))
    out += [
        _w(f"{p}.attn_kv_a_mqa", d, a.kv_lora_rank + rope),
        _w(f"{p}.attn_kv_a_norm", a.kv_lora_rank),
        _w(f"{p}.attn_k_b", nope, a.kv_lora_rank, h),
        _w(f"{p}.attn_v_b", a.kv_lora_rank, v_hd, h),
        _w(f"{p}.attn_output", h * v_hd, d),
    ]
    return out


# --- feed-forward ------------------------------------------------------------------------------------


def _ffn_dense(a: Architecture, p: str, width: int, bias: bool = False) -> list[TensorSpec]:
    d = a.hidden_size
    out: list[TensorSpec] = []
    if a.arch == "phi3":  # gate and up fused into one ffn_up of twice the width
        out.append(_w(f"{p}.ffn_up", d, 2 * width))
    else:
        if a.ffn_gated:
            out.append(_w(f"{p}.ffn_gate", d, width))
        out.append(_w(f"{p}.ffn_up", d, width))
        if bias:
            out.append(_b(f"{p}.ffn_up", width))
    out.append(_w(f"{p}.ffn_down", width, d))
    if bias:
        out.append(_b(f"{p}.ffn_down", d))
    return out


def _ffn_moe(a: Architecture, p: str) -> list[TensorSpec]:
    d, e, w = a.hidden_size, a.n_experts, _moe_width(a)
    out = [_w(f"{p}.ffn_gate_inp", d, e)]
    if a.arch == "gpt-oss":
        out.append(_b(f"{p}.ffn_gate_inp", e))
    if a.arch == "glm4moe" or (a.arch in ("deepseek2", "deepseek32", "glm-dsa") and e >= 256):  # noaux_tc bias
        out.append(_b(f"{p}.exp_probs_b", e))
    out += [
        _w(f"{p}.ffn_gate_exps", d, w, e),
        _w(f"{p}.ffn_up_exps", d, w, e),
        _w(f"{p}.ffn_down_exps", w, d, e),
    ]
    if a.arch == "gpt-oss":
        out += [_b(f"{p}.ffn_gate_exps", w, e), _b(f"{p}.ffn_up_exps", w, e), _b(f"{p}.ffn_down_exps", d, e)]
    sw = _shared_width(a)
    if sw:
        out += [
            _w(f"{p}.ffn_gate_shexp", d, sw),
            _w(f"{p}.ffn_up_shexp", d, sw),
            _w(f"{p}.ffn_down_shexp", sw, d),
        ]
    return out


def _ffn(a: Architecture, p: str, i: int) -> list[TensorSpec]:
    if a.is_moe_layer(i):
        return _ffn_moe(a, p)
    return _ffn_dense(a, p, a.intermediate_size)


# --- blocks per architecture -------------------------------------------------------------------------


def _block_llama_like(a: Architecture, i: int) -> list[TensorSpec]:
    """llama, mistral, mixtral, qwen2, qwen3, qwen3moe, gemma, gemma2, gemma3, stablelm, and the fallback."""
    p, d = f"blk.{i}", a.hidden_size
    post_norms = a.arch in ("gemma2", "gemma3")
    out = _norm(a, f"{p}.attn_norm", d) + _attn_separate(a, p)
    if post_norms:
        out.append(_w(f"{p}.post_attention_norm", d))
    if not a.parallel_attn_ffn:
        out += _norm(a, f"{p}.ffn_norm", d)
    out += _ffn(a, p, i)
    if post_norms:
        out.append(_w(f"{p}.post_ffw_norm", d))
    return out


def _block_phi2(a: Architecture, i: int) -> list[TensorSpec]:
    p = f"blk.{i}"
    return (
        _norm(a, f"{p}.attn_norm", a.hidden_size)
        + _attn_separate(a, p)
        + _ffn_dense(a, p, a.intermediate_size, bias=True)
    )


def _block_phi3(a: Architecture, i: int) -> list[TensorSpec]:
    p, d = f"blk.{i}", a.hidden_size
    return [_w(f"{p}.attn_norm", d), *_attn_fused(a, p, False), _w(f"{p}.ffn_norm", d), *_ffn(a, p, i)]


def _block_falcon(a: Architecture, i: int) -> list[TensorSpec]:
    p, d = f"blk.{i}", a.hidden_size
    out = _norm(a, f"{p}.attn_norm", d)
    if a.n_kv_heads > 1:  # "new decoder architecture" (40B, 180B): separate ln_attn and ln_mlp
        out += _norm(a, f"{p}.attn_norm_2", d)
    return out + _attn_fused(a, p, False) + _ffn_dense(a, p, a.intermediate_size)


def _block_gpt2_like(a: Architecture, i: int) -> list[TensorSpec]:
    """MPT (no biases) and StarCoder (biases everywhere): fused qkv, up/down FFN."""
    p, d = f"blk.{i}", a.hidden_size
    bias = a.arch == "starcoder"
    out = [_w(f"{p}.attn_norm", d)] + ([_b(f"{p}.attn_norm", d)] if bias else [])
    out += _attn_fused(a, p, bias)
    out += [_w(f"{p}.ffn_norm", d)] + ([_b(f"{p}.ffn_norm", d)] if bias else [])
    return out + _ffn_dense(a, p, a.intermediate_size, bias=bias)


def _block_deepseek2(a: Architecture, i: int) -> list[TensorSpec]:
    p, d = f"blk.{i}", a.hidden_size
    return [_w(f"{p}.attn_norm", d), *_attn_mla(a, p), _w(f"{p}.ffn_norm", d), *_ffn(a, p, i)]


def _indexer(a: Architecture, p: str) -> list[TensorSpec]:
    """DeepSeek V3.2's lightning indexer (src/models/deepseek32.cpp): a LayerNorm on its keys, a per-head weight
    projection, its own K projection and a query projection from the q_a latent."""
    d, ih, ihd = a.hidden_size, a.indexer_n_heads, a.indexer_head_dim
    return [
        _w(f"{p}.indexer.k_norm", ihd),
        _b(f"{p}.indexer.k_norm", ihd),
        _w(f"{p}.indexer.proj", d, ih),
        _w(f"{p}.indexer.attn_k", d, ihd),
        _w(f"{p}.indexer.attn_q_b", a.q_lora_rank, ih * ihd),
    ]


def _block_deepseek32(a: Architecture, i: int) -> list[TensorSpec]:
    """DeepSeek V3.2: the deepseek2 block plus the indexer; the converter keeps the MTP block (blk.61) as a full
    MoE block with the NextN input fusion."""
    p, d = f"blk.{i}", a.hidden_size
    out = [_w(f"{p}.attn_norm", d), *_attn_mla(a, p), *_indexer(a, p), _w(f"{p}.ffn_norm", d)]
    if i >= a.n_layers:
        return out + _ffn_moe(a, p) + _nextn(a, p)
    return out + _ffn(a, p, i)


def _block_gpt_oss(a: Architecture, i: int) -> list[TensorSpec]:
    p, d = f"blk.{i}", a.hidden_size
    return [
        _w(f"{p}.attn_norm", d),
        *_attn_separate(a, p),
        _w(f"{p}.attn_sinks", a.n_heads),
        _w(f"{p}.post_attention_norm", d),
        *_ffn_moe(a, p),
    ]


def _block_glm4moe(a: Architecture, i: int) -> list[TensorSpec]:
    p, d = f"blk.{i}", a.hidden_size
    out = [_w(f"{p}.attn_norm", d), *_attn_separate(a, p), _w(f"{p}.post_attention_norm", d), *_ffn(a, p, i)]
    if i >= a.n_layers:  # NextN / multi-token-prediction block appended after the trunk
        out += [
            _w(f"{p}.nextn.eh_proj", 2 * d, d),
            _w(f"{p}.nextn.enorm", d),
            _w(f"{p}.nextn.hnorm", d),
            _w(f"{p}.nextn.shared_head_norm", d),
        ]
    return out


# --- hybrid recurrent / attention architectures ------------------------------------------------------
# Layer kinds come from Architecture.layer_kinds(): "linear" is a recurrent mixer (Mamba-2 for Nemotron-H,
# Gated DeltaNet for Qwen3-Next/3.5), "full" an attention layer, "none" (Nemotron-H) an FFN/MoE-only block.

_NEMOTRON_H = frozenset({"nemotron_h", "nemotron_h_moe"})
_QWEN_HYBRID = frozenset({"qwen3next", "qwen35", "qwen35moe"})
_MTP_ARCHS = frozenset({"glm4moe", "deepseek32", "glm-dsa"}) | _NEMOTRON_H | _QWEN_HYBRID


def _mamba2_dims(a: Architecture) -> tuple[int, int, int, int, int]:
    """(d_inner, d_state, n_group, n_ssm_head, d_conv) as llama.cpp's nemotron_h hparams hold them."""
    d_inner = a.ssm_d_inner or 2 * a.hidden_size
    n_head = a.ssm_n_heads or d_inner // 64  # Mamba2Model: time_step_rank = d_inner // head_dim (64)
    return d_inner, a.ssm_d_state or 128, a.ssm_n_groups or 1, n_head, a.ssm_conv_kernel or 4


def _mixer_mamba2(a: Architecture, p: str) -> list[TensorSpec]:
    """llama_model_nemotron_h::load_arch_tensors, recurrent layer (conv1d bias as the checkpoints carry it)."""
    d = a.hidden_size
    d_inner, d_state, n_group, n_head, d_conv = _mamba2_dims(a)
    conv = d_inner + 2 * n_group * d_state
    return [
        _w(f"{p}.ssm_in", d, 2 * d_inner + 2 * n_group * d_state + n_head),
        _w(f"{p}.ssm_conv1d", d_conv, conv),
        _b(f"{p}.ssm_conv1d", conv),
        _b(f"{p}.ssm_dt", n_head),
        TensorSpec(f"{p}.ssm_a", (1, n_head)),  # no ".weight" suffix (LLM_TENSOR_SSM_A)
        TensorSpec(f"{p}.ssm_d", (1, n_head)),
        _w(f"{p}.ssm_norm", d_inner // n_group, n_group),
        _w(f"{p}.ssm_out", d_inner, d),
    ]


def _ffn_nemotron_h(a: Architecture, p: str) -> list[TensorSpec]:
    """Nemotron-H FFN block: squared-ReLU up/down, routed experts + one shared expert, sigmoid router bias."""
    d = a.hidden_size
    if not a.n_experts:
        return [_w(f"{p}.ffn_down", a.intermediate_size, d), _w(f"{p}.ffn_up", d, a.intermediate_size)]
    e, w, sw = a.n_experts, _moe_width(a), _shared_width(a)
    lat = a.moe_latent_size  # LatentMoE (Nemotron 3 Super): the experts work at this width between two projections
    return [
        _w(f"{p}.ffn_gate_inp", d, e),
        _b(f"{p}.exp_probs_b", e),
        *([_w(f"{p}.ffn_latent_down", d, lat), _w(f"{p}.ffn_latent_up", lat, d)] if lat else []),
        _w(f"{p}.ffn_down_exps", w, lat or d, e),
        _w(f"{p}.ffn_up_exps", lat or d, w, e),
        _w(f"{p}.ffn_down_shexp", sw, d),
        _w(f"{p}.ffn_up_shexp", d, sw),
    ]


def _attn_plain(a: Architecture, p: str) -> list[TensorSpec]:
    d, q, kv = a.hidden_size, _q_dim(a), _kv_dim(a)
    return [_w(f"{p}.attn_q", d, q), _w(f"{p}.attn_k", d, kv), _w(f"{p}.attn_v", d, kv), _w(f"{p}.attn_output", q, d)]


def _nextn(a: Architecture, p: str) -> list[TensorSpec]:
    """The NextN input-fusion tensors of an appended multi-token-prediction block."""
    d = a.hidden_size
    return [
        _w(f"{p}.nextn.eh_proj", 2 * d, d),
        _w(f"{p}.nextn.enorm", d),
        _w(f"{p}.nextn.hnorm", d),
        _w(f"{p}.nextn.shared_head_norm", d),
    ]


def _block_nemotron_h(a: Architecture, i: int) -> list[TensorSpec]:
    """One character of hybrid_override_pattern per block: M (Mamba-2), * (attention) or E/- (MoE/MLP)."""
    p, d = f"blk.{i}", a.hidden_size
    if i >= a.n_layers:  # MTP block: attention and MoE sub-layers folded into one block
        return [
            *_nextn(a, p),
            _w(f"{p}.attn_norm", d),
            *_attn_plain(a, p),
            _w(f"{p}.post_attention_norm", d),
            *_ffn_nemotron_h(a, p),
        ]
    kind = a.kind_of_layer(i)
    out = [_w(f"{p}.attn_norm", d)]
    if kind == LINEAR:
        return out + _mixer_mamba2(a, p)
    if kind in (FULL, SLIDING):
        return out + _attn_plain(a, p)
    return out + _ffn_nemotron_h(a, p)


def _mixer_mamba1(a: Architecture, p: str, *, dt_bc_norms: bool = False) -> list[TensorSpec]:
    """A Mamba-1 mixer as llama.cpp loads it (LLM_ARCH_MAMBA, and Jamba's Mamba layers, which add weighted RMS norms
    on dt, B and C): dt_rank = ceil(hidden / 16), Mamba's "auto" rank, which Falcon Mamba and Jamba use."""
    d = a.hidden_size
    d_inner, d_state, d_conv = a.ssm_d_inner or 2 * d, a.ssm_d_state or 16, a.ssm_conv_kernel or 4
    rank = -(-d // 16)
    out = [
        _w(f"{p}.ssm_in", d, 2 * d_inner),
        _w(f"{p}.ssm_conv1d", d_conv, d_inner),
        _b(f"{p}.ssm_conv1d", d_inner),
        _w(f"{p}.ssm_x", d_inner, rank + 2 * d_state),
        _w(f"{p}.ssm_dt", rank, d_inner),
        _b(f"{p}.ssm_dt", d_inner),
        TensorSpec(f"{p}.ssm_a", (d_state, d_inner)),  # no ".weight" suffix (LLM_TENSOR_SSM_A)
        TensorSpec(f"{p}.ssm_d", (d_inner,)),
        _w(f"{p}.ssm_out", d_inner, d),
    ]
    if dt_bc_norms:
        out += [_w(f"{p}.ssm_dt_norm", rank), _w(f"{p}.ssm_b_norm", d_state), _w(f"{p}.ssm_c_norm", d_state)]
    return out


def _block_mamba(a: Architecture, i: int) -> list[TensorSpec]:
    """Mamba / Falcon Mamba (LLM_ARCH_MAMBA): every block a norm and a Mamba-1 mixer, no attention, no FFN."""
    p = f"blk.{i}"
    return [_w(f"{p}.attn_norm", a.hidden_size), *_mixer_mamba1(a, p)]


def _block_jamba(a: Architecture, i: int) -> list[TensorSpec]:
    """Jamba (LLM_ARCH_JAMBA): each block a Mamba-1 mixer (with dt/B/C norms) or an attention layer, then a SwiGLU
    FFN: routed experts on every moe_layer_step-th block, a dense MLP on the others."""
    p, d = f"blk.{i}", a.hidden_size
    out = [_w(f"{p}.attn_norm", d)]
    out += _mixer_mamba1(a, p, dt_bc_norms=True) if a.kind_of_layer(i) == LINEAR else _attn_plain(a, p)
    out.append(_w(f"{p}.ffn_norm", d))
    return out + (_ffn_moe(a, p) if a.n_experts and a.is_moe_layer(i) else _ffn_dense(a, p, a.intermediate_size))


def _block_falcon_h1(a: Architecture, i: int) -> list[TensorSpec]:
    """Falcon-H1 (src/models/falcon-h1.cpp): attention and a Mamba-2 mixer side by side on the same normed input,
    then a SwiGLU FFN. The FFN norm is stored as blk.N.ffn_norm without a .weight suffix."""
    p, d = f"blk.{i}", a.hidden_size
    return [_w(f"{p}.attn_norm", d), *_mixer_mamba2(a, p), *_attn_plain(a, p), TensorSpec(f"{p}.ffn_norm", (d,)),
            *_ffn_dense(a, p, a.intermediate_size)]


def _block_granitehybrid(a: Architecture, i: int) -> list[TensorSpec]:
    """Granite 4.0 H (llama_model_granite_hybrid::load_arch_tensors): each block's mixer is a Mamba-2 layer or an
    attention layer, as config.json's layer_types says, then the SwiGLU FFN: routed experts with a shared expert
    (H Tiny, H Small) or a dense MLP (H 1B)."""
    p, d = f"blk.{i}", a.hidden_size
    out = [_w(f"{p}.attn_norm", d)]
    out += _mixer_mamba2(a, p) if a.kind_of_layer(i) == LINEAR else _attn_separate(a, p)
    out.append(_w(f"{p}.ffn_norm", d))
    return out + (_ffn_moe(a, p) if a.n_experts else _ffn_dense(a, p, a.intermediate_size))


def _ple(a: Architecture, p: str) -> list[TensorSpec]:
    """Per-layer-embedding input of one block: gate down to the per-layer width, project back, norm."""
    d, n = a.hidden_size, a.per_layer_input_size
    return [_w(f"{p}.inp_gate", d, n), _w(f"{p}.proj", n, d), _w(f"{p}.post_norm", d)] if n else []


def _block_gemma4(a: Architecture, i: int) -> list[TensorSpec]:
    """llama_model_gemma4::load_arch_tensors: full layers have their own head width and KV heads (and no V
    projection when attention_k_eq_v); KV-shared layers still carry k/v/k_norm in published files; every layer has
    the dense MLP (twice as wide on KV-shared layers with use_double_wide_mlp) and, on the MoE model, 128 experts
    with a fused gate+up tensor beside it."""
    p, d = f"blk.{i}", a.hidden_size
    kind = a.kind_of_layer(i)
    heads, hd = a.layer_dims(kind)
    q, kv = a.n_heads * hd, heads * hd
    out = [_w(f"{p}.attn_norm", d), _w(f"{p}.attn_q", d, q), _w(f"{p}.attn_k", d, kv)]
    if not (a.attn_k_eq_v and kind == FULL):
        out.append(_w(f"{p}.attn_v", d, kv))
    out += [_w(f"{p}.attn_output", q, d), _w(f"{p}.attn_q_norm", hd), _w(f"{p}.attn_k_norm", hd),
            _w(f"{p}.post_attention_norm", d), _w(f"{p}.layer_output_scale", 1), _w(f"{p}.ffn_norm", d)]
    ff = a.intermediate_size * (2 if a.double_wide_mlp and not a.owns_kv(i) else 1)
    out += [_w(f"{p}.ffn_gate", d, ff), _w(f"{p}.ffn_up", d, ff), _w(f"{p}.ffn_down", ff, d),
            _w(f"{p}.post_ffw_norm", d)]
    if a.is_moe_layer(i):
        e, w = a.n_experts, _moe_width(a)
        out += [_w(f"{p}.ffn_gate_inp", d, e), TensorSpec(f"{p}.ffn_gate_inp.scale", (d,)),
                _w(f"{p}.pre_ffw_norm_2", d), _w(f"{p}.post_ffw_norm_1", d), _w(f"{p}.post_ffw_norm_2", d),
                _w(f"{p}.ffn_gate_up_exps", d, 2 * w, e), _w(f"{p}.ffn_down_exps", w, d, e),
                TensorSpec(f"{p}.ffn_down_exps.scale", (e,))]
    return out + _ple(a, p)


def _block_gemma3n(a: Architecture, i: int) -> list[TensorSpec]:
    """llama_model_gemma3n::load_arch_tensors: the Gemma 3 block plus per-layer embeddings, AltUp (4 copies of the
    hidden state) and the LAuReL low-rank residual; every layer, KV-shared or not, carries k and v."""
    p, d = f"blk.{i}", a.hidden_size
    n_alt, rank = a.altup_inputs or 4, a.laurel_rank or 64
    return [
        _w(f"{p}.attn_norm", d), *_attn_separate(a, p), _w(f"{p}.post_attention_norm", d), _w(f"{p}.ffn_norm", d),
        *_ffn_dense(a, p, a.intermediate_size), _w(f"{p}.post_ffw_norm", d), *_ple(a, p),
        _w(f"{p}.altup_correct_coef", n_alt, n_alt), _w(f"{p}.altup_correct_scale", d),
        _w(f"{p}.altup_predict_coef", n_alt, n_alt * n_alt), _w(f"{p}.altup_router", d, n_alt),
        _w(f"{p}.altup_router_norm", d), _w(f"{p}.laurel_l", d, rank), _w(f"{p}.laurel_r", rank, d),
        _w(f"{p}.laurel_post_norm", d),
    ]


def _gdn_dims(a: Architecture) -> tuple[int, int, int, int]:
    """(key heads, key head dim, value heads, conv kernel) of the Gated DeltaNet layers.

    llama.cpp takes the value head dim from ssm_d_state (= linear_key_head_dim), so key and value head dims
    must agree; the defaults are the values every Qwen3-Next / Qwen3.5 / Qwen3.6 config uses.
    """
    hk = a.linear_key_head_dim or 128
    if a.linear_value_head_dim and a.linear_value_head_dim != hk:
        raise ValueError("llama.cpp's Gated DeltaNet needs linear_key_head_dim == linear_value_head_dim")
    return a.linear_num_key_heads or 16, hk, a.linear_num_value_heads or 32, a.ssm_conv_kernel or 4


def _mixer_gated_deltanet(a: Architecture, p: str) -> list[TensorSpec]:
    """Linear-attention layer of llama_model_qwen3next / qwen35 / qwen35moe::load_arch_tensors."""
    d = a.hidden_size
    n_k, hd, n_v, d_conv = _gdn_dims(a)
    key_dim, value_dim = n_k * hd, n_v * hd
    out = [
        _w(f"{p}.attn_qkv", d, 2 * key_dim + value_dim),
        _w(f"{p}.attn_gate", d, value_dim),
        _w(f"{p}.ssm_conv1d", d_conv, 2 * key_dim + value_dim),
        _b(f"{p}.ssm_dt", n_v),
        TensorSpec(f"{p}.ssm_a", (n_v,)),  # LLM_TENSOR_SSM_A_NOSCAN: no ".weight" suffix
    ]
    if a.arch == "qwen3next":  # in_proj_ba kept as one tensor
        out.append(_w(f"{p}.ssm_ba", d, 2 * n_v))
    else:  # Qwen3.5 in_proj_b / in_proj_a
        out += [_w(f"{p}.ssm_beta", d, n_v), _w(f"{p}.ssm_alpha", d, n_v)]
    return out + [_w(f"{p}.ssm_norm", hd), _w(f"{p}.ssm_out", value_dim, d)]


def _attn_gated(a: Architecture, p: str) -> list[TensorSpec]:
    """Gated full attention: attn_q carries query and output gate (2 x n_heads x head_dim), per-head q/k norms."""
    d, q, kv = a.hidden_size, _q_dim(a), _kv_dim(a)
    return [
        _w(f"{p}.attn_q", d, 2 * q),
        _w(f"{p}.attn_k", d, kv),
        _w(f"{p}.attn_v", d, kv),
        _w(f"{p}.attn_output", q, d),
        _w(f"{p}.attn_q_norm", a.head_dim),
        _w(f"{p}.attn_k_norm", a.head_dim),
    ]


def _ffn_qwen_hybrid(a: Architecture, p: str) -> list[TensorSpec]:
    d = a.hidden_size
    if a.arch == "qwen35":
        return _ffn_dense(a, p, a.intermediate_size)
    e, w, sw = a.n_experts, _moe_width(a), _shared_width(a) or a.intermediate_size
    return [
        _w(f"{p}.ffn_gate_inp", d, e),
        _w(f"{p}.ffn_down_exps", w, d, e),
        _w(f"{p}.ffn_gate_exps", d, w, e),
        _w(f"{p}.ffn_up_exps", d, w, e),
        _w(f"{p}.ffn_gate_inp_shexp", d),  # sigmoid gate of the shared expert: one row
        _w(f"{p}.ffn_gate_shexp", d, sw),
        _w(f"{p}.ffn_up_shexp", d, sw),
        _w(f"{p}.ffn_down_shexp", sw, d),
    ]


def _block_qwen_hybrid(a: Architecture, i: int) -> list[TensorSpec]:
    """Qwen3-Next, Qwen3.5 and Qwen3.6 (dense and MoE): Gated DeltaNet or gated attention, then the FFN."""
    p, d = f"blk.{i}", a.hidden_size
    mtp = i >= a.n_layers  # appended MTP blocks are full-attention blocks
    out = [_w(f"{p}.attn_norm", d), _w(f"{p}.post_attention_norm", d)]
    if not mtp and a.kind_of_layer(i) == LINEAR:
        out += _mixer_gated_deltanet(a, p)
    else:
        out += _attn_gated(a, p)
    out += _ffn_qwen_hybrid(a, p)
    return out + (_nextn(a, p) if mtp else [])


# --- LFM2 (Liquid AI): gated short convolutions and GQA attention -----------------------------------
_LFM2 = frozenset({"lfm2", "lfm2moe"})


def _ffn_lfm2(a: Architecture, p: str, i: int) -> list[TensorSpec]:
    """llama_model_lfm2::load_arch_tensors: a SwiGLU FFN on every layer; past the leading dense layers
    (lfm2moe: leading_dense_block_count) routed experts with a sigmoid router bias (exp_probs_b, required)."""
    d = a.hidden_size
    if not a.is_moe_layer(i):
        ff = a.intermediate_size
        return [_w(f"{p}.ffn_gate", d, ff), _w(f"{p}.ffn_down", ff, d), _w(f"{p}.ffn_up", d, ff)]
    e, w = a.n_experts, _moe_width(a)
    return [
        _w(f"{p}.ffn_gate_inp", d, e),
        _w(f"{p}.ffn_gate_exps", d, w, e),
        _w(f"{p}.ffn_down_exps", w, d, e),
        _w(f"{p}.ffn_up_exps", d, w, e),
        _b(f"{p}.exp_probs_b", e),
    ]


def _mixer_shortconv(a: Architecture, p: str) -> list[TensorSpec]:
    """The conv block: in_proj to B, C, x (3 x hidden), a depthwise causal conv of conv_L_cache taps (the
    converter squeezes HF's (hidden, 1, L) to 2-D: ne0 = L), out_proj; no biases (conv_bias false)."""
    d = a.hidden_size
    return [
        _w(f"{p}.shortconv.conv", a.ssm_conv_kernel or 3, d),
        _w(f"{p}.shortconv.in_proj", d, 3 * d),
        _w(f"{p}.shortconv.out_proj", d, d),
    ]


def _block_lfm2(a: Architecture, i: int) -> list[TensorSpec]:
    """LFM2 / LFM2-MoE (src/models/lfm2.cpp): ffn_norm and the FFN, the operator norm (attn_norm), then a short
    convolution on conv layers (head_count_kv 0, layer kind LINEAR) or GQA attention with per-head RMS q/k norms
    (always present, whatever qk_norm says: a GGUF's blk.0 is a conv layer)."""
    p, d = f"blk.{i}", a.hidden_size
    out = [_w(f"{p}.ffn_norm", d), *_ffn_lfm2(a, p, i), _w(f"{p}.attn_norm", d)]
    if a.kind_of_layer(i) == LINEAR:
        return out + _mixer_shortconv(a, p)
    q, kv = _q_dim(a), _kv_dim(a)
    return out + [
        _w(f"{p}.attn_q_norm", a.head_dim),
        _w(f"{p}.attn_k_norm", a.head_dim),
        _w(f"{p}.attn_q", d, q),
        _w(f"{p}.attn_k", d, kv),
        _w(f"{p}.attn_v", d, kv),
        _w(f"{p}.attn_output", q, d),
    ]


def _block_deci(a: Architecture, i: int) -> list[TensorSpec]:
    """DeciLM / Llama-Nemotron NAS models (LLM_ARCH_DECI load_tensors, src/models/deci.cpp): each layer has its own
    KV heads, query heads and FFN width (the converter's per-layer head_count_kv / head_count / feed_forward_length).
    A layer with query heads but no KV heads is "linear attention": attn_norm and one attn_output of hidden x hidden;
    one with no heads has no attention tensors at all (the graph skips the norm too); one with FFN width 0 has no
    ffn_norm / gate / up / down (the graph's ``if (n_ff == 0) continue``)."""
    p, d = f"blk.{i}", a.hidden_size
    kv, heads, ff = a.layer_kv_heads(i), a.layer_heads(i), a.layer_ffn_width(i)
    out: list[TensorSpec] = []
    if kv:
        q, kvd = heads * a.head_dim, kv * a.head_dim
        out += [_w(f"{p}.attn_norm", d), _w(f"{p}.attn_q", d, q), _w(f"{p}.attn_k", d, kvd),
                _w(f"{p}.attn_v", d, kvd), _w(f"{p}.attn_output", q, d)]
        if _has_qkv_bias(a):
            out += [_b(f"{p}.attn_q", q), _b(f"{p}.attn_k", kvd), _b(f"{p}.attn_v", kvd)]
    elif heads:
        out += [_w(f"{p}.attn_norm", d), _w(f"{p}.attn_output", d, d)]
    if ff:
        out += [_w(f"{p}.ffn_norm", d), *_ffn_dense(a, p, ff)]
    return out


_BLOCKS = {
    "deci": _block_deci,
    "phi2": _block_phi2,
    "phi3": _block_phi3,
    "falcon": _block_falcon,
    "mpt": _block_gpt2_like,
    "starcoder": _block_gpt2_like,
    "deepseek2": _block_deepseek2,
    "deepseek32": _block_deepseek32,
    "glm-dsa": _block_deepseek32,  # GLM-5: the same DSA block (src/models/glm-dsa.cpp)
    "falcon-h1": _block_falcon_h1,
    "mamba": _block_mamba,
    "jamba": _block_jamba,
    "granitehybrid": _block_granitehybrid,
    "gemma4": _block_gemma4,
    "gemma3n": _block_gemma3n,
    "gpt-oss": _block_gpt_oss,
    "glm4moe": _block_glm4moe,
    "nemotron_h": _block_nemotron_h,
    "nemotron_h_moe": _block_nemotron_h,
    "qwen3next": _block_qwen_hybrid,
    "qwen35": _block_qwen_hybrid,
    "qwen35moe": _block_qwen_hybrid,
    "lfm2": _block_lfm2,
    "lfm2moe": _block_lfm2,
}


def n_blocks(a: Architecture) -> int:
    """Blocks in the file: the trunk plus, where the converter writes them, the appended NextN/MTP layers."""
    return a.n_layers + (a.nextn_layers if a.arch in _MTP_ARCHS else 0)


def _head(a: Architecture) -> list[TensorSpec]:
    d = a.hidden_size
    out = [_w("token_embd", d, a.vocab_size)]
    if a.arch == "starcoder":
        out.append(_w("position_embd", d, a.context_length))
    if a.arch == "gemma4" and a.global_head_dim:  # proportional RoPE factors, one table shared by the full layers
        out.append(_w("rope_freqs", a.global_head_dim // 2))
    if a.arch == "gemma3n":
        n_alt = a.altup_inputs or 4
        out += [_w("altup_proj", d, d, n_alt - 1), _w("altup_unembd_proj", d, d, n_alt - 1)]
    if a.per_layer_input_size:
        n = a.per_layer_input_size * a.n_layers
        out += [_w("per_layer_token_embd", n, a.vocab_size), _w("per_layer_model_proj", d, n),
                _w("per_layer_proj_norm", a.per_layer_input_size)]
    return out


def _tail(a: Architecture) -> list[TensorSpec]:
    d = a.hidden_size
    # LFM2's final norm is stored as token_embd_norm (LLM_TENSOR_OUTPUT_NORM_LFM2, "fix for wrong tensor name")
    out = _norm(a, "token_embd_norm" if a.arch in _LFM2 else "output_norm", d)
    if not _is_tied(a) or a.arch in ("phi2", "gpt-oss"):
        out.append(_w("output", d, a.vocab_size))
        if a.arch == "phi2":
            out.append(_b("output", a.vocab_size))
    return out


def gguf_tensors(a: Architecture) -> list[TensorSpec]:
    """Every tensor of the text model's GGUF file: token_embd, blk.N.* per layer, output_norm, output."""
    block = _BLOCKS.get(a.arch, _block_llama_like)
    out = _head(a)
    for i in range(n_blocks(a)):
        out += block(a, i)
    return out + _tail(a)
