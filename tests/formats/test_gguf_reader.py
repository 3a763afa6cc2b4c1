"""Our GGUF header reader against gguf.GGUFReader, and the file-based estimate's exact weights."""

from __future__ import annotations

import importlib.util
import os
import struct
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from formats_builders import HIDDEN, KV_HEADS, VOCAB, assert_same_as_gguf_package, gguf, llama_tensors, write_llama_gguf

from runlocal.errors import FileFormatError, RunlocalError
from runlocal.estimate.weights import weights_from_table
from runlocal.formats import gguf as gg
from runlocal.formats.load import model_spec_from_path
from runlocal.service import will_it_run
from runlocal.service.inspect import inspect_file


def test_tiny_llama_matches_gguf_package(tmp_path: Path) -> None:
    path = tmp_path / "tiny.gguf"
    write_llama_gguf(path)
    g = gg.read(path)
    assert g.version == 3 and g.complete and g.parts == (str(path),)
    assert_same_as_gguf_package(path, g)
    md = g.metadata
    assert isinstance(md["tokenizer.ggml.tokens"], gg.SkippedArray) and len(md["tokenizer.ggml.tokens"]) == VOCAB
    assert len(md["tokenizer.ggml.merges"]) == VOCAB + 7
    assert md["test.unicode"] == "héllo ✓" and md["test.bool"] is True and md["test.i64"] == -(1 << 40)
    assert md["general.languages"] == ["en", "fr"]
    assert {t.type for t in g.tensors} == {"q8_0", "f16", "f32"}
    assert g.file_bytes == path.stat().st_size


def test_file_based_weights_equal_the_tensor_bytes(tmp_path: Path) -> None:
    path = tmp_path / "tiny.gguf"
    write_llama_gguf(path, n_layers=3)
    ref_bytes = sum(int(t.n_bytes) for t in gguf.GGUFReader(str(path)).tensors)
    spec = model_spec_from_path(str(path))
    a = spec.arch
    assert (a.arch, a.n_layers, a.hidden_size, a.n_heads, a.n_kv_heads, a.head_dim) == ("llama", 3, HIDDEN, 4,
                                                                                         KV_HEADS, 16)
    assert (a.vocab_size, a.intermediate_size, a.context_length, a.tie_embeddings) == (VOCAB, 128, 4096, False)
    assert spec.file_quant == "Q8_0" and spec.file_bytes == path.stat().st_size
    assert spec.params == sum(int(np.prod(s)) for _, s, _ in llama_tensors(3))
    assert spec.tensor_table is not None
    w = weights_from_table(a, spec.tensor_table)
    assert w.total_bytes == ref_bytes
    assert all(b > 0 for b in w.layer_bytes)
    d = inspect_file(str(path))
    assert d["tensor_bytes"] == ref_bytes == d["weights"]["total_bytes"] == sum(d["quant_mix"].values())
    assert d["tensor_count"] == len(llama_tensors(3))
    # Through the service, as `runlocal check FILE` asks: untied, so the weights in memory are the file's
    # tensor bytes exactly.
    ans = will_it_run(str(path), "rtx-4090")
    assert ans["quant"] == "Q8_0" and ans["runtime"] == "llama.cpp"
    assert ans["memory"]["weights_bytes"] == ref_bytes
    assert sum(ans["basis"]["weights"]["by_type_bytes"].values()) == ref_bytes
    assert ans["file_bytes"] == path.stat().st_size


def test_tied_embeddings_and_quant_from_dominant_type(tmp_path: Path) -> None:
    path = tmp_path / "tied.gguf"
    write_llama_gguf(path, tied=True, file_type=None)
    spec = model_spec_from_path(str(path))
    assert spec.arch.tie_embeddings is True
    assert spec.file_quant == "Q8_0"  # no general.file_type: the bulk of the bytes is q8_0
    d = inspect_file(str(path))
    embd = next(t for t in gg.read(path).tensors if t.name == "token_embd.weight").n_bytes
    assert d["weights"]["tied_copy_bytes"] == embd
    ans = will_it_run(str(path), "rtx-4090")
    # llama.cpp loads a tied matrix twice (input table in RAM, output head on the GPU)
    assert ans["memory"]["weights_bytes"] == d["tensor_bytes"] + embd


def test_header_only_file(tmp_path: Path) -> None:
    full = tmp_path / "full.gguf"
    head = tmp_path / "head.gguf"
    write_llama_gguf(full)
    write_llama_gguf(head, header_only=True)
    a, b = gg.read(full), gg.read(head)
    assert not b.complete and a.complete
    assert b.data_offset == a.data_offset and head.stat().st_size <= a.data_offset
    assert [(t.name, t.shape, t.type, t.offset, t.n_bytes) for t in a.tensors] == \
        [(t.name, t.shape, t.type, t.offset, t.n_bytes) for t in b.tensors]
    spec_a, spec_b = model_spec_from_path(str(full)), model_spec_from_path(str(head))
    assert spec_a.tensor_table == spec_b.tensor_table and spec_a.arch == spec_b.arch
    assert inspect_file(str(head))["data_present"] is False


def test_split_model_is_one_model(tmp_path: Path) -> None:
    files = write_llama_gguf(tmp_path / "tiny.gguf", n_layers=2, split_max_tensors=8)
    assert len(files) == 3 and files[0].name == "tiny-00001-of-00003.gguf"
    whole = tmp_path / "whole.gguf"
    write_llama_gguf(whole, n_layers=2)
    for f in files:
        assert_same_as_gguf_package(f, gg.read_file(f))
    g = gg.read(files[0])
    assert g.parts == tuple(str(f) for f in files)
    assert g.file_bytes == sum(f.stat().st_size for f in files)
    assert [t.name for t in g.tensors] == [t.name for t in gg.read(whole).tensors]
    assert [t.part for t in g.tensors][:9] == [0] * 8 + [1]
    assert gg.read(files[1]).parts == g.parts  # naming any part reads the whole model
    spec = model_spec_from_path(str(files[0]))
    assert spec.tensor_table == model_spec_from_path(str(whole)).tensor_table
    assert spec.file_bytes == g.file_bytes
    files[2].unlink()
    with pytest.raises(FileFormatError, match="missing part"):
        gg.read(files[0])


@pytest.mark.parametrize("cut", [3, 10, 23, 40, 200, 5000, "tensors", "last"])
def test_truncated_inside_the_header(tmp_path: Path, cut: Any) -> None:
    path = tmp_path / "t.gguf"
    write_llama_gguf(path)
    g = gg.read(path)
    raw = path.read_bytes()
    n = {"tensors": g.data_offset - 300, "last": g.data_offset - 40}.get(cut, cut)
    bad = tmp_path / "cut.gguf"
    bad.write_bytes(raw[:n])
    with pytest.raises(FileFormatError) as exc:
        gg.read(bad)
    msg = exc.value.message
    assert str(bad) in msg and "offset" in msg
    assert "truncated" in msg or "not a GGUF" in msg or "past the end" in msg or "absurd" in msg


def test_truncated_inside_the_data_still_reads(tmp_path: Path) -> None:
    path = tmp_path / "t.gguf"
    write_llama_gguf(path)
    raw = path.read_bytes()
    g = gg.read(path)
    path.write_bytes(raw[: g.data_offset + 100])
    h = gg.read(path)
    assert not h.complete and len(h.tensors) == len(g.tensors)


def test_prefix_reads_grow_until_the_header_is_complete(tmp_path: Path) -> None:
    path = tmp_path / "t.gguf"
    write_llama_gguf(path)
    raw = path.read_bytes()
    asked: list[tuple[int, int]] = []

    def read(a: int, b: int) -> bytes:
        asked.append((a, b))
        return raw[a:b]

    g = gg.read_prefix(read, len(raw), "remote.gguf", first=256)
    assert len(g.tensors) == len(gg.read(path).tensors) and g.complete
    assert asked[0] == (0, 256) and len(asked) > 1 and asked[-1][1] < len(raw)
    assert all(b0 == a1 for (_, b0), (a1, _) in zip(asked, asked[1:], strict=False))  # no byte read twice


def _header(version: int = 3, n_tensors: int = 0, n_kv: int = 1) -> bytes:
    return b"GGUF" + struct.pack("<IQQ", version, n_tensors, n_kv)


def _s(text: str | bytes) -> bytes:
    raw = text.encode() if isinstance(text, str) else text
    return struct.pack("<Q", len(raw)) + raw


def _tensor(name: str, dims: tuple[int, ...], ty: int, offset: int = 0) -> bytes:
    return _s(name) + struct.pack("<I", len(dims)) + struct.pack(f"<{len(dims)}Q", *dims) + struct.pack("<IQ", ty,
                                                                                                          offset)


BAD = {
    "magic": (b"GGML" + b"\0" * 40, "not a GGUF file"),
    "version 1": (_header(1) + b"\0" * 40, "unsupported GGUF version 1"),
    "big endian": (b"GGUF" + struct.pack(">I", 3) + b"\0" * 40, "big-endian"),
    "tensor count": (_header(n_tensors=1 << 40) + b"\0" * 40, "absurd tensor count"),
    "kv count": (_header(n_kv=1 << 62) + b"\0" * 40, "absurd metadata count"),
    "key length": (_header() + struct.pack("<Q", 1 << 60) + b"\0" * 40, "absurd length"),
    "key utf-8": (_header() + _s(b"\xff\xfe") + struct.pack("<IB", 0, 1), "not valid UTF-8"),
    "value type": (_header() + _s("k") + struct.pack("<I", 99) + b"\0" * 40, "unknown value type 99"),
    "string utf-8": (_header() + _s("k") + struct.pack("<I", 8) + _s(b"a\x80b"), "not valid UTF-8"),
    "nested array": (_header() + _s("k") + struct.pack("<IIQ", 9, 9, 1) + b"\0" * 40, "nested arrays"),
    "array type": (_header() + _s("k") + struct.pack("<IIQ", 9, 77, 1) + b"\0" * 40, "unknown array element"),
    "array count": (_header() + _s("k") + struct.pack("<IIQ", 9, 8, 1 << 50) + b"\0" * 40, "absurd array length"),
    "array past end": (_header() + _s("k") + struct.pack("<IIQ", 9, 8, 2000) + struct.pack("<Q", 10**12)
                       + b"\0" * 16000, "past the end"),
    "alignment": (_header() + _s("general.alignment") + struct.pack("<II", 4, 3), "power of two"),
    "dims": (_header(3, 1, 0) + _tensor("w", (1, 1, 1, 1, 1), 0), "dimensions"),
    "dim size": (_header(3, 1, 0) + _tensor("w", (1 << 45,), 0), "absurd dimension"),
    "elements": (_header(3, 1, 0) + _tensor("w", (1 << 30, 1 << 30, 1 << 30), 0), "absurd number of elements"),
    "ggml type": (_header(3, 1, 0) + _tensor("w", (32,), 4), "unknown ggml type 4"),
    "block": (_header(3, 1, 0) + _tensor("w", (33,), 8), "not a whole number of q8_0 blocks"),
    "offset": (_header(3, 1, 0) + _tensor("w", (32,), 0, 5), "not aligned"),
    "duplicate tensor": (_header(3, 2, 0) + _tensor("w", (32,), 0) + _tensor("w", (32,), 0, 128), "duplicate"),
    "duplicate key": (_header(3, 0, 2) + (_s("k") + struct.pack("<IB", 0, 1)) * 2, "duplicate metadata key"),
    "short": (b"GG", "not a GGUF file"),
    "empty": (b"", "not a GGUF file"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_malformed_headers_are_named_errors(tmp_path: Path, case: str) -> None:
    raw, problem = BAD[case]
    path = tmp_path / "bad.gguf"
    path.write_bytes(raw)
    with pytest.raises(FileFormatError) as exc:
        gg.read(path)
    assert problem in exc.value.message and str(path) in exc.value.message and "offset" in exc.value.message
    with pytest.raises(FileFormatError):  # and the same through the service's entry point
        model_spec_from_path(str(path))


def test_missing_architecture_keys_are_file_errors(tmp_path: Path) -> None:
    path = tmp_path / "x.gguf"
    w = gguf.GGUFWriter(str(path), "llama")
    w.add_tensor("token_embd.weight", np.zeros((4, 32), dtype=np.float32))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    with pytest.raises(FileFormatError, match="llama.block_count is missing"):
        model_spec_from_path(str(path))
    with pytest.raises(RunlocalError):
        will_it_run(str(path), "rtx-4090")


def test_per_layer_kv_heads_and_moe_keys(tmp_path: Path) -> None:
    path = tmp_path / "moe.gguf"

    def extra(w: Any) -> None:
        w.add_expert_count(8)
        w.add_expert_used_count(2)
        w.add_expert_feed_forward_length(32)
        w.add_sliding_window(512)

    write_llama_gguf(path, extra=extra)
    a = model_spec_from_path(str(path)).arch
    assert (a.n_experts, a.n_experts_used, a.moe_intermediate_size) == (8, 2, 32)
    assert a.sliding_window == 512 and a.sliding_window_pattern == 1

    path2 = tmp_path / "hybrid.gguf"
    write_llama_gguf(path2, n_layers=4, extra=lambda w: None)
    raw = path2.read_bytes()
    # Rewrite head_count_kv (uint32 2) as a per-layer array [2, 0, 2, 0]: build a fresh file instead.
    w = gguf.GGUFWriter(str(tmp_path / "h2.gguf"), "llama")
    w.add_block_count(4)
    w.add_embedding_length(HIDDEN)
    w.add_head_count(4)
    w.add_key_value("llama.attention.head_count_kv", [2, 0, 2, 0], gguf.GGUFValueType.ARRAY,
                    sub_type=gguf.GGUFValueType.UINT32)
    w.add_tensor("token_embd.weight", np.zeros((100, HIDDEN), dtype=np.float32))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    a2 = model_spec_from_path(str(tmp_path / "h2.gguf")).arch
    assert a2.n_kv_heads == 2 and a2.layer_types == ("full", "linear", "full", "linear")
    assert a2.vocab_size == 100 and a2.tie_embeddings and raw


def test_llama3_sized_header_reads_fast(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location(
        "bench_gguf_read", Path(__file__).resolve().parents[2] / "bench" / "gguf_read.py")
    assert spec and spec.loader
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    path = tmp_path / "llama3.gguf"
    bench.build_llama3_header(str(path))
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        g = gg.read(path)
        best = min(best, time.perf_counter() - t0)
    assert len(g.metadata["tokenizer.ggml.tokens"]) == 128256
    assert len(g.metadata["tokenizer.ggml.merges"]) == 280147
    assert len(g.tensors) == 291
    # ~45 ms on a 2024 laptop-class core; the bound leaves room for slow CI machines
    assert best < 0.5, f"{best * 1e3:.0f} ms"
    assert os.path.getsize(path) < 20_000_000
