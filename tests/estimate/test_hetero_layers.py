"""Layers that differ from each other: Llama 4 Maverick (dense and MoE layers interleaved), Falcon-H1 (attention and
Mamba-2 side by side in every layer), DeepSeek V3.2 (the DSA indexer and its K cache) and Hunyuan-A13B. Each is
checked by hand from llama.cpp's loaders (src/models/{llama4,falcon-h1,deepseek32,hunyuan-moe}.cpp) and against the
parameter count of its catalog entry or a published file's size."""

from __future__ import annotations

import dataclasses
import math

from runlocal.catalog.build import model_spec
from runlocal.estimate.assumptions import DEFAULT
from runlocal.estimate.gguf_layout import gguf_tensors, n_blocks
from runlocal.estimate.memory import kv_cache, kv_read_bytes
from runlocal.estimate.specs import Architecture, mamba2_state_elements
from runlocal.estimate.weights import file_bytes, weights
from runlocal.service.resolve import catalog


def _arch(model_id: str) -> Architecture:
    return model_spec(catalog().models[model_id]).arch


def _params(a: Architecture, *, skip: str = "\0") -> int:
    return sum(math.prod(t.shape) for t in gguf_tensors(a) if not t.name.startswith(skip))


def test_maverick_alternates_dense_and_moe_layers() -> None:
    a = _arch("llama-4-maverick")
    names = {t.name: t.shape for t in gguf_tensors(a)}
    # (i + 1) % 2 == 0 -> MoE: layer 1 has experts, layer 0 a dense FFN of intermediate_size_mlp (16384)
    assert names["blk.0.ffn_gate.weight"] == (5120, 16384) and "blk.0.ffn_gate_exps.weight" not in names
    assert names["blk.1.ffn_gate_exps.weight"] == (5120, 8192, 128) and "blk.1.ffn_gate.weight" not in names
    assert sum(a.is_moe_layer(i) for i in range(48)) == 24
    assert _params(a) == 400_711_848_960  # text decoder; + Scout's vision tower = the catalog's params
    # Scout (step unset) keeps experts in every layer
    assert all(_arch("llama-4-scout").is_moe_layer(i) for i in range(48))


def test_falcon_h1_keeps_kv_and_a_recurrent_state_in_every_layer() -> None:
    a = _arch("falcon-h1-7b")
    # by hand: conv (4 - 1) x (3072 + 2 x 1 x 256) + SSM 256 x 3072 = 10,752 + 786,432 f32 values
    assert a.linear_state_elements == mamba2_state_elements(3072, 256, 1, 4) == 797_184
    kv = kv_cache(a, 4096, asm=DEFAULT)
    # per layer: 4,096 cells x 2 x 2 KV heads x 128 x 2 bytes + 797,184 x 4 bytes
    assert kv.layer_bytes[0] == 4096 * 2 * 2 * 128 * 2 + 797_184 * 4 and len(set(kv.layer_bytes)) == 1
    names = {t.name for t in gguf_tensors(a)}
    assert {"blk.0.ssm_in.weight", "blk.0.attn_q.weight", "blk.0.ffn_norm", "blk.0.ffn_gate.weight"} <= names
    w = weights(a, "Q4_K_M")
    assert abs(file_bytes(a, "Q4_K_M", w) / 4_598_344_960 - 1) < 0.005  # tiiuae's Q4_K_M file


def test_deepseek_v32_indexer_cache_and_sparse_reads() -> None:
    a = _arch("deepseek-v3.2")
    dense = dataclasses.replace(a, arch="deepseek2", indexer_n_heads=0, indexer_head_dim=0, indexer_top_k=0)
    # 13,959,424 indexer weights per layer over the 61 trunk layers (plus the routing biases of deepseek2)
    assert _params(a, skip="blk.61.") - _params(dense) == 61 * 13_959_424
    assert n_blocks(a) == 62 and n_blocks(dense) == 61  # the converter keeps the MTP block for deepseek32
    per_layer = kv_cache(a, 4096, asm=DEFAULT).layer_bytes[0]
    assert per_layer == 4096 * (576 + 128) * 2  # latent + rope (1,152 B) and the indexer key (256 B) per token
    far = sum(kv_read_bytes(a, 65536, "f16"))
    assert far == 61 * (128 * 65536 * 2 + 576 * 2048 * 2)  # every indexer key, only the top 2,048 latents
    assert far < sum(kv_read_bytes(dense, 65536, "f16")) / 3


def test_hunyuan_a13b_matches_the_published_file() -> None:
    a = _arch("hunyuan-a13b")
    assert _params(a) == 80_393_183_232
    w = weights(a, "Q4_K_M")
    assert abs(file_bytes(a, "Q4_K_M", w) / 48_782_257_888 - 1) < 0.001


def test_new_fields_are_bounded() -> None:
    bad = dataclasses.replace(_arch("llama-4-maverick"), moe_layer_step=-1)
    assert any("moe_layer_step" in p for p in bad.problems())


def test_config_json_of_each_design_reads_as_the_catalog_entry() -> None:
    """add-model's reader: the same facts from config.json fields, never from a table of model names."""
    from runlocal.formats.hfconfig import arch_from_config, known_architecture

    maverick = {"architectures": ["Llama4ForConditionalGeneration"], "text_config": {
        "model_type": "llama4_text", "hidden_size": 5120, "num_attention_heads": 40, "num_key_value_heads": 8,
        "head_dim": 128, "intermediate_size": 8192, "intermediate_size_mlp": 16384, "interleave_moe_layer_step": 2,
        "num_local_experts": 128, "num_experts_per_tok": 1, "vocab_size": 202048, "num_hidden_layers": 48,
        "max_position_embeddings": 1048576, "attention_chunk_size": 8192, "tie_word_embeddings": False}}
    hunyuan = {"architectures": ["HunYuanMoEV1ForCausalLM"], "hidden_size": 4096, "num_hidden_layers": 32,
               "num_attention_heads": 32, "num_key_value_heads": 8, "head_dim": 128, "intermediate_size": 3072,
               "moe_intermediate_size": [3072] * 32, "num_experts": 64, "moe_topk": [8] * 32,
               "num_shared_expert": [1] * 32, "vocab_size": 128167, "tie_word_embeddings": True,
               "use_qk_norm": True, "max_position_embeddings": 262144}
    falcon = {"architectures": ["FalconH1ForCausalLM"], "hidden_size": 3072, "num_hidden_layers": 44,
              "num_attention_heads": 12, "num_key_value_heads": 2, "head_dim": 128, "intermediate_size": 12288,
              "vocab_size": 130048, "mamba_d_ssm": 3072, "mamba_n_heads": 24, "mamba_d_state": 256,
              "mamba_n_groups": 1, "mamba_d_conv": 4, "max_position_embeddings": 262144}
    for cfg, model_id in ((maverick, "llama-4-maverick"), (hunyuan, "hunyuan-a13b"), (falcon, "falcon-h1-7b")):
        assert known_architecture(cfg) is not None
        a, _, _ = arch_from_config(cfg)
        assert dataclasses.replace(a, extra_params=_arch(model_id).extra_params) == _arch(model_id), model_id


# --- Gemma 4 and Gemma 3n ------------------------------------------------------------------------------------------

_SWA5, _SWA4 = ["sliding_attention"] * 5 + ["full_attention"], ["sliding_attention"] * 4 + ["full_attention"]
GEMMA4_CONFIGS = {
    "gemma-4-31b": {"hidden_size": 5376, "num_hidden_layers": 60, "layer_types": _SWA5 * 10, "intermediate_size": 21504,
                    "num_attention_heads": 32, "num_key_value_heads": 16, "num_global_key_value_heads": 4,
                    "attention_k_eq_v": True, "sliding_window": 1024, "max_position_embeddings": 262144},
    "gemma-4-26b-a4b": {"hidden_size": 2816, "num_hidden_layers": 30, "layer_types": _SWA5 * 5,
                        "intermediate_size": 2112, "num_attention_heads": 16, "num_key_value_heads": 8,
                        "num_global_key_value_heads": 2, "attention_k_eq_v": True, "enable_moe_block": True,
                        "num_experts": 128, "top_k_experts": 8, "moe_intermediate_size": 704, "sliding_window": 1024,
                        "max_position_embeddings": 262144},
    "gemma-4-e2b": {"hidden_size": 1536, "num_hidden_layers": 35, "layer_types": _SWA4 * 7, "intermediate_size": 6144,
                    "use_double_wide_mlp": True, "num_attention_heads": 8, "num_key_value_heads": 1,
                    "num_global_key_value_heads": None, "num_kv_shared_layers": 20, "hidden_size_per_layer_input": 256,
                    "sliding_window": 512, "max_position_embeddings": 131072},
}


def test_gemma4_configs_read_to_the_exact_parameter_count() -> None:
    from runlocal.formats.hfconfig import arch_from_config

    for model_id, text in GEMMA4_CONFIGS.items():
        cfg = {"architectures": ["Gemma4ForConditionalGeneration"], "text_config": {
            "model_type": "gemma4_text", "head_dim": 256, "global_head_dim": 512, "vocab_size": 262144,
            "tie_word_embeddings": True, **text}}
        spec = model_spec(catalog().models[model_id])
        _, params, _ = arch_from_config(cfg)
        assert params == spec.params - spec.arch.extra_params, model_id


def test_gemma4_kv_per_layer_by_hand() -> None:
    e2b, big = _arch("gemma-4-e2b"), _arch("gemma-4-31b")
    kv = kv_cache(e2b, 4096, asm=DEFAULT)
    # layers 0-14 own their KV: sliding ones 1 KV head x 256, full ones (4, 9, 14) 1 x 512; layers 15-34 none
    sw_cells = kv.cells_sliding
    assert kv.layer_bytes[0] == sw_cells * 2 * 1 * 256 * 2 and kv.layer_bytes[4] == 4096 * 2 * 1 * 512 * 2
    assert all(b == 0 for b in kv.layer_bytes[15:])
    assert kv_cache(big, 4096, asm=DEFAULT).layer_bytes[5] == 4096 * 2 * 4 * 512 * 2  # global: 4 KV heads of 512
    names = {t.name: t.shape for t in gguf_tensors(big)}
    assert "blk.5.attn_v.weight" not in names and names["blk.4.attn_v.weight"] == (5376, 16 * 256)  # V = K on full
    e2b_names = {t.name: t.shape for t in gguf_tensors(e2b)}
    assert e2b_names["blk.20.ffn_up.weight"] == (1536, 12288) and e2b_names["blk.0.ffn_up.weight"] == (1536, 6144)


def test_gemma_published_files_and_the_table_in_ram() -> None:
    for model_id in ("gemma-4-e2b", "gemma-4-e4b", "gemma-4-26b-a4b", "gemma-4-31b", "gemma-3n-e2b", "gemma-3n-e4b"):
        spec = model_spec(catalog().models[model_id])
        for art in spec.artifacts:
            if art.source == "llamabarn" and art.repo.startswith("ggml-org/"):
                w = weights(spec.arch, art.quant)
                assert abs(file_bytes(spec.arch, art.quant, w) / art.file_bytes - 1) < 0.003, (model_id, art.quant)
    # the per-layer embedding table (2.35B values of E4B) counts with the token table: looked up, left in RAM
    w = weights(_arch("gemma-3n-e4b"), "Q8_0")
    assert w.token_embd_bytes > 0.3 * w.total_bytes and w.tied_copy_bytes < 0.2 * w.token_embd_bytes


def test_gemma4_config_keeps_the_sliding_window_from_layer_types() -> None:
    from runlocal.formats.hfconfig import arch_from_config

    cfg = {"architectures": ["Gemma4ForConditionalGeneration"], "text_config": {
        "model_type": "gemma4_text", "head_dim": 256, "global_head_dim": 512, "vocab_size": 262144,
        "tie_word_embeddings": True, **GEMMA4_CONFIGS["gemma-4-31b"]}}
    a, _, _ = arch_from_config(cfg)
    assert a.sliding_window == 1024 and a.layer_kinds() == _arch("gemma-4-31b").layer_kinds()
    assert kv_cache(a, 65536, asm=DEFAULT).total_bytes == kv_cache(_arch("gemma-4-31b"), 65536, asm=DEFAULT).total_bytes


def test_glm5_is_the_dsa_block_at_its_own_shapes() -> None:
    a = _arch("glm-5")
    assert _params(a, skip="blk.78.") == 743_911_218_432  # vendor: 744B
    names = {t.name: t.shape for t in gguf_tensors(a)}
    assert names["blk.0.indexer.attn_q_b.weight"] == (2048, 32 * 128) and "blk.78.nextn.eh_proj.weight" in names
    # 576 latent + rope values and 128 indexer-key values per token and layer
    assert kv_cache(a, 1024, asm=DEFAULT).layer_bytes[0] == 1024 * (576 + 128) * 2
