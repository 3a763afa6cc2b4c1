"""LFM2 / LFM2-MoE (Liquid AI): gated short-convolution blocks and GQA attention blocks, a SwiGLU FFN on every
block (routed experts past the leading dense blocks on LFM2-8B-A1B).

The tensor table follows llama_model_lfm2::load_arch_tensors (src/models/lfm2.cpp): conv layers carry
shortconv.conv (L_cache x hidden, the converter squeezes HF's (hidden, 1, L)), shortconv.in_proj (hidden ->
3 x hidden) and shortconv.out_proj; attention layers attn_q/k/v/output and per-head attn_q_norm/attn_k_norm;
every block ffn_norm, attn_norm (the operator norm) and the FFN; the final norm is token_embd_norm and the output
head is tied (no output.weight). The conv state is llama_hparams::n_embd_r() = hidden x (L_cache - 1) f32 values
per conv layer and sequence; only the attention layers keep a KV cache.
"""

from __future__ import annotations

import pytest

from runlocal.catalog.build import model_spec
from runlocal.estimate.assumptions import DEFAULT
from runlocal.estimate.gguf_layout import gguf_tensors
from runlocal.estimate.memory import kv_cache
from runlocal.estimate.specs import FULL, LINEAR
from runlocal.estimate.weights import file_bytes, weights
from runlocal.formats.hfconfig import arch_from_config, count_params
from runlocal.service.resolve import catalog

# the parameter counts on the LiquidAI model cards (exact for the dense sizes; "8.3B total, 1.5B active")
CARD = {"lfm2-350m": 354_483_968, "lfm2-700m": 742_489_344, "lfm2-1.2b": 1_170_340_608,
        "lfm2-2.6b": 2_569_272_320, "lfm2-8b-a1b": 8_300_000_000}
ATTN = {"lfm2-350m": [2, 5, 8, 10, 12, 14], "lfm2-700m": [2, 5, 8, 10, 12, 14], "lfm2-1.2b": [2, 5, 8, 10, 12, 14],
        "lfm2-2.6b": [2, 5, 9, 13, 17, 21, 24, 27], "lfm2-8b-a1b": [2, 6, 10, 14, 18, 21]}


def _spec(model: str):  # noqa: ANN202 - a ModelSpec
    return model_spec(catalog().models[model])


@pytest.mark.parametrize("model", sorted(CARD))
def test_parameter_count_matches_the_card(model: str) -> None:
    spec = _spec(model)
    total, active = count_params(spec.arch)
    assert abs(total / CARD[model] - 1) < 0.005
    assert total == spec.params
    if model == "lfm2-8b-a1b":
        assert active is not None and abs(active / 1.5e9 - 1) < 0.05  # "1.5B active"
    else:
        assert total == CARD[model]  # the dense cards give the count to the parameter


@pytest.mark.parametrize("model", sorted(CARD))
def test_tensor_names_per_layer_kind(model: str) -> None:
    a = _spec(model).arch
    tensors = {t.name: t.shape for t in gguf_tensors(a)}
    d, hd = a.hidden_size, a.head_dim
    assert [i for i, k in enumerate(a.layer_kinds()) if k == FULL] == ATTN[model]
    assert tensors["token_embd.weight"] == (d, 65536)
    assert tensors["token_embd_norm.weight"] == (d,)  # LLM_TENSOR_OUTPUT_NORM_LFM2
    assert "output.weight" not in tensors and "output_norm.weight" not in tensors  # tied head
    for i, kind in enumerate(a.layer_kinds()):
        p = f"blk.{i}"
        assert tensors[f"{p}.attn_norm.weight"] == (d,) and tensors[f"{p}.ffn_norm.weight"] == (d,)
        conv = {f"{p}.shortconv.conv.weight": (3, d), f"{p}.shortconv.in_proj.weight": (d, 3 * d),
                f"{p}.shortconv.out_proj.weight": (d, d)}
        attn = {f"{p}.attn_q.weight": (d, d), f"{p}.attn_k.weight": (d, 8 * hd), f"{p}.attn_v.weight": (d, 8 * hd),
                f"{p}.attn_output.weight": (d, d), f"{p}.attn_q_norm.weight": (hd,),
                f"{p}.attn_k_norm.weight": (hd,)}
        present, absent = (conv, attn) if kind == LINEAR else (attn, conv)
        assert all(tensors.get(n) == s for n, s in present.items()), (i, kind)
        assert not any(n in tensors for n in absent), (i, kind)
        if a.is_moe_layer(i):
            e, w = a.n_experts, a.moe_intermediate_size
            assert tensors[f"{p}.ffn_gate_inp.weight"] == (d, e)
            assert tensors[f"{p}.ffn_gate_exps.weight"] == (d, w, e)
            assert tensors[f"{p}.ffn_down_exps.weight"] == (w, d, e)
            assert tensors[f"{p}.ffn_up_exps.weight"] == (d, w, e)
            assert tensors[f"{p}.exp_probs_b.bias"] == (e,)
            assert f"{p}.ffn_gate.weight" not in tensors
        else:
            ff = a.intermediate_size
            assert tensors[f"{p}.ffn_gate.weight"] == (d, ff) and tensors[f"{p}.ffn_up.weight"] == (d, ff)
            assert tensors[f"{p}.ffn_down.weight"] == (ff, d)


def test_only_the_first_two_lfm2_moe_blocks_are_dense() -> None:
    a = _spec("lfm2-8b-a1b").arch
    assert [a.is_moe_layer(i) for i in range(a.n_layers)] == [False, False] + [True] * 22


@pytest.mark.parametrize("model", sorted(CARD))
def test_kv_cache_grows_only_on_the_attention_layers(model: str) -> None:
    a = _spec(model).arch
    small, big = kv_cache(a, 4096, asm=DEFAULT), kv_cache(a, 32768, asm=DEFAULT)
    conv_state = (3 - 1) * a.hidden_size * 4  # f32, one sequence
    for i, kind in enumerate(a.layer_kinds()):
        if kind == LINEAR:
            assert small.layer_bytes[i] == big.layer_bytes[i] == conv_state
        else:  # K and V: 8 heads x 64, f16, per cell
            assert small.layer_bytes[i] == small.cells_full * 2 * 8 * 64 * 2
            assert big.layer_bytes[i] == big.cells_full * 2 * 8 * 64 * 2
    # four sequences: four conv states per conv layer
    four = kv_cache(a, 4096, n_seq=4, asm=DEFAULT)
    assert all(four.layer_bytes[i] == 4 * conv_state for i, k in enumerate(a.layer_kinds()) if k == LINEAR)


@pytest.mark.parametrize("model,quant,published", [
    ("lfm2-350m", "Q4_K_M", 229_309_376),  # LiquidAI/LFM2-350M-GGUF
    ("lfm2-350m", "Q8_0", 379_214_784),
    ("lfm2-1.2b", "Q4_K_M", 730_893_248),  # LiquidAI/LFM2-1.2B-GGUF
    ("lfm2-1.2b", "Q8_0", 1_246_252_768),  # LiquidAI/LFM2-1.2B-Tool-GGUF: the same architecture
])
def test_file_size_matches_published_gguf(model: str, quant: str, published: int) -> None:
    a = _spec(model).arch
    w = weights(a, quant)
    assert abs(file_bytes(a, quant, w) / published - 1) < 0.02
    # the tensor data alone is within the ~2.4 MB of metadata (the 65,536-token vocabulary) of the file
    assert 0 < published - w.total_bytes < 3_000_000


def test_config_json_reads_as_the_catalog_entry() -> None:
    """LFM2-1.2B's config.json fields (full_attn_idxs, block_ff_dim with auto-adjust, tie_embedding, conv_L_cache)
    give the same architecture and parameter count as the data file."""
    cfg = {"architectures": ["Lfm2ForCausalLM"], "model_type": "lfm2", "hidden_size": 2048,
           "num_hidden_layers": 16, "num_attention_heads": 32, "num_key_value_heads": 8, "vocab_size": 65536,
           "block_ff_dim": 12288, "intermediate_size": 12288, "block_auto_adjust_ff_dim": True,
           "block_ffn_dim_multiplier": 1.0, "block_multiple_of": 256, "conv_L_cache": 3,
           "full_attn_idxs": [2, 5, 8, 10, 12, 14], "tie_embedding": True, "max_position_embeddings": 128000}
    a, params, active = arch_from_config(cfg)
    ref = _spec("lfm2-1.2b").arch
    assert a.arch == "lfm2" and a.intermediate_size == 8192 and a.tie_embeddings
    assert a.layer_kinds() == ref.layer_kinds() and a.linear_state_elements == ref.linear_state_elements == 4096
    assert params == 1_170_340_608 and active is None
    # the newer form: layer_types with "conv"
    lt = ["full_attention" if i in (2, 5, 8, 10, 12, 14) else "conv" for i in range(16)]
    b, _, _ = arch_from_config({**{k: v for k, v in cfg.items() if k != "full_attn_idxs"}, "layer_types": lt})
    assert b.layer_kinds() == ref.layer_kinds()


def test_lfm2_moe_config_json() -> None:
    lt = ["full_attention" if i in (2, 6, 10, 14, 18, 21) else "conv" for i in range(24)]
    cfg = {"architectures": ["Lfm2MoeForCausalLM"], "model_type": "lfm2_moe", "hidden_size": 2048,
           "intermediate_size": 7168, "moe_intermediate_size": 1792, "num_hidden_layers": 24,
           "num_attention_heads": 32, "num_key_value_heads": 8, "vocab_size": 65536, "conv_L_cache": 3,
           "num_dense_layers": 2, "num_experts": 32, "num_experts_per_tok": 4, "layer_types": lt,
           "max_position_embeddings": 128000}
    a, params, active = arch_from_config(cfg)
    assert a.arch == "lfm2moe" and a.first_k_dense == 2 and a.tie_embeddings
    assert params == _spec("lfm2-8b-a1b").params and active == _spec("lfm2-8b-a1b").active_params
