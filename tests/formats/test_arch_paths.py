"""The two ways to an Architecture agree: a GGUF header (gguf_arch) and a config.json (hfconfig).

Both take the per-architecture defaults a file leaves out (sliding-window pattern, parallel attention/FFN)
from formats/arch_defaults.py; the same tiny model written both ways must give the same Architecture.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
from formats_builders import VOCAB, hf_llama, llama_config, llama_tensors, write_folder, write_gguf_header

from runlocal.estimate.specs import FULL, SLIDING
from runlocal.formats import arch_from_config, arch_from_gguf, model_spec_from_path
from runlocal.formats import gguf as gg
from runlocal.formats.arch_defaults import PARALLEL_ATTN_FFN, SLIDING_WINDOW_PATTERN

N_LAYERS = 12
WINDOW = 512

# GGUF architecture, Hugging Face class, model_type, default pattern (llama.cpp set_swa_pattern / transformers)
SLIDING_CASES = [
    ("gemma2", "Gemma2ForCausalLM", "gemma2", 2),
    ("gemma3", "Gemma3ForCausalLM", "gemma3_text", 6),
    ("gemma3n", "Gemma3nForCausalLM", "gemma3n_text", 5),
    ("cohere2", "Cohere2ForCausalLM", "cohere2", 4),
    ("gpt-oss", "GptOssForCausalLM", "gpt_oss", 2),
]


def _tensors(arch: str) -> list[tuple[str, tuple[int, ...], str]]:
    """The tiny llama's tensors as this architecture's GGUF would hold them (what a config.json implies)."""
    t = llama_tensors(N_LAYERS, ffn_norm=arch not in PARALLEL_ATTN_FFN)
    if arch in ("gemma3", "gemma3n"):
        t += [(f"blk.{i}.attn_{x}_norm.weight", (16,), "F32") for i in range(N_LAYERS) for x in "qk"]
    return t


def _both(tmp_path: Path, arch: str, hf_class: str, model_type: str, **cfg: Any) -> tuple[Any, Any]:
    window = cfg.pop("sliding_window", None)

    def extra(w: Any) -> None:
        if window:
            w.add_sliding_window(window)

    g = gg.read(write_gguf_header(tmp_path / f"{arch}.gguf", arch, n_layers=N_LAYERS, tensors=_tensors(arch),
                                  extra=extra))
    conf = llama_config(N_LAYERS, vocab=VOCAB, max_position_embeddings=4096, architectures=[hf_class],
                        model_type=model_type, sliding_window=window, **cfg)
    return arch_from_gguf(g)[0], arch_from_config(conf)[0]


def test_the_table() -> None:
    assert SLIDING_WINDOW_PATTERN == {a: p for a, _, _, p in SLIDING_CASES}
    assert {"falcon", "phi2", "command-r", "cohere2", "gptj", "gptneox"} == PARALLEL_ATTN_FFN


@pytest.mark.parametrize(("arch", "hf_class", "model_type", "pattern"), SLIDING_CASES)
def test_sliding_window_default_is_the_same_both_ways(tmp_path: Path, arch: str, hf_class: str, model_type: str,
                                                      pattern: int) -> None:
    from_gguf, from_config = _both(tmp_path, arch, hf_class, model_type, sliding_window=WINDOW)
    assert from_gguf == from_config
    assert from_gguf.arch == arch
    assert (from_gguf.sliding_window, from_gguf.sliding_window_pattern) == (WINDOW, pattern)
    kinds = from_gguf.layer_kinds()
    assert kinds == tuple(FULL if (i + 1) % pattern == 0 else SLIDING for i in range(N_LAYERS))
    assert from_gguf.parallel_attn_ffn == (arch == "cohere2")


def test_without_a_window_no_layer_slides(tmp_path: Path) -> None:
    from_gguf, from_config = _both(tmp_path, "gemma2", "Gemma2ForCausalLM", "gemma2")
    assert from_gguf == from_config
    assert from_gguf.sliding_window is None and from_gguf.sliding_window_pattern is None
    assert set(from_gguf.layer_kinds()) == {FULL}


def test_explicit_pattern_wins_over_the_default(tmp_path: Path) -> None:
    def extra(w: Any) -> None:
        w.add_sliding_window(WINDOW)
        w.add_uint32("cohere2.attention.sliding_window_pattern", 3)

    g = gg.read(write_gguf_header(tmp_path / "c.gguf", "cohere2", n_layers=N_LAYERS, tensors=_tensors("cohere2"),
                                  extra=extra))
    conf = llama_config(N_LAYERS, vocab=VOCAB, max_position_embeddings=4096, architectures=["Cohere2ForCausalLM"],
                        sliding_window=WINDOW, sliding_window_pattern=3)
    assert arch_from_gguf(g)[0] == arch_from_config(conf)[0]
    assert arch_from_gguf(g)[0].sliding_window_pattern == 3


def test_parallel_attention_ffn_both_ways(tmp_path: Path) -> None:
    from_gguf, from_config = _both(tmp_path, "command-r", "CohereForCausalLM", "cohere")
    assert from_gguf == from_config and from_gguf.parallel_attn_ffn
    # config flags that turn it off, as a GGUF's ffn_norm tensors do
    base = llama_config(2, architectures=["FalconForCausalLM"], model_type="falcon")
    assert arch_from_config(base)[0].parallel_attn_ffn
    assert not arch_from_config({**base, "parallel_attn": False})[0].parallel_attn_ffn
    assert arch_from_config({**base, "parallel_attn": False, "new_decoder_architecture": True})[0].parallel_attn_ffn
    assert not arch_from_config(llama_config(2))[0].parallel_attn_ffn


def test_llama_file_and_folder_give_the_same_spec(tmp_path: Path) -> None:
    """The full path: a GGUF file and a safetensors folder of the same tiny llama."""
    from formats_builders import write_llama_gguf

    write_llama_gguf(tmp_path / "m.gguf", header_only=True)
    write_folder(tmp_path / "f", llama_config(2, vocab=VOCAB, max_position_embeddings=4096), hf_llama(2, vocab=VOCAB))
    g = model_spec_from_path(str(tmp_path / "m.gguf"))
    f = model_spec_from_path(str(tmp_path / "f"))
    assert dataclasses.asdict(g.arch) == dataclasses.asdict(f.arch)
    assert g.params == f.params
