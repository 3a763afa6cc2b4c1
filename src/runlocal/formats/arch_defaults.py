"""Per-architecture defaults that a model file may leave out, shared by the GGUF and config.json readers.

Keyed by llama.cpp's architecture name (``general.architecture``), which is also what
``hfconfig.arch_from_config`` maps Hugging Face configs to, so that ``gguf_arch.arch_from_gguf`` and
``hfconfig.arch_from_config`` give the same Architecture for the same model.
"""

from __future__ import annotations

# The sliding-window pattern when the file gives the window but not the pattern: every
# ``pattern``-th layer (1-based) has full attention, the others the window.
# llama.cpp: ``hparams.set_swa_pattern(n)`` in each architecture's hparams loader
# (src/llama-model.cpp, src/models/<arch>.cpp); Hugging Face transformers: the config class's
# ``sliding_window_pattern`` default / the ``layer_types`` it builds.
#   gemma2  2  (Gemma2: layers alternate local / global)
#   gemma3  6  (Gemma3Config sliding_window_pattern=6: 5 local, 1 global)
#   gemma3n 5  (Gemma 3n layer_types: 4 local, 1 global)
#   cohere2 4  (Cohere2Config sliding_window_pattern=4: 3 local, 1 global; Command R7B)
#   gpt-oss 2  (GptOssConfig layer_types: sliding and full alternate)
SLIDING_WINDOW_PATTERN: dict[str, int] = {"gemma2": 2, "gemma3": 6, "gemma3n": 5, "cohere2": 4, "gpt-oss": 2}

# Architectures whose blocks run attention and FFN side by side on one input norm (no ffn_norm).
# From a GGUF this is confirmed by the absence of ``blk.0.ffn_norm.weight``; from a config.json by the
# config flags that turn it off for some members (Falcon ``parallel_attn``, GPT-NeoX ``use_parallel_residual``).
PARALLEL_ATTN_FFN: frozenset[str] = frozenset({"falcon", "phi2", "command-r", "cohere2", "gptj", "gptneox"})

# Defaults a config.json leaves implicit that a GGUF shows in its tensor table.
QK_NORM: frozenset[str] = frozenset({"qwen3", "qwen3moe", "gemma3", "gemma3n", "gemma4", "qwen3next", "qwen35", "afmoe",
                                     "qwen35moe"})  # q_norm / k_norm per head
ATTN_BIAS: frozenset[str] = frozenset({"qwen2"})  # q/k/v biases unless attention_bias says otherwise

NO_LLAMACPP_ARCHS: frozenset[str] = frozenset({"opt", "mllama"})
"""Architectures llama.cpp's converter does not take (OPT; Llama 3.2 Vision's mllama, which Ollama's own engine
runs): no GGUF of them exists, so no llama.cpp command is offered."""

# Context length when the file gives none.
DEFAULT_CONTEXT_LENGTH = 4096

