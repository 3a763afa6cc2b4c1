"""safetensors headers, model folders (config.json + shards) and quantised checkpoints."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
import pytest
from formats_builders import FFN, HIDDEN, hf_llama, llama_config, write_folder, write_safetensors

from runlocal.errors import FileFormatError
from runlocal.estimate.weights import weights_from_table
from runlocal.formats import safetensors as st
from runlocal.formats.hf_names import gguf_name
from runlocal.formats.load import model_spec_from_path
from runlocal.service import will_it_run
from runlocal.service.inspect import inspect_file


def _elements(t: dict[str, tuple[str, tuple[int, ...]]]) -> int:
    return sum(int(np.prod(s)) for _, s in t.values())


def test_header_fields_and_exact_bytes(tmp_path: Path) -> None:
    tensors = {"a": ("F32", (3, 4)), "b": ("BF16", (5,)), "c": ("I32", ()), "d": ("F8_E4M3", (7, 2)),
               "e": ("U8", (0,))}
    data = write_safetensors(tmp_path / "x.safetensors", tensors, metadata={"format": "pt"})
    f = st.read_file(tmp_path / "x.safetensors")
    assert [(t.name, t.dtype, t.shape, t.n_bytes) for t in f.tensors] == [
        ("a", "F32", (3, 4), 48), ("b", "BF16", (5,), 10), ("c", "I32", (), 4), ("d", "F8_E4M3", (7, 2), 14),
        ("e", "U8", (0,), 0)]
    assert f.tensor_bytes == data and f.metadata == {"format": "pt"} and f.complete
    write_safetensors(tmp_path / "h.safetensors", tensors, header_only=True)
    assert not st.read_file(tmp_path / "h.safetensors").complete


def test_agrees_with_the_safetensors_package(tmp_path: Path) -> None:
    numpy_st = pytest.importorskip("safetensors.numpy")
    arrays = {"w": np.ones((3, 5), np.float16), "b": np.zeros(7, np.float32), "i": np.arange(4, dtype=np.int64)}
    numpy_st.save_file(arrays, str(tmp_path / "m.safetensors"), metadata={"k": "v"})
    f = st.read_file(tmp_path / "m.safetensors")
    assert {t.name: (t.dtype, t.shape, t.n_bytes) for t in f.tensors} == {
        "w": ("F16", (3, 5), 30), "b": ("F32", (7,), 28), "i": ("I64", (4,), 32)}
    assert f.metadata == {"k": "v"} and f.complete


def test_folder_gives_exact_params_and_bytes(tmp_path: Path) -> None:
    tensors = hf_llama(3)
    data = write_folder(tmp_path / "m", llama_config(3), tensors)
    spec = model_spec_from_path(str(tmp_path / "m"))
    assert spec.file_quant == "BF16"
    assert spec.params == _elements(tensors)
    a = spec.arch
    assert (a.n_layers, a.hidden_size, a.intermediate_size, a.vocab_size, a.tie_embeddings) == (3, HIDDEN, FFN, 256,
                                                                                                False)
    assert spec.tensor_table is not None
    w = weights_from_table(a, spec.tensor_table)
    assert w.total_bytes == data
    assert len(set(w.layer_bytes)) == 1 and w.layer_bytes[0] > 0  # layers recognised from HF names
    assert w.token_embd_bytes == 256 * HIDDEN * 2
    d = inspect_file(str(tmp_path / "m"))
    assert d["format"] == "safetensors" and d["tensor_bytes"] == data == d["weights"]["total_bytes"]
    assert d["quant_mix"] == {"BF16": data}
    # a single file of the folder names the same model
    assert model_spec_from_path(str(tmp_path / "m" / "model.safetensors")).tensor_table == spec.tensor_table
    ans = will_it_run(str(tmp_path / "m" / "model.safetensors"), "rtx-4090")
    assert ans["ok"] and sum(ans["basis"]["weights"]["by_type_bytes"].values()) == data


def test_sharded_folder_with_index(tmp_path: Path) -> None:
    tensors = hf_llama(2)
    names = list(tensors)
    half = len(names) // 2
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps(llama_config(2)))
    a = write_safetensors(folder / "model-00001-of-00002.safetensors", {k: tensors[k] for k in names[:half]})
    b = write_safetensors(folder / "model-00002-of-00002.safetensors", {k: tensors[k] for k in names[half:]})
    wm = {k: "model-00001-of-00002.safetensors" if i < half else "model-00002-of-00002.safetensors"
          for i, k in enumerate(names)}
    (folder / "model.safetensors.index.json").write_text(json.dumps({"metadata": {}, "weight_map": wm}))
    spec = model_spec_from_path(str(folder))
    assert spec.params == _elements(tensors)
    assert spec.tensor_table is not None and weights_from_table(spec.arch, spec.tensor_table).total_bytes == a + b
    one = model_spec_from_path(str(folder / "model-00002-of-00002.safetensors"))  # a shard reads the whole set
    assert one.tensor_table == spec.tensor_table
    (folder / "model-00002-of-00002.safetensors").unlink()
    with pytest.raises(FileFormatError, match="not there"):
        model_spec_from_path(str(folder))


def test_tied_folder(tmp_path: Path) -> None:
    write_folder(tmp_path / "m", llama_config(2, tied=True), hf_llama(2, tied=True))
    assert model_spec_from_path(str(tmp_path / "m")).arch.tie_embeddings


def _quantised(n_layers: int, kind: str) -> dict[str, tuple[str, tuple[int, ...]]]:
    """Tensors of a tiny llama as AWQ/GPTQ/MLX/NF4/FP8 checkpoints store them."""
    out: dict[str, tuple[str, tuple[int, ...]]] = {}
    for name, (_, shape) in hf_llama(n_layers, dtype="F16").items():
        base = name[: -len(".weight")]
        linear = len(shape) == 2 and ".layers." in name
        if not linear:
            out[name] = ("F16", shape)
            continue
        o, i = shape
        if kind == "awq":
            out[base + ".qweight"] = ("I32", (i, o // 8))
            out[base + ".qzeros"] = ("I32", (i // 64, o // 8))
            out[base + ".scales"] = ("F16", (i // 64, o))
        elif kind == "gptq8":
            out[base + ".qweight"] = ("I32", (i // 4, o))
            out[base + ".qzeros"] = ("I32", (i // 64, o // 4))
            out[base + ".scales"] = ("F16", (i // 64, o))
            out[base + ".g_idx"] = ("I32", (i,))
        elif kind == "mlx":
            out[name] = ("U32", (o, i // 8))
            out[base + ".scales"] = ("F16", (o, i // 64))
            out[base + ".biases"] = ("F16", (o, i // 64))
        elif kind == "nf4":
            out[name] = ("U8", (o * i // 2, 1))
            out[name + ".absmax"] = ("F32", (o * i // 64,))
            out[name + ".quant_map"] = ("F32", (16,))
            out[name + ".quant_state.bitsandbytes__nf4"] = ("U8", (100,))
        elif kind == "fp8":
            out[name] = ("F8_E4M3", (o, i))
            out[base + ".weight_scale"] = ("F32", ())
            out[base + ".input_scale"] = ("F32", ())
    return out


QCONFIGS = {
    "awq": ({"quantization_config": {"quant_method": "awq", "bits": 4, "group_size": 64}}, "AWQ-INT4"),
    "gptq8": ({"quantization_config": {"quant_method": "gptq", "bits": 8, "group_size": 64}}, "GPTQ-INT8"),
    "mlx": ({"quantization": {"group_size": 64, "bits": 4},
             "quantization_config": {"group_size": 64, "bits": 4}}, "MLX-4BIT"),
    "nf4": ({"quantization_config": {"quant_method": "bitsandbytes", "load_in_4bit": True}}, "NF4"),
    "fp8": ({"quantization_config": {"quant_method": "fp8", "activation_scheme": "dynamic"}}, "FP8"),
}


@pytest.mark.parametrize("kind", sorted(QCONFIGS))
def test_quantised_checkpoints(tmp_path: Path, kind: str) -> None:
    extra, label = QCONFIGS[kind]
    tensors = _quantised(2, kind)
    data = write_folder(tmp_path / kind, llama_config(2, **extra), tensors)
    spec = model_spec_from_path(str(tmp_path / kind))
    assert spec.file_quant == label
    assert spec.params == _elements(hf_llama(2))  # packed weights unpacked, scales and zeros left out
    assert spec.tensor_table is not None and weights_from_table(spec.arch, spec.tensor_table).total_bytes == data


def test_hf_names_map_to_llama_cpp_groups() -> None:
    assert gguf_name("model.layers.3.self_attn.q_proj.weight") == "blk.3.self_attn.q_proj.weight"
    assert gguf_name("model.layers.1.mlp.experts.7.up_proj.weight") == "blk.1.ffn_exps.7.up_proj.weight"
    assert gguf_name("model.layers.1.mlp.shared_experts.up_proj.weight") == "blk.1.mlp.shared_experts.up_proj.weight"
    assert gguf_name("model.embed_tokens.weight") == "token_embd.weight"
    assert gguf_name("lm_head.weight") == "output.weight"
    assert gguf_name("model.language_model.layers.0.mlp.up_proj.weight") == "blk.0.mlp.up_proj.weight"
    v = "model.vision_tower.encoder.layers.0.mlp.fc1.weight"
    assert gguf_name(v) == v


def _raw(path: Path, header: bytes, length: int | None = None, data: bytes = b"") -> Path:
    path.write_bytes(struct.pack("<Q", len(header) if length is None else length) + header + data)
    return path


BAD = {
    "too short": (b"\x01\x02", "8-byte header length is missing"),
    "length past end": (struct.pack("<Q", 1000) + b"{}", "file truncated"),
    "length huge": (struct.pack("<Q", 1 << 60) + b"{}", "outside"),
    "not json": (struct.pack("<Q", 5) + b"{abc}", "not valid JSON"),
    "not utf-8": (struct.pack("<Q", 3) + b'"\xff"', "not valid UTF-8"),
    "not an object": (struct.pack("<Q", 2) + b"[]", "not an object"),
    "dtype": (None, "unknown dtype"),
    "shape": (None, "shape"),
    "offsets": (None, "needs"),
    "order": (None, "ordered"),
    "metadata": (None, "__metadata__"),
}
_ENTRIES = {
    "dtype": {"w": {"dtype": "Q4", "shape": [2], "data_offsets": [0, 1]}},
    "shape": {"w": {"dtype": "F16", "shape": [2, -1], "data_offsets": [0, 4]}},
    "offsets": {"w": {"dtype": "F16", "shape": [2, 3], "data_offsets": [0, 4]}},
    "order": {"w": {"dtype": "F16", "shape": [2], "data_offsets": [4, 0]}},
    "metadata": {"__metadata__": [1]},
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_malformed_safetensors(tmp_path: Path, case: str) -> None:
    raw, problem = BAD[case]
    path = tmp_path / "bad.safetensors"
    if raw is None:
        header = json.dumps(_ENTRIES[case]).encode()
        raw = struct.pack("<Q", len(header)) + header + b"\0" * 16
    path.write_bytes(raw)
    with pytest.raises(FileFormatError) as exc:
        st.read_file(path)
    assert problem in exc.value.message and str(path) in exc.value.message


def test_folder_errors(tmp_path: Path) -> None:
    write_safetensors(tmp_path / "model.safetensors", hf_llama(1))
    with pytest.raises(FileFormatError, match="no config.json"):
        model_spec_from_path(str(tmp_path))
    (tmp_path / "config.json").write_text("{not json")
    with pytest.raises(FileFormatError, match="not valid JSON"):
        model_spec_from_path(str(tmp_path))
    (tmp_path / "config.json").write_text(json.dumps({"architectures": ["LlamaForCausalLM"]}))
    with pytest.raises(FileFormatError, match="cannot read the architecture"):
        model_spec_from_path(str(tmp_path))
    (tmp_path / "config.json").write_text(json.dumps(llama_config(1)))
    (tmp_path / "model.safetensors.index.json").write_text(json.dumps({"weight_map": {"x": "../evil.safetensors"}}))
    with pytest.raises(FileFormatError, match="outside the folder"):
        model_spec_from_path(str(tmp_path))


def test_an_attention_free_folder_is_inspected_and_printed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A Mamba folder has no attention heads: inspect says so instead of failing on the missing KV-head count."""
    from runlocal.cli.main import main

    cfg = {"architectures": ["MambaForCausalLM"], "model_type": "mamba", "hidden_size": 64, "intermediate_size": 128,
           "num_hidden_layers": 2, "state_size": 16, "conv_kernel": 4, "vocab_size": 256}
    write_folder(tmp_path / "m", cfg, {"backbone.embeddings.weight": ("BF16", (256, 64))})
    assert main(["inspect", str(tmp_path / "m")]) == 0
    assert "no attention" in capsys.readouterr().out
