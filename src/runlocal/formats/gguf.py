"""GGUF header reader: magic, version, metadata and tensor table, never the tensor data.

Our own reader (the ``gguf`` package is only a test dependency). It works on a memory map of the file,
or on any prefix of it (HTTP range reads), so a header-only or truncated file reads fine as long as
the header itself is complete. Large metadata arrays (tokenizer vocabulary, merges, scores) are
skipped by walking their lengths: only their element type and count are kept.

Untrusted input is bounded: every count is checked against caps and against the bytes left in the
file before anything is allocated or looped over, so malformed files fail fast with a
:class:`~runlocal.errors.FileFormatError` that names the file, the offset and the problem.

Format: https://github.com/ggml-org/ggml/blob/master/docs/gguf.md
"""

from __future__ import annotations

import math
import mmap
import os
import re
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..errors import FileFormatError
from ..estimate.ggml_types import GGML_TYPES
from .regular import open_regular

MAGIC = b"GGUF"
SUPPORTED_VERSIONS = (2, 3)
DEFAULT_ALIGNMENT = 32

# Caps on untrusted counts. Real files are far below them: ~3,000 tensors and ~60 keys for the
# largest MoE models, 262k-token vocabularies, chat templates of a few hundred kB.
MAX_TENSORS = 1 << 20
MAX_KV = 1 << 20
MAX_ARRAY = 1 << 24
MAX_STRING = 1 << 24  # a kept metadata string
MAX_NAME = 1 << 10  # keys and tensor names (llama.cpp's GGML_MAX_NAME is 64)
MAX_DIMS = 4  # GGML_MAX_DIMS
MAX_DIM = 1 << 40
MAX_ELEMENTS = 1 << 50
KEEP_ARRAY = 1024  # arrays up to this many elements are decoded; longer ones are skipped

# ggml_type ids (ggml/include/ggml.h); names as ggml_type_name() lower-cased, the keys of GGML_TYPES.
# Ids 4, 5 (Q4_2, Q4_3) and 31-33, 36-38 (repacked Q4_0/IQ4_NL variants) were removed from ggml.
GGML_TYPE_NAMES: dict[int, str] = {
    0: "f32", 1: "f16", 2: "q4_0", 3: "q4_1", 6: "q5_0", 7: "q5_1", 8: "q8_0", 9: "q8_1",
    10: "q2_k", 11: "q3_k", 12: "q4_k", 13: "q5_k", 14: "q6_k", 15: "q8_k",
    16: "iq2_xxs", 17: "iq2_xs", 18: "iq3_xxs", 19: "iq1_s", 20: "iq4_nl", 21: "iq3_s", 22: "iq2_s",
    23: "iq4_xs", 24: "i8", 25: "i16", 26: "i32", 27: "i64", 28: "f64", 29: "iq1_m", 30: "bf16",
    34: "tq1_0", 35: "tq2_0", 39: "mxfp4", 40: "nvfp4", 41: "q1_0",
}

# llama_ftype (include/llama.h) -> the file-type label llama-quantize uses (our FTYPES keys).
LLAMA_FTYPES: dict[int, str] = {
    0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 7: "Q8_0", 8: "Q5_0", 9: "Q5_1", 10: "Q2_K",
    11: "Q3_K_S", 12: "Q3_K_M", 13: "Q3_K_L", 14: "Q4_K_S", 15: "Q4_K_M", 16: "Q5_K_S", 17: "Q5_K_M",
    18: "Q6_K", 19: "IQ2_XXS", 20: "IQ2_XS", 21: "Q2_K_S", 22: "IQ3_XS", 23: "IQ3_XXS", 24: "IQ1_S",
    25: "IQ4_NL", 26: "IQ3_S", 27: "IQ3_M", 28: "IQ2_S", 29: "IQ2_M", 30: "IQ4_XS", 31: "IQ1_M",
    32: "BF16", 36: "TQ1_0", 37: "TQ2_0", 38: "MXFP4_MOE", 39: "NVFP4", 40: "Q1_0",
}

# GGUF metadata value types: id -> (name, struct format or "" for string/array, byte width)
_STRING, _ARRAY = 8, 9
VALUE_TYPES: dict[int, tuple[str, str, int]] = {
    0: ("uint8", "B", 1), 1: ("int8", "b", 1), 2: ("uint16", "H", 2), 3: ("int16", "h", 2),
    4: ("uint32", "I", 4), 5: ("int32", "i", 4), 6: ("float32", "f", 4), 7: ("bool", "?", 1),
    8: ("string", "", 8), 9: ("array", "", 12), 10: ("uint64", "Q", 8), 11: ("int64", "q", 8),
    12: ("float64", "d", 8),
}
_SCALARS = {t: struct.Struct("<" + f) for t, (_, f, _) in VALUE_TYPES.items() if f}

_U32 = struct.Struct("<I")
_U64 = struct.Struct("<Q")
_HEAD = struct.Struct("<4sIQQ")  # magic, version, tensor count, kv count

SPLIT_RE = re.compile(r"^(?P<stem>.*)-(?P<no>\d{5})-of-(?P<count>\d{5})\.gguf$", re.IGNORECASE)


@dataclass(frozen=True)
class SkippedArray:
    """A metadata array too long to keep (tokenizer vocabulary, merges, scores): its type and length."""

    type: str
    count: int

    def __len__(self) -> int:
        return self.count


@dataclass(frozen=True)
class GGUFTensor:
    """One tensor-table entry. ``shape`` is in GGUF order (ne0, the contiguous dimension, first)."""

    name: str
    shape: tuple[int, ...]
    type_id: int
    type: str  # ggml type name, lower case ("q4_k")
    offset: int  # from the start of its part's data section
    n_bytes: int
    part: int = 0  # index of the split file holding it

    @property
    def n_elements(self) -> int:
        return math.prod(self.shape)


@dataclass
class GGUFFile:
    """The parsed header of one GGUF model (all parts of a split model together)."""

    path: str
    version: int
    metadata: dict[str, Any]
    tensors: list[GGUFTensor]
    alignment: int
    data_offset: int  # start of the tensor data in the (first) file = its header size, padded
    file_bytes: int  # size of the file(s) on disk
    complete: bool  # every tensor's data lies inside the file(s)
    parts: tuple[str, ...] = ()
    header_bytes: int = 0  # sum of the parts' header sizes
    part_metadata: list[dict[str, Any]] = field(default_factory=list)

    @property
    def architecture(self) -> str:
        return str(self.metadata.get("general.architecture", ""))

    @property
    def tensor_bytes(self) -> int:
        return sum(t.n_bytes for t in self.tensors)


class Truncated(FileFormatError):
    """The buffer ended inside the header (``needed``: a byte count that would get further)."""

    def __init__(self, message: str, needed: int) -> None:
        super().__init__(message)
        self.needed = needed


class _Parser:
    """A cursor over ``buf`` (a prefix of a file of ``size`` bytes) that raises on every anomaly."""

    def __init__(self, buf: Any, name: str, size: int) -> None:
        self.buf = buf
        self.n = len(buf)
        self.name = name
        self.size = size
        self.off = 0

    def fail(self, problem: str, at: int | None = None) -> FileFormatError:
        return FileFormatError(f"{self.name}: {problem} at offset {self.off if at is None else at}")

    def need(self, k: int, what: str) -> None:
        """Ensure k more bytes exist; distinguish a short file from a short prefix of a longer file."""
        end = self.off + k
        if end <= self.n:
            return
        if end > self.size:
            raise self.fail(f"file truncated inside the header: {what} needs {k} bytes, "
                            f"{max(0, self.size - self.off)} left")
        raise Truncated(f"{self.name}: header continues past byte {self.n}", end)

    def u32(self, what: str) -> int:
        self.need(4, what)
        v: int = _U32.unpack_from(self.buf, self.off)[0]
        self.off += 4
        return v

    def u64(self, what: str) -> int:
        self.need(8, what)
        v: int = _U64.unpack_from(self.buf, self.off)[0]
        self.off += 8
        return v

    def string(self, what: str, cap: int) -> str:
        at = self.off
        length = self.u64(f"length of {what}")
        if length > cap:
            raise self.fail(f"absurd length {length} of {what} (limit {cap})", at)
        self.need(length, what)
        raw = bytes(self.buf[self.off:self.off + length])
        self.off += length
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise self.fail(f"{what} is not valid UTF-8 ({exc.reason} at byte {exc.start})", at) from None

    def value(self, vtype: int, key: str) -> Any:
        at = self.off
        if vtype == _STRING:
            return self.string(f"string value of {key!r}", MAX_STRING)
        if vtype == _ARRAY:
            return self.array(key)
        st = _SCALARS.get(vtype)
        if st is None:
            raise self.fail(f"unknown value type {vtype} for key {key!r}", at - 4)
        self.need(st.size, f"value of {key!r}")
        v = st.unpack_from(self.buf, self.off)[0]
        self.off += st.size
        return v

    def array(self, key: str) -> Any:
        at = self.off
        etype = self.u32(f"element type of array {key!r}")
        count = self.u64(f"length of array {key!r}")
        if etype == _ARRAY:
            raise self.fail(f"nested arrays are not supported (key {key!r})", at)
        if etype not in VALUE_TYPES:
            raise self.fail(f"unknown array element type {etype} for key {key!r}", at)
        ename, fmt, width = VALUE_TYPES[etype]
        # Each element takes at least `width` bytes (a string at least its 8-byte length): a count the
        # rest of the file cannot hold is rejected before any loop runs.
        if count > MAX_ARRAY or count * width > self.size - self.off:
            raise self.fail(f"absurd array length {count} for key {key!r}", at + 4)
        if etype != _STRING:
            self.need(count * width, f"array {key!r}")
            start = self.off
            self.off += count * width
            if count > KEEP_ARRAY:
                return SkippedArray(ename, count)
            return list(struct.unpack_from(f"<{count}{fmt}", self.buf, start))
        if count <= KEEP_ARRAY:
            return [self.string(f"element {i} of array {key!r}", MAX_STRING) for i in range(count)]
        self._skip_strings(count, key)
        return SkippedArray(ename, count)

    def _skip_strings(self, count: int, key: str) -> None:
        """Walk over `count` length-prefixed strings without decoding them (the hot loop)."""
        buf, off, unpack = self.buf, self.off, _U64.unpack_from
        try:
            for _ in range(count):
                off += 8 + unpack(buf, off)[0]
        except struct.error:  # a length field lies past the end of the buffer
            off = max(off, self.n + 1)
        if off <= self.n:
            self.off = off
            return
        # Ran off the buffer: a huge length, a truncated file or a short prefix of a longer one.
        if off > self.size:
            raise self.fail(f"array {key!r} runs past the end of the file ({self.size} bytes)")
        raise Truncated(f"{self.name}: header continues past byte {self.n}", max(off + 8, self.n + 1))


def parse(buf: Any, *, name: str = "<gguf>", size: int | None = None) -> tuple[GGUFFile, int]:
    """Parse a GGUF header from ``buf`` (bytes, mmap or any prefix of a file of ``size`` bytes).

    Returns the header and the number of bytes it used. Raises :class:`Truncated` when ``buf`` is a
    prefix that ends inside the header, :class:`FileFormatError` for anything malformed.
    """
    p = _Parser(buf, name, len(buf) if size is None else size)
    if p.size < 4 or (p.n >= 4 and bytes(buf[:4]) != MAGIC):
        got = bytes(buf[:4]) if p.n else b""
        raise p.fail(f"not a GGUF file (magic {got!r}, expected {MAGIC!r})", 0)
    p.need(_HEAD.size, "the fixed header")
    _, version, n_tensors, n_kv = _HEAD.unpack_from(buf, 0)
    p.off = _HEAD.size
    if version not in SUPPORTED_VERSIONS:
        if version & 0xFFFF == 0 and (version >> 24) in SUPPORTED_VERSIONS:
            raise p.fail(f"big-endian GGUF (version {version >> 24}) is not supported", 4)
        raise p.fail(f"unsupported GGUF version {version} (supported: 2, 3)", 4)
    if n_tensors > MAX_TENSORS or n_tensors * 28 > p.size:
        raise p.fail(f"absurd tensor count {n_tensors}", 8)
    if n_kv > MAX_KV or n_kv * 13 > p.size:
        raise p.fail(f"absurd metadata count {n_kv}", 16)

    meta: dict[str, Any] = {}
    for _ in range(n_kv):
        at = p.off
        key = p.string("metadata key", MAX_NAME)
        if key in meta:
            raise p.fail(f"duplicate metadata key {key!r}", at)
        vtype = p.u32(f"value type of {key!r}")
        if vtype not in VALUE_TYPES:
            raise p.fail(f"unknown value type {vtype} for key {key!r}", p.off - 4)
        meta[key] = p.value(vtype, key)

    alignment = meta.get("general.alignment", DEFAULT_ALIGNMENT)
    if not isinstance(alignment, int) or isinstance(alignment, bool) or alignment <= 0 or \
            alignment & (alignment - 1) or alignment > 1 << 20:
        raise p.fail(f"general.alignment {alignment!r} is not a power of two")

    tensors: list[GGUFTensor] = []
    seen: set[str] = set()
    for _ in range(n_tensors):
        at = p.off
        tname = p.string("tensor name", MAX_NAME)
        if tname in seen:
            raise p.fail(f"duplicate tensor name {tname!r}", at)
        seen.add(tname)
        n_dims = p.u32(f"dimension count of tensor {tname!r}")
        if not 1 <= n_dims <= MAX_DIMS:
            raise p.fail(f"tensor {tname!r} has {n_dims} dimensions (1 to {MAX_DIMS} allowed)", p.off - 4)
        p.need(8 * n_dims, f"shape of tensor {tname!r}")
        dims = struct.unpack_from(f"<{n_dims}Q", buf, p.off)
        p.off += 8 * n_dims
        n_el = 1
        for d in dims:
            if d > MAX_DIM:
                raise p.fail(f"tensor {tname!r} has an absurd dimension {d}", p.off - 8 * n_dims)
            n_el *= d
        if n_el > MAX_ELEMENTS:
            raise p.fail(f"tensor {tname!r} has an absurd number of elements {n_el}", p.off - 8 * n_dims)
        type_id = p.u32(f"type of tensor {tname!r}")
        ty = GGML_TYPE_NAMES.get(type_id)
        if ty is None or ty not in GGML_TYPES:
            raise p.fail(f"tensor {tname!r} has unknown ggml type {type_id}", p.off - 4)
        blck, tsize = GGML_TYPES[ty]
        if dims[0] % blck:
            raise p.fail(f"tensor {tname!r}: row of {dims[0]} elements is not a whole number of "
                         f"{ty} blocks of {blck}", p.off - 4)
        offset = p.u64(f"data offset of tensor {tname!r}")
        if offset % alignment:
            raise p.fail(f"tensor {tname!r} data offset {offset} is not aligned to {alignment}", p.off - 8)
        tensors.append(GGUFTensor(tname, tuple(dims), type_id, ty, offset, n_el // blck * tsize))

    data_offset = -(-p.off // alignment) * alignment
    data_end = max((t.offset + t.n_bytes for t in tensors), default=0)
    if data_end > MAX_ELEMENTS:
        raise p.fail(f"tensor data would end at an absurd offset {data_end}")
    complete = data_offset + data_end <= p.size
    g = GGUFFile(path=name, version=version, metadata=meta, tensors=tensors, alignment=alignment,
                 data_offset=data_offset, file_bytes=p.size, complete=complete, parts=(name,),
                 header_bytes=data_offset, part_metadata=[meta])
    return g, p.off


def read_prefix(read: Callable[[int, int], bytes], size: int, name: str, first: int = 1 << 20) -> GGUFFile:
    """Parse a header through ``read(start, end)`` range reads of a remote file, fetching more as needed.

    Each further request asks only for the bytes after those already held (at least doubling them).
    """
    buf = bytearray()
    n = min(first, size)
    while True:
        chunk = read(len(buf), n)
        if len(chunk) != n - len(buf):
            raise FileFormatError(f"{name}: asked for bytes {len(buf)}-{n} and got {len(chunk)} bytes")
        buf += chunk
        try:
            return parse(buf, name=name, size=size)[0]
        except Truncated as exc:
            if n >= size:  # pragma: no cover - parse reports a real truncation itself
                raise FileFormatError(f"{name}: file truncated inside the header") from None
            n = min(size, max(exc.needed + (1 << 16), 2 * n))


def read_file(path: str | os.PathLike[str]) -> GGUFFile:
    """The header of one GGUF file on disk (the file is memory-mapped; tensor data is never read)."""
    name = os.fspath(path)
    try:
        with open_regular(name) as f:
            size = os.fstat(f.fileno()).st_size
            if size < 4:
                head = f.read()
                raise FileFormatError(f"{name}: not a GGUF file ({size} bytes, magic {head!r}) at offset 0")
            with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as mm:
                return parse(mm, name=name, size=size)[0]
    except OSError as exc:
        raise FileFormatError(f"{name}: cannot read the file ({exc.strerror or exc})") from None


def split_parts(path: str) -> list[str] | None:
    """The paths of all parts of a split model (``name-00001-of-00003.gguf``), or None if not split."""
    base = os.path.basename(path)
    m = SPLIT_RE.match(base)
    if not m:
        return None
    count = int(m["count"])
    if count < 1 or int(m["no"]) < 1 or int(m["no"]) > count:
        raise FileFormatError(f"{path}: split file name says part {m['no']} of {m['count']}")
    folder = os.path.dirname(path)
    width = len(m["no"])
    return [os.path.join(folder, f"{m['stem']}-{i:0{width}d}-of-{m['count']}.gguf") for i in range(1, count + 1)]


def merge_parts(parts: list[GGUFFile]) -> GGUFFile:
    """One model from the headers of its split parts: metadata from the first, every part's tensors."""
    first = parts[0]
    tensors: list[GGUFTensor] = []
    names: set[str] = set()
    for i, g in enumerate(parts):
        for t in g.tensors:
            if t.name in names:
                raise FileFormatError(f"{g.path}: tensor {t.name!r} also appears in an earlier part")
            names.add(t.name)
            tensors.append(GGUFTensor(t.name, t.shape, t.type_id, t.type, t.offset, t.n_bytes, i))
    expected = first.metadata.get("split.tensors.count")
    if isinstance(expected, int) and expected != len(tensors):
        raise FileFormatError(f"{first.path}: split.tensors.count says {expected} tensors, "
                              f"the {len(parts)} parts hold {len(tensors)}")
    return GGUFFile(
        path=first.path, version=first.version, metadata=first.metadata, tensors=tensors,
        alignment=first.alignment, data_offset=first.data_offset,
        file_bytes=sum(g.file_bytes for g in parts), complete=all(g.complete for g in parts),
        parts=tuple(g.path for g in parts), header_bytes=sum(g.header_bytes for g in parts),
        part_metadata=[g.metadata for g in parts],
    )


def read(path: str | os.PathLike[str]) -> GGUFFile:
    """A GGUF model on disk; a split model (any of its parts named) is read as one."""
    name = os.fspath(path)
    parts = split_parts(name)
    if parts is None:
        return read_file(name)
    missing = [p for p in parts if not os.path.exists(p)]
    if missing:
        raise FileFormatError(f"{name}: split model is missing part(s): {', '.join(missing)}")
    return merge_parts([read_file(p) for p in parts])
