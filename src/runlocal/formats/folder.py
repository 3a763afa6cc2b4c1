"""A Hugging Face / MLX model folder: config.json plus safetensors headers.

Gives the tensor table with exact bytes, exact parameter counts (packed 4/8-bit weights unpacked,
scales and zero points left out) and the checkpoint's quantisation label. The folder may be a local
directory or anything else that can list files and read them (a Hugging Face repository read with
range requests, see ``hfhub``): both go through :class:`Source`.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any, Protocol

from ..errors import FileFormatError
from . import regular
from . import safetensors as st
from .hf_names import NON_TEXT

CONFIG = "config.json"

# Quantisation side tensors: scales, zero points, group indices, bitsandbytes state.
_AUX_SUFFIXES = (".qzeros", ".g_idx", ".absmax", ".quant_map", ".nested_absmax", ".nested_quant_map", ".SCB",
                 ".weight_format", "_scale", "_scale_inv", ".quant_state.bitsandbytes__nf4",
                 ".quant_state.bitsandbytes__fp4", ".zeros", "_zero_point", "_global_scale")


class Source(Protocol):
    """Where a folder's files come from: a local directory or a remote repository."""

    label: str

    def files(self) -> dict[str, int]:
        """Relative path -> size in bytes."""
        ...

    def read_small(self, name: str) -> bytes:
        """The whole content of a small file (config.json, the index)."""
        ...

    def safetensors(self, name: str) -> st.SafetensorsFile:
        """The header of one safetensors file."""
        ...


class LocalFolder:
    """A directory on disk."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.label = path

    def files(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for entry in os.scandir(self.path):
            if entry.is_file():
                out[entry.name] = entry.stat().st_size
        return out

    def read_small(self, name: str) -> bytes:
        return regular.read_small(os.path.join(self.path, name))

    def safetensors(self, name: str) -> st.SafetensorsFile:
        return st.read_file(os.path.join(self.path, name))


@dataclass
class FolderModel:
    """What a model folder says about itself."""

    label: str
    config: dict[str, Any]
    weights: st.SafetensorsFile
    quant: str  # BF16, F16, F32, FP8, AWQ-INT4, GPTQ-INT4, GPTQ-INT8, NF4, MLX-4BIT ...
    params: int  # every parameter in the checkpoint (packed weights unpacked)
    text_params: int  # without vision/audio towers and projectors
    expert_params: int  # routed experts of the text decoder


def load_json(raw: bytes, name: str) -> dict[str, Any]:
    try:
        obj = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise FileFormatError(f"{name}: not valid JSON ({exc})") from None
    if not isinstance(obj, dict):
        raise FileFormatError(f"{name}: expected a JSON object")
    return obj


def read_folder(src: Source, *, only: str | None = None) -> FolderModel:
    """config.json + the safetensors headers of ``src`` (``only``: one file, or its whole sharded set)."""
    listing = src.files()
    if CONFIG not in listing:
        raise FileFormatError(f"{src.label}: no config.json, so the architecture is unknown "
                              "(a folder needs the config.json that came with the weights)")
    cfg = load_json(src.read_small(CONFIG), f"{src.label}/{CONFIG}")
    names = _weight_files(src, listing, only)
    index = None
    if st.INDEX_NAME in listing and (only is None or only in names):
        index = st.parse_index(src.read_small(st.INDEX_NAME), name=f"{src.label}/{st.INDEX_NAME}")
    missing = [n for n in names if n not in listing]
    if missing:
        raise FileFormatError(f"{src.label}: {st.INDEX_NAME} names shard(s) that are not there: "
                              f"{', '.join(missing)}")
    weights = st.merge([src.safetensors(n) for n in names], index=index,
                       index_name=f"{src.label}/{st.INDEX_NAME}")
    quant = quant_label(cfg, weights.tensors)
    total, text, experts = count_params(weights.tensors, cfg)
    return FolderModel(src.label, cfg, weights, quant, total, text, experts)


def _weight_files(src: Source, listing: dict[str, int], only: str | None) -> list[str]:
    if st.INDEX_NAME in listing:
        wm = st.parse_index(src.read_small(st.INDEX_NAME), name=f"{src.label}/{st.INDEX_NAME}")
        shards = sorted(set(wm.values()))
        if only is None or only in shards:
            return shards
    if only is not None:
        return [only]
    names = sorted(n for n in listing if n.endswith(".safetensors"))
    # Mistral's repositories ship consolidated.safetensors next to the Hugging Face shards.
    hf = [n for n in names if not n.startswith("consolidated")]
    names = hf or names
    if not names:
        raise FileFormatError(f"{src.label}: no .safetensors files next to config.json")
    return names


def quant_label(cfg: dict[str, Any], tensors: list[st.STensor]) -> str:
    """The checkpoint's quantisation as the engine names it."""
    mlx = cfg.get("quantization")
    qc = cfg.get("quantization_config")
    text_cfg = cfg.get("text_config")
    if not isinstance(qc, dict) and isinstance(text_cfg, dict):
        qc = text_cfg.get("quantization_config")
    if isinstance(mlx, dict) and "bits" in mlx:
        if str(mlx.get("mode", "")).lower() == "mxfp4":
            return "MLX-MXFP4"
        return f"MLX-{_bits(mlx.get('bits'), 4, 'quantization.bits')}BIT"
    if isinstance(qc, dict):
        method = str(qc.get("quant_method", "")).lower()
        bits = _bits(qc.get("bits") or qc.get("w_bit"), 4, "quantization_config.bits")
        if method == "awq":
            return f"AWQ-INT{bits}"
        if method in ("gptq", "auto-round", "autoround"):
            return f"GPTQ-INT{bits}"
        if method == "bitsandbytes":
            return "NF4" if qc.get("load_in_4bit") or qc.get("_load_in_4bit") else "BNB-INT8"
        if method in ("fp8", "fbgemm_fp8"):
            return "FP8"
        if method == "mxfp4":
            return "MXFP4"
        if method == "compressed-tensors":
            return _compressed_tensors_label(qc)
    return _dominant_dtype(tensors)


def _bits(v: Any, default: int, key: str) -> int:
    """Bits per weight of a quantisation config: a whole number from 1 to 16 (absent or 0: the default)."""
    if v is None or v == 0:
        return default
    if isinstance(v, bool) or not isinstance(v, int | float) or v != int(v) or not 1 <= v <= 16:
        raise FileFormatError(f"config.json: {key} must be a whole number of bits from 1 to 16, got {v!r}")
    return int(v)


def _compressed_tensors_label(qc: dict[str, Any]) -> str:
    groups = qc.get("config_groups")
    if isinstance(groups, dict):
        for g in groups.values():
            w = g.get("weights") if isinstance(g, dict) else None
            if isinstance(w, dict):
                bits = _bits(w.get("num_bits"), 8, "config_groups.weights.num_bits")
                if str(w.get("type", "")).lower() == "float":
                    return "FP8" if bits == 8 else f"FP{bits}"
                return f"GPTQ-INT{bits}"
    return "FP8"


def _dominant_dtype(tensors: list[st.STensor]) -> str:
    by: dict[str, int] = {}
    for t in tensors:
        by[t.dtype] = by.get(t.dtype, 0) + t.n_bytes
    if not by:
        return "F16"
    top = max(by, key=lambda k: by[k])
    return {"F8_E4M3": "FP8", "F8_E5M2": "FP8"}.get(top, top)


def _packed_factor(t: st.STensor, names: set[str], cfg: dict[str, Any]) -> int:
    """Parameters per stored element: 32/bits for weights packed into int32 words, 2 for NF4 bytes."""
    base = t.name.rsplit(".", 1)[0]
    if t.name.endswith(".qweight") and t.dtype in ("I32", "U32"):
        qc = cfg.get("quantization_config") or {}
        bits = _bits(qc.get("bits") or qc.get("w_bit"), 4, "quantization_config.bits") if isinstance(qc, dict) else 4
        return 32 // bits
    if t.name.endswith(".weight") and t.dtype == "U32" and f"{base}.scales" in names:  # MLX
        mlx = cfg.get("quantization") or {}
        bits = int(mlx.get("bits") or 4) if isinstance(mlx, dict) else 4
        return 32 // bits if 32 % bits == 0 else 0
    if t.name.endswith("weight_packed") and t.dtype in ("I32", "U32"):  # compressed-tensors pack-quantized
        return 8
    if t.name.endswith("_blocks") and t.dtype == "U8" and f"{t.name[:-7]}_scales" in names:  # MXFP4 (gpt-oss)
        return 2
    if t.dtype == "U8" and (f"{t.name}.absmax" in names or f"{t.name}.quant_state.bitsandbytes__nf4" in names
                            or f"{t.name}.quant_state.bitsandbytes__fp4" in names):
        return 2
    return 1


def count_params(tensors: list[st.STensor], cfg: dict[str, Any]) -> tuple[int, int, int]:
    """Total, text-decoder and routed-expert parameters of a checkpoint's tensors."""
    names = {t.name for t in tensors}
    total = text = experts = 0
    for t in tensors:
        if t.name.endswith(_AUX_SUFFIXES) or t.name.startswith("__"):
            continue
        base = t.name.rsplit(".", 1)[0]
        if t.name.endswith((".scales", ".biases")) and (f"{base}.weight" in names or f"{base}.qweight" in names):
            continue  # MLX/AWQ/GPTQ group scales and biases
        if t.name.endswith("_scales") and f"{t.name[:-7]}_blocks" in names:
            continue  # MXFP4 block scales
        factor = _packed_factor(t, names, cfg)
        if not factor:
            n = t.n_bytes * 8 // int((cfg.get("quantization") or {}).get("bits") or 4)
        else:
            n = t.n_elements * factor
        total += n
        if NON_TEXT.search(t.name):  # vision/audio: counted apart from the text decoder
            continue
        text += n
        if ".experts." in t.name:
            experts += n
    return total, text, experts
