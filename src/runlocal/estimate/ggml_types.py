"""GGML tensor types: block size and bytes per block, and llama.cpp file types (ftypes).

Block sizes and block byte sizes are those of ``type_traits`` in ggml/src/ggml.c (``blck_size`` and
``type_size = sizeof(block_xxx)``, the structs in ggml/src/ggml-common.h) of the llama.cpp tree vendored by
llama-cpp-python 0.3.36. Names are ``ggml_type_name()`` lower-cased ("q4_K" -> "q4_k").
"""

from __future__ import annotations

# ggml type name -> (elements per block, bytes per block)
GGML_TYPES: dict[str, tuple[int, int]] = {
    "f32": (1, 4),
    "f16": (1, 2),
    "bf16": (1, 2),
    "f64": (1, 8),
    "i8": (1, 1),
    "i16": (1, 2),
    "i32": (1, 4),
    "i64": (1, 8),
    "q4_0": (32, 18),
    "q4_1": (32, 20),
    "q5_0": (32, 22),
    "q5_1": (32, 24),
    "q8_0": (32, 34),
    "q8_1": (32, 36),
    "q1_0": (128, 18),
    "q2_0": (64, 18),
    "mxfp4": (32, 17),
    "nvfp4": (64, 36),
    "q2_k": (256, 84),
    "q3_k": (256, 110),
    "q4_k": (256, 144),
    "q5_k": (256, 176),
    "q6_k": (256, 210),
    "q8_k": (256, 292),
    "iq2_xxs": (256, 66),
    "iq2_xs": (256, 74),
    "iq2_s": (256, 82),
    "iq3_xxs": (256, 98),
    "iq3_s": (256, 110),
    "iq1_s": (256, 50),
    "iq1_m": (256, 56),
    "iq4_nl": (32, 18),
    "iq4_xs": (256, 136),
    "tq1_0": (256, 54),
    "tq2_0": (256, 66),
}

# llama.cpp file type (as written on the llama-quantize command line / in file names) -> the default
# ggml type of its tensors (``llama_ftype_get_default_type`` in src/llama-quant.cpp).
FTYPES: dict[str, str] = {
    "F32": "f32",
    "F16": "f16",
    "BF16": "bf16",
    "Q4_0": "q4_0",
    "Q4_1": "q4_1",
    "Q5_0": "q5_0",
    "Q5_1": "q5_1",
    "Q8_0": "q8_0",
    "Q1_0": "q1_0",
    "Q2_0": "q2_0",
    "MXFP4_MOE": "mxfp4",
    "Q2_K": "q2_k",
    "Q2_K_S": "q2_k",
    "Q3_K_S": "q3_k",
    "Q3_K_M": "q3_k",
    "Q3_K_L": "q3_k",
    "Q4_K_S": "q4_k",
    "Q4_K_M": "q4_k",
    "Q5_K_S": "q5_k",
    "Q5_K_M": "q5_k",
    "Q6_K": "q6_k",
    "IQ1_S": "iq1_s",
    "IQ1_M": "iq1_m",
    "IQ2_XXS": "iq2_xxs",
    "IQ2_XS": "iq2_xs",
    "IQ2_S": "iq2_xs",
    "IQ2_M": "iq2_s",
    "IQ3_XXS": "iq3_xxs",
    "IQ3_XS": "iq3_s",
    "IQ3_S": "iq3_s",
    "IQ3_M": "iq3_s",
    "IQ4_NL": "iq4_nl",
    "IQ4_XS": "iq4_xs",
    "TQ1_0": "tq1_0",
    "TQ2_0": "tq2_0",
}

# Variants that keep the token embeddings and the output head at Q8_0 (llama-quantize --token-embedding-type q8_0
# --output-tensor-type q8_0), as bartowski's "_L" / "_XL" files do: the base file type for everything else.
EMBED_OUTPUT_Q8: dict[str, str] = {"Q2_K_L": "Q2_K", "Q3_K_XL": "Q3_K_L", "Q4_K_L": "Q4_K_M", "Q5_K_L": "Q5_K_M",
                                   "Q6_K_L": "Q6_K"}
FTYPES.update({k: FTYPES[v] for k, v in EMBED_OUTPUT_Q8.items()})

# Unsloth's dynamic quants, by the standard file type each is built on (Q2_K, Q6_K and Q8_0 have no _M variant).
# Their recipe is per model; quant_rules.assign_types applies the 2026 one to MoE models (non-expert weights Q8_0,
# routed experts at the base K-type, down one step up) and sizes dense models as the base type.
UD_BASE: dict[str, str] = {"UD-Q2_K_XL": "Q2_K", "UD-Q3_K_XL": "Q3_K_M", "UD-Q4_K_XL": "Q4_K_M",
                           "UD-Q5_K_XL": "Q5_K_M", "UD-Q6_K_XL": "Q6_K", "UD-Q8_K_XL": "Q8_0"}
FTYPES.update({k: FTYPES[v] for k, v in UD_BASE.items()})

# llama-quantize's aliases (tools/quantize/quantize.cpp)
FTYPE_ALIASES: dict[str, str] = {"Q3_K": "Q3_K_M", "Q4_K": "Q4_K_M", "Q5_K": "Q5_K_M"}


def canonical_ftype(ftype: str) -> str:
    """The FTYPES key for a user-written file type ("q4_k_m", "Q4_K" -> "Q4_K_M")."""
    f = ftype.strip().upper().replace("-", "_")
    f = FTYPE_ALIASES.get(f, f)
    if f.startswith("UD_"):
        f = "UD-" + f[3:]
    if f not in FTYPES:
        raise KeyError(f"unknown llama.cpp file type {ftype!r}")
    return f


def block_size(type_name: str) -> int:
    return GGML_TYPES[type_name.lower()][0]


def tensor_bytes(type_name: str, n_elements: int) -> int:
    """Bytes of a tensor of ``n_elements`` stored as ``type_name``.

    llama.cpp stores rows of ne0 elements, each a whole number of blocks; the caller guarantees ne0 is a
    multiple of the block size (the quantizer falls back to another type otherwise), so the row-wise size
    equals ``n_elements / block * type_size``.
    """
    blck, size = GGML_TYPES[type_name.lower()]
    if n_elements % blck:
        raise ValueError(f"{n_elements} elements are not a whole number of {type_name} blocks of {blck}")
    return n_elements // blck * size


def bits_per_weight(type_name: str) -> float:
    blck, size = GGML_TYPES[type_name.lower()]
    return 8.0 * size / blck
