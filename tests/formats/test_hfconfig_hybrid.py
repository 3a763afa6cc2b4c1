"""config.json of the hybrid families reads into the same architecture as the catalog's hand-checked entries:
Qwen3.5 / 3.6 and Qwen3-Next (Gated DeltaNet layers), Nemotron-H (Mamba-2, attention and MoE blocks from
hybrid_override_pattern), so `runlocal data add-model` drafts them."""

from __future__ import annotations

import pytest

from runlocal.catalog import build
from runlocal.formats.hfconfig import arch_from_config, count_params, known_architecture
from runlocal.service.resolve import catalog

QWEN36_MOE = {
    "architectures": ["Qwen3_5MoeForConditionalGeneration"], "model_type": "qwen3_5_moe",
    "text_config": {
        "model_type": "qwen3_5_moe_text", "hidden_size": 2048, "num_hidden_layers": 40, "num_attention_heads": 16,
        "num_key_value_heads": 2, "head_dim": 256, "vocab_size": 248320, "tie_word_embeddings": False,
        "max_position_embeddings": 262144, "full_attention_interval": 4,
        "layer_types": ["linear_attention"] * 3 + ["full_attention"],
        "num_experts": 256, "num_experts_per_tok": 8, "moe_intermediate_size": 512,
        "shared_expert_intermediate_size": 512, "linear_num_key_heads": 16, "linear_key_head_dim": 128,
        "linear_num_value_heads": 32, "linear_value_head_dim": 128, "linear_conv_kernel_dim": 4,
    },
}
QWEN36_MOE["text_config"]["layer_types"] = QWEN36_MOE["text_config"]["layer_types"] * 10  # type: ignore[index,operator]

NEMO_PATTERN = "MEMEM*EMEMEM*EMEMEM*EMEMEM*EMEMEM*EMEMEMEM*EMEMEMEME"
NEMOTRON_NANO = {
    "architectures": ["NemotronHForCausalLM"], "model_type": "nemotron_h", "hidden_size": 2688,
    "num_hidden_layers": 52, "num_attention_heads": 32, "num_key_value_heads": 2, "head_dim": 128,
    "intermediate_size": 1856, "vocab_size": 131072, "tie_word_embeddings": False,
    "max_position_embeddings": 262144, "hybrid_override_pattern": NEMO_PATTERN, "n_routed_experts": 128,
    "num_experts_per_tok": 6, "moe_intermediate_size": 1856, "moe_shared_expert_intermediate_size": 3712,
    "n_shared_experts": 1, "mamba_num_heads": 64, "mamba_head_dim": 64, "ssm_state_size": 128, "n_groups": 8,
    "conv_kernel": 4,
}


def _catalog(model_id: str):  # type: ignore[no-untyped-def]
    e = catalog().models[model_id]
    return build.model_spec(e).arch, int(e.data["params"]) - int(e.data["arch"].get("extra_params", 0))


@pytest.mark.parametrize(("cfg", "model_id"), [(QWEN36_MOE, "qwen3.6-35b-a3b"),
                                                (NEMOTRON_NANO, "nemotron-3-nano-30b-a3b")])
def test_hybrid_configs_read_like_the_catalog_entries(cfg: dict, model_id: str) -> None:  # type: ignore[type-arg]
    assert known_architecture(cfg) is not None
    a, _, _ = arch_from_config(cfg)
    want, _ = _catalog(model_id)
    assert a.arch == want.arch
    assert a.layer_kinds() == want.layer_kinds()
    assert a.linear_state_elements == want.linear_state_elements
    assert (a.n_experts, a.n_experts_used, a.moe_intermediate_size) == (want.n_experts, want.n_experts_used,
                                                                          want.moe_intermediate_size)
    assert a.qk_norm == want.qk_norm and a.ffn_gated == want.ffn_gated
    assert count_params(a) == count_params(want)


def test_nemotron_pattern_must_match_the_layers() -> None:
    bad = {**NEMOTRON_NANO, "hybrid_override_pattern": NEMO_PATTERN[:-1]}
    with pytest.raises(ValueError, match="hybrid_override_pattern has 51 blocks"):
        arch_from_config(bad)
    with pytest.raises(ValueError, match="M, \\*, E and -"):
        arch_from_config({**NEMOTRON_NANO, "hybrid_override_pattern": "X" * 52})


FALCON_MAMBA = {"architectures": ["FalconMambaForCausalLM"], "model_type": "falcon_mamba", "conv_kernel": 4,
                "hidden_size": 4096, "intermediate_size": 8192, "num_hidden_layers": 64, "state_size": 16,
                "tie_word_embeddings": False, "time_step_rank": 256, "vocab_size": 65024}
JAMBA_MINI = {"architectures": ["JambaForCausalLM"], "model_type": "jamba", "attn_layer_offset": 4,
              "attn_layer_period": 8, "expert_layer_offset": 1, "expert_layer_period": 2, "hidden_size": 4096,
              "intermediate_size": 14336, "mamba_d_conv": 4, "mamba_d_state": 16, "mamba_dt_rank": 256,
              "mamba_expand": 2, "max_position_embeddings": 262144, "num_attention_heads": 32, "num_experts": 16,
              "num_experts_per_tok": 2, "num_hidden_layers": 32, "num_key_value_heads": 8,
              "tie_word_embeddings": False, "vocab_size": 65536}


@pytest.mark.parametrize(("cfg", "model_id"), [(FALCON_MAMBA, "falcon-mamba-7b"), (JAMBA_MINI, "jamba-1.5-mini")])
def test_mamba_and_jamba_configs_read_like_the_catalog_entries(cfg: dict, model_id: str) -> None:  # type: ignore[type-arg]
    a, _, _ = arch_from_config(cfg)
    want, _ = _catalog(model_id)
    assert a.arch == want.arch and a.layer_kinds() == want.layer_kinds()
    # Mamba-1 state: (4 - 1) x 8192 + 16 x 8192 = 155,648 f32 elements per layer and sequence
    assert a.linear_state_elements == want.linear_state_elements == 155_648
    assert a.moe_layer_step == want.moe_layer_step
    assert count_params(a) == count_params(want)


KIMI_LINEAR = {
    "architectures": ["KimiLinearForCausalLM"], "model_type": "kimi_linear", "first_k_dense_replace": 1,
    "head_dim": 72, "hidden_size": 2304, "intermediate_size": 9216, "kv_lora_rank": 512,
    "linear_attn_config": {"full_attn_layers": [4, 8, 12, 16, 20, 24, 27], "head_dim": 128, "num_heads": 32,
                           "short_conv_kernel_size": 4},
    "model_max_length": 1048576, "moe_intermediate_size": 1024, "num_attention_heads": 32, "num_experts": 256,
    "num_experts_per_token": 8, "num_hidden_layers": 27, "num_key_value_heads": 32, "num_shared_experts": 1,
    "q_lora_rank": None, "qk_nope_head_dim": 128, "qk_rope_head_dim": 64, "v_head_dim": 128, "vocab_size": 163840,
    "tie_word_embeddings": False,
}


def test_a_kimi_linear_config_reads_like_the_catalog_entry() -> None:
    import dataclasses

    a, _, _ = arch_from_config(KIMI_LINEAR)
    want, _ = _catalog("kimi-linear-48b-a3b")
    # MLA on the 1-based layers 4, 8, ..., 27; KDA state 128^2 x 32 + 3 x 3 x 32 x 128 = 561,152 elements
    assert a == dataclasses.replace(want)
    assert a.linear_state_elements == 561_152 and a.layer_kinds()[3] == "mla" and a.layer_kinds()[0] == "linear"


TRINITY_NANO = {"architectures": ["AfmoeForCausalLM"], "model_type": "afmoe", "global_attn_every_n_layers": 4,
                "head_dim": 128, "hidden_size": 1024, "intermediate_size": 3072, "max_position_embeddings": 131072,
                "moe_intermediate_size": 256, "num_attention_heads": 8, "num_dense_layers": 2, "num_experts": 128,
                "num_experts_per_tok": 8, "num_hidden_layers": 56, "num_key_value_heads": 2, "num_shared_experts": 1,
                "sliding_window": 2048, "tie_word_embeddings": False, "vocab_size": 200192}


def test_an_afmoe_config_reads_like_the_catalog_entry() -> None:
    """Arcee Trinity Nano: global attention on every 4th layer, a 2,048-token window elsewhere, 2 dense layers."""
    a, _, _ = arch_from_config(TRINITY_NANO)
    want, _ = _catalog("trinity-nano")
    assert a == want
    assert a.layer_kinds().count("full") == 14 and a.first_k_dense == 2
