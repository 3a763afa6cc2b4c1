"""The default workload of a question: the one place its defaults live (engine, service, CLI help)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class Workload:
    """What the model is asked to do, in tokens. Defaults: llama.cpp's usual -c 4096 and a 512-token prompt."""

    context_tokens: int = 4096
    """KV cache cells allocated per sequence (llama.cpp -c divided by -np)."""
    depth_tokens: int = 0
    """Tokens already in the context when decode speed is measured."""
    prompt_tokens: int = 512
    """Prompt length for prefill speed and time to first token."""
    parallel: int = 1
    """Concurrent sequences (llama.cpp -np, vLLM --max-num-seqs)."""
    kv_cache_type: str = "f16"
    """KV cache element type: f16, bf16, q8_0, q4_0, fp8."""
    flash_attention: bool | None = None
    """Flash attention forced on or off; None lets the engine decide (see methodology)."""
    build_date: str | None = None
    """Date (ISO, YYYY-MM-DD) of the llama.cpp build that runs it; None: a current build."""


DEFAULT_WORKLOAD = Workload()
