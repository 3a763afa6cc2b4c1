"""A Gemma 4 GGUF header read back: per-layer KV heads and FFN widths as arrays, the two head widths, the bool
sliding pattern, shared KV layers, per-layer embeddings and V = K on the full layers, as llama.cpp's gemma4 loader
reads them (src/models/gemma4.cpp) - the reader must recover the architecture the tensors were made from."""

from __future__ import annotations

from pathlib import Path

import gguf
import numpy as np

from runlocal.estimate.assumptions import DEFAULT
from runlocal.estimate.gguf_layout import gguf_tensors
from runlocal.estimate.memory import kv_cache
from runlocal.estimate.specs import Architecture
from runlocal.formats import gguf as gg
from runlocal.formats.gguf_arch import arch_from_gguf

TINY = Architecture(
    "gemma4", 12, 64, 4, 2, 16, 128, 512, tie_embeddings=True, context_length=4096, sliding_window=64,
    layer_types=tuple("full" if (i + 1) % 6 == 0 else "sliding" for i in range(12)), qk_norm=True,
    global_head_dim=32, global_n_kv_heads=1, kv_shared_layers=4, attn_k_eq_v=True, double_wide_mlp=True,
    per_layer_input_size=8,
)


def _write(path: Path, a: Architecture) -> Path:
    w = gguf.GGUFWriter(str(path), "gemma4")
    w.add_block_count(a.n_layers)
    w.add_context_length(a.context_length)
    w.add_embedding_length(a.hidden_size)
    kinds = a.layer_kinds()
    owns = [a.owns_kv(i) for i in range(a.n_layers)]
    w.add_array("gemma4.feed_forward_length", [a.intermediate_size * (1 if o else 2) for o in owns])
    w.add_head_count(a.n_heads)
    w.add_array("gemma4.attention.head_count_kv", [a.global_n_kv_heads if k == "full" else a.n_kv_heads
                                                   for k in kinds])
    w.add_uint32("gemma4.attention.key_length", a.global_head_dim)
    w.add_uint32("gemma4.attention.key_length_swa", a.head_dim)
    w.add_uint32("gemma4.attention.sliding_window", a.sliding_window or 0)
    w.add_array("gemma4.attention.sliding_window_pattern", [k == "sliding" for k in kinds])
    w.add_uint32("gemma4.attention.shared_kv_layers", a.kv_shared_layers)
    w.add_uint32("gemma4.embedding_length_per_layer_input", a.per_layer_input_size)
    for t in gguf_tensors(a):
        n = int(np.prod(t.shape))
        w.add_tensor_info(t.name, t.shape[::-1], np.dtype(np.float32), n * 4, raw_dtype=gguf.GGMLQuantizationType.F32)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_ti_data_to_file()
    w.close()
    return path


def test_gemma4_header_reads_back_to_the_same_architecture(tmp_path: Path) -> None:
    a, total, _ = arch_from_gguf(gg.read(_write(tmp_path / "tiny-gemma4.gguf", TINY)))
    assert a == TINY
    assert total == sum(int(np.prod(t.shape)) for t in gguf_tensors(TINY))
    kv = kv_cache(a, 1024, asm=DEFAULT)
    assert kv.layer_bytes[5] == 1024 * 2 * 1 * 32 * 2 and all(b == 0 for b in kv.layer_bytes[8:])
