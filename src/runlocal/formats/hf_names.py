"""Hugging Face tensor names -> llama.cpp's, as far as the engine needs them.

The engine groups a tensor table by llama.cpp names: the layer number (placement), the embeddings and
output head (kept apart) and routed experts (``_exps``: MoE offload). A safetensors checkpoint's table is
renamed with :func:`gguf_name` so that the same grouping reads it.
"""

from __future__ import annotations

import re

# Tensors of a vision/audio tower or projector: left out of the text decoder (names and parameter counts).
NON_TEXT = re.compile(r"(^|\.)(vision_tower|vision_model|visual|vision|audio_tower|audio_model|audio|"
                      r"multi_modal_projector|mm_projector|image_newline|embed_vision|embed_audio)(\.|$)")
_LAYER = re.compile(r"^(?:.*\.)?(?:layers|h|blocks|block)\.(\d+)\.(.+)$")
# Engine widths known to weights_from_table; other dtypes are tabled as their raw bytes.
_ENGINE_DTYPES = {"F64", "F32", "F16", "BF16", "I64", "I32", "I16", "I8", "U8", "BOOL", "F8_E4M3", "F8_E5M2"}
_SAME_WIDTH = {"U16": "I16", "U32": "I32", "U64": "I64", "F8_E8M0": "U8"}


def gguf_name(hf: str) -> str:
    """A llama.cpp-style name for a Hugging Face tensor name (only what the engine's grouping reads)."""
    if NON_TEXT.search(hf):
        return hf
    m = _LAYER.match(hf)
    if m:
        rest = m[2]
        if rest.startswith(("mlp.experts.", "block_sparse_moe.experts.", "feed_forward.experts.")):
            rest = "ffn_exps." + rest.split(".experts.", 1)[1]
        return f"blk.{m[1]}.{rest}"
    for emb in ("embed_tokens.", "wte.", "tok_embeddings.", "word_embeddings."):
        if emb in hf:
            return "token_embd." + hf.split(emb, 1)[1]
    if hf.startswith("lm_head.") or hf.startswith("output."):
        return "output." + hf.split(".", 1)[1]
    return hf


def table_entry(name: str, dtype: str, shape: tuple[int, ...], n_bytes: int) -> tuple[str, tuple[int, ...], str]:
    """One safetensors tensor as an engine tensor-table row: (llama.cpp name, GGUF-order shape, dtype)."""
    gname = gguf_name(name)
    if dtype in _ENGINE_DTYPES:
        return gname, shape[::-1] or (1,), dtype
    if dtype in _SAME_WIDTH:
        return gname, shape[::-1] or (1,), _SAME_WIDTH[dtype]
    return gname, (n_bytes,), "U8"  # sub-byte floats (F4, F6): exact bytes, shape not kept


__all__ = ["NON_TEXT", "gguf_name", "table_entry"]
