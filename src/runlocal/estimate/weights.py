"""Weight bytes per tensor, per layer and in total, for every supported quantisation.

GGUF quants use llama.cpp's own per-tensor type rules (``quant_rules``) over the tensor table that
llama.cpp's converter writes for the architecture (``gguf_layout``); other formats (MLX, AWQ, GPTQ,
NF4, FP8, 16-bit) apply their group-quantisation layout to the same tensor table. A flat
bits-per-weight figure is never used when the architecture is known.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from .ggml_types import FTYPES, GGML_TYPES, tensor_bytes
from .gguf_layout import TensorSpec, gguf_tensors
from .quant_rules import assign_types
from .specs import Architecture


@dataclass(frozen=True)
class GroupQuant:
    """A non-GGUF group quantisation: `bits` per weight plus per-group metadata."""

    bits: float
    group: int = 0  # 0: per-tensor or per-channel scale only
    meta_bits_per_group: int = 0  # scale (+ zero point / bias) bits stored per group
    quantize_embeddings: bool = False  # MLX quantises embeddings and the output head; AWQ/GPTQ do not
    other_bits: int = 16  # width of the tensors left unquantised
    head_bits: int = 0  # the output head's own bit rate (EXL2/EXL3 convert -hb, default 6); 0: like embeddings

    def bits_per_weight(self) -> float:
        if not self.group:
            return float(self.bits)
        return self.bits + self.meta_bits_per_group / self.group


# Layouts as the reference implementations write them (sources in data/quants/*.toml).
GROUP_QUANTS: dict[str, GroupQuant] = {
    "MLX-3BIT": GroupQuant(3, 64, 32, True),  # mlx.nn.quantize: fp16 scale + fp16 bias per 64
    "MLX-4BIT": GroupQuant(4, 64, 32, True),
    "MLX-5BIT": GroupQuant(5, 64, 32, True),
    "MLX-6BIT": GroupQuant(6, 64, 32, True),
    "MLX-8BIT": GroupQuant(8, 64, 32, True),
    "AWQ-INT4": GroupQuant(4, 128, 20, False),  # AutoAWQ GEMM: fp16 scale + 4-bit zero per 128
    "GPTQ-INT4": GroupQuant(4, 128, 20, False),  # GPTQ: fp16 scale + 4-bit zero per 128 (+ g_idx)
    "GPTQ-INT8": GroupQuant(8, 128, 24, False),
    "NF4": GroupQuant(4, 64, 8, False),  # bitsandbytes: 8-bit absmax per 64 after double quantisation
    "FP8": GroupQuant(8, 0, 0, False),  # per-tensor/channel scales; negligible
    "NVFP4": GroupQuant(4, 16, 8, False),  # E2M1 with an E4M3 scale per 16 (the FP32 tensor scale is negligible)
    # MLC LLM group quantisation (q{bits}f{scale bits}_1): one scale per 32 (per 40 for 3-bit) values, embeddings and
    # the head quantised too (mlc_llm/quantization/quantization.py); 3-bit values pack ten to a uint32 (3.2 bits)
    "MLC-Q4F16_1": GroupQuant(4, 32, 16, True),
    "MLC-Q4F32_1": GroupQuant(4, 32, 32, True),
    "MLC-Q3F16_1": GroupQuant(3.2, 40, 16, True),
    "F16": GroupQuant(16),
    "BF16": GroupQuant(16),
    "F32": GroupQuant(32, other_bits=32),
}

ALIASES = {
    "FP16": "F16",
    "FLOAT16": "F16",
    "BFLOAT16": "BF16",
    "MLX-4": "MLX-4BIT",
    "MLX4": "MLX-4BIT",
    "4BIT": "MLX-4BIT",
    "MLX-8": "MLX-8BIT",
    "8BIT": "MLX-8BIT",
    "MLX-6": "MLX-6BIT",
    "6BIT": "MLX-6BIT",
    "AWQ": "AWQ-INT4",
    "GPTQ": "GPTQ-INT4",
    "INT4": "AWQ-INT4",
    # llm-compressor / compressed-tensors names (vLLM): the same bits as the GPTQ layouts, within 2 %
    "W4A16": "GPTQ-INT4",
    "INT4-W4A16": "GPTQ-INT4",
    "W8A16": "GPTQ-INT8",
    "W8A8": "GPTQ-INT8",
    "W8A8-INT8": "GPTQ-INT8",
    "INT8": "GPTQ-INT8",
    "W8A8-FP8": "FP8",
    "BNB-4BIT": "NF4",
    "FP8-DYNAMIC": "FP8",
    "NV-FP4": "NVFP4",
    "MODELOPT-FP4": "NVFP4",
    "MXFP4": "MXFP4_MOE",
    "Q4_K": "Q4_K_M",
    "Q5_K": "Q5_K_M",
    "Q3_K": "Q3_K_M",
    "MLX-MXFP4": "MLX-MXFP4",
    "Q4F16_1": "MLC-Q4F16_1",
    "Q4F32_1": "MLC-Q4F32_1",
    "Q3F16_1": "MLC-Q3F16_1",
    "Q0F16": "F16",
}

EXL_RE = re.compile(r"^(EXL[23])[-_]?(\d{1,2}(?:\.\d{1,3})?)(?:BPW|B)?$")
"""ExLlama quants by their mean bit rate over the linear layers: EXL2-4.0BPW, exl3_4.65bpw, EXL2 6bpw."""
EXL_BITS = (1.5, 8.5)
"""The bit rates ExLlamaV2 and V3 convert to (2 to 8 bits per weight, a little either side allowed)."""
EXL_HEAD_BITS = 6
"""exllamav2 convert.py -hb and exllamav3 convert.py --head_bits default to a 6-bit output head."""


def exl_quant(q: str) -> str | None:
    """The canonical EXL2/EXL3 name for an upper-cased spelling, or None when it is not one."""
    m = EXL_RE.match(q)
    if m is None:
        return None
    bits = float(m.group(2))
    if not EXL_BITS[0] <= bits <= EXL_BITS[1]:
        return None
    text = f"{bits:.3f}".rstrip("0")
    return f"{m.group(1)}-{text}{'0' if text.endswith('.') else ''}BPW"


def group_quant(quant: str) -> GroupQuant:
    """The layout of a non-GGUF quant (a canonical name)."""
    if quant in GROUP_QUANTS:
        return GROUP_QUANTS[quant]
    m = EXL_RE.match(quant)
    if m is None:
        raise UnknownQuant(quant)
    # the bit rate is the mean over the quantised linear layers; embeddings stay 16-bit, the head 6-bit
    return GroupQuant(float(m.group(2)), head_bits=EXL_HEAD_BITS)


def is_exl(quant: str) -> bool:
    return quant.startswith("EXL") and EXL_RE.match(quant) is not None


_GGML_NAMES = set(GGML_TYPES)
MLX_FORMATS = {"MLX-3BIT", "MLX-4BIT", "MLX-5BIT", "MLX-6BIT", "MLX-8BIT", "MLX-MXFP4"}


class UnknownQuant(ValueError):
    """The quantisation name is not one the engine knows."""


def normalize_quant(quant: str) -> str:
    """Canonical spelling: GGUF file types upper case (Q4_K_M), others as in GROUP_QUANTS."""
    q = quant.strip().upper().replace(" ", "")
    q = ALIASES.get(q, q)
    if q in FTYPES or q in GROUP_QUANTS or q in MLX_FORMATS:
        return q
    if re.fullmatch(r"UD[-_]IQ[1-4]_(XXS|XS|S|M)", q):
        return q[3:]  # Unsloth's dynamic IQ files read as their base IQ type (a lower bound on their size)
    if f"UD-{q}" in FTYPES:
        return f"UD-{q}"  # "Q8_K_XL": Unsloth's name without its UD- prefix (bartowski's _XL/_L names match above)
    if q in ("EXL2", "EXL3"):
        q = f"{q}-4.0BPW"
    elif re.match(r"^\d{1,2}(\.\d{1,3})?BPW$", q):
        q = f"EXL2-{q}"  # a bare bit rate is how EXL2 repositories name their branches
    exl = exl_quant(q)
    if exl is not None:
        return exl
    raise UnknownQuant(quant)


def known_quants() -> list[str]:
    return sorted(set(FTYPES) | set(GROUP_QUANTS) | MLX_FORMATS | {"EXL2-4.0BPW", "EXL3-4.0BPW"})


def is_gguf(quant: str) -> bool:
    return quant in FTYPES


@dataclass(frozen=True)
class Weights:
    """Weight bytes of one model in one quantisation, split the way placement needs them."""

    total_bytes: int
    token_embd_bytes: int  # stays in system RAM under llama.cpp
    output_bytes: int  # output head + final norm (a copy of the embeddings when tied)
    layer_bytes: tuple[int, ...]  # all tensors of blk.i
    layer_expert_bytes: tuple[int, ...]  # the routed-expert tensors of blk.i (MoE)
    type_bytes: tuple[tuple[str, int], ...]  # bytes per storage type, largest first
    method: str

    @property
    def tied_copy_bytes(self) -> int:
        """Extra bytes when llama.cpp loads tied embeddings twice (input table and output head)."""
        return self.output_bytes + self.token_embd_bytes + sum(self.layer_bytes) - self.total_bytes

    @property
    def expert_bytes(self) -> int:
        return sum(self.layer_expert_bytes)

    def bits_per_weight(self, params: int) -> float:
        return self.total_bytes * 8 / params if params else 0.0


def _layer_of(name: str) -> int | None:
    if name.startswith("blk."):
        return int(name.split(".", 2)[1])
    return None


def _is_expert(name: str) -> bool:
    return "_exps" in name


def _is_embedding(name: str) -> bool:
    return name.startswith("token_embd") or name.startswith("output.") or name == "output.weight"


def _group_bytes(q: GroupQuant, t: TensorSpec) -> tuple[str, int]:
    n = math.prod(t.shape)
    if len(t.shape) < 2 or t.name.endswith(".bias") or "norm" in t.name:
        return ("f16" if q.other_bits == 16 else "f32", n * q.other_bits // 8)
    if q.head_bits and t.name.startswith("output."):
        return (f"{q.head_bits}-bit", int(math.ceil(n * q.head_bits / 8)))
    if _is_embedding(t.name) and not q.quantize_embeddings:
        return (f"{q.other_bits}-bit", n * q.other_bits // 8)
    if "ffn_gate_inp" in t.name:  # routers stay in 16 bit in every format
        return ("16-bit", n * 2)
    bits = q.bits_per_weight()
    return (f"{q.bits:g}-bit", int(math.ceil(n * bits / 8)))


def _mlx_mxfp4_bytes(t: TensorSpec, gpt_oss: bool) -> tuple[str, int]:
    # gpt-oss in MLX: experts kept in MXFP4 (4 bits + one 8-bit scale per 32), the rest 8-bit MLX; any other model
    # converted with mlx-lm's mxfp4 mode has every matrix in MXFP4 (norms and other vectors stay 16-bit)
    n = math.prod(t.shape)
    if len(t.shape) >= 2 and (_is_expert(t.name) or not gpt_oss):
        return ("mxfp4", n * 17 // 32)
    return _group_bytes(GROUP_QUANTS["MLX-8BIT"], t)


@lru_cache(maxsize=1024)
def tensors_of(arch: Architecture) -> tuple[TensorSpec, ...]:
    """The GGUF tensor table of an architecture (cached: architectures are immutable)."""
    return tuple(gguf_tensors(arch))


@lru_cache(maxsize=512)
def weights(arch: Architecture, quant: str) -> Weights:
    """Bytes of every tensor of `arch` stored as `quant` (a canonical name from normalize_quant)."""
    tensors = list(tensors_of(arch))
    sizes: list[tuple[str, int]]
    if quant in FTYPES:
        types = assign_types(quant, arch, tensors)
        if arch.arch == "gpt-oss":
            # the checkpoint's experts are MXFP4; the converter writes them so and llama-quantize leaves them, so
            # every published gpt-oss GGUF keeps them MXFP4 whatever its file type (unsloth's 20B "F16" is 13.8 GB)
            types = ["mxfp4" if t.name.endswith("_exps.weight") and len(t.shape) == 3 else ty
                     for t, ty in zip(tensors, types, strict=True)]
        sizes = [(ty, tensor_bytes(ty, math.prod(t.shape))) for ty, t in zip(types, tensors, strict=True)]
        method = "llama.cpp per-tensor type rules over the converter's tensor table"
    elif quant == "MLX-MXFP4":
        gpt_oss = arch.arch == "gpt-oss"
        sizes = [_mlx_mxfp4_bytes(t, gpt_oss) for t in tensors]
        method = "MXFP4 experts + MLX 8-bit groups of 64" if gpt_oss else "MLX MXFP4: 4 bits + an 8-bit scale per 32"
    else:
        q = group_quant(quant)
        sizes = [_group_bytes(q, t) for t in tensors]
        method = f"{quant}: {q.bits_per_weight():.3f} bits per quantised weight over the tensor table"
    return _assemble(arch, tensors, sizes, method)


def weights_from_table(arch: Architecture, table: tuple[tuple[str, tuple[int, ...], str], ...]) -> Weights:
    """Exact weights from a real file's tensor table: (name, shape, ggml type) per tensor."""
    tensors = [TensorSpec(name, tuple(shape)) for name, shape, _ in table]
    sizes = [(ty.lower(), tensor_bytes(ty, math.prod(shape)) if ty.lower() in _GGML_NAMES else
              _other_bytes(ty, math.prod(shape))) for _, shape, ty in table]
    return _assemble(arch, tensors, sizes, "exact tensor table read from the file")


def _other_bytes(ty: str, n: int) -> int:
    """safetensors dtypes (F16, BF16, F32, I8, U8, F8_E4M3, I32, I64)."""
    width = {"F64": 8, "I64": 8, "F32": 4, "I32": 4, "F16": 2, "BF16": 2, "I16": 2, "I8": 1, "U8": 1,
             "F8_E4M3": 1, "F8_E5M2": 1, "BOOL": 1}.get(ty.upper())
    if width is None:
        raise UnknownQuant(ty)
    return n * width


def _assemble(
    arch: Architecture, tensors: Sequence[TensorSpec], sizes: Sequence[tuple[str, int]], method: str
) -> Weights:
    layer = [0] * arch.n_layers
    expert = [0] * arch.n_layers
    embd = out = tok = 0
    by_type: dict[str, int] = {}
    for t, (ty, b) in zip(tensors, sizes, strict=True):
        by_type[ty] = by_type.get(ty, 0) + b
        i = _layer_of(t.name)
        if i is not None and i < arch.n_layers:
            layer[i] += b
            if _is_expert(t.name):
                expert[i] += b
        elif t.name.startswith(("token_embd", "per_layer_token_embd")):  # looked up per token, kept in RAM
            embd += b
            if t.name.startswith("token_embd"):
                tok += b
        else:
            out += b
    total = sum(b for _, b in sizes)
    if arch.tie_embeddings:
        out += tok  # llama.cpp loads the tied matrix a second time as the output head
    types = tuple(sorted(by_type.items(), key=lambda kv: -kv[1]))
    return Weights(total, embd, out, tuple(layer), tuple(expert), types, method)


def gguf_header_bytes(arch: Architecture) -> int:
    """Approximate GGUF metadata size: the vocabulary (strings, scores, types, merges) dominates."""
    # Each token: 8-byte length + ~7 bytes of text + 4-byte score + 4-byte type; BPE vocabularies also
    # store about two merges per token at ~20 bytes each. Alignment padding adds < 32 bytes per tensor.
    per_token = 23 + (40 if arch.vocab_size > 60000 else 0)
    tensors = len(tensors_of(arch))
    return arch.vocab_size * per_token + tensors * (32 + 48) + 4096


def file_bytes(arch: Architecture, quant: str, w: Weights) -> int:
    """Size on disk: tensor data plus the container's metadata."""
    if quant in FTYPES:
        return w.total_bytes + gguf_header_bytes(arch)
    return w.total_bytes + 64 * 1024  # safetensors JSON header and config files
