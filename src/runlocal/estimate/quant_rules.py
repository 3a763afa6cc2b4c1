"""Which GGML type llama-quantize gives each tensor, for each llama.cpp file type (ftype).

A faithful port of ``llama_tensor_get_type`` / ``llama_tensor_get_type_impl`` / ``tensor_type_fallback`` /
``tensor_allows_quantization`` / ``tensor_get_category`` / ``init_quantize_state_counters`` in
src/llama-quant.cpp of the llama.cpp tree vendored by llama-cpp-python 0.3.36 (vendor/llama.cpp), checked
against every section of that tree's tests/snapshots/*.schema (the expectations of
tests/test-quant-type-selection.cpp, which run with ``imatrix=False``). Default quantize parameters are
assumed (no --pure, no --output-tensor-type / --token-embedding-type / --tensor-type overrides).

``imatrix`` says whether an importance matrix was given; it changes the IQ3_XXS attn_v / ffn_down choices
and the first eighth of ffn_down for IQ4_NL / IQ4_XS (and Q4_0 / Q5_0). ``None`` (the default) assumes
one exactly where llama-quantize refuses to run without it (``tensor_requires_imatrix``: IQ1/IQ2/IQ3_XXS
types, Q2_K_S), which is how such files are made in practice.

Tensors are visited in llama_model_loader's ``weight_name_comparer`` order (layer number, then name), as the
use_more_bits counters over attn_v / ffn_down depend on it. Tensors the quantizer leaves alone keep the type
the HF->GGUF converter gave them: F32 for 1-D tensors, norms, biases, ffn_gate_inp and position embeddings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .ggml_types import EMBED_OUTPUT_Q8, FTYPES, GGML_TYPES, UD_BASE, canonical_ftype, tensor_bytes
from .gguf_layout import TensorSpec, gguf_tensors, n_blocks
from .specs import FULL, SLIDING, Architecture

# tensor categories (enum class tensor_category)
TOKEN_EMBD = "token_embd"
ATTENTION_Q = "attn_q"
ATTENTION_V = "attn_v"
ATTENTION_K = "attn_k"
ATTENTION_QKV = "attn_qkv"
ATTENTION_KV_B = "attn_kv_b"
ATTENTION_OUTPUT = "attn_output"
FFN_UP = "ffn_up"
FFN_GATE = "ffn_gate"
FFN_DOWN = "ffn_down"
OUTPUT = "output"
OTHER = "other"

_UNQUANTIZED = frozenset({"f32", "f16", "bf16", "f64", "i8", "i16", "i32", "i64"})
_IQ2_GROUP = frozenset({"IQ2_XXS", "IQ2_XS", "IQ1_S", "IQ2_S", "IQ2_M", "IQ1_M"})
_OUTPUT_Q5K = frozenset({"IQ2_XXS", "IQ2_XS", "IQ3_XXS", "IQ1_S", "IQ2_S", "IQ2_M", "IQ1_M"})
_ATTN_OUT_8X = frozenset(
    {
        "Q2_K",
        "IQ3_XS",
        "IQ3_XXS",
        "Q3_K_S",
        "Q3_K_M",
        "IQ4_NL",
        "Q4_K_S",
        "Q4_K_M",
        "IQ3_S",
        "IQ3_M",
        "IQ4_XS",
    }
)
# name fragments that tensor_allows_quantization() refuses
_NEVER_QUANTIZED = (
    "_norm.weight",
    "ffn_gate_inp.weight",
    "ffn_gate_tid2eid.weight",
    "altup",
    "laurel",
    "per_layer_model_proj",
    "ssm_conv1d",
    "ssm_x.weight",  # Mamba-1's small 2-D projections (llama-quant: "do not quantize Mamba's small yet 2D weights")
    "ssm_dt.weight",
    "shortconv.conv.weight",
    "indexer.k_proj.weight",
    "indexer.q_proj.weight",
    "time_mix_first.weight",
    "time_mix_w0.weight",
    "time_mix_w1.weight",
    "time_mix_w2.weight",
    "time_mix_v0.weight",
    "time_mix_v1.weight",
    "time_mix_v2.weight",
    "time_mix_a0.weight",
    "time_mix_a1.weight",
    "time_mix_a2.weight",
    "time_mix_g1.weight",
    "time_mix_g2.weight",
    "time_mix_decay_w1.weight",
    "time_mix_decay_w2.weight",
    "time_mix_lerp_fused.weight",
    "attn_rel_b.weight",
    ".position_embd",
    "sam.pos_embd",
    "sam.neck.",
    "sam.net_",
    ".rel_pos",
    ".patch_embd",
    ".patch_merger",
    "a.rvq.codebook",
    "mm.a.code_embd",
)
# 2-D tensors convert_hf_to_gguf always writes as F32
_CONVERTER_F32 = (
    "ffn_gate_inp",
    "position_embd",
    "token_types",
    "ssm_conv1d",
    "shortconv.conv",
    "time_mix_first",
    "time_mix_w1",
    "time_mix_w2",
    "time_mix_decay_w1",
    "time_mix_decay_w2",
    "time_mix_lerp_fused",
    "altup_correct_coef",
    "altup_predict_coef",
)
# architectures whose converter writes head_count_kv per layer (GraniteHybridModel: 0 on Mamba/FFN blocks)
_PER_LAYER_KV = frozenset({"nemotron_h", "nemotron_h_moe", "lfm2", "lfm2moe"})  # lfm2: 0 on conv blocks
_BLK = re.compile(r"blk\.(\d+)\.")
# file types whose tensors include a type that needs an importance matrix (tensor_requires_imatrix)
REQUIRES_IMATRIX = frozenset(
    {"IQ1_S", "IQ1_M", "IQ2_XXS", "IQ2_XS", "IQ2_S", "IQ2_M", "IQ3_XXS", "IQ3_XS", "Q2_K_S"}
)


@dataclass(frozen=True)
class _Model:
    """The model facts llama_tensor_get_type_impl reads (qs.model)."""

    arch: str
    n_expert: int
    n_gqa: int
    n_layer_all: int
    is_70b: bool


@dataclass
class _State:
    """quantize_state_impl: the counters, reset for every ftype."""

    n_attention_wv: int = 0
    i_attention_wv: int = 0
    i_ffn_down: int = 0
    i_ffn_gate: int = 0
    i_ffn_up: int = 0
    has_tied_embeddings: bool = True
    has_imatrix: bool = False


def _model(a: Architecture) -> _Model:
    n_kv = 1 if a.kv_lora_rank else a.n_kv_heads  # MLA GGUFs store head_count_kv = 1
    if a.arch in _PER_LAYER_KV and a.kind_of_layer(0) not in (FULL, SLIDING):
        n_kv = 0  # per-layer head_count_kv array, 0 on non-attention layers; hparams.n_gqa() reads layer 0
    n_gqa = a.n_heads // n_kv if n_kv else 0
    if a.layer_n_kv_heads is not None:
        # deci: per-layer head_count / head_count_kv arrays; hparams.n_gqa() = n_head(0) / n_head_kv(0), 0 when
        # layer 0 has no KV heads (attention-free or linear-attention layer)
        kv0 = a.layer_kv_heads(0)
        n_gqa = a.layer_heads(0) // kv0 if kv0 else 0
    # LLM_TYPE_70B as load_arch_hparams sets it (llama: 80 layers and GQA; qwen2/deci/olmo: 80 layers)
    is_70b = (a.arch == "llama" and a.n_experts != 8 and a.n_layers == 80 and a.n_heads != a.n_kv_heads) or (
        a.arch in ("qwen2", "deci", "olmo") and a.n_layers == 80
    )
    return _Model(a.arch, a.n_experts, n_gqa, n_blocks(a), is_70b)


@lru_cache(maxsize=65536)  # tensor names repeat across layers and models; a pure function of the name
def tensor_category(name: str) -> str:
    """tensor_get_category()."""
    if name == "output.weight":
        return OUTPUT
    if name in ("token_embd.weight", "per_layer_token_embd.weight"):
        return TOKEN_EMBD
    for frag, cat in (
        ("attn_qkv.weight", ATTENTION_QKV),
        ("attn_kv_b.weight", ATTENTION_KV_B),
        ("attn_v.weight", ATTENTION_V),
        ("attn_k.weight", ATTENTION_K),
        ("attn_q.weight", ATTENTION_Q),
        ("attn_output.weight", ATTENTION_OUTPUT),
        ("ffn_up", FFN_UP),
        ("ffn_gate", FFN_GATE),
        ("ffn_down", FFN_DOWN),
    ):
        if frag in name:
            return cat
    return OTHER


def _is_attn_v(cat: str) -> bool:
    return cat in (ATTENTION_V, ATTENTION_QKV, ATTENTION_KV_B)


def allows_quantization(t: TensorSpec) -> bool:
    """tensor_allows_quantization() with default parameters (2-D and 3-D ``*weight`` tensors only)."""
    return _allows_quantization(t.name, len(t.shape))


@lru_cache(maxsize=65536)  # memo over (name, rank): the answer depends on nothing else
def _allows_quantization(name: str, n_dims: int) -> bool:
    if n_dims < 2 or not name.endswith("weight"):
        return False
    if any(frag in name for frag in _NEVER_QUANTIZED):
        return False
    return name not in ("position_embd.weight", "token_types.weight")


def _source_type(t: TensorSpec, default: str) -> str:
    """The type convert_hf_to_gguf gave a tensor the quantizer does not touch (ModelBase.prepare_tensors)."""
    if t.n_dims <= 1 or not t.name.endswith(".weight") or t.name.endswith("_norm.weight"):
        return "f32"
    if any(frag in t.name for frag in _CONVERTER_F32):
        return "f32"
    return default  # e.g. altup_router / laurel: 16-bit as in the source file


def _more_bits(i_layer: int, n_layers: int) -> bool:
    """use_more_bits(): the first and last eighth of the layers, and every third layer in between."""
    return i_layer < n_layers // 8 or i_layer >= 7 * n_layers // 8 or (i_layer - n_layers // 8) % 3 == 2


def _layer_info(m: _Model, counter: int, name: str) -> tuple[int, int]:
    if m.n_expert > 1:
        hit = _BLK.match(name)
        if hit is None:
            raise ValueError(f"Failed to determine layer for tensor {name}")
        return int(hit.group(1)), m.n_layer_all
    return counter, m.n_layer_all


def _output_type(ftype: str, m: _Model, t: TensorSpec, new_type: str) -> str:
    nx = t.shape[0]
    if ftype == "MXFP4_MOE":
        return "q8_0"
    if m.arch == "falcon" or nx % GGML_TYPES[new_type][0] != 0:
        return "q8_0"
    if ftype in _OUTPUT_Q5K:
        return "q5_k"
    if new_type != "q8_0":
        return "q6_k"
    return new_type


def _token_embd_type(ftype: str, new_type: str) -> str:
    if ftype in ("IQ2_XXS", "IQ2_XS", "IQ1_S", "IQ1_M"):
        return "q2_k"
    if ftype in ("IQ2_S", "IQ2_M", "IQ3_XXS"):
        return "iq3_s"
    if ftype in ("TQ1_0", "TQ2_0", "Q2_0"):
        return "q4_k"
    return new_type


def _iq2_group(ftype: str, m: _Model, qs: _State, cat: str, new_type: str) -> str:
    s_or_m = ftype in ("IQ2_S", "IQ2_M")
    if _is_attn_v(cat):
        if m.n_gqa >= 4 or m.n_expert >= 4:
            new_type = "q4_k"
        else:
            new_type = "iq3_s" if s_or_m else "q2_k"
        qs.i_attention_wv += 1
    elif m.n_expert == 8 and cat == ATTENTION_K:
        new_type = "q4_k"
    elif cat == FFN_DOWN:
        if qs.i_ffn_down < m.n_layer_all // 8:
            new_type = "iq3_s" if s_or_m else "q2_k"
        qs.i_ffn_down += 1
    elif cat == ATTENTION_OUTPUT:
        if m.n_expert == 8:
            new_type = "q5_k"
        elif ftype in ("IQ1_S", "IQ1_M"):
            new_type = "iq2_xxs"
        elif s_or_m:
            new_type = "iq3_s"
    return new_type


def _attn_v(ftype: str, m: _Model, qs: _State, new_type: str) -> str:
    gqa4 = m.n_gqa >= 4
    if ftype == "Q2_K":
        new_type = "q4_k" if gqa4 else "q3_k"
    elif ftype == "Q2_K_S" and gqa4:
        new_type = "q4_k"
    elif ftype == "IQ3_XXS":
        new_type = "q4_k" if gqa4 else ("iq3_s" if not qs.has_imatrix else "iq3_xxs")
    elif ftype in ("IQ3_XS", "IQ3_S") and gqa4:
        new_type = "q4_k"
    elif ftype == "IQ3_M":
        new_type = "q4_k"
    elif ftype == "Q3_K_M":
        new_type = "q5_k" if qs.i_attention_wv < 2 else "q4_k"
    elif ftype == "Q3_K_L":
        new_type = "q5_k"
    elif ftype in ("IQ4_NL", "IQ4_XS") and gqa4:
        new_type = "q5_k"
    elif ftype in ("Q4_K_M", "Q5_K_M") and _more_bits(qs.i_attention_wv, qs.n_attention_wv):
        new_type = "q6_k"
    elif ftype == "Q4_K_S" and qs.i_attention_wv < 4:
        new_type = "q5_k"
    if m.is_70b and new_type in ("q3_k", "q4_k"):
        new_type = "q5_k"
    if m.n_expert == 8:
        new_type = "q8_0"
    qs.i_attention_wv += 1
    return new_type


def _ffn_down(ftype: str, m: _Model, qs: _State, name: str, new_type: str) -> str:
    i_layer, n_layer = _layer_info(m, qs.i_ffn_down, name)
    falcon = m.arch == "falcon"
    if ftype == "Q2_K":
        new_type = "q3_k"
    elif ftype == "Q2_K_S":
        if i_layer < n_layer // 8:
            new_type = "q4_k"
    elif ftype == "IQ3_XXS" and not qs.has_imatrix:
        new_type = "q4_k" if i_layer < n_layer // 8 else "q3_k"
    elif ftype == "Q3_K_M":
        if i_layer < n_layer // 16:
            new_type = "q5_k"
        elif not falcon or _more_bits(i_layer, n_layer):
            new_type = "q4_k"
        else:
            new_type = "q3_k"
    elif ftype == "IQ3_M" and (i_layer < n_layer // 8 or (m.n_expert == 8 and _more_bits(i_layer, n_layer))):
        new_type = "q4_k"
    elif ftype == "Q3_K_L":
        new_type = "q4_k" if falcon else "q5_k"
    elif ftype == "Q4_K_M":
        if falcon:
            if i_layer < n_layer // 16:
                new_type = "q6_k"
            else:
                new_type = "q5_k" if _more_bits(i_layer, n_layer) else "q4_k"
        elif _more_bits(i_layer, n_layer):
            new_type = "q6_k"
    elif i_layer < n_layer // 8 and ftype in ("IQ4_NL", "IQ4_XS") and not qs.has_imatrix:
        new_type = "q5_k"
    elif ftype == "Q5_K_M" and _more_bits(i_layer, n_layer):
        new_type = "q6_k"
    elif ftype == "Q4_K_S" and not falcon and i_layer < n_layer // 8:
        new_type = "q5_k"
    elif ftype in ("Q4_0", "Q5_0") and qs.has_imatrix and i_layer < n_layer // 8:
        new_type = "q4_1" if ftype == "Q4_0" else "q5_1"
    qs.i_ffn_down += 1
    return new_type


def _attn_output(ftype: str, m: _Model, new_type: str) -> str:
    if m.arch == "falcon":
        return "q4_k" if ftype == "Q3_K_L" else new_type
    if m.n_expert == 8:
        return "q5_k" if ftype in _ATTN_OUT_8X else new_type
    return {"Q2_K": "q3_k", "IQ3_XXS": "iq3_s", "Q3_K_M": "q4_k", "Q3_K_L": "q5_k", "IQ3_M": "q4_k"}.get(
        ftype, new_type
    )


def _get_type_impl(ftype: str, m: _Model, qs: _State, t: TensorSpec, cat: str, new_type: str) -> str:
    """llama_tensor_get_type_impl()."""
    name = t.name
    if cat == OUTPUT or (qs.has_tied_embeddings and cat == TOKEN_EMBD):
        return _output_type(ftype, m, t, new_type)
    if ftype == "MXFP4_MOE":
        return "mxfp4" if len(t.shape) > 2 and t.shape[2] > 1 else "q8_0"
    if cat == TOKEN_EMBD:
        return _token_embd_type(ftype, new_type)
    if ftype in _IQ2_GROUP:
        return _iq2_group(ftype, m, qs, cat, new_type)
    if _is_attn_v(cat):
        return _attn_v(ftype, m, qs, new_type)
    if cat == ATTENTION_K:
        if m.n_expert == 8:
            return "q8_0"
        return {"IQ3_XS": "iq3_xxs", "IQ3_XXS": "iq2_s"}.get(ftype, new_type)
    if cat == ATTENTION_Q:
        return {"IQ3_XS": "iq3_xxs", "IQ3_XXS": "iq2_s"}.get(ftype, new_type)
    if cat == FFN_DOWN:
        return _ffn_down(ftype, m, qs, name, new_type)
    if cat == ATTENTION_OUTPUT:
        return _attn_output(ftype, m, new_type)
    if cat == ATTENTION_QKV:  # unreachable: attn_qkv is attn_v-like (kept as in the C++)
        return new_type
    if cat in (FFN_GATE, FFN_UP):
        counter = qs.i_ffn_gate if cat == FFN_GATE else qs.i_ffn_up
        i_layer, n_layer = _layer_info(m, counter, name)
        if ftype == "IQ3_XS" and n_layer // 8 <= i_layer < 7 * n_layer // 8:
            new_type = "iq3_xxs"
        if cat == FFN_GATE:
            qs.i_ffn_gate += 1
        else:
            qs.i_ffn_up += 1
    return new_type


def _fallback(t: TensorSpec, target: str) -> str:
    """tensor_type_fallback(): a type whose block divides the row length ne0."""
    ncols = t.shape[0]
    qk = GGML_TYPES[target][0]
    if ncols % qk == 0:
        return target
    if target in ("iq1_s", "iq1_m", "iq2_xxs", "iq2_xs", "iq2_s", "iq3_xxs", "iq3_s", "iq4_xs"):
        ret = "iq4_nl"
    elif target in ("q2_0", "q2_k", "q3_k", "tq1_0", "tq2_0"):
        ret = "q4_0"
    elif target in ("q4_k", "q5_k", "q6_k"):
        ret = {"q4_k": "q5_0", "q5_k": "q5_1", "q6_k": "q8_0"}[target]
    elif qk <= 32:
        ret = target
    else:
        raise ValueError(f"no tensor type fallback is defined for type {target}")
    if ncols % GGML_TYPES[ret][0] != 0:
        ret = "f16"
    return ret


def _sort_key(t: TensorSpec) -> tuple[int, str]:
    """llama_model_loader::weight_name_comparer: layer number (-1 outside blocks), then name."""
    hit = _BLK.match(t.name)
    return (int(hit.group(1)) if hit else -1, t.name)


_UD_MOE: dict[str, tuple[str, str]] = {
    "UD-Q2_K_XL": ("q2_k", "q3_k"), "UD-Q3_K_XL": ("q3_k", "q4_k"), "UD-Q4_K_XL": ("q4_k", "q5_k"),
    "UD-Q5_K_XL": ("q5_k", "q6_k"), "UD-Q6_K_XL": ("q6_k", "q8_0"), "UD-Q8_K_XL": ("q8_0", "q8_0"),
}
"""Routed-expert (gate/up, down) types of Unsloth's 2026 MoE recipe; every other weight is Q8_0. Derived from the
type counts of Qwen3.5-35B-A3B-UD-Q4_K_XL (q8_0 312, q4_K 78, q5_K 41, q6_K 1: one layer is raised one step more),
which it reproduces to the byte."""


def assign_types(
    ftype: str, a: Architecture, tensors: list[TensorSpec], *, imatrix: bool | None = None
) -> list[str]:
    """The lower-case ggml type of each tensor (same order as ``tensors``) in a ``ftype`` file.

    Port of llama_tensor_get_type() in src/llama-quant.cpp, llama.cpp as vendored by llama-cpp-python
    0.3.36 (the tree whose tests/snapshots/*.schema this reproduces). F16/BF16/F32 give every quantizable
    tensor that type; everything else stays F32 as the converter wrote it.
    """
    ft = canonical_ftype(ftype)
    if ft in UD_BASE:
        base = assign_types(UD_BASE[ft], a, tensors, imatrix=imatrix)
        if not a.n_experts:
            return base  # dense: Unsloth's per-model bumps are not public; the base mix (files run 0-10 % larger)
        k_type, down_type = _UD_MOE[ft]
        out_ud = []
        for t, ty in zip(tensors, base, strict=True):
            if not allows_quantization(t):
                out_ud.append(ty)
            elif "_exps" in t.name:
                out_ud.append(_fallback(t, down_type if "ffn_down" in t.name else k_type))
            else:
                out_ud.append(_fallback(t, "q8_0"))
        return out_ud
    if ft in EMBED_OUTPUT_Q8:  # the base mix, then the embeddings and the output head raised to Q8_0
        base = assign_types(EMBED_OUTPUT_Q8[ft], a, tensors, imatrix=imatrix)
        return ["q8_0" if t.name in ("token_embd.weight", "output.weight") and allows_quantization(t) else ty
                for t, ty in zip(tensors, base, strict=True)]
    default = FTYPES[ft]
    m = _model(a)
    cats = [tensor_category(t.name) for t in tensors]
    qs = _State(
        n_attention_wv=sum(1 for c in cats if _is_attn_v(c)),
        has_tied_embeddings=OUTPUT not in cats,
        has_imatrix=ft in REQUIRES_IMATRIX if imatrix is None else imatrix,
    )
    out = [""] * len(tensors)
    for i in sorted(range(len(tensors)), key=lambda j: _sort_key(tensors[j])):
        t = tensors[i]
        if not allows_quantization(t):
            out[i] = _source_type(t, default if default in _UNQUANTIZED else "f16")
        elif default in _UNQUANTIZED:
            out[i] = default
        else:
            out[i] = _fallback(t, _get_type_impl(ft, m, qs, t, cats[i], default))
    return out


def tensor_types(ftype: str, a: Architecture, *, imatrix: bool | None = None) -> list[tuple[TensorSpec, str]]:
    """Every tensor of the model's GGUF with its type."""
    tensors = gguf_tensors(a)
    return list(zip(tensors, assign_types(ftype, a, tensors, imatrix=imatrix), strict=True))


def type_mix(ftype: str, a: Architecture, *, imatrix: bool | None = None) -> dict[str, int]:
    """Bytes of tensor data per ggml type."""
    mix: dict[str, int] = {}
    for t, ty in tensor_types(ftype, a, imatrix=imatrix):
        mix[ty] = mix.get(ty, 0) + tensor_bytes(ty, t.n_elements)
    return mix


def weights_bytes(ftype: str, a: Architecture, *, imatrix: bool | None = None) -> int:
    """Bytes of tensor data of the model's GGUF in ``ftype`` (what llama.cpp reports as model size)."""
    return sum(type_mix(ftype, a, imatrix=imatrix).values())
