"""Builders for tiny model files (GGUF with the gguf package's GGUFWriter, safetensors by hand) for tests/formats."""

from __future__ import annotations

import json
import struct
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from runlocal.formats.gguf import SkippedArray

gguf = pytest.importorskip("gguf")
from gguf import quants  # noqa: E402

VOCAB = 2048  # > KEEP_ARRAY, so the token list is skipped rather than decoded
HIDDEN = 64
FFN = 128
HEADS = 4
KV_HEADS = 2


def llama_tensors(n_layers: int, *, tied: bool = False, vocab: int = VOCAB,
                  ffn_norm: bool = True) -> list[tuple[str, tuple[int, ...], str]]:
    """(name, GGUF-order shape, type) of a llama-like model: Q8_0 matrices, F16 attention, F32 norms.

    ``ffn_norm=False``: one norm per block (parallel attention and FFN, as Command R / Cohere2 files have)."""
    head = HIDDEN // HEADS
    out: list[tuple[str, tuple[int, ...], str]] = [("token_embd.weight", (HIDDEN, vocab), "Q8_0")]
    for i in range(n_layers):
        out += [
            (f"blk.{i}.attn_norm.weight", (HIDDEN,), "F32"),
            (f"blk.{i}.attn_q.weight", (HIDDEN, HIDDEN), "F16"),
            (f"blk.{i}.attn_k.weight", (HIDDEN, KV_HEADS * head), "F16"),
            (f"blk.{i}.attn_v.weight", (HIDDEN, KV_HEADS * head), "Q8_0"),
            (f"blk.{i}.attn_output.weight", (HIDDEN, HIDDEN), "Q8_0"),
            *([(f"blk.{i}.ffn_norm.weight", (HIDDEN,), "F32")] if ffn_norm else []),
            (f"blk.{i}.ffn_gate.weight", (HIDDEN, FFN), "Q8_0"),
            (f"blk.{i}.ffn_up.weight", (HIDDEN, FFN), "Q8_0"),
            (f"blk.{i}.ffn_down.weight", (FFN, HIDDEN), "Q8_0"),
        ]
    out.append(("output_norm.weight", (HIDDEN,), "F32"))
    if not tied:
        out.append(("output.weight", (HIDDEN, vocab), "Q8_0"))
    return out


def _array(shape: tuple[int, ...], ty: str, rng: np.random.Generator) -> np.ndarray:
    a = rng.standard_normal(shape[::-1]).astype(np.float32)  # numpy order is GGUF order reversed
    if ty == "F32":
        return a
    if ty == "F16":
        return a.astype(np.float16)
    return quants.quantize(a, gguf.GGMLQuantizationType[ty])


def write_llama_gguf(path: Path, *, n_layers: int = 2, tied: bool = False, file_type: int | None = 7,
                     header_only: bool = False, split_max_tensors: int = 0, vocab: int = VOCAB,
                     extra: Callable[[Any], None] | None = None) -> list[Path]:
    """Write a tiny llama GGUF (or its header only, or split parts); returns the file(s) written."""
    rng = np.random.default_rng(0)
    w = gguf.GGUFWriter(str(path), "llama", split_max_tensors=split_max_tensors)
    w.add_name("tiny llama")
    w.add_block_count(n_layers)
    w.add_context_length(4096)
    w.add_embedding_length(HIDDEN)
    w.add_feed_forward_length(FFN)
    w.add_head_count(HEADS)
    w.add_head_count_kv(KV_HEADS)
    w.add_rope_freq_base(10000.0)
    w.add_layer_norm_rms_eps(1e-5)
    if file_type is not None:
        w.add_file_type(file_type)
    w.add_tokenizer_model("gpt2")
    w.add_token_list([f"t{i}" for i in range(vocab)])
    w.add_token_types([1] * vocab)
    w.add_token_scores([0.5] * vocab)
    w.add_token_merges([f"t{i} t{i + 1}" for i in range(vocab + 7)])
    w.add_array("general.languages", ["en", "fr"])
    w.add_uint8("test.u8", 200)
    w.add_int8("test.i8", -5)
    w.add_uint16("test.u16", 60000)
    w.add_int16("test.i16", -30000)
    w.add_int64("test.i64", -(1 << 40))
    w.add_uint64("test.u64", 1 << 50)
    w.add_float64("test.f64", 0.125)
    w.add_bool("test.bool", True)
    w.add_string("test.unicode", "héllo ✓")
    w.add_chat_template("{{ messages }}")
    if extra:
        extra(w)
    tensors = llama_tensors(n_layers, tied=tied, vocab=vocab)
    if header_only:
        from runlocal.estimate.ggml_types import GGML_TYPES

        for name, shape, ty in tensors:
            blck, size = GGML_TYPES[ty.lower()]
            n = int(np.prod(shape))
            w.add_tensor_info(name, shape[::-1], np.dtype(np.float32), n // blck * size,
                              raw_dtype=gguf.GGMLQuantizationType[ty])
        w.write_header_to_file()
        w.write_kv_data_to_file()
        w.write_ti_data_to_file()
    else:
        for name, shape, ty in tensors:
            arr = _array(shape, ty, rng)
            w.add_tensor(name, arr, raw_dtype=gguf.GGMLQuantizationType[ty] if ty not in ("F32", "F16") else None)
        w.write_header_to_file()
        w.write_kv_data_to_file()
        w.write_tensors_to_file()
    files = w.format_shard_names(Path(path))
    w.close()
    return files


def write_gguf_header(path: Path, arch: str, *, n_layers: int = 2, vocab: int = VOCAB, context: int = 4096,
                      tensors: list[tuple[str, tuple[int, ...], str]] | None = None,
                      extra: Callable[[Any], None] | None = None) -> Path:
    """A header-only GGUF of any architecture with the tiny llama's shapes (``extra`` adds metadata)."""
    from runlocal.estimate.ggml_types import GGML_TYPES

    w = gguf.GGUFWriter(str(path), arch)
    w.add_name(f"tiny {arch}")
    w.add_block_count(n_layers)
    w.add_context_length(context)
    w.add_embedding_length(HIDDEN)
    w.add_feed_forward_length(FFN)
    w.add_head_count(HEADS)
    w.add_head_count_kv(KV_HEADS)
    if extra:
        extra(w)
    for name, shape, ty in tensors if tensors is not None else llama_tensors(n_layers, vocab=vocab):
        blck, size = GGML_TYPES[ty.lower()]
        w.add_tensor_info(name, shape[::-1], np.dtype(np.float32), int(np.prod(shape)) // blck * size,
                          raw_dtype=gguf.GGMLQuantizationType[ty])
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_ti_data_to_file()
    w.close()
    return path


def write_safetensors(path: Path, tensors: dict[str, tuple[str, tuple[int, ...]]], *,
                      metadata: dict[str, str] | None = None, header_only: bool = False) -> int:
    """Write a safetensors file by hand (zeros as data); returns the tensor data bytes."""
    from runlocal.formats.safetensors import DTYPE_BITS

    header: dict[str, Any] = {}
    if metadata:
        header["__metadata__"] = metadata
    off = 0
    for name, (dtype, shape) in tensors.items():
        n = int(np.prod(shape)) if shape else 1
        nb = (n * DTYPE_BITS[dtype] + 7) // 8
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [off, off + nb]}
        off += nb
    raw = json.dumps(header).encode()
    raw += b" " * (-len(raw) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)) + raw)
        if not header_only:
            f.write(b"\0" * off)
    return off


def hf_llama(n_layers: int = 2, *, dtype: str = "BF16", tied: bool = False,
             vocab: int = 256) -> dict[str, tuple[str, tuple[int, ...]]]:
    """Hugging Face tensor names and row-major shapes of a tiny llama."""
    head = HIDDEN // HEADS
    t: dict[str, tuple[str, tuple[int, ...]]] = {"model.embed_tokens.weight": (dtype, (vocab, HIDDEN))}
    for i in range(n_layers):
        p = f"model.layers.{i}."
        t[p + "input_layernorm.weight"] = (dtype, (HIDDEN,))
        t[p + "self_attn.q_proj.weight"] = (dtype, (HIDDEN, HIDDEN))
        t[p + "self_attn.k_proj.weight"] = (dtype, (KV_HEADS * head, HIDDEN))
        t[p + "self_attn.v_proj.weight"] = (dtype, (KV_HEADS * head, HIDDEN))
        t[p + "self_attn.o_proj.weight"] = (dtype, (HIDDEN, HIDDEN))
        t[p + "post_attention_layernorm.weight"] = (dtype, (HIDDEN,))
        t[p + "mlp.gate_proj.weight"] = (dtype, (FFN, HIDDEN))
        t[p + "mlp.up_proj.weight"] = (dtype, (FFN, HIDDEN))
        t[p + "mlp.down_proj.weight"] = (dtype, (HIDDEN, FFN))
    t["model.norm.weight"] = (dtype, (HIDDEN,))
    if not tied:
        t["lm_head.weight"] = (dtype, (vocab, HIDDEN))
    return t


def llama_config(n_layers: int = 2, *, vocab: int = 256, tied: bool = False, **extra: Any) -> dict[str, Any]:
    return {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": HIDDEN,
            "num_hidden_layers": n_layers, "num_attention_heads": HEADS, "num_key_value_heads": KV_HEADS,
            "intermediate_size": FFN, "vocab_size": vocab, "max_position_embeddings": 2048,
            "tie_word_embeddings": tied, "torch_dtype": "bfloat16", **extra}


def write_folder(folder: Path, cfg: dict[str, Any], tensors: dict[str, tuple[str, tuple[int, ...]]]) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.json").write_text(json.dumps(cfg))
    return write_safetensors(folder / "model.safetensors", tensors)


def _reader_value(field: Any) -> Any:
    return field.contents()


def assert_same_as_gguf_package(path: Path, ours: Any) -> None:
    """Every tensor and every metadata value agrees with gguf.GGUFReader's reading of the same file."""
    ref = gguf.GGUFReader(str(path))
    assert [t.name for t in ref.tensors] == [t.name for t in ours.tensors]
    for r, t in zip(ref.tensors, ours.tensors, strict=True):
        assert r.tensor_type.name.lower() == t.type
        assert int(r.tensor_type) == t.type_id
        assert tuple(int(d) for d in r.shape) == t.shape
        assert int(r.data_offset) == ours.data_offset + t.offset
        assert int(r.n_bytes) == t.n_bytes
        assert int(r.n_elements) == t.n_elements
    keys = [k for k in ref.fields if not k.startswith("GGUF.")]
    assert keys == list(ours.metadata)
    for k in keys:
        mine = ours.metadata[k]
        theirs = _reader_value(ref.fields[k])
        if isinstance(mine, SkippedArray):
            assert mine.count == len(theirs)
            assert mine.type == ref.fields[k].types[1].name.lower()
        elif isinstance(mine, float):
            assert mine == pytest.approx(theirs)
        elif isinstance(mine, list) and mine and isinstance(mine[0], float):
            assert mine == pytest.approx(list(theirs))
        else:
            assert mine == theirs, k
