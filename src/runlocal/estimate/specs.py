"""Plain, immutable descriptions of a model's architecture and of a machine, as the engine sees them.

The catalog turns data files into these objects; the engine never reads files itself.
Field names follow Hugging Face ``config.json`` where one exists.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Kinds of layer for the KV cache / recurrent state.
FULL = "full"  # full causal attention: caches every token
SLIDING = "sliding"  # sliding-window attention: caches at most `sliding_window` tokens
LINEAR = "linear"  # linear attention / state-space layer: fixed-size state, no per-token cache
MLA = "mla"  # multi-head latent attention (DeepSeek V2/V3): caches the compressed latent
NONE = "none"  # no attention cache of its own (for example KV shared with an earlier layer)


MAX_LAYERS = 1024
"""The deepest catalog models have about 130 layers; 1,024 leaves room and keeps a tensor table small."""
MAX_WIDTH = 1 << 20
"""Hidden, FFN and head widths: the widest 2026 models are below 64K; a million bounds the arithmetic."""
MAX_VOCAB = 1 << 23
"""Vocabulary sizes: 2026 tokenizers stop near 262K entries."""
MAX_EXPERTS = 4096
"""Experts per MoE layer: 2026 models use up to 512."""
MAX_CONTEXT = 100_000_000
"""Trained context lengths: 10M tokens is the longest published."""
MAX_MEMORY_GB = 100_000.0
"""Memory of one device or host, in GB: the largest 2026 accelerator has 288 GB and the largest host a few TB."""
MAX_BANDWIDTH_GB_S = 100_000.0
"""Memory bandwidth in GB/s: HBM4 parts reach about 20,000; five times that bounds a typo, not a product."""
MAX_TFLOPS = 100_000.0
"""Dense tensor throughput in TFLOPS (or TOPS): 2026's fastest accelerators are below 10,000."""
MAX_CORES = 100_000
"""CPU or GPU cores: the largest GPUs have about 25,000 shader cores."""
def mamba2_state_elements(d_inner: int, d_state: int, n_groups: int, d_conv: int) -> int:
    """Recurrent state of one Mamba-2 layer per sequence, in f32 elements, as llama.cpp keeps it: the conv window
    (d_conv - 1) x (d_inner + 2 x n_groups x d_state) plus the SSM state d_state x d_inner."""
    return (d_conv - 1) * (d_inner + 2 * n_groups * d_state) + d_state * d_inner


def shortconv_state_elements(hidden_size: int, l_cache: int) -> int:
    """Recurrent state of one LFM2 short-convolution layer per sequence, in f32 elements: llama_hparams::n_embd_r()
    = n_embd x (n_shortconv_l_cache - 1), the last L - 1 inputs of the conv (n_embd_s() is 0: no SSM state)."""
    return hidden_size * max(l_cache - 1, 0)


ARCH_BOUNDS: tuple[tuple[str, int, int], ...] = (
    ("n_layers", 1, MAX_LAYERS), ("hidden_size", 1, MAX_WIDTH), ("n_heads", 1, MAX_WIDTH),
    ("n_kv_heads", 0, MAX_WIDTH), ("head_dim", 1, MAX_WIDTH), ("intermediate_size", 0, MAX_WIDTH * 16),
    ("vocab_size", 1, MAX_VOCAB), ("context_length", 1, MAX_CONTEXT), ("n_experts", 0, MAX_EXPERTS),
    ("n_experts_used", 0, MAX_EXPERTS), ("moe_intermediate_size", 0, MAX_WIDTH * 16),
    ("moe_layer_step", 0, MAX_LAYERS), ("moe_latent_size", 0, MAX_WIDTH), ("indexer_n_heads", 0, MAX_WIDTH),
    ("indexer_head_dim", 0, MAX_WIDTH),
    ("indexer_top_k", 0, MAX_CONTEXT), ("global_head_dim", 0, MAX_WIDTH), ("global_n_kv_heads", 0, MAX_WIDTH),
    ("kv_shared_layers", 0, MAX_LAYERS - 1), ("per_layer_input_size", 0, MAX_WIDTH), ("altup_inputs", 0, 64),
    ("laurel_rank", 0, MAX_WIDTH),
)


PER_LAYER_FIELDS = ("layer_n_kv_heads", "layer_n_heads", "layer_ffn_widths")
"""Per-layer shape lists (see Architecture): only the deci architecture reads them."""
PER_LAYER_ARCHS = frozenset({"deci"})


@dataclass(frozen=True)
class Architecture:
    """Architecture facts of a decoder-only language model (text part only)."""

    arch: str  # GGUF architecture name: llama, qwen2, qwen3, qwen3moe, gemma2, gemma3, deepseek2, gpt-oss ...
    n_layers: int
    hidden_size: int
    n_heads: int
    n_kv_heads: int
    head_dim: int
    intermediate_size: int  # dense FFN width (for MoE models: the width of the leading dense layers)
    vocab_size: int
    tie_embeddings: bool = False
    context_length: int = 4096
    # attention layout
    sliding_window: int | None = None
    # A layer i (0-based) is sliding when sliding_window is set and (i + 1) % sliding_window_pattern != 0;
    # pattern 1 means every layer slides (Mistral 7B v0.1); Gemma 2/gpt-oss use 2, Gemma 3 uses 6.
    sliding_window_pattern: int | None = None
    # Hybrid models: layer i has full attention when (i + 1) % full_attention_interval == 0, else LINEAR.
    full_attention_interval: int | None = None
    layer_types: tuple[str, ...] | None = None  # explicit per-layer kinds; wins over the two rules above
    attn_bias: bool = False  # bias on q/k/v projections (Qwen2)
    qk_norm: bool = False  # per-head RMS norm on q and k (Qwen3, Gemma 3)
    ffn_gated: bool = True  # gate+up+down (SwiGLU/GeGLU); False: up+down only (GPT-2 style, Falcon, MPT)
    parallel_attn_ffn: bool = False  # one norm per block (Falcon, Phi-2, Command R)
    # mixture of experts
    n_experts: int = 0
    n_experts_used: int = 0
    moe_intermediate_size: int = 0
    n_shared_experts: int = 0
    shared_expert_intermediate_size: int = 0  # 0 -> n_shared_experts * moe_intermediate_size
    first_k_dense: int = 0  # leading layers with a dense FFN instead of experts
    # multi-head latent attention (DeepSeek V2/V3, Kimi K2)
    q_lora_rank: int = 0
    kv_lora_rank: int = 0
    qk_rope_head_dim: int = 0
    qk_nope_head_dim: int = 0
    v_head_dim: int = 0
    # linear-attention / SSM state per layer, in elements (f32 in llama.cpp); 0 when not hybrid
    linear_state_elements: int = 0
    # Mamba-2 mixer shapes (Nemotron-H): d_inner = mamba_num_heads x mamba_head_dim, state size, B/C groups,
    # SSM heads (mamba_num_heads, llama.cpp ssm_dt_rank); 0 -> llama.cpp-style defaults where needed
    ssm_d_inner: int = 0
    ssm_d_state: int = 0
    ssm_n_groups: int = 0
    ssm_n_heads: int = 0
    # causal conv1d kernel of the recurrent layers (Mamba-2 conv_kernel, Gated DeltaNet linear_conv_kernel_dim)
    ssm_conv_kernel: int = 0
    # Gated DeltaNet shapes (Qwen3-Next, Qwen3.5/3.6): config linear_* fields
    linear_num_key_heads: int = 0
    linear_key_head_dim: int = 0
    linear_num_value_heads: int = 0
    linear_value_head_dim: int = 0
    # vision tower etc. kept outside the text tensors (bytes at 16 bit), informational
    extra_params: int = 0
    # multi-token-prediction (NextN) blocks the GGUF converter appends after the trunk (GLM-4.5/4.6:
    # config num_nextn_predict_layers; Qwen3-Next/3.5/3.6: mtp_num_hidden_layers; Nemotron-H MoE:
    # num_nextn_predict_layers); they add whole blocks to the file but are not run by default
    nextn_layers: int = 0
    # Llama 4 Maverick: only every moe_layer_step-th layer is MoE ((i + 1) % step == 0), the others dense with
    # intermediate_size (config interleave_moe_layer_step; GGUF {arch}.interleave_moe_layer_step); 0 or 1: all
    moe_layer_step: int = 0
    # LatentMoE (Nemotron 3 Super): tokens go down from hidden_size to this width before the routed experts and back
    # up after them (ffn_latent_down / ffn_latent_up), so each expert is moe_latent_size x moe_intermediate_size; the
    # router and the shared expert stay at hidden_size. 0: the experts take hidden_size
    moe_latent_size: int = 0
    # Falcon-H1: every attention layer also runs a Mamba-2 mixer in parallel, so it keeps a recurrent state of
    # linear_state_elements (f32) per sequence next to its KV cache
    parallel_ssm: bool = False
    # DeepSeek V3.2 sparse attention (DSA): a lightning indexer per layer with its own K cache of indexer_head_dim
    # values per token, and attention over only indexer_top_k selected tokens
    indexer_n_heads: int = 0
    indexer_head_dim: int = 0
    indexer_top_k: int = 0
    # Gemma 4: full-attention layers have their own head width and KV head count (config global_head_dim,
    # num_global_key_value_heads; GGUF attention.key_length vs key_length_swa, a per-layer head_count_kv); 0: same
    global_head_dim: int = 0
    global_n_kv_heads: int = 0
    # the last kv_shared_layers layers reuse an earlier layer's KV cache (Gemma 3n, Gemma 4 E2B/E4B: config
    # num_kv_shared_layers): they keep no cache of their own
    kv_shared_layers: int = 0
    attn_k_eq_v: bool = False  # full layers have no V projection, V = K (Gemma 4 26B/31B attention_k_eq_v)
    double_wide_mlp: bool = False  # KV-shared layers have an FFN twice intermediate_size (Gemma 4 E2B)
    # per-layer embeddings (Gemma 3n, Gemma 4 E2B/E4B: hidden_size_per_layer_input): a table of this width per
    # layer looked up per token (kept in system RAM), projected into every layer
    per_layer_input_size: int = 0
    altup_inputs: int = 0  # Gemma 3n AltUp: parallel copies of the hidden state (4)
    laurel_rank: int = 0  # Gemma 3n LAuReL low-rank residual (64)
    # Per-layer shapes of NAS-pruned Llama variants (arch "deci": Llama-3.1-Nemotron-51B, Llama-3.3-Nemotron-Super-49B,
    # Llama-3.1-Nemotron-Ultra-253B), as the GGUF converter writes them in per-layer head_count_kv / head_count /
    # feed_forward_length arrays (DeciModel in convert_hf_to_gguf.py, from config.json block_configs):
    # layer_n_kv_heads[i]: KV heads of layer i, 0 when it has no attention of its own (no KV cache);
    # layer_n_heads[i]: query heads; > 0 with 0 KV heads is "linear attention" (replace_with_linear: one
    #   attn_output matrix of hidden x hidden), 0 an attention-free layer (no_op: no attn_norm, no q/k/v/o);
    #   None: n_heads on layers with KV heads, 0 on the others;
    # layer_ffn_widths[i]: SwiGLU width of layer i, 0 for an FFN-free layer (no ffn_norm, gate, up, down).
    # None everywhere else: every layer has n_kv_heads, n_heads and intermediate_size.
    layer_n_kv_heads: tuple[int, ...] | None = None
    layer_n_heads: tuple[int, ...] | None = None
    layer_ffn_widths: tuple[int, ...] | None = None

    def __post_init__(self) -> None:
        # data files and JSON give lists; the engine hashes Architecture (lru_cache), so keep tuples
        for name in ("layer_types", *PER_LAYER_FIELDS):
            v = getattr(self, name)
            if isinstance(v, list):
                object.__setattr__(self, name, tuple(v))

    def problems(self) -> list[str]:
        """What makes these facts physically impossible or too large to size (empty when they are fine).
        Every size read from outside (config.json, GGUF header, inline object, data file) passes here."""
        out: list[str] = []
        for name, lo, hi in ARCH_BOUNDS:
            v = getattr(self, name)
            if not isinstance(v, int) or isinstance(v, bool) or not lo <= v <= hi:
                out.append(f"{name} must be an integer from {lo:,} to {hi:,}, got {v!r}")
        if out:
            return out
        if self.n_kv_heads > self.n_heads:
            out.append(f"n_kv_heads ({self.n_kv_heads}) cannot exceed n_heads ({self.n_heads})")
        if self.n_experts_used > self.n_experts:
            out.append(f"n_experts_used ({self.n_experts_used}) cannot exceed n_experts ({self.n_experts})")
        if self.n_experts and not self.n_experts_used:
            out.append("a mixture-of-experts model needs n_experts_used of at least 1")
        if self.kv_shared_layers >= self.n_layers:
            out.append(f"kv_shared_layers ({self.kv_shared_layers}) must leave at least one layer with its own KV")
        for name in ("sliding_window", "sliding_window_pattern"):
            v = getattr(self, name, None)
            if v is not None and (not isinstance(v, int) or isinstance(v, bool) or not 1 <= v <= 100_000_000):
                out.append(f"{name} must be a positive integer, got {v!r}")
        if self.layer_types is not None and len(self.layer_types) != self.n_layers:
            out.append(f"layer_types lists {len(self.layer_types)} layers, n_layers is {self.n_layers}")
        out += self._per_layer_problems()
        return out

    def _per_layer_problems(self) -> list[str]:
        out: list[str] = []
        given = [n for n in PER_LAYER_FIELDS if getattr(self, n) is not None]
        if not given:
            return out
        if self.arch not in PER_LAYER_ARCHS:
            return [f"{', '.join(given)} apply only to the {'/'.join(sorted(PER_LAYER_ARCHS))} architecture, "
                    f"not {self.arch!r}"]
        bounds = {"layer_n_kv_heads": self.n_heads, "layer_n_heads": self.n_heads,
                  "layer_ffn_widths": MAX_WIDTH * 16}
        for name in given:
            v = getattr(self, name)
            if not isinstance(v, tuple) or len(v) != self.n_layers:
                n = len(v) if isinstance(v, tuple | list) else "no"
                out.append(f"{name} lists {n} layers, n_layers is {self.n_layers}")
                continue
            hi = bounds[name]
            bad = [x for x in v if not isinstance(x, int) or isinstance(x, bool) or not 0 <= x <= hi]
            if bad:
                out.append(f"{name} entries must be integers from 0 to {hi:,}, got {bad[0]!r}")
        if out:
            return out
        for i in range(self.n_layers):
            kv, heads = self.layer_kv_heads(i), self.layer_heads(i)
            if kv and heads < kv:
                out.append(f"layer {i}: {kv} KV heads but {heads} query heads")
            elif kv and heads % kv:
                out.append(f"layer {i}: {heads} query heads are not a multiple of its {kv} KV heads")
            if len(out) >= 3:
                break
        if self.layer_n_kv_heads is not None and max(self.layer_n_kv_heads) > self.n_kv_heads:
            out.append(f"n_kv_heads ({self.n_kv_heads}) must be at least the largest of layer_n_kv_heads "
                       f"({max(self.layer_n_kv_heads)})")
        if self.layer_ffn_widths is not None and max(self.layer_ffn_widths) > self.intermediate_size:
            out.append(f"intermediate_size ({self.intermediate_size}) must be at least the widest of "
                       f"layer_ffn_widths ({max(self.layer_ffn_widths)})")
        return out

    def layer_kv_heads(self, i: int) -> int:
        """KV heads of layer i: its own entry of layer_n_kv_heads (0: no attention), else n_kv_heads."""
        if self.layer_n_kv_heads is not None:
            return self.layer_n_kv_heads[i]
        return self.n_kv_heads

    def layer_heads(self, i: int) -> int:
        """Query heads of layer i (deci: 0 on attention-free layers, n_heads on linear-attention ones)."""
        if self.layer_n_heads is not None:
            return self.layer_n_heads[i]
        if self.layer_n_kv_heads is not None:
            return self.n_heads if self.layer_n_kv_heads[i] else 0
        return self.n_heads

    def layer_ffn_width(self, i: int) -> int:
        """Dense FFN width of layer i (0: the layer has no FFN)."""
        if self.layer_ffn_widths is not None:
            return self.layer_ffn_widths[i]
        return self.intermediate_size

    def kind_of_layer(self, i: int) -> str:
        """The cache kind of layer i (see the module constants)."""
        if self.layer_types is not None:
            return self.layer_types[i]
        if self.layer_n_kv_heads is not None and not self.layer_n_kv_heads[i]:
            return NONE  # deci: attention-free or linear-attention layer, nothing cached
        if self.kv_lora_rank:
            return MLA
        if self.full_attention_interval:
            return FULL if (i + 1) % self.full_attention_interval == 0 else LINEAR
        if self.sliding_window and self.sliding_window_pattern:
            if self.sliding_window_pattern == 1 or (i + 1) % self.sliding_window_pattern != 0:
                return SLIDING
        return FULL

    def layer_dims(self, kind: str) -> tuple[int, int]:
        """(KV heads, head width) of a layer of this kind: full layers may have their own (Gemma 4)."""
        if kind == FULL:
            return self.global_n_kv_heads or self.n_kv_heads, self.global_head_dim or self.head_dim
        return self.n_kv_heads, self.head_dim

    def owns_kv(self, i: int) -> bool:
        """False for the last kv_shared_layers layers, which attend over an earlier layer's cache."""
        return i < self.n_layers - self.kv_shared_layers

    def layer_kinds(self) -> tuple[str, ...]:
        return tuple(self.kind_of_layer(i) for i in range(self.n_layers))

    @property
    def is_moe(self) -> bool:
        return self.n_experts > 0

    def is_moe_layer(self, i: int) -> bool:
        if self.n_experts <= 0 or i < self.first_k_dense:
            return False
        return self.moe_layer_step <= 1 or (i + 1) % self.moe_layer_step == 0


@dataclass(frozen=True, kw_only=True)
class Device:
    """One accelerator or the host CPU, with the figures the engine needs."""

    name: str
    memory_bytes: int
    bandwidth_bytes_per_s: float
    fp16_flops: float | None = None  # dense FP16/BF16 tensor (matrix) throughput, FLOP/s
    backend: str = "cuda"  # cuda, rocm, metal, vulkan, sycl, cpu
    kind: str = "gpu"  # gpu, apple, unified, cpu
    pcie_bytes_per_s: float | None = None
    hbm: bool = False  # stacked high-bandwidth memory (datacenter parts): different decode efficiency
    tensor_cores: bool = True  # False: matrix maths on plain SIMD lanes (Pascal, Maxwell, GTX 16)
    half_precision_ok: bool = True  # False: image UIs run it in FP32 (GTX 16 cards produce NaNs in FP16)
    vendor: str = ""  # nvidia, amd, intel, apple: the same backend runs at a vendor's own speed (Vulkan drivers)
    architecture: str = ""  # the GPU generation as the catalog names it ("Pascal", "Ada Lovelace", "RDNA 3", ...)
    int8_ops: float | None = None  # INT8 matrix ops/s llama.cpp's CUDA quantized kernels (MMQ) use; None: no MMQ
    sm_clocks: float | None = None  # NVIDIA: streaming multiprocessors x boost clock (SM-cycles/s), None: unknown
    fp8_flops: float | None = None  # dense FP8 tensor FLOP/s (Ada, Hopper, Blackwell), which FP8 (W8A8) serving reaches
    laptop: bool = False  # a laptop (mobile) discrete GPU: power- and thermally-limited, below its spec clocks
    shader_flops: float | None = None  # the FP16 rate without the matrix units fp16_flops counts (Apple M5's Neural
    # Accelerators, Intel Arc's XMX), for software that leaves them unused (speed.matrix_units_used)


@dataclass(frozen=True)
class Machine:
    """A machine: zero or more identical accelerators plus the host (CPU and system RAM)."""

    gpus: tuple[Device, ...]
    ram_bytes: int
    ram_bandwidth_bytes_per_s: float
    cpu_cores: int = 8
    unified_memory: bool = False  # accelerator and CPU share one pool (Apple, Strix Halo, DGX Spark)
    # usable fraction of unified memory the GPU may wire (Apple's recommendedMaxWorkingSetSize)
    gpu_memory_limit_bytes: int | None = None
    cpu_flops: float | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)
    cpu_simd: str = ""  # the widest vectors llama.cpp's CPU kernels use here: avx512, avx2, neon; "" not known

    @property
    def gpu_count(self) -> int:
        return len(self.gpus)


@dataclass(frozen=True)
class Artifact:
    """A published file of the model in one quantisation, with its exact size."""

    format: str  # gguf, mlx, awq, gptq, fp8, safetensors
    quant: str
    file_bytes: int
    repo: str = ""
    file: str = ""
    source: str = ""


@dataclass(frozen=True)
class ModelSpec:
    """What the engine needs to know about a model."""

    id: str | None
    name: str
    arch: Architecture
    params: int
    active_params: int | None = None
    kind: str = "text"
    artifacts: tuple[Artifact, ...] = ()
    sources: tuple[str, ...] = ()
    # From a real file: every tensor as (name, shape in GGUF order, ggml type name). When present the
    # engine uses these exact sizes instead of rebuilding the table from the architecture.
    tensor_table: tuple[tuple[str, tuple[int, ...], str], ...] | None = None
    file_bytes: int | None = None  # size on disk of the file(s) the table came from
    file_quant: str | None = None  # the file's own type label (general.file_type), e.g. "Q4_K_M"

    def artifact(self, quant: str, fmt: str | None = None) -> Artifact | None:
        q = quant.upper()
        for a in self.artifacts:
            if a.quant.upper() == q and (fmt is None or a.format == fmt):
                return a
        return None
