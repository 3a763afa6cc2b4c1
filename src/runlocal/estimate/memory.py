"""KV cache, recurrent state and compute buffers, per layer, as llama.cpp allocates them."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from .assumptions import Assumptions
from .ggml_types import GGML_TYPES
from .specs import FULL, LINEAR, MLA, NONE, SLIDING, Architecture
from .units import pad

# Cache types: (values per block, bytes per block), the order of ggml_types.GGML_TYPES, whose block layouts the
# llama.cpp types take (q8_0 = 34 bytes per 32 values); fp8 is vLLM's one byte per value.
KV_TYPES: dict[str, tuple[int, int]] = {
    **{t: GGML_TYPES[t] for t in ("f32", "f16", "bf16", "q8_0", "q5_1", "q5_0", "q4_1", "q4_0", "iq4_nl")},
    "fp8": (1, 1),
}


class UnknownKVType(ValueError):
    """The KV cache type is not one llama.cpp or vLLM offers."""


def kv_type_bytes(kv_type: str, n_values: int) -> int:
    """Bytes to store n_values cache entries of this type (rows are whole blocks)."""
    try:
        block, per_block = KV_TYPES[kv_type.lower()]
    except KeyError as exc:
        raise UnknownKVType(kv_type) from exc
    return -(-n_values // block) * per_block


def kv_values_per_token(a: Architecture, kind: str, layer: int | None = None) -> int:
    """Cached values (K and V together) per token in one layer of this kind (``layer``: that layer's own KV heads,
    for architectures whose layers differ, deci)."""
    if kind == MLA:
        # llama.cpp caches the compressed latent plus the rope part of K; V is a view of it.
        return a.kv_lora_rank + a.qk_rope_head_dim
    if kind in (FULL, SLIDING):
        heads, width = a.layer_dims(kind)
        if layer is not None and a.layer_n_kv_heads is not None:
            heads = a.layer_n_kv_heads[layer]  # n_embd_k_gqa(il) + n_embd_v_gqa(il)
        return 2 * heads * width
    return 0


@dataclass(frozen=True)
class KVCache:
    """The cache of every layer for `n_seq` sequences of `context` tokens each."""

    layer_bytes: tuple[int, ...]
    cells_full: int
    cells_sliding: int
    bytes_per_token_full: int  # over all layers that cache every token (for decode reads)

    @property
    def total_bytes(self) -> int:
        return sum(self.layer_bytes)


@lru_cache(maxsize=4096)
def layer_kinds(a: Architecture) -> tuple[str, ...]:
    return a.layer_kinds()


@lru_cache(maxsize=4096)
def _layer_table(a: Architecture) -> tuple[tuple[str, int], ...]:
    """(kind, cached values per token) for every layer."""
    return tuple((k, kv_values_per_token(a, k, i)) for i, k in enumerate(a.layer_kinds()))


def kv_cache(a: Architecture, context: int, *, kv_type: str = "f16", n_seq: int = 1,
             asm: Assumptions) -> KVCache:
    """KV cache as llama.cpp sizes it (cached: the engine asks for the same sizes many times)."""
    return _kv_cache(a, context, kv_type, n_seq, asm.kv_pad, asm.n_ubatch)


@lru_cache(maxsize=16384)
def _kv_cache(a: Architecture, context: int, kv_type: str, n_seq: int, kv_pad: int, n_ubatch: int) -> KVCache:
    """KV cache as llama.cpp sizes it.

    full layers:    cells = pad(context x n_seq, 256)
    sliding layers: cells = min(full cells, pad(window x n_seq + n_ubatch, 256))   (llama-kv-cache-iswa)
    bytes per layer = cells x values_per_token x bytes(kv_type)
    linear / SSM layers keep a fixed f32 state per sequence instead.
    """
    cells_full = pad(max(context, 1) * n_seq, kv_pad)
    cells_swa = cells_full
    if a.sliding_window:
        cells_swa = min(cells_full, pad(a.sliding_window * n_seq + n_ubatch, kv_pad))
    out: list[int] = []
    per_token_full = 0
    memo: dict[tuple[int, int], int] = {}

    def size(vals: int, cells: int) -> int:
        key = (vals, cells)
        if key not in memo:
            memo[key] = kv_type_bytes(kv_type, vals * cells)
        return memo[key]

    state = a.linear_state_elements * 4 * n_seq if a.parallel_ssm else 0  # Falcon-H1: SSM beside attention
    indexer = a.indexer_head_dim  # DSA: the indexer's own K cache (K only, the KV type), every MLA layer
    for i, (kind, vals) in enumerate(_layer_table(a)):
        if not a.owns_kv(i):  # Gemma 3n / 4: attends over an earlier layer's cache
            out.append(0)
        elif kind in (FULL, MLA):
            out.append(size(vals, cells_full) + (size(indexer, cells_full) if indexer and kind == MLA else 0)
                       + state)
            per_token_full += size(vals, 1)
        elif kind == SLIDING:
            out.append(size(vals, cells_swa) + state)
        elif kind == LINEAR:
            out.append(a.linear_state_elements * 4 * n_seq)
        elif kind == NONE:
            out.append(0)
        else:  # pragma: no cover - schema validation rejects other kinds
            raise ValueError(kind)
    return KVCache(tuple(out), cells_full, cells_swa, per_token_full)


def kv_read_bytes(a: Architecture, depth: int, kv_type: str) -> list[int]:
    """Bytes of cache each layer reads to generate one token at `depth` tokens of context."""
    reads: list[int] = []
    for kind, vals in _layer_table(a):
        if kind == MLA and a.indexer_top_k:
            # DSA: the indexer scans every cached key, attention reads only the top-k selected latents
            reads.append(kv_type_bytes(kv_type, a.indexer_head_dim * depth)
                         + kv_type_bytes(kv_type, vals * min(depth, a.indexer_top_k)))
        elif kind in (FULL, MLA):
            reads.append(kv_type_bytes(kv_type, vals * depth))
        elif kind == SLIDING:
            reads.append(kv_type_bytes(kv_type, vals * min(depth, a.sliding_window or depth)))
        elif kind == LINEAR:
            reads.append(a.linear_state_elements * 4)
        else:
            reads.append(0)
    return reads


def ffn_width(a: Architecture) -> int:
    """Widest FFN activation per token: the dense FFN, or the active experts plus shared experts."""
    moe = a.n_experts_used * a.moe_intermediate_size
    shared = a.shared_expert_intermediate_size or a.n_shared_experts * a.moe_intermediate_size
    return max(a.intermediate_size if (not a.is_moe or a.first_k_dense) else 0, moe + shared, 1)


@dataclass(frozen=True)
class ComputeBuffers:
    device_bytes: int  # per accelerator
    host_bytes: int


def compute_buffers(a: Architecture, kv_cells: int, *, flash_attention: bool, n_gpus: int,
                    asm: Assumptions, cpu_only: bool = False, llamacpp: bool = True) -> ComputeBuffers:
    """llama.cpp's graph buffers for one ubatch, fitted to its load logs (``llamacpp=False``: the activation
    peak of vLLM, MLX and transformers, see ``_chunked_prefill_buffers``).

    attention phase = KQ scores (f32, kv_cells x ubatch x heads; f16 mask only with flash attention)
                      + ubatch x (ffn width + 2.5 x hidden) x 4 bytes of activations
    output phase    = ubatch x (vocabulary + hidden) x 4 bytes (f32 logits)
    device buffer   = the larger phase; host buffer = input embeddings + the f32 attention mask.
    Check (Llama 3 8B, ctx 8192, ubatch 512, no flash attention): 512 MiB + 48 MiB = 560 MiB, as logged.
    """
    if not llamacpp:
        return _chunked_prefill_buffers(a, n_gpus, asm)
    ub = asm.n_ubatch
    if flash_attention:
        scores = kv_cells * ub * 2
    else:
        scores = kv_cells * ub * a.n_heads * 4
    act = int(ub * 4 * (ffn_width(a) * asm.compute_ffn_factor + 2.5 * a.hidden_size))
    attn_phase = scores + act
    out_phase = ub * 4 * (a.vocab_size + a.hidden_size)
    device = max(attn_phase, out_phase)
    if n_gpus > 1:
        device = int(device * asm.pipeline_compute_factor)
    host = ub * a.hidden_size * 4 + kv_cells * ub * 4
    if cpu_only:
        return ComputeBuffers(0, host + device)
    return ComputeBuffers(device, host)


def _chunked_prefill_buffers(a: Architecture, n_gpus: int, asm: Assumptions) -> ComputeBuffers:
    """vLLM / MLX / transformers: the activation peak of one prefill chunk, split over the GPUs.

    activations = chunk x 2 bytes (16-bit) x (4 x hidden + 2 x ffn width) + 4 x vocabulary x 8 bytes (logits of
                  the last token only; attention runs in fused kernels)
    With no GPU the whole peak is in system RAM.
    """
    act = asm.prefill_chunk_tokens * 2 * (a.hidden_size * 4 + 2 * ffn_width(a)) + 4 * a.vocab_size * 8
    dev = act // max(n_gpus, 1)
    return ComputeBuffers(dev if n_gpus else 0, 0 if n_gpus else act)
