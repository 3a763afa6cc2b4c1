"""GGUF tensor layout of hybrid recurrent/attention models (runlocal.estimate.gguf_layout).

Nemotron-H (Mamba-2 + attention + MoE blocks), Qwen3-Next and Qwen3.5/3.6 (Gated DeltaNet + gated attention),
checked three ways: the parameter count of the tensor list against the catalog's config-derived ``params``, the
tensor names and quantisation types against llama.cpp's tests/snapshots/*.schema (the tree vendored by
llama-cpp-python 0.3.36; the notation of golden.py: default type, then every quantizable tensor whose
type differs, ``name@layers=type``), and hand-computed shapes from llama-model.cpp's load_arch_tensors.
"""

from __future__ import annotations

import dataclasses
import math
import tomllib
from pathlib import Path

import pytest
from golden import assert_quantizable_set_matches, assert_types_match_snapshot, cases

from runlocal.catalog.build import architecture
from runlocal.estimate.gguf_layout import TensorSpec, gguf_tensors, n_blocks
from runlocal.estimate.quant_rules import weights_bytes
from runlocal.estimate.specs import Architecture

MODELS = Path(__file__).resolve().parents[2] / "data" / "models"

# hybrid_override_pattern of Nemotron 3 Nano: M -> Mamba-2 (linear), E -> MoE block (none), * -> attention (full)
_NEMO_PATTERN = "MEMEM*EMEMEM*EMEMEM*EMEMEM*EMEMEM*EMEMEMEM*EMEMEMEME"
NEMO_KINDS = tuple({"M": "linear", "E": "none", "*": "full"}[c] for c in _NEMO_PATTERN)

# the schema headers give n_embd, n_ff, n_vocab, n_layer, n_head, n_head_kv, n_expert; the rest is config.json
ARCHS: dict[str, Architecture] = {
    "nvidia-nemotron-3-nano-30b-a3b": Architecture(
        "nemotron_h_moe", 52, 2688, 32, 2, 128, 1856, 131072, layer_types=NEMO_KINDS, ffn_gated=False,
        n_experts=128, n_experts_used=6, moe_intermediate_size=1856, n_shared_experts=1,
        shared_expert_intermediate_size=3712,
        ssm_d_inner=4096, ssm_d_state=128, ssm_n_groups=8, ssm_n_heads=64, ssm_conv_kernel=4,
    ),
    "qwen3-coder-next": Architecture(
        "qwen3next", 48, 2048, 16, 2, 256, 5120, 151936, full_attention_interval=4, qk_norm=True,
        n_experts=512, n_experts_used=10, moe_intermediate_size=512, n_shared_experts=1,
        shared_expert_intermediate_size=512, linear_num_key_heads=16, linear_key_head_dim=128,
        linear_num_value_heads=32, linear_value_head_dim=128, ssm_conv_kernel=4,
    ),
    "qwen3.5-397b-a17b": Architecture(
        "qwen35moe", 60, 4096, 32, 2, 256, 1024, 248320, full_attention_interval=4, qk_norm=True,
        n_experts=512, n_experts_used=10, moe_intermediate_size=1024, n_shared_experts=1,
        shared_expert_intermediate_size=1024, linear_num_key_heads=16, linear_key_head_dim=128,
        linear_num_value_heads=64, linear_value_head_dim=128, ssm_conv_kernel=4,
    ),
    # the schema's model is Qwen3.5-27B (dense)
    "qwen3.6-27b": Architecture(
        "qwen35", 64, 5120, 24, 4, 256, 17408, 248320, full_attention_interval=4, qk_norm=True,
        linear_num_key_heads=16, linear_key_head_dim=128, linear_num_value_heads=48, linear_value_head_dim=128,
        ssm_conv_kernel=4,
    ),
}  # fmt: skip

# transcribed from tests/snapshots/*.schema
SNAPSHOTS: dict[str, dict[str, str]] = {
    "nvidia-nemotron-3-nano-30b-a3b": {
        "Q4_K_M": (
            "q4_k: output=q8_0 token_embd=q5_0 attn_k@5,12,19,26,33,42=q5_0 attn_q@5,12,19,26,33,42=q5_0 "
            "attn_v@5,12,26,33=q5_0 attn_v@19,42=q8_0 ffn_down_exps@6,10,13,15,22,24,27,31,34,36,40,43=q5_0 "
            "ffn_down_exps@1,3,8,17,20,29,38,45,47,49,51=q8_0 "
            "ffn_down_shexp@6,10,13,15,22,24,27,31,34,36,40,43=q5_0 "
            "ffn_down_shexp@1,3,8,17,20,29,38,45,47,49,51=q8_0 "
            "ffn_up_exps@1,3,6,8,10,13,15,17,20,22,24,27,29,31,34,36,38,40,43,45,47,49,51=q5_0 "
            "ffn_up_shexp@1,3,6,8,10,13,15,17,20,22,24,27,29,31,34,36,38,40,43,45,47,49,51=q5_0 "
            "ssm_in@0,2,4,7,9,11,14,16,18,21,23,25,28,30,32,35,37,39,41,44,46,48,50=q5_0"
        ),
        "Q2_K": (
            "q2_k: output=q8_0 token_embd=q4_0 attn_k@5,12,19,26,33,42=q4_0 attn_output@5,12,19,26,33,42=q3_k "
            "attn_q@5,12,19,26,33,42=q4_0 attn_v@5,12,19,26,33,42=q4_0 "
            "ffn_down_exps@1,3,6,8,10,13,15,17,20,22,24,27,29,31,34,36,38,40,43,45,47,49,51=q4_0 "
            "ffn_down_shexp@1,3,6,8,10,13,15,17,20,22,24,27,29,31,34,36,38,40,43,45,47,49,51=q4_0 "
            "ffn_up_exps@1,3,6,8,10,13,15,17,20,22,24,27,29,31,34,36,38,40,43,45,47,49,51=q4_0 "
            "ffn_up_shexp@1,3,6,8,10,13,15,17,20,22,24,27,29,31,34,36,38,40,43,45,47,49,51=q4_0 "
            "ssm_in@0,2,4,7,9,11,14,16,18,21,23,25,28,30,32,35,37,39,41,44,46,48,50=q4_0"
        ),
        "Q8_0": "q8_0:",
        "MXFP4_MOE": (
            "mxfp4: output=q8_0 token_embd=q8_0 attn_k@5,12,19,26,33,42=q8_0 attn_output@5,12,19,26,33,42=q8_0 "
            "attn_q@5,12,19,26,33,42=q8_0 attn_v@5,12,19,26,33,42=q8_0 "
            "ffn_down_shexp@1,3,6,8,10,13,15,17,20,22,24,27,29,31,34,36,38,40,43,45,47,49,51=q8_0 "
            "ffn_up_shexp@1,3,6,8,10,13,15,17,20,22,24,27,29,31,34,36,38,40,43,45,47,49,51=q8_0 "
            "ssm_in@0,2,4,7,9,11,14,16,18,21,23,25,28,30,32,35,37,39,41,44,46,48,50=q8_0 "
            "ssm_out@0,2,4,7,9,11,14,16,18,21,23,25,28,30,32,35,37,39,41,44,46,48,50=q8_0"
        ),
    },
    "qwen3-coder-next": {
        "Q4_K_M": (
            "q4_k: output=q6_k attn_qkv@0-2,4-5,8,14,17,20,26,29,32,38,41-42,44-46=q6_k "
            "attn_v@3,11,23,35,43,47=q6_k ffn_down_exps@0-5,8,11,14,17,20,23,26,29,32,35,38,41-47=q6_k "
            "ffn_down_shexp@0-5,8,11,14,17,20,23,26,29,32,35,38,41-47=q6_k"
        ),
        "Q2_K": (
            "q2_k: output=q6_k attn_output@3,7,11,15,19,23,27,31,35,39,43,47=q3_k "
            "attn_qkv@0-2,4-6,8-10,12-14,16-18,20-22,24-26,28-30,32-34,36-38,40-42,44-46=q4_k "
            "attn_v@3,7,11,15,19,23,27,31,35,39,43,47=q4_k ffn_down_exps@0-47=q3_k ffn_down_shexp@0-47=q3_k"
        ),
        "Q8_0": "q8_0:",
        "MXFP4_MOE": (
            "mxfp4: output=q8_0 token_embd=q8_0 "
            "attn_gate@0-2,4-6,8-10,12-14,16-18,20-22,24-26,28-30,32-34,36-38,40-42,44-46=q8_0 "
            "attn_k@3,7,11,15,19,23,27,31,35,39,43,47=q8_0 attn_output@3,7,11,15,19,23,27,31,35,39,43,47=q8_0 "
            "attn_q@3,7,11,15,19,23,27,31,35,39,43,47=q8_0 "
            "attn_qkv@0-2,4-6,8-10,12-14,16-18,20-22,24-26,28-30,32-34,36-38,40-42,44-46=q8_0 "
            "attn_v@3,7,11,15,19,23,27,31,35,39,43,47=q8_0 ffn_down_shexp@0-47=q8_0 ffn_gate_shexp@0-47=q8_0 "
            "ffn_up_shexp@0-47=q8_0 "
            "ssm_ba@0-2,4-6,8-10,12-14,16-18,20-22,24-26,28-30,32-34,36-38,40-42,44-46=q8_0 "
            "ssm_out@0-2,4-6,8-10,12-14,16-18,20-22,24-26,28-30,32-34,36-38,40-42,44-46=q8_0"
        ),
    },
    "qwen3.5-397b-a17b": {
        "Q4_K_M": (
            "q4_k: output=q6_k attn_qkv@0-2,4-6,9,12,18,21,24,30,33,36,42,45,48,52-54,56-58=q6_k "
            "attn_v@3,15,27,39,51,55,59=q6_k "
            "ffn_down_exps@0-6,9,12,15,18,21,24,27,30,33,36,39,42,45,48,51-59=q6_k "
            "ffn_down_shexp@0-6,9,12,15,18,21,24,27,30,33,36,39,42,45,48,51-59=q6_k"
        ),
        "Q2_K": (
            "q2_k: output=q6_k attn_output@3,7,11,15,19,23,27,31,35,39,43,47,51,55,59=q3_k "
            "attn_qkv@0-2,4-6,8-10,12-14,16-18,20-22,24-26,28-30,32-34,36-38,40-42,44-46,48-50,52-54,56-58=q4_k "
            "attn_v@3,7,11,15,19,23,27,31,35,39,43,47,51,55,59=q4_k ffn_down_exps@0-59=q3_k "
            "ffn_down_shexp@0-59=q3_k"
        ),
        "Q8_0": "q8_0:",
        "MXFP4_MOE": (
            "mxfp4: output=q8_0 token_embd=q8_0 "
            "attn_gate@0-2,4-6,8-10,12-14,16-18,20-22,24-26,28-30,32-34,36-38,40-42,44-46,48-50,52-54,56-58=q8_0 "
            "attn_k@3,7,11,15,19,23,27,31,35,39,43,47,51,55,59=q8_0 "
            "attn_output@3,7,11,15,19,23,27,31,35,39,43,47,51,55,59=q8_0 "
            "attn_q@3,7,11,15,19,23,27,31,35,39,43,47,51,55,59=q8_0 "
            "attn_qkv@0-2,4-6,8-10,12-14,16-18,20-22,24-26,28-30,32-34,36-38,40-42,44-46,48-50,52-54,56-58=q8_0 "
            "attn_v@3,7,11,15,19,23,27,31,35,39,43,47,51,55,59=q8_0 ffn_down_shexp@0-59=q8_0 "
            "ffn_gate_shexp@0-59=q8_0 ffn_up_shexp@0-59=q8_0 "
            "ssm_alpha@0-2,4-6,8-10,12-14,16-18,20-22,24-26,28-30,32-34,36-38,40-42,44-46,48-50,52-54,56-58=q8_0 "
            "ssm_beta@0-2,4-6,8-10,12-14,16-18,20-22,24-26,28-30,32-34,36-38,40-42,44-46,48-50,52-54,56-58=q8_0 "
            "ssm_out@0-2,4-6,8-10,12-14,16-18,20-22,24-26,28-30,32-34,36-38,40-42,44-46,48-50,52-54,56-58=q8_0"
        ),
    },
    "qwen3.6-27b": {
        "Q4_K_M": (
            "q4_k: output=q6_k attn_qkv@0-2,4-6,10,13,16,22,25,28,34,37,40,46,49,52,56-58,60-62=q6_k "
            "attn_v@3,7,19,31,43,55,59,63=q6_k "
            "ffn_down@0-7,10,13,16,19,22,25,28,31,34,37,40,43,46,49,52,55-63=q6_k"
        ),
        "Q2_K": (
            "q2_k: output=q6_k attn_output@3,7,11,15,19,23,27,31,35,39,43,47,51,55,59,63=q3_k "
            "attn_qkv@0-2,4-6,8-10,12-14,16-18,20-22,24-26,28-30,32-34,36-38,40-42,44-46,48-50,52-54,56-58,60-62=q4_k "
            "attn_v@3,7,11,15,19,23,27,31,35,39,43,47,51,55,59,63=q4_k ffn_down@0-63=q3_k"
        ),
        "Q8_0": "q8_0:",
        "MXFP4_MOE": (
            "mxfp4: output=q8_0 token_embd=q8_0 "
            "attn_gate@0-2,4-6,8-10,12-14,16-18,20-22,24-26,28-30,32-34,36-38,40-42,44-46,48-50,52-54,56-58,60-62=q8_0 "
            "attn_k@3,7,11,15,19,23,27,31,35,39,43,47,51,55,59,63=q8_0 "
            "attn_output@3,7,11,15,19,23,27,31,35,39,43,47,51,55,59,63=q8_0 "
            "attn_q@3,7,11,15,19,23,27,31,35,39,43,47,51,55,59,63=q8_0 "
            "attn_qkv@0-2,4-6,8-10,12-14,16-18,20-22,24-26,28-30,32-34,36-38,40-42,44-46,48-50,52-54,56-58,60-62=q8_0 "
            "attn_v@3,7,11,15,19,23,27,31,35,39,43,47,51,55,59,63=q8_0 ffn_down@0-63=q8_0 ffn_gate@0-63=q8_0 "
            "ffn_up@0-63=q8_0 "
            "ssm_alpha@0-2,4-6,8-10,12-14,16-18,20-22,24-26,28-30,32-34,36-38,40-42,44-46,48-50,52-54,56-58,60-62=q8_0 "
            "ssm_beta@0-2,4-6,8-10,12-14,16-18,20-22,24-26,28-30,32-34,36-38,40-42,44-46,48-50,52-54,56-58,60-62=q8_0 "
            "ssm_out@0-2,4-6,8-10,12-14,16-18,20-22,24-26,28-30,32-34,36-38,40-42,44-46,48-50,52-54,56-58,60-62=q8_0"
        ),
    },
}


CASES = cases(SNAPSHOTS)


@pytest.mark.parametrize(("model", "ftype"), CASES)
def test_types_match_llama_cpp_snapshot(model: str, ftype: str) -> None:
    assert_types_match_snapshot(ARCHS[model], ftype, SNAPSHOTS[model][ftype])


@pytest.mark.parametrize("model", sorted(ARCHS))
def test_quantizable_tensor_set_matches_snapshot(model: str) -> None:
    assert_quantizable_set_matches(ARCHS[model], SNAPSHOTS[model]["MXFP4_MOE"])


def _catalog_arch(rel: str) -> tuple[Architecture, int]:
    d = tomllib.loads((MODELS / rel).read_text())
    a = architecture(d["arch"], int(d["context_length"]))
    return a, int(d["params"]) - a.extra_params  # text decoder only


CATALOG = {
    "nvidia/nemotron-3-nano-30b-a3b.toml": 31_577_940_288,
    "qwen/qwen3-next-80b-a3b.toml": 79_674_391_296,
    "qwen/qwen3.5-9b.toml": 8_953_803_264,
    "qwen/qwen3.6-35b-a3b.toml": 34_660_610_688,
}


@pytest.mark.parametrize("rel", sorted(CATALOG))
def test_parameter_count_equals_catalog_params(rel: str) -> None:
    a, params = _catalog_arch(rel)
    assert params == CATALOG[rel]
    assert sum(t.n_elements for t in gguf_tensors(a)) == params


# the data files' notes give the checkpoint's MTP layer size (not counted in params)
MTP = {
    "qwen/qwen3-next-80b-a3b.toml": 1_650_471_424,
    "qwen/qwen3.5-9b.toml": 243_290_624,
    "qwen/qwen3.6-35b-a3b.toml": 844_640_768,
}


@pytest.mark.parametrize("rel", sorted(MTP))
def test_mtp_block_matches_checkpoint_mtp_layer(rel: str) -> None:
    a, params = _catalog_arch(rel)
    b = dataclasses.replace(a, nextn_layers=1)
    tensors = gguf_tensors(b)
    assert n_blocks(b) == a.n_layers + 1
    assert sum(t.n_elements for t in tensors) - params == MTP[rel]
    last = {t.name for t in tensors if t.name.startswith(f"blk.{a.n_layers}.")}
    assert f"blk.{a.n_layers}.nextn.eh_proj.weight" in last
    assert f"blk.{a.n_layers}.attn_q.weight" in last  # MTP blocks are full-attention blocks


def _shapes(a: Architecture) -> dict[str, tuple[int, ...]]:
    return {t.name: t.shape for t in gguf_tensors(a)}


def test_nemotron_h_block_kinds_and_shapes() -> None:
    a = ARCHS["nvidia-nemotron-3-nano-30b-a3b"]
    s = _shapes(a)
    # Mamba-2 block (layer 0): in_proj = 2 d_inner + 2 n_group d_state + n_head
    assert {k: v for k, v in s.items() if k.startswith("blk.0.")} == {
        "blk.0.attn_norm.weight": (2688,),
        "blk.0.ssm_in.weight": (2688, 2 * 4096 + 2 * 8 * 128 + 64),
        "blk.0.ssm_conv1d.weight": (4, 4096 + 2 * 8 * 128),
        "blk.0.ssm_conv1d.bias": (4096 + 2 * 8 * 128,),
        "blk.0.ssm_dt.bias": (64,),
        "blk.0.ssm_a": (1, 64),
        "blk.0.ssm_d": (1, 64),
        "blk.0.ssm_norm.weight": (512, 8),
        "blk.0.ssm_out.weight": (4096, 2688),
    }
    # MoE block (layer 1): squared-ReLU up/down experts, one shared expert, no gate projections
    assert {k: v for k, v in s.items() if k.startswith("blk.1.")} == {
        "blk.1.attn_norm.weight": (2688,),
        "blk.1.ffn_gate_inp.weight": (2688, 128),
        "blk.1.exp_probs_b.bias": (128,),
        "blk.1.ffn_down_exps.weight": (1856, 2688, 128),
        "blk.1.ffn_up_exps.weight": (2688, 1856, 128),
        "blk.1.ffn_down_shexp.weight": (3712, 2688),
        "blk.1.ffn_up_shexp.weight": (2688, 3712),
    }
    # attention block (layer 5): no FFN of its own
    assert {k: v for k, v in s.items() if k.startswith("blk.5.")} == {
        "blk.5.attn_norm.weight": (2688,),
        "blk.5.attn_q.weight": (2688, 4096),
        "blk.5.attn_k.weight": (2688, 256),
        "blk.5.attn_v.weight": (2688, 256),
        "blk.5.attn_output.weight": (4096, 2688),
    }
    assert "output.weight" in s


def test_qwen3next_linear_and_attention_blocks() -> None:
    s = _shapes(ARCHS["qwen3-coder-next"])
    # Gated DeltaNet: q, k (16 x 128 each) and v (32 x 128) in attn_qkv, z in attn_gate, beta/alpha in ssm_ba
    assert s["blk.0.attn_qkv.weight"] == (2048, 8192)
    assert s["blk.0.attn_gate.weight"] == (2048, 4096)
    assert s["blk.0.ssm_ba.weight"] == (2048, 64)
    assert s["blk.0.ssm_conv1d.weight"] == (4, 8192)
    assert s["blk.0.ssm_a"] == (32,)
    assert s["blk.0.ssm_norm.weight"] == (128,)
    assert s["blk.0.ssm_out.weight"] == (4096, 2048)
    assert "blk.0.attn_q.weight" not in s
    # gated attention on every fourth layer: attn_q is query + gate
    assert s["blk.3.attn_q.weight"] == (2048, 2 * 16 * 256)
    assert s["blk.3.attn_output.weight"] == (16 * 256, 2048)
    assert s["blk.3.attn_q_norm.weight"] == (256,)
    assert "blk.3.attn_qkv.weight" not in s
    # every layer: post-attention norm and the MoE with a gated shared expert
    assert s["blk.3.post_attention_norm.weight"] == (2048,)
    assert s["blk.0.ffn_gate_exps.weight"] == (2048, 512, 512)
    assert s["blk.0.ffn_gate_inp_shexp.weight"] == (2048,)


def test_qwen35_uses_separate_beta_alpha_and_dense_ffn() -> None:
    s = _shapes(ARCHS["qwen3.6-27b"])
    assert s["blk.0.ssm_beta.weight"] == (5120, 48)
    assert s["blk.0.ssm_alpha.weight"] == (5120, 48)
    assert "blk.0.ssm_ba.weight" not in s
    assert s["blk.0.attn_qkv.weight"] == (5120, 2 * 16 * 128 + 48 * 128)
    assert s["blk.0.ffn_gate.weight"] == (5120, 17408)
    assert not any("_exps" in k for k in s)


def test_nemotron_nano_q4_k_m_is_about_24_gb() -> None:
    # before hybrid layouts every layer got attention + MoE (a 72 GiB estimate); published Q4_K_M files are ~24.5 GB
    a, _ = _catalog_arch("nvidia/nemotron-3-nano-30b-a3b.toml")
    assert 24.3e9 < weights_bytes("Q4_K_M", a) < 24.7e9
    # BF16: 2 bytes per parameter except the F32 norms/conv/router tensors
    assert 63.1e9 < weights_bytes("BF16", a) < 63.3e9


def test_qwen3_next_q4_k_m_size() -> None:
    # steampunque/Qwen3-Coder-Next-Hybrid-GGUF lists a plain Q4_K_M of Qwen3-Coder-Next (same shapes) at 48.5e9 bytes
    a, _ = _catalog_arch("qwen/qwen3-next-80b-a3b.toml")
    assert abs(weights_bytes("Q4_K_M", a) - 48.5e9) < 0.05e9


def test_nemotron_mtp_block() -> None:
    a = dataclasses.replace(ARCHS["nvidia-nemotron-3-nano-30b-a3b"], nextn_layers=1)
    s = _shapes(a)
    p = "blk.52."
    assert s[p + "nextn.eh_proj.weight"] == (2 * 2688, 2688)
    assert s[p + "attn_q.weight"] == (2688, 4096)
    assert s[p + "post_attention_norm.weight"] == (2688,)
    assert s[p + "ffn_up_exps.weight"] == (2688, 1856, 128)
    assert TensorSpec(p + "ssm_in.weight", (2688, 10304)) not in gguf_tensors(a)


def test_latent_moe_experts_work_at_the_latent_width() -> None:
    """Nemotron 3 Super's LatentMoE: ffn_latent_down (hidden -> latent) before the routed experts and ffn_latent_up
    after them; each expert is latent x moe_intermediate_size; the router and the shared expert keep the hidden
    width (llama.cpp's nemotron_h tensors when {arch}.moe_latent_size is set)."""
    a = dataclasses.replace(ARCHS["nvidia-nemotron-3-nano-30b-a3b"], moe_latent_size=1024)
    s = _shapes(a)
    assert {k: v for k, v in s.items() if k.startswith("blk.1.")} == {
        "blk.1.attn_norm.weight": (2688,),
        "blk.1.ffn_gate_inp.weight": (2688, 128),
        "blk.1.exp_probs_b.bias": (128,),
        "blk.1.ffn_latent_down.weight": (2688, 1024),
        "blk.1.ffn_latent_up.weight": (1024, 2688),
        "blk.1.ffn_down_exps.weight": (1856, 1024, 128),
        "blk.1.ffn_up_exps.weight": (1024, 1856, 128),
        "blk.1.ffn_down_shexp.weight": (3712, 2688),
        "blk.1.ffn_up_shexp.weight": (2688, 3712),
    }
    plain = _shapes(ARCHS["nvidia-nemotron-3-nano-30b-a3b"])
    n = sum(math.prod(v) for v in s.values()) - sum(math.prod(v) for v in plain.values())
    # per MoE block: experts shrink by 2 x 1856 x 128 x (2688 - 1024), the two projections add 2 x 2688 x 1024
    moe_blocks = NEMO_KINDS.count("none")
    assert n == moe_blocks * (2 * 2688 * 1024 - 2 * 1856 * 128 * (2688 - 1024))


def test_latent_moe_reads_from_config_json() -> None:
    from runlocal.formats.hfconfig import arch_from_config

    cfg = {"architectures": ["NemotronHForCausalLM"], "model_type": "nemotron_h", "hidden_size": 4096,
           "num_hidden_layers": 4, "num_attention_heads": 32, "num_key_value_heads": 2, "head_dim": 128,
           "intermediate_size": 2688, "vocab_size": 131072, "n_routed_experts": 512, "num_experts_per_tok": 22,
           "moe_intermediate_size": 2688, "moe_latent_size": 1024, "hybrid_override_pattern": "ME*E"}
    assert arch_from_config(cfg)[0].moe_latent_size == 1024


def test_mamba1_and_jamba_blocks_count_the_catalog_params() -> None:
    """Falcon Mamba 7B (LLM_ARCH_MAMBA) and Jamba 1.5 Mini (LLM_ARCH_JAMBA): dt_rank = ceil(4096 / 16) = 256;
    a Mamba-1 mixer is ssm_in (4096 x 16384) + conv (4 x 8192 + 8192) + ssm_x (8192 x (256 + 32)) + ssm_dt
    (256 x 8192 + 8192) + A (16 x 8192) + D (8192) + ssm_out (8192 x 4096); Jamba adds dt/B/C norms and its FFNs."""
    for rel, total in (("tii/falcon-mamba-7b.toml", 7_272_665_088), ("ai21/jamba-1.5-mini.toml", 51_570_323_328)):
        a, _ = _catalog_arch(rel)
        assert sum(math.prod(t.shape) for t in gguf_tensors(a)) == total
    a, _ = _catalog_arch("tii/falcon-mamba-7b.toml")
    mixer = 4096 * 16384 + 4 * 8192 + 8192 + 8192 * 288 + 256 * 8192 + 8192 + 16 * 8192 + 8192 + 8192 * 4096
    assert sum(math.prod(t.shape) for t in gguf_tensors(a) if t.name.startswith("blk.0.")) == mixer + 4096
    # ssm_x and ssm_dt stay 16-bit in a quantized file, as llama-quantize leaves them
    from runlocal.estimate.quant_rules import allows_quantization
    assert not any(allows_quantization(t) for t in gguf_tensors(a) if ".ssm_x." in t.name or ".ssm_dt." in t.name)
