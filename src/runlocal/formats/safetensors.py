"""safetensors header reader: an 8-byte little-endian length, then that many bytes of JSON.

Only the header is read (tensor data never is), so a file cut short after its header still reads.
Every entry is validated: known dtype, a shape of non-negative integers, and data offsets whose span
equals the tensor's size. Sharded checkpoints are tied together by ``model.safetensors.index.json``.

Format: https://github.com/huggingface/safetensors#format
"""

from __future__ import annotations

import json
import math
import os
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..errors import FileFormatError
from .regular import open_regular

# The safetensors library refuses headers over 100 MB (MAX_HEADER_SIZE in safetensors/src/tensor.rs).
MAX_HEADER = 100_000_000
MAX_DIMS = 8
MAX_ELEMENTS = 1 << 50
INDEX_NAME = "model.safetensors.index.json"

# dtype -> bits per element (safetensors Dtype, including the sub-byte float formats of 0.6+)
DTYPE_BITS: dict[str, int] = {
    "BOOL": 8, "U8": 8, "I8": 8, "F8_E5M2": 8, "F8_E4M3": 8, "F8_E8M0": 8, "I16": 16, "U16": 16,
    "F16": 16, "BF16": 16, "I32": 32, "U32": 32, "F32": 32, "F64": 64, "I64": 64, "U64": 64,
    "F4": 4, "F6_E2M3": 6, "F6_E3M2": 6, "C64": 64,
}


@dataclass(frozen=True)
class STensor:
    """One header entry; ``shape`` is row-major as written (PyTorch order)."""

    name: str
    dtype: str
    shape: tuple[int, ...]
    start: int  # data offsets, relative to the end of the header
    end: int
    part: int = 0

    @property
    def n_bytes(self) -> int:
        return self.end - self.start

    @property
    def n_elements(self) -> int:
        return math.prod(self.shape)


@dataclass
class SafetensorsFile:
    """The header of one safetensors file, or of all shards of a checkpoint together."""

    path: str
    tensors: list[STensor]
    metadata: dict[str, str]
    header_bytes: int  # 8 + the JSON length (summed over shards)
    file_bytes: int
    complete: bool  # every tensor's data lies inside the file(s)
    parts: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def tensor_bytes(self) -> int:
        return sum(t.n_bytes for t in self.tensors)


def header_length(head: bytes, *, name: str, size: int) -> int:
    """The JSON length from the first 8 bytes, checked against the limits and the file size."""
    if len(head) < 8:
        raise FileFormatError(f"{name}: file truncated: {size} bytes, the 8-byte header length is missing "
                              f"at offset 0")
    (n,) = struct.unpack_from("<Q", head, 0)
    if n < 2 or n > MAX_HEADER:
        raise FileFormatError(f"{name}: not a safetensors file: header length {n} at offset 0 is outside "
                              f"2..{MAX_HEADER}")
    if 8 + n > size:
        raise FileFormatError(f"{name}: file truncated: the header needs {8 + n} bytes, the file has {size} "
                              f"(at offset 8)")
    return int(n)


def parse_header(raw: bytes, *, name: str, size: int) -> SafetensorsFile:
    """Validate the JSON header ``raw`` (without the 8-byte length) of a file of ``size`` bytes."""
    n = len(raw)
    try:
        obj = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise FileFormatError(f"{name}: header is not valid UTF-8 at offset {8 + exc.start}") from None
    except json.JSONDecodeError as exc:
        raise FileFormatError(f"{name}: header is not valid JSON ({exc.msg}) at offset {8 + exc.pos}") from None
    except RecursionError:
        raise FileFormatError(f"{name}: header JSON is nested too deeply at offset 8") from None
    if not isinstance(obj, dict):
        raise FileFormatError(f"{name}: header at offset 8 is a JSON {type(obj).__name__}, not an object")
    meta_raw = obj.pop("__metadata__", None) or {}
    if not isinstance(meta_raw, dict):
        raise FileFormatError(f"{name}: __metadata__ in the header at offset 8 is not an object")
    meta = {str(k): str(v) for k, v in meta_raw.items()}
    tensors: list[STensor] = []
    for tname, info in obj.items():
        tensors.append(_entry(name, tname, info))
    data_end = max((t.end for t in tensors), default=0)
    return SafetensorsFile(path=name, tensors=tensors, metadata=meta, header_bytes=8 + n, file_bytes=size,
                           complete=8 + n + data_end <= size, parts=(name,))


def _entry(name: str, tname: str, info: Any) -> STensor:
    where = f"{name}: tensor {tname!r} in the header at offset 8"
    if not isinstance(info, dict):
        raise FileFormatError(f"{where}: entry is not an object")
    dtype = info.get("dtype")
    shape = info.get("shape")
    offs = info.get("data_offsets")
    if not isinstance(dtype, str) or dtype not in DTYPE_BITS:
        raise FileFormatError(f"{where}: unknown dtype {dtype!r}")
    if not isinstance(shape, list) or len(shape) > MAX_DIMS or not all(
            isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape):
        raise FileFormatError(f"{where}: shape {shape!r} is not a list of non-negative integers")
    if not (isinstance(offs, list) and len(offs) == 2 and all(
            isinstance(o, int) and not isinstance(o, bool) and 0 <= o <= MAX_ELEMENTS for o in offs)
            and offs[0] <= offs[1]):
        raise FileFormatError(f"{where}: data_offsets {offs!r} are not two ordered byte offsets")
    n_el = 1
    for d in shape:
        n_el *= d
        if n_el > MAX_ELEMENTS:
            raise FileFormatError(f"{where}: absurd shape {shape!r}")
    bits = n_el * DTYPE_BITS[dtype]
    if offs[1] - offs[0] != (bits + 7) // 8:
        raise FileFormatError(f"{where}: data_offsets span {offs[1] - offs[0]} bytes, but {dtype} {shape} "
                              f"needs {(bits + 7) // 8}")
    return STensor(tname, dtype, tuple(shape), offs[0], offs[1])


def read_remote(read: Callable[[int, int], bytes], size: int, name: str) -> SafetensorsFile:
    """The header through ``read(start, end)`` byte-range reads (two requests)."""
    n = header_length(read(0, min(8, size)), name=name, size=size)
    return parse_header(read(8, 8 + n), name=name, size=size)


def read_file(path: str | os.PathLike[str]) -> SafetensorsFile:
    """The header of one safetensors file on disk."""
    name = os.fspath(path)
    try:
        with open_regular(name) as f:
            size = os.fstat(f.fileno()).st_size
            n = header_length(f.read(8), name=name, size=size)
            raw = f.read(n)
    except OSError as exc:
        raise FileFormatError(f"{name}: cannot read the file ({exc.strerror or exc})") from None
    return parse_header(raw, name=name, size=size)


def parse_index(raw: bytes, *, name: str) -> dict[str, str]:
    """``weight_map`` (tensor name -> shard file name) of a model.safetensors.index.json."""
    try:
        obj = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise FileFormatError(f"{name}: not a valid JSON index ({exc})") from None
    wm = obj.get("weight_map") if isinstance(obj, dict) else None
    if not isinstance(wm, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in wm.items()):
        raise FileFormatError(f"{name}: no weight_map of tensor name -> file name")
    for v in set(wm.values()):
        if os.path.isabs(v) or ".." in v.replace("\\", "/").split("/"):
            raise FileFormatError(f"{name}: weight_map names a file outside the folder: {v!r}")
    return dict(wm)


def merge(files: list[SafetensorsFile], *, index: dict[str, str] | None = None,
          index_name: str = INDEX_NAME) -> SafetensorsFile:
    """One checkpoint from its shards (tensor names must be unique; the index, if any, must agree)."""
    tensors: list[STensor] = []
    seen: dict[str, str] = {}
    for i, f in enumerate(files):
        for t in f.tensors:
            if t.name in seen:
                raise FileFormatError(f"{f.path}: tensor {t.name!r} is also in {seen[t.name]}")
            seen[t.name] = f.path
            tensors.append(STensor(t.name, t.dtype, t.shape, t.start, t.end, i))
    if index is not None:
        missing = sorted(set(index) - set(seen))
        if missing:
            raise FileFormatError(f"{index_name}: {len(missing)} indexed tensor(s) are in no shard, "
                                  f"e.g. {missing[0]!r}")
    return SafetensorsFile(
        path=files[0].path if len(files) == 1 else os.path.dirname(files[0].path) or files[0].path,
        tensors=tensors, metadata=files[0].metadata if files else {},
        header_bytes=sum(f.header_bytes for f in files), file_bytes=sum(f.file_bytes for f in files),
        complete=all(f.complete for f in files), parts=tuple(f.path for f in files),
    )
