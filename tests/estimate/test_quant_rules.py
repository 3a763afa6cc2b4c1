"""Tensor-type selection and GGUF sizes without a model file (runlocal.estimate.quant_rules).

The SNAPSHOTS tables are transcribed from llama.cpp's tests/snapshots/*.schema (the tree vendored by
llama-cpp-python 0.3.36): for each file type, the default type, then every quantizable tensor whose type
differs from it, written ``name@layers=type`` (``blk.N.`` prefix and ``.weight`` suffix dropped; layers as
ranges). The schemas are made without an imatrix, hence ``imatrix=False`` below.
"""

from __future__ import annotations

import re

import pytest
from golden import assert_quantizable_set_matches, assert_types_match_snapshot, cases, expand

from runlocal.estimate.ggml_types import FTYPES, GGML_TYPES, canonical_ftype, tensor_bytes
from runlocal.estimate.gguf_layout import TensorSpec, gguf_tensors
from runlocal.estimate.quant_rules import allows_quantization, assign_types, type_mix, weights_bytes
from runlocal.estimate.specs import Architecture

GIB = 1024**3

ARCHS: dict[str, Architecture] = {
    # the schema headers give n_embd, n_ff, n_vocab, n_layer, n_head, n_head_kv, n_expert
    "meta-llama-3.1-70b-instruct": Architecture("llama", 80, 8192, 64, 8, 128, 28672, 128256),
    # Qwen3-0.6B ties its embeddings in config.json, but ggml-org's GGUF carries output.weight
    "qwen3-0.6b": Architecture("qwen3", 28, 1024, 16, 8, 128, 3072, 151936, qk_norm=True),
    "qwen3-14b": Architecture("qwen3", 40, 5120, 40, 8, 128, 17408, 151936, qk_norm=True),
    "gemma-3-4b-it": Architecture(
        "gemma3", 34, 2560, 8, 4, 256, 10240, 262144, tie_embeddings=True, qk_norm=True
    ),
    "gpt-oss-120b": Architecture(
        "gpt-oss", 36, 2880, 64, 8, 64, 2880, 201088, attn_bias=True,
        n_experts=128, n_experts_used=4, moe_intermediate_size=2880,
    ),
    "deepseek-v3.1": Architecture(
        "deepseek2", 61, 7168, 128, 128, 192, 18432, 129280,
        n_experts=256, n_experts_used=8, moe_intermediate_size=2048, n_shared_experts=1, first_k_dense=3,
        q_lora_rank=1536, kv_lora_rank=512, qk_rope_head_dim=64, qk_nope_head_dim=128, v_head_dim=128,
    ),
    "glm-4.6v": Architecture(
        "glm4moe", 46, 4096, 96, 8, 128, 10944, 151552, attn_bias=True,
        n_experts=128, n_experts_used=8, moe_intermediate_size=1408, n_shared_experts=1, first_k_dense=1,
    ),
}  # fmt: skip

LLAMA_31_8B = Architecture("llama", 32, 4096, 32, 8, 128, 14336, 128256)
LLAMA_3_70B = Architecture("llama", 80, 8192, 64, 8, 128, 28672, 128256)

# transcribed from tests/snapshots/*.schema; see the module docstring for the notation
SNAPSHOTS: dict[str, dict[str, str]] = {
    "meta-llama-3.1-70b-instruct": {
        "F32": "f32:",
        "F16": "f16:",
        "Q4_0": "q4_0: output=q6_k",
        "Q4_1": "q4_1: output=q6_k",
        "Q8_0": "q8_0:",
        "Q5_0": "q5_0: output=q6_k",
        "Q5_1": "q5_1: output=q6_k",
        "Q2_K": "q2_k: output=q6_k attn_output@0-79=q3_k attn_v@0-79=q5_k ffn_down@0-79=q3_k",
        "Q3_K_S": "q3_k: output=q6_k attn_v@0-79=q5_k",
        "Q3_K_M": (
            "q3_k: output=q6_k attn_output@0-79=q4_k attn_v@0-79=q5_k ffn_down@0-4=q5_k ffn_down@5-79=q4_k"
        ),
        "Q3_K_L": "q3_k: output=q6_k attn_output@0-79=q5_k attn_v@0-79=q5_k ffn_down@0-79=q5_k",
        "Q4_K_S": "q4_k: output=q6_k attn_v@0-79=q5_k ffn_down@0-9=q5_k",
        "Q4_K_M": (
            "q4_k: output=q6_k attn_v@0-9,12,15,18,21,24,27,30,33,36,39,42,45,48,51,54,57,60,63,66,"
            "69-79=q6_k ffn_down@0-9,12,15,18,21,24,27,30,33,36,39,42,45,48,51,54,57,60,63,66,69-79=q6_k "
            "attn_v@10-11,13-14,16-17,19-20,22-23,25-26,28-29,31-32,34-35,37-38,40-41,43-44,46-47,49-50,"
            "52-53,55-56,58-59,61-62,64-65,67-68=q5_k"
        ),
        "Q5_K_S": "q5_k: output=q6_k",
        "Q5_K_M": (
            "q5_k: output=q6_k attn_v@0-9,12,15,18,21,24,27,30,33,36,39,42,45,48,51,54,57,60,63,66,"
            "69-79=q6_k ffn_down@0-9,12,15,18,21,24,27,30,33,36,39,42,45,48,51,54,57,60,63,66,69-79=q6_k"
        ),
        "Q6_K": "q6_k:",
        "IQ2_XXS": "iq2_xxs: output=q5_k token_embd=q2_k attn_v@0-79=q4_k ffn_down@0-9=q2_k",
        "IQ2_XS": "iq2_xs: output=q5_k token_embd=q2_k attn_v@0-79=q4_k ffn_down@0-9=q2_k",
        "Q2_K_S": "q2_k: output=q6_k attn_v@0-79=q5_k ffn_down@0-9=q4_k",
        "IQ3_XS": (
            "iq3_s: output=q6_k attn_k@0-79=iq3_xxs attn_q@0-79=iq3_xxs attn_v@0-79=q5_k "
            "ffn_gate@10-69=iq3_xxs ffn_up@10-69=iq3_xxs"
        ),
        "IQ3_XXS": (
            "iq3_xxs: output=q5_k token_embd=iq3_s attn_k@0-79=iq2_s attn_output@0-79=iq3_s "
            "attn_q@0-79=iq2_s attn_v@0-79=q5_k ffn_down@0-9=q4_k ffn_down@10-79=q3_k"
        ),
        "IQ1_S": (
            "iq1_s: output=q5_k token_embd=q2_k attn_output@0-79=iq2_xxs attn_v@0-79=q4_k ffn_down@0-9=q2_k"
        ),
        "IQ4_NL": "iq4_nl: output=q6_k attn_v@0-79=q5_k ffn_down@0-9=q5_k",
        "IQ3_S": "iq3_s: output=q6_k attn_v@0-79=q5_k",
        "IQ3_M": "iq3_s: output=q6_k attn_output@0-79=q4_k attn_v@0-79=q5_k ffn_down@0-9=q4_k",
        "IQ2_S": (
            "iq2_xs: output=q5_k token_embd=iq3_s attn_output@0-79=iq3_s attn_v@0-79=q4_k ffn_down@0-9=iq3_s"
        ),
        "IQ2_M": (
            "iq2_s: output=q5_k token_embd=iq3_s attn_output@0-79=iq3_s attn_v@0-79=q4_k ffn_down@0-9=iq3_s"
        ),
        "IQ4_XS": "iq4_xs: output=q6_k attn_v@0-79=q5_k ffn_down@0-9=q5_k",
        "IQ1_M": (
            "iq1_m: output=q5_k token_embd=q2_k attn_output@0-79=iq2_xxs attn_v@0-79=q4_k ffn_down@0-9=q2_k"
        ),
        "BF16": "bf16:",
        "TQ1_0": "tq1_0: output=q6_k token_embd=q4_k",
        "TQ2_0": "tq2_0: output=q6_k token_embd=q4_k",
        "MXFP4_MOE": (
            "mxfp4: output=q8_0 token_embd=q8_0 attn_k@0-79=q8_0 attn_output@0-79=q8_0 attn_q@0-79=q8_0 "
            "attn_v@0-79=q8_0 ffn_down@0-79=q8_0 ffn_gate@0-79=q8_0 ffn_up@0-79=q8_0"
        ),
    },
    "qwen3-0.6b": {
        "F32": "f32:",
        "F16": "f16:",
        "Q4_0": "q4_0: output=q6_k",
        "Q4_1": "q4_1: output=q6_k",
        "Q8_0": "q8_0:",
        "Q5_0": "q5_0: output=q6_k",
        "Q5_1": "q5_1: output=q6_k",
        "Q2_K": "q2_k: output=q6_k attn_output@0-27=q3_k attn_v@0-27=q3_k ffn_down@0-27=q3_k",
        "Q3_K_S": "q3_k: output=q6_k",
        "Q3_K_M": (
            "q3_k: output=q6_k attn_output@0-27=q4_k attn_v@0-1=q5_k ffn_down@0=q5_k ffn_down@1-27=q4_k "
            "attn_v@2-27=q4_k"
        ),
        "Q3_K_L": "q3_k: output=q6_k attn_output@0-27=q5_k attn_v@0-27=q5_k ffn_down@0-27=q5_k",
        "Q4_K_S": "q4_k: output=q6_k attn_v@0-3=q5_k ffn_down@0-2=q5_k",
        "Q4_K_M": (
            "q4_k: output=q6_k attn_v@0-2,5,8,11,14,17,20,23-27=q6_k ffn_down@0-2,5,8,11,14,17,20,23-27=q6_k"
        ),
        "Q5_K_S": "q5_k: output=q6_k",
        "Q5_K_M": (
            "q5_k: output=q6_k attn_v@0-2,5,8,11,14,17,20,23-27=q6_k ffn_down@0-2,5,8,11,14,17,20,23-27=q6_k"
        ),
        "Q6_K": "q6_k:",
        "IQ2_XXS": "iq2_xxs: output=q5_k token_embd=q2_k attn_v@0-27=q2_k ffn_down@0-2=q2_k",
        "IQ2_XS": "iq2_xs: output=q5_k token_embd=q2_k attn_v@0-27=q2_k ffn_down@0-2=q2_k",
        "Q2_K_S": "q2_k: output=q6_k ffn_down@0-2=q4_k",
        "IQ3_XS": (
            "iq3_s: output=q6_k attn_k@0-27=iq3_xxs attn_q@0-27=iq3_xxs ffn_gate@3-23=iq3_xxs "
            "ffn_up@3-23=iq3_xxs"
        ),
        "IQ3_XXS": (
            "iq3_xxs: output=q5_k token_embd=iq3_s attn_k@0-27=iq2_s attn_output@0-27=iq3_s "
            "attn_q@0-27=iq2_s attn_v@0-27=iq3_s ffn_down@0-2=q4_k ffn_down@3-27=q3_k"
        ),
        "IQ1_S": (
            "iq1_s: output=q5_k token_embd=q2_k attn_output@0-27=iq2_xxs attn_v@0-27=q2_k ffn_down@0-2=q2_k"
        ),
        "IQ4_NL": "iq4_nl: output=q6_k ffn_down@0-2=q5_k",
        "IQ3_S": "iq3_s: output=q6_k",
        "IQ3_M": "iq3_s: output=q6_k attn_output@0-27=q4_k attn_v@0-27=q4_k ffn_down@0-2=q4_k",
        "IQ2_S": (
            "iq2_xs: output=q5_k token_embd=iq3_s attn_output@0-27=iq3_s attn_v@0-27=iq3_s ffn_down@0-2=iq3_s"
        ),
        "IQ2_M": (
            "iq2_s: output=q5_k token_embd=iq3_s attn_output@0-27=iq3_s attn_v@0-27=iq3_s ffn_down@0-2=iq3_s"
        ),
        "IQ4_XS": "iq4_xs: output=q6_k ffn_down@0-2=q5_k",
        "IQ1_M": (
            "iq1_m: output=q5_k token_embd=q2_k attn_output@0-27=iq2_xxs attn_v@0-27=q2_k ffn_down@0-2=q2_k"
        ),
        "BF16": "bf16:",
        "TQ1_0": "tq1_0: output=q6_k token_embd=q4_k",
        "TQ2_0": "tq2_0: output=q6_k token_embd=q4_k",
        "MXFP4_MOE": (
            "mxfp4: output=q8_0 token_embd=q8_0 attn_k@0-27=q8_0 attn_output@0-27=q8_0 attn_q@0-27=q8_0 "
            "attn_v@0-27=q8_0 ffn_down@0-27=q8_0 ffn_gate@0-27=q8_0 ffn_up@0-27=q8_0"
        ),
    },
    "qwen3-14b": {
        "F32": "f32:",
        "F16": "f16:",
        "Q4_0": "q4_0: output=q6_k",
        "Q4_1": "q4_1: output=q6_k",
        "Q8_0": "q8_0:",
        "Q5_0": "q5_0: output=q6_k",
        "Q5_1": "q5_1: output=q6_k",
        "Q2_K": "q2_k: output=q6_k attn_output@0-39=q3_k attn_v@0-39=q4_k ffn_down@0-39=q3_k",
        "Q3_K_S": "q3_k: output=q6_k",
        "Q3_K_M": (
            "q3_k: output=q6_k attn_output@0-39=q4_k attn_v@0-1=q5_k ffn_down@0-1=q5_k attn_v@2-39=q4_k "
            "ffn_down@2-39=q4_k"
        ),
        "Q3_K_L": "q3_k: output=q6_k attn_output@0-39=q5_k attn_v@0-39=q5_k ffn_down@0-39=q5_k",
        "Q4_K_S": "q4_k: output=q6_k attn_v@0-3=q5_k ffn_down@0-4=q5_k",
        "Q4_K_M": (
            "q4_k: output=q6_k attn_v@0-4,7,10,13,16,19,22,25,28,31,34-39=q6_k ffn_down@0-4,7,10,13,16,19,"
            "22,25,28,31,34-39=q6_k"
        ),
        "Q5_K_S": "q5_k: output=q6_k",
        "Q5_K_M": (
            "q5_k: output=q6_k attn_v@0-4,7,10,13,16,19,22,25,28,31,34-39=q6_k ffn_down@0-4,7,10,13,16,19,"
            "22,25,28,31,34-39=q6_k"
        ),
        "Q6_K": "q6_k:",
        "IQ2_XXS": "iq2_xxs: output=q5_k token_embd=q2_k attn_v@0-39=q4_k ffn_down@0-4=q2_k",
        "IQ2_XS": "iq2_xs: output=q5_k token_embd=q2_k attn_v@0-39=q4_k ffn_down@0-4=q2_k",
        "Q2_K_S": "q2_k: output=q6_k attn_v@0-39=q4_k ffn_down@0-4=q4_k",
        "IQ3_XS": (
            "iq3_s: output=q6_k attn_k@0-39=iq3_xxs attn_q@0-39=iq3_xxs attn_v@0-39=q4_k "
            "ffn_gate@5-34=iq3_xxs ffn_up@5-34=iq3_xxs"
        ),
        "IQ3_XXS": (
            "iq3_xxs: output=q5_k token_embd=iq3_s attn_k@0-39=iq2_s attn_output@0-39=iq3_s "
            "attn_q@0-39=iq2_s attn_v@0-39=q4_k ffn_down@0-4=q4_k ffn_down@5-39=q3_k"
        ),
        "IQ1_S": (
            "iq1_s: output=q5_k token_embd=q2_k attn_output@0-39=iq2_xxs attn_v@0-39=q4_k ffn_down@0-4=q2_k"
        ),
        "IQ4_NL": "iq4_nl: output=q6_k attn_v@0-39=q5_k ffn_down@0-4=q5_k",
        "IQ3_S": "iq3_s: output=q6_k attn_v@0-39=q4_k",
        "IQ3_M": "iq3_s: output=q6_k attn_output@0-39=q4_k attn_v@0-39=q4_k ffn_down@0-4=q4_k",
        "IQ2_S": (
            "iq2_xs: output=q5_k token_embd=iq3_s attn_output@0-39=iq3_s attn_v@0-39=q4_k ffn_down@0-4=iq3_s"
        ),
        "IQ2_M": (
            "iq2_s: output=q5_k token_embd=iq3_s attn_output@0-39=iq3_s attn_v@0-39=q4_k ffn_down@0-4=iq3_s"
        ),
        "IQ4_XS": "iq4_xs: output=q6_k attn_v@0-39=q5_k ffn_down@0-4=q5_k",
        "IQ1_M": (
            "iq1_m: output=q5_k token_embd=q2_k attn_output@0-39=iq2_xxs attn_v@0-39=q4_k ffn_down@0-4=q2_k"
        ),
        "BF16": "bf16:",
        "TQ1_0": "tq1_0: output=q6_k token_embd=q4_k",
        "TQ2_0": "tq2_0: output=q6_k token_embd=q4_k",
        "MXFP4_MOE": (
            "mxfp4: output=q8_0 token_embd=q8_0 attn_k@0-39=q8_0 attn_output@0-39=q8_0 attn_q@0-39=q8_0 "
            "attn_v@0-39=q8_0 ffn_down@0-39=q8_0 ffn_gate@0-39=q8_0 ffn_up@0-39=q8_0"
        ),
    },
    "gemma-3-4b-it": {
        "F32": "f32:",
        "F16": "f16:",
        "Q4_0": "q4_0: token_embd=q6_k",
        "Q4_1": "q4_1: token_embd=q6_k",
        "Q8_0": "q8_0:",
        "Q5_0": "q5_0: token_embd=q6_k",
        "Q5_1": "q5_1: token_embd=q6_k",
        "Q2_K": "q2_k: token_embd=q6_k attn_output@0-33=q3_k attn_v@0-33=q3_k ffn_down@0-33=q3_k",
        "Q3_K_S": "q3_k: token_embd=q6_k",
        "Q3_K_M": (
            "q3_k: token_embd=q6_k attn_output@0-33=q4_k attn_v@0-1=q5_k ffn_down@0-1=q5_k "
            "attn_v@2-33=q4_k ffn_down@2-33=q4_k"
        ),
        "Q3_K_L": "q3_k: token_embd=q6_k attn_output@0-33=q5_k attn_v@0-33=q5_k ffn_down@0-33=q5_k",
        "Q4_K_S": "q4_k: token_embd=q6_k attn_v@0-3=q5_k ffn_down@0-3=q5_k",
        "Q4_K_M": (
            "q4_k: token_embd=q6_k attn_v@0-3,6,9,12,15,18,21,24,27,29-33=q6_k ffn_down@0-3,6,9,12,15,18,"
            "21,24,27,29-33=q6_k"
        ),
        "Q5_K_S": "q5_k: token_embd=q6_k",
        "Q5_K_M": (
            "q5_k: token_embd=q6_k attn_v@0-3,6,9,12,15,18,21,24,27,29-33=q6_k ffn_down@0-3,6,9,12,15,18,"
            "21,24,27,29-33=q6_k"
        ),
        "Q6_K": "q6_k:",
        "IQ2_XXS": "iq2_xxs: token_embd=q5_k attn_v@0-33=q2_k ffn_down@0-3=q2_k",
        "IQ2_XS": "iq2_xs: token_embd=q5_k attn_v@0-33=q2_k ffn_down@0-3=q2_k",
        "Q2_K_S": "q2_k: token_embd=q6_k ffn_down@0-3=q4_k",
        "IQ3_XS": (
            "iq3_s: token_embd=q6_k attn_k@0-33=iq3_xxs attn_q@0-33=iq3_xxs ffn_gate@4-28=iq3_xxs "
            "ffn_up@4-28=iq3_xxs"
        ),
        "IQ3_XXS": (
            "iq3_xxs: token_embd=q5_k attn_k@0-33=iq2_s attn_output@0-33=iq3_s attn_q@0-33=iq2_s "
            "attn_v@0-33=iq3_s ffn_down@0-3=q4_k ffn_down@4-33=q3_k"
        ),
        "IQ1_S": "iq1_s: token_embd=q5_k attn_output@0-33=iq2_xxs attn_v@0-33=q2_k ffn_down@0-3=q2_k",
        "IQ4_NL": "iq4_nl: token_embd=q6_k ffn_down@0-3=q5_k",
        "IQ3_S": "iq3_s: token_embd=q6_k",
        "IQ3_M": "iq3_s: token_embd=q6_k attn_output@0-33=q4_k attn_v@0-33=q4_k ffn_down@0-3=q4_k",
        "IQ2_S": "iq2_xs: token_embd=q5_k attn_output@0-33=iq3_s attn_v@0-33=iq3_s ffn_down@0-3=iq3_s",
        "IQ2_M": "iq2_s: token_embd=q5_k attn_output@0-33=iq3_s attn_v@0-33=iq3_s ffn_down@0-3=iq3_s",
        "IQ4_XS": "iq4_xs: token_embd=q6_k ffn_down@0-3=q5_k",
        "IQ1_M": "iq1_m: token_embd=q5_k attn_output@0-33=iq2_xxs attn_v@0-33=q2_k ffn_down@0-3=q2_k",
        "BF16": "bf16:",
        "TQ1_0": "tq1_0: token_embd=q6_k",
        "TQ2_0": "tq2_0: token_embd=q6_k",
        "MXFP4_MOE": (
            "mxfp4: token_embd=q8_0 attn_k@0-33=q8_0 attn_output@0-33=q8_0 attn_q@0-33=q8_0 "
            "attn_v@0-33=q8_0 ffn_down@0-33=q8_0 ffn_gate@0-33=q8_0 ffn_up@0-33=q8_0"
        ),
    },
    "gpt-oss-120b": {
        "F32": "f32:",
        "F16": "f16:",
        "Q4_0": "q4_0: output=q8_0",
        "Q4_1": "q4_1: output=q8_0",
        "Q8_0": "q8_0:",
        "Q5_0": "q5_0: output=q8_0",
        "Q5_1": "q5_1: output=q8_0",
        "Q2_K": (
            "q2_k: output=q8_0 token_embd=q4_0 attn_k@0-35=q4_0 attn_output@0-35=q3_k attn_q@0-35=q4_0 "
            "attn_v@0-35=q5_0 ffn_down_exps@0-35=q4_0 ffn_gate_exps@0-35=q4_0 ffn_up_exps@0-35=q4_0"
        ),
        "Q3_K_S": (
            "q3_k: output=q8_0 token_embd=q4_0 attn_k@0-35=q4_0 attn_q@0-35=q4_0 attn_v@0-35=q4_0 "
            "ffn_down_exps@0-35=q4_0 ffn_gate_exps@0-35=q4_0 ffn_up_exps@0-35=q4_0"
        ),
        "Q3_K_M": (
            "q3_k: output=q8_0 token_embd=q4_0 attn_k@0-35=q4_0 attn_output@0-35=q4_k attn_q@0-35=q4_0 "
            "attn_v@0-1=q5_1 ffn_down_exps@0-1=q5_1 ffn_gate_exps@0-35=q4_0 ffn_up_exps@0-35=q4_0 "
            "attn_v@2-35=q5_0 ffn_down_exps@2-35=q5_0"
        ),
        "Q3_K_L": (
            "q3_k: output=q8_0 token_embd=q4_0 attn_k@0-35=q4_0 attn_output@0-35=q5_k attn_q@0-35=q4_0 "
            "attn_v@0-35=q5_1 ffn_down_exps@0-35=q5_1 ffn_gate_exps@0-35=q4_0 ffn_up_exps@0-35=q4_0"
        ),
        "Q4_K_S": (
            "q4_k: output=q8_0 token_embd=q5_0 attn_k@0-35=q5_0 attn_q@0-35=q5_0 attn_v@0-3=q5_1 "
            "ffn_down_exps@0-3=q5_1 ffn_gate_exps@0-35=q5_0 ffn_up_exps@0-35=q5_0 attn_v@4-35=q5_0 "
            "ffn_down_exps@4-35=q5_0"
        ),
        "Q4_K_M": (
            "q4_k: output=q8_0 token_embd=q5_0 attn_k@0-35=q5_0 attn_q@0-35=q5_0 attn_v@0-3,6,9,12,15,18,"
            "21,24,27,30-35=q8_0 ffn_down_exps@0-3,6,9,12,15,18,21,24,27,30-35=q8_0 "
            "ffn_gate_exps@0-35=q5_0 ffn_up_exps@0-35=q5_0 attn_v@4-5,7-8,10-11,13-14,16-17,19-20,22-23,"
            "25-26,28-29=q5_0 ffn_down_exps@4-5,7-8,10-11,13-14,16-17,19-20,22-23,25-26,28-29=q5_0"
        ),
        "Q5_K_S": (
            "q5_k: output=q8_0 token_embd=q5_1 attn_k@0-35=q5_1 attn_q@0-35=q5_1 attn_v@0-35=q5_1 "
            "ffn_down_exps@0-35=q5_1 ffn_gate_exps@0-35=q5_1 ffn_up_exps@0-35=q5_1"
        ),
        "Q5_K_M": (
            "q5_k: output=q8_0 token_embd=q5_1 attn_k@0-35=q5_1 attn_q@0-35=q5_1 attn_v@0-3,6,9,12,15,18,"
            "21,24,27,30-35=q8_0 ffn_down_exps@0-3,6,9,12,15,18,21,24,27,30-35=q8_0 "
            "ffn_gate_exps@0-35=q5_1 ffn_up_exps@0-35=q5_1 attn_v@4-5,7-8,10-11,13-14,16-17,19-20,22-23,"
            "25-26,28-29=q5_1 ffn_down_exps@4-5,7-8,10-11,13-14,16-17,19-20,22-23,25-26,28-29=q5_1"
        ),
        "Q6_K": (
            "q6_k: output=q8_0 token_embd=q8_0 attn_k@0-35=q8_0 attn_q@0-35=q8_0 attn_v@0-35=q8_0 "
            "ffn_down_exps@0-35=q8_0 ffn_gate_exps@0-35=q8_0 ffn_up_exps@0-35=q8_0"
        ),
        "IQ2_XXS": (
            "iq2_xxs: output=q8_0 token_embd=q4_0 attn_k@0-35=iq4_nl attn_q@0-35=iq4_nl attn_v@0-35=q5_0 "
            "ffn_down_exps@0-3=q4_0 ffn_gate_exps@0-35=iq4_nl ffn_up_exps@0-35=iq4_nl "
            "ffn_down_exps@4-35=iq4_nl"
        ),
        "IQ2_XS": (
            "iq2_xs: output=q8_0 token_embd=q4_0 attn_k@0-35=iq4_nl attn_q@0-35=iq4_nl attn_v@0-35=q5_0 "
            "ffn_down_exps@0-3=q4_0 ffn_gate_exps@0-35=iq4_nl ffn_up_exps@0-35=iq4_nl "
            "ffn_down_exps@4-35=iq4_nl"
        ),
        "Q2_K_S": (
            "q2_k: output=q8_0 token_embd=q4_0 attn_k@0-35=q4_0 attn_q@0-35=q4_0 attn_v@0-35=q5_0 "
            "ffn_down_exps@0-3=q5_0 ffn_gate_exps@0-35=q4_0 ffn_up_exps@0-35=q4_0 ffn_down_exps@4-35=q4_0"
        ),
        "IQ3_XS": (
            "iq3_s: output=q8_0 token_embd=iq4_nl attn_k@0-35=iq4_nl attn_q@0-35=iq4_nl attn_v@0-35=q5_0 "
            "ffn_down_exps@0-35=iq4_nl ffn_gate_exps@0-35=iq4_nl ffn_up_exps@0-35=iq4_nl"
        ),
        "IQ3_XXS": (
            "iq3_xxs: output=q8_0 token_embd=iq4_nl attn_k@0-35=iq4_nl attn_output@0-35=iq3_s "
            "attn_q@0-35=iq4_nl attn_v@0-35=q5_0 ffn_down_exps@0-3=q5_0 ffn_gate_exps@0-35=iq4_nl "
            "ffn_up_exps@0-35=iq4_nl ffn_down_exps@4-35=q4_0"
        ),
        "IQ1_S": (
            "iq1_s: output=q8_0 token_embd=q4_0 attn_k@0-35=iq4_nl attn_output@0-35=iq2_xxs "
            "attn_q@0-35=iq4_nl attn_v@0-35=q5_0 ffn_down_exps@0-3=q4_0 ffn_gate_exps@0-35=iq4_nl "
            "ffn_up_exps@0-35=iq4_nl ffn_down_exps@4-35=iq4_nl"
        ),
        "IQ4_NL": "iq4_nl: output=q8_0 attn_v@0-35=q5_1 ffn_down_exps@0-3=q5_1",
        "IQ3_S": (
            "iq3_s: output=q8_0 token_embd=iq4_nl attn_k@0-35=iq4_nl attn_q@0-35=iq4_nl attn_v@0-35=q5_0 "
            "ffn_down_exps@0-35=iq4_nl ffn_gate_exps@0-35=iq4_nl ffn_up_exps@0-35=iq4_nl"
        ),
        "IQ3_M": (
            "iq3_s: output=q8_0 token_embd=iq4_nl attn_k@0-35=iq4_nl attn_output@0-35=q4_k "
            "attn_q@0-35=iq4_nl attn_v@0-35=q5_0 ffn_down_exps@0-3=q5_0 ffn_gate_exps@0-35=iq4_nl "
            "ffn_up_exps@0-35=iq4_nl ffn_down_exps@4-35=iq4_nl"
        ),
        "IQ2_S": (
            "iq2_xs: output=q8_0 token_embd=iq4_nl attn_k@0-35=iq4_nl attn_output@0-35=iq3_s "
            "attn_q@0-35=iq4_nl attn_v@0-35=q5_0 ffn_down_exps@0-35=iq4_nl ffn_gate_exps@0-35=iq4_nl "
            "ffn_up_exps@0-35=iq4_nl"
        ),
        "IQ2_M": (
            "iq2_s: output=q8_0 token_embd=iq4_nl attn_k@0-35=iq4_nl attn_output@0-35=iq3_s "
            "attn_q@0-35=iq4_nl attn_v@0-35=q5_0 ffn_down_exps@0-35=iq4_nl ffn_gate_exps@0-35=iq4_nl "
            "ffn_up_exps@0-35=iq4_nl"
        ),
        "IQ4_XS": (
            "iq4_xs: output=q8_0 token_embd=iq4_nl attn_k@0-35=iq4_nl attn_q@0-35=iq4_nl attn_v@0-35=q5_1 "
            "ffn_down_exps@0-3=q5_1 ffn_gate_exps@0-35=iq4_nl ffn_up_exps@0-35=iq4_nl "
            "ffn_down_exps@4-35=iq4_nl"
        ),
        "IQ1_M": (
            "iq1_m: output=q8_0 token_embd=q4_0 attn_k@0-35=iq4_nl attn_output@0-35=iq2_xxs "
            "attn_q@0-35=iq4_nl attn_v@0-35=q5_0 ffn_down_exps@0-3=q4_0 ffn_gate_exps@0-35=iq4_nl "
            "ffn_up_exps@0-35=iq4_nl ffn_down_exps@4-35=iq4_nl"
        ),
        "BF16": "bf16:",
        "TQ1_0": (
            "tq1_0: output=q8_0 token_embd=q5_0 attn_k@0-35=q4_0 attn_q@0-35=q4_0 attn_v@0-35=q4_0 "
            "ffn_down_exps@0-35=q4_0 ffn_gate_exps@0-35=q4_0 ffn_up_exps@0-35=q4_0"
        ),
        "TQ2_0": (
            "tq2_0: output=q8_0 token_embd=q5_0 attn_k@0-35=q4_0 attn_q@0-35=q4_0 attn_v@0-35=q4_0 "
            "ffn_down_exps@0-35=q4_0 ffn_gate_exps@0-35=q4_0 ffn_up_exps@0-35=q4_0"
        ),
        "MXFP4_MOE": (
            "mxfp4: output=q8_0 token_embd=q8_0 attn_k@0-35=q8_0 attn_output@0-35=q8_0 attn_q@0-35=q8_0 "
            "attn_v@0-35=q8_0"
        ),
    },
    "deepseek-v3.1": {
        "Q2_K": (
            "q2_k: output=q6_k attn_k_b@0-60=q4_0 attn_output@0-60=q3_k ffn_down@0-2=q3_k "
            "ffn_down_exps@3-60=q3_k ffn_down_shexp@3-60=q3_k"
        ),
        "Q3_K_M": (
            "q3_k: output=q6_k attn_k_b@0-60=q4_0 attn_output@0-60=q4_k ffn_down@0-2=q5_k "
            "ffn_down_exps@3-60=q4_k ffn_down_shexp@3-60=q4_k"
        ),
        "Q4_K_M": (
            "q4_k: output=q6_k attn_k_b@0-60=q5_0 ffn_down@0-2=q6_k ffn_down_exps@3-6,9,12,15,18,21,24,27,"
            "30,33,36,39,42,45,48,51,53-60=q6_k ffn_down_shexp@3-6,9,12,15,18,21,24,27,30,33,36,39,42,45,"
            "48,51,53-60=q6_k"
        ),
        "IQ2_XXS": (
            "iq2_xxs: output=q5_k token_embd=q2_k attn_k_b@0-60=iq4_nl ffn_down@0-2=q2_k "
            "ffn_down_exps@3-4=q2_k ffn_down_shexp@3-4=q2_k"
        ),
        "IQ4_XS": (
            "iq4_xs: output=q6_k attn_k_b@0-60=iq4_nl ffn_down@0-2=q5_k ffn_down_exps@3-6=q5_k "
            "ffn_down_shexp@3-6=q5_k"
        ),
        "IQ1_M": (
            "iq1_m: output=q5_k token_embd=q2_k attn_k_b@0-60=iq4_nl attn_output@0-60=iq2_xxs "
            "ffn_down@0-2=q2_k ffn_down_exps@3-4=q2_k ffn_down_shexp@3-4=q2_k"
        ),
        "MXFP4_MOE": (
            "mxfp4: output=q8_0 token_embd=q8_0 attn_kv_a_mqa@0-60=q8_0 attn_output@0-60=q8_0 "
            "attn_q_a@0-60=q8_0 attn_q_b@0-60=q8_0 ffn_down@0-2=q8_0 ffn_gate@0-2=q8_0 ffn_up@0-2=q8_0 "
            "ffn_down_shexp@3-60=q8_0 ffn_gate_shexp@3-60=q8_0 ffn_up_shexp@3-60=q8_0"
        ),
    },
    "glm-4.6v": {
        "Q2_K": (
            "q2_k: output=q6_k attn_output@0-45=q3_k attn_v@0-45=q4_k ffn_down@0=q4_0 "
            "ffn_down_exps@1-45=q4_0 ffn_down_shexp@1-45=q4_0"
        ),
        "Q3_K_M": (
            "q3_k: output=q6_k attn_output@0-45=q4_k attn_v@0-1=q5_k ffn_down@0=q5_1 ffn_down_exps@1=q5_1 "
            "ffn_down_shexp@1=q5_1 attn_v@2-45=q4_k ffn_down_exps@2-45=q5_0 ffn_down_shexp@2-45=q5_0"
        ),
        "Q4_K_M": (
            "q4_k: output=q6_k attn_v@0-4,7,10,13,16,19,22,25,28,31,34,37,40-45=q6_k ffn_down@0=q8_0 "
            "ffn_down_exps@1-4,7,10,13,16,19,22,25,28,31,34,37,40-45=q8_0 ffn_down_shexp@1-4,7,10,13,16,19,"
            "22,25,28,31,34,37,40-45=q8_0 ffn_down_exps@5-6,8-9,11-12,14-15,17-18,20-21,23-24,26-27,29-30,"
            "32-33,35-36,38-39=q5_0 ffn_down_shexp@5-6,8-9,11-12,14-15,17-18,20-21,23-24,26-27,29-30,32-33,"
            "35-36,38-39=q5_0"
        ),
        "IQ2_XXS": (
            "iq2_xxs: output=q5_k token_embd=q2_k attn_v@0-45=q4_k ffn_down@0=q4_0 ffn_down_exps@1-2=q4_0 "
            "ffn_down_shexp@1-2=q4_0 ffn_down_exps@3-45=iq4_nl ffn_down_shexp@3-45=iq4_nl"
        ),
        "IQ3_XS": (
            "iq3_s: output=q6_k attn_k@0-45=iq3_xxs attn_q@0-45=iq3_xxs attn_v@0-45=q4_k ffn_down@0=iq4_nl "
            "ffn_down_exps@1-45=iq4_nl ffn_down_shexp@1-45=iq4_nl ffn_gate_exps@5-39=iq3_xxs "
            "ffn_gate_shexp@5-39=iq3_xxs ffn_up_exps@5-39=iq3_xxs ffn_up_shexp@5-39=iq3_xxs"
        ),
        "MXFP4_MOE": (
            "mxfp4: output=q8_0 token_embd=q8_0 attn_k@0-45=q8_0 attn_output@0-45=q8_0 attn_q@0-45=q8_0 "
            "attn_v@0-45=q8_0 ffn_down@0=q8_0 ffn_gate@0=q8_0 ffn_up@0=q8_0 ffn_down_shexp@1-45=q8_0 "
            "ffn_gate_shexp@1-45=q8_0 ffn_up_shexp@1-45=q8_0"
        ),
    },
}


CASES = cases(SNAPSHOTS)


@pytest.mark.parametrize(("model", "ftype"), CASES)
def test_override_list_matches_llama_cpp_snapshot(model: str, ftype: str) -> None:
    assert_types_match_snapshot(ARCHS[model], ftype, SNAPSHOTS[model][ftype])


@pytest.mark.parametrize(
    "model", ["meta-llama-3.1-70b-instruct", "qwen3-0.6b", "gemma-3-4b-it", "gpt-oss-120b"]
)
def test_quantizable_tensor_set_matches_snapshot(model: str) -> None:
    assert_quantizable_set_matches(ARCHS[model], SNAPSHOTS[model]["MXFP4_MOE"])


def test_every_llama_cpp_ftype_is_known() -> None:
    wanted = (
        "Q4_0 Q4_1 Q5_0 Q5_1 Q8_0 Q2_K Q2_K_S Q3_K_S Q3_K_M Q3_K_L Q4_K_S Q4_K_M Q5_K_S Q5_K_M Q6_K "
        "IQ1_S IQ1_M IQ2_XXS IQ2_XS IQ2_S IQ2_M IQ3_XXS IQ3_XS IQ3_S IQ3_M IQ4_NL IQ4_XS "
        "TQ1_0 TQ2_0 MXFP4_MOE F16 BF16 F32"
    )
    for ft in wanted.split():
        assert FTYPES[ft] in GGML_TYPES
    assert canonical_ftype("q4_k") == "Q4_K_M"
    with pytest.raises(KeyError):
        canonical_ftype("Q7_K")


def test_block_sizes() -> None:
    assert GGML_TYPES["q4_k"] == (256, 144)
    assert GGML_TYPES["q6_k"] == (256, 210)
    assert GGML_TYPES["q8_0"] == (32, 34)
    assert GGML_TYPES["iq2_xxs"] == (256, 66)
    assert GGML_TYPES["mxfp4"] == (32, 17)
    assert tensor_bytes("q4_0", 4096 * 4096) == 4096 * 4096 // 32 * 18
    assert tensor_bytes("f32", 10) == 40
    with pytest.raises(ValueError):
        tensor_bytes("q4_k", 100)


def test_llama_31_8b_layout() -> None:
    tensors = gguf_tensors(LLAMA_31_8B)
    assert len(tensors) == 2 + 32 * 9 + 1
    assert tensors[0] == TensorSpec("token_embd.weight", (4096, 128256))
    assert tensors[-1] == TensorSpec("output.weight", (4096, 128256))
    assert TensorSpec("blk.0.attn_k.weight", (4096, 1024)) in tensors
    assert TensorSpec("blk.31.ffn_down.weight", (14336, 4096)) in tensors
    assert sum(t.n_elements for t in tensors) == 8_030_261_248


def test_tied_embeddings_have_no_output_tensor() -> None:
    names = {t.name for t in gguf_tensors(ARCHS["gemma-3-4b-it"])}
    assert "output.weight" not in names
    assert {
        "blk.0.post_attention_norm.weight",
        "blk.0.post_ffw_norm.weight",
        "blk.0.attn_q_norm.weight",
    } <= names


def test_one_dimensional_tensors_stay_f32() -> None:
    a = ARCHS["gpt-oss-120b"]
    tensors = gguf_tensors(a)
    for ftype in ("F16", "BF16", "Q4_K_M", "MXFP4_MOE"):
        for t, ty in zip(tensors, assign_types(ftype, a, tensors), strict=True):
            if t.n_dims == 1 or t.name.endswith("_norm.weight") or "ffn_gate_inp" in t.name:
                assert ty == "f32", (ftype, t.name)
            if ftype == "F16" and allows_quantization(t):
                assert ty == "f16"


def test_block_fallback_for_odd_widths() -> None:
    # gpt-oss: n_embd 2880 is not a multiple of 256, so 256-blocks fall back (q4_k -> q5_0, q6_k -> q8_0)
    a = ARCHS["gpt-oss-120b"]
    tensors = gguf_tensors(a)
    types = dict(zip((t.name for t in tensors), assign_types("Q4_K_M", a, tensors), strict=True))
    assert types["output.weight"] == "q8_0"
    assert types["blk.0.attn_q.weight"] == "q5_0"
    assert types["blk.0.ffn_up_exps.weight"] == "q5_0"


def test_phi3_and_deepseek_shapes() -> None:
    phi3 = Architecture("phi3", 32, 3072, 32, 32, 96, 8192, 32064)
    names = {t.name: t.shape for t in gguf_tensors(phi3)}
    assert names["blk.0.attn_qkv.weight"] == (3072, 9216)
    assert names["blk.0.ffn_up.weight"] == (3072, 16384)
    assert "blk.0.ffn_gate.weight" not in names
    ds = {t.name: t.shape for t in gguf_tensors(ARCHS["deepseek-v3.1"])}
    assert ds["blk.0.attn_q_b.weight"] == (1536, 128 * 192)
    assert ds["blk.0.attn_kv_a_mqa.weight"] == (7168, 576)
    assert ds["blk.0.attn_k_b.weight"] == (128, 512, 128)
    assert ds["blk.0.attn_v_b.weight"] == (512, 128, 128)
    assert ds["blk.2.ffn_down.weight"] == (18432, 7168)
    assert ds["blk.3.ffn_down_exps.weight"] == (2048, 7168, 256)
    assert ds["blk.3.ffn_up_shexp.weight"] == (7168, 2048)
    assert "blk.3.exp_probs_b.bias" in ds


def test_llama_31_8b_q4_k_m_total() -> None:
    # tools/quantize/README.md: Llama-3.1-8B Q4_K_M is 4.58 GiB of tensor data (file 4,920,734,656 bytes
    # with metadata); by hand: 224 of 448 attn_v/ffn_down at q6_k, output q6_k, the rest q4_k
    total = weights_bytes("Q4_K_M", LLAMA_31_8B)
    assert total == 4_912_898_048
    assert abs(total / (4.58 * GIB) - 1) < 0.002
    assert abs(weights_bytes("Q8_0", LLAMA_31_8B) / (7.95 * GIB) - 1) < 0.002


def test_type_mix_sums_to_total() -> None:
    mix = type_mix("Q4_K_M", LLAMA_31_8B)
    assert set(mix) == {"f32", "q4_k", "q6_k"}
    assert sum(mix.values()) == weights_bytes("Q4_K_M", LLAMA_31_8B)


# GiB of tensor data as llama.cpp reports it (2 decimals): tools/quantize/README.md for Llama-3.1-8B and
# the perplexity table in XiongjieDai/GPU-Benchmarks-on-LLM-Inference for Meta-Llama-3-70B (imatrix quants)
README_8B = {
    "IQ1_S": 1.87, "IQ1_M": 2.01, "IQ2_XXS": 2.23, "IQ2_XS": 2.42, "IQ2_S": 2.56, "IQ2_M": 2.74,
    "IQ3_XXS": 3.04, "IQ3_XS": 3.27, "IQ3_S": 3.42, "IQ3_M": 3.52, "IQ4_XS": 4.17, "IQ4_NL": 4.38,
    "Q2_K_S": 2.78, "Q2_K": 2.95, "Q3_K_S": 3.41, "Q3_K_L": 4.02, "Q4_K_S": 4.36, "Q4_K_M": 4.58,
    "Q5_K_S": 5.21, "Q5_K_M": 5.33, "Q6_K": 6.14, "Q8_0": 7.95, "F16": 14.96,
}  # fmt: skip
XD_70B = {
    "IQ1_S": 14.29, "IQ1_M": 15.6, "IQ2_XXS": 17.79, "IQ2_XS": 19.69, "IQ2_S": 20.71, "Q2_K_S": 22.79,
    "IQ2_M": 22.46, "Q2_K": 24.56, "IQ3_XXS": 25.58, "IQ3_XS": 27.29, "Q3_K_S": 28.79, "IQ3_S": 28.79,
    "IQ3_M": 29.74, "Q3_K_M": 31.91, "Q3_K_L": 34.59, "IQ4_XS": 35.3, "IQ4_NL": 37.3, "Q4_K_S": 37.58,
    "Q4_K_M": 39.6, "Q5_K_S": 45.32, "Q5_K_M": 46.52, "Q6_K": 53.91, "Q8_0": 69.83, "F16": 131.43,
}  # fmt: skip


@pytest.mark.parametrize("ftype", sorted(README_8B))
def test_llama_31_8b_matches_quantize_readme(ftype: str) -> None:
    gib = weights_bytes(ftype, LLAMA_31_8B) / GIB
    assert abs(gib - README_8B[ftype]) <= 0.006  # the table's rounding


@pytest.mark.parametrize("ftype", sorted(XD_70B))
def test_llama_3_70b_matches_published_sizes(ftype: str) -> None:
    gib = weights_bytes(ftype, LLAMA_3_70B, imatrix=True) / GIB
    assert abs(gib - XD_70B[ftype]) <= 0.015


def test_snapshot_names_parse() -> None:
    for table in SNAPSHOTS.values():
        for spec in table.values():
            default, overrides = expand(spec)
            assert default in GGML_TYPES
            assert all(re.fullmatch(r"[a-z0-9_]+", ty) for ty in overrides.values())


def test_embed_output_q8_variants_keep_the_base_mix() -> None:
    # bartowski's _L/_XL files: the base file type, with token_embd and output at Q8_0 (llama-quantize
    # --token-embedding-type q8_0 --output-tensor-type q8_0).
    from runlocal.estimate.gguf_layout import gguf_tensors
    from runlocal.estimate.quant_rules import assign_types
    from runlocal.estimate.specs import Architecture

    a = Architecture(arch="qwen3", n_layers=4, hidden_size=256, n_heads=4, n_kv_heads=2, head_dim=64,
                     intermediate_size=512, vocab_size=1024, context_length=4096, qk_norm=True)
    tensors = gguf_tensors(a)
    base, large = assign_types("Q4_K_M", a, tensors), assign_types("Q4_K_L", a, tensors)
    for t, b, lg in zip(tensors, base, large, strict=True):
        if t.name in ("token_embd.weight", "output.weight"):
            assert lg == "q8_0", t.name
        else:
            assert lg == b, t.name
    assert assign_types("Q3_K_XL", a, tensors)[1:] != []
