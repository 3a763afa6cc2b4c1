"""deci (DeciLM / Llama-Nemotron NAS): every layer has its own KV heads, query heads and FFN width.

llama.cpp (convert_hf_to_gguf.py DeciModel, LLM_ARCH_DECI load_tensors, src/models/deci.cpp): block_configs become
per-layer head_count_kv / head_count / feed_forward_length arrays; n_heads_in_group g -> n_heads / g KV heads; an
attention no_op layer has no attention tensors and no KV cache; replace_with_linear keeps attn_norm and one
attn_output (hidden x hidden); ffn_mult -> int(2 x mult x hidden / 3) rounded up to 256, ffn no_op -> no FFN.
"""

from __future__ import annotations

import pytest

from runlocal.catalog.build import model_spec
from runlocal.estimate.assumptions import DEFAULT
from runlocal.estimate.gguf_layout import gguf_tensors
from runlocal.estimate.memory import kv_cache
from runlocal.estimate.quant_rules import _model, tensor_types
from runlocal.estimate.specs import FULL, NONE, Architecture
from runlocal.estimate.weights import file_bytes, weights
from runlocal.formats.hfconfig import arch_from_config, count_params, deci_ffn_width
from runlocal.service.resolve import catalog

SUPER = "llama-3.3-nemotron-super-49b-v1.5"
ULTRA = "llama-3.1-nemotron-ultra-253b-v1"
SUPER_NO_ATTN = [6, 7, 11, *range(42, 52), *range(53, 71)]  # block_configs attention no_op


def _arch(model: str) -> Architecture:
    return model_spec(catalog().models[model]).arch


@pytest.mark.parametrize("model,card", [(SUPER, 49.9e9), (ULTRA, 253e9)])
def test_parameter_count_matches_the_card(model: str, card: float) -> None:
    spec = model_spec(catalog().models[model])
    total, active = count_params(spec.arch)
    assert total == spec.params and active is None
    assert abs(total / card - 1) < 0.005


def test_super_layer_shapes() -> None:
    a = _arch(SUPER)
    assert [i for i, k in enumerate(a.layer_kinds()) if k == NONE] == SUPER_NO_ATTN
    assert all(a.layer_kinds()[i] == FULL for i in range(80) if i not in SUPER_NO_ATTN)
    assert sorted(set(a.layer_ffn_widths or ())) == [2816, 5632, 7168, 14336, 17920, 28672]
    assert a.layer_ffn_width(0) == 14336 and a.layer_ffn_width(11) == 17920 and a.layer_ffn_width(62) == 2816


def test_ffn_mult_rounding() -> None:
    # DeciModel._ffn_mult_to_intermediate_size: int(2 x mult x hidden / 3), up to a multiple of 256
    assert deci_ffn_width(5.25, 8192) == 28672 and deci_ffn_width(3.28125, 8192) == 17920
    assert deci_ffn_width(1.0, 8192) == 5632  # 5461 -> 5632
    assert deci_ffn_width(0.4875, 16384) == 5376 and deci_ffn_width(39.0, 16384) == 425984


def test_kv_cache_only_on_attention_layers() -> None:
    a = _arch(SUPER)
    kv = kv_cache(a, 8192, asm=DEFAULT)
    per_layer = kv.cells_full * 2 * 8 * 128 * 2  # K and V, 8 heads x 128, f16
    for i, b in enumerate(kv.layer_bytes):
        assert b == (0 if i in SUPER_NO_ATTN else per_layer), i
    assert kv.total_bytes == 49 * per_layer
    assert kv.bytes_per_token_full == 49 * 2 * 8 * 128 * 2


def test_tensor_names_of_no_attention_and_narrow_ffn_layers() -> None:
    a = _arch(SUPER)
    t = {x.name: x.shape for x in gguf_tensors(a)}
    d = 8192
    # blk.62: attention no_op, ffn_mult 0.5 -> 2816
    assert {n for n in t if n.startswith("blk.62.")} == {
        "blk.62.ffn_norm.weight", "blk.62.ffn_gate.weight", "blk.62.ffn_up.weight", "blk.62.ffn_down.weight"}
    assert t["blk.62.ffn_gate.weight"] == (d, 2816) and t["blk.62.ffn_down.weight"] == (2816, d)
    # blk.0: GQA attention (8 KV heads) and a half-width FFN (ffn_mult 2.625 -> 14336)
    assert t["blk.0.attn_q.weight"] == (d, d) and t["blk.0.attn_k.weight"] == (d, 1024)
    assert t["blk.0.attn_v.weight"] == (d, 1024) and t["blk.0.attn_output.weight"] == (d, d)
    assert t["blk.0.ffn_up.weight"] == (d, 14336) and "blk.0.attn_norm.weight" in t
    assert sum(1 for n in t if n.endswith("attn_v.weight")) == 49
    assert len(t) == 568  # + rope_freqs.weight in real files (left out, as for Llama 3.1)


def test_ultra_ffn_free_layers_and_tensor_count() -> None:
    a = _arch(ULTRA)
    t = {x.name for x in gguf_tensors(a)}
    free = [i for i in range(a.n_layers) if not a.layer_ffn_width(i)]
    assert len(free) == 81 and all(a.layer_kinds()[i] == NONE for i in free)
    i = free[0]
    assert not any(n.startswith(f"blk.{i}.") for n in t)  # no attention and no FFN: an empty block
    # Unsloth's Ultra GGUFs hold 648 tensors: these 647 plus rope_freqs.weight
    assert len(t) + 1 == 648


def test_linear_attention_layer() -> None:
    """replace_with_linear (Llama-3.1-Nemotron-51B): attn_norm and one hidden x hidden attn_output, no KV."""
    blocks = [{"attention": {"n_heads_in_group": 8, "no_op": False, "replace_with_linear": False},
               "ffn": {"ffn_mult": 5.25, "no_op": False, "replace_with_linear": False}},
              {"attention": {"n_heads_in_group": None, "no_op": False, "replace_with_linear": True},
               "ffn": {"ffn_mult": 2.625, "no_op": False, "replace_with_linear": False}}]
    cfg = {"architectures": ["DeciLMForCausalLM"], "model_type": "nemotron-nas", "hidden_size": 8192,
           "num_attention_heads": 64, "num_key_value_heads": None, "intermediate_size": None,
           "num_hidden_layers": 2, "vocab_size": 128256, "block_configs": blocks, "max_position_embeddings": 131072}
    a, params, _ = arch_from_config(cfg)
    assert a.arch == "deci" and a.layer_n_heads == (64, 64) and a.layer_n_kv_heads == (8, 0)
    t = {x.name: x.shape for x in gguf_tensors(a)}
    assert t["blk.1.attn_output.weight"] == (8192, 8192) and "blk.1.attn_norm.weight" in t
    assert not any(n.startswith(("blk.1.attn_q", "blk.1.attn_k", "blk.1.attn_v")) for n in t)
    assert a.layer_kinds() == (FULL, NONE) and kv_cache(a, 1024, asm=DEFAULT).layer_bytes[1] == 0
    assert params == sum(x.n_elements for x in gguf_tensors(a))


def test_config_json_reads_as_the_catalog_entry() -> None:
    a = _arch(SUPER)
    blocks = []
    for i in range(80):
        g = None if i in SUPER_NO_ATTN else 8
        mult = {14336: 2.625, 28672: 5.25, 17920: 3.28125, 7168: 1.3125, 5632: 1.0, 2816: 0.5}[a.layer_ffn_width(i)]
        blocks.append({"attention": {"n_heads_in_group": g, "no_op": g is None, "replace_with_linear": False},
                       "ffn": {"ffn_mult": mult, "no_op": False, "replace_with_linear": False}})
    cfg = {"architectures": ["DeciLMForCausalLM"], "model_type": "nemotron-nas", "hidden_size": 8192,
           "num_attention_heads": 64, "num_key_value_heads": None, "intermediate_size": None,
           "num_hidden_layers": 80, "vocab_size": 128256, "tie_word_embeddings": False,
           "max_position_embeddings": 131072, "block_configs": blocks}
    b, params, _ = arch_from_config(cfg)
    assert b == a and params == model_spec(catalog().models[SUPER]).params


def test_quantizer_view() -> None:
    a = _arch(SUPER)
    m = _model(a)
    assert m.n_gqa == 8 and m.is_70b  # n_gqa() reads layer 0; LLM_TYPE_70B for 80 deci layers
    types = dict((t.name, ty) for t, ty in tensor_types("Q4_K_M", a))
    assert {types[n] for n in types if n.endswith("attn_v.weight")} <= {"q5_k", "q6_k"}  # 70B: q4_k -> q5_k


@pytest.mark.parametrize("quant,published", [
    ("Q4_K_M", 30_215_579_136),  # bartowski nvidia_Llama-3_3-Nemotron-Super-49B-v1_5-Q4_K_M.gguf
    ("Q8_0", 52_990_000_000),  # bartowski v1 table: 52.99 GB
    ("Q6_K", 40_920_000_000),  # 40.92 GB
    ("Q5_K_M", 35_390_000_000),  # 35.39 GB
])
def test_file_size_matches_published_gguf(quant: str, published: int) -> None:
    a = _arch(SUPER)
    w = weights(a, quant)
    assert abs(file_bytes(a, quant, w) / published - 1) < 0.02
    if quant == "Q4_K_M":  # exact byte count: within 0.01 %
        assert abs(file_bytes(a, quant, w) / published - 1) < 1e-4


def test_problems_reject_bad_per_layer_lists() -> None:
    a = _arch(SUPER)
    from dataclasses import replace
    assert replace(a, layer_n_kv_heads=(8,) * 79).problems()
    assert replace(a, layer_n_kv_heads=(7,) * 80).problems()  # 64 heads are not a multiple of 7
    assert replace(a, layer_ffn_widths=(40000,) * 80).problems()  # wider than intermediate_size
    assert replace(a, arch="llama").problems()  # per-layer lists are deci only
    assert not a.problems()
    # every other architecture is unchanged: no per-layer lists, layer_kv_heads / ffn width from the scalars
    b = _arch("llama-3.1-nemotron-70b")
    assert b.layer_n_kv_heads is None and b.layer_kv_heads(3) == 8 and b.layer_ffn_width(3) == 28672


def test_gguf_header_reads_per_layer_arrays() -> None:
    """A deci GGUF's per-layer head_count / head_count_kv / feed_forward_length arrays give the same architecture."""
    import math
    from types import SimpleNamespace

    from runlocal.formats.gguf_arch import arch_from_gguf

    a = _arch(SUPER)
    tensors = [SimpleNamespace(name=t.name, shape=t.shape, n_elements=math.prod(t.shape)) for t in gguf_tensors(a)]
    md = {"general.architecture": "deci", "deci.block_count": 80, "deci.embedding_length": 8192,
          "deci.attention.head_count": [a.layer_heads(i) for i in range(80)],
          "deci.attention.head_count_kv": list(a.layer_n_kv_heads or ()),
          "deci.feed_forward_length": list(a.layer_ffn_widths or ()), "deci.context_length": 131072,
          "deci.attention.key_length": 128}
    b, total, _ = arch_from_gguf(SimpleNamespace(metadata=md, path="x.gguf", tensors=tensors))  # type: ignore[arg-type]
    assert not b.problems() and total == model_spec(catalog().models[SUPER]).params
    assert b.layer_kinds() == a.layer_kinds() and gguf_tensors(b) == gguf_tensors(a)


def test_a_serving_pool_counts_each_layers_own_kv_heads() -> None:
    import dataclasses

    from runlocal.catalog import build
    from runlocal.estimate.memory import kv_values_per_token
    from runlocal.estimate.serving import kv_bytes_per_sequence
    from runlocal.estimate.specs import FULL
    from runlocal.service import catalog

    a = build.model_spec(catalog().models["llama-3.3-nemotron-super-49b-v1.5"]).arch
    per_layer = sum(kv_values_per_token(a, FULL, i) for i in range(a.n_layers) if a.layer_n_kv_heads[i])
    assert kv_bytes_per_sequence(a, 1024, "f16", 16) == per_layer * 1024 * 2
    # halve one attention layer's heads: the pool's per-sequence bytes follow that layer, not the scalar
    i = next(i for i, h in enumerate(a.layer_n_kv_heads) if h)
    heads = list(a.layer_n_kv_heads)
    heads[i] //= 2
    b = dataclasses.replace(a, layer_n_kv_heads=tuple(heads))
    assert kv_bytes_per_sequence(b, 1024, "f16", 16) < kv_bytes_per_sequence(a, 1024, "f16", 16)
