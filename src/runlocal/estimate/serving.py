"""Serving: how many sequences fit at once, how fast each goes as the batch grows, and the wait under load.

capacity   KV pool = what the engine leaves for the cache once weights and buffers are placed:
             vLLM        gpu_memory_utilization x memory - weights/g - activation peak - CUDA graphs, per GPU
             SGLang      mem_fraction_static x memory - weights/g, per GPU; for a model with recurrent layers
                         (Mamba, Gated DeltaNet) r / (1 + r) of it (r = mamba_full_memory_ratio, 0.9) is a pool of
                         per-request states and the rest holds the attention layers' KV; a running request takes 3
                         state slots (the radix cache keeps prefixes' states), and at most 2048 run at once
             TensorRT-LLM  free_gpu_memory_fraction x (memory - weights/g - buffers), per GPU
             MLC LLM     gpu_memory_utilization x memory - weights/g - buffers, per GPU
             llama.cpp, Ollama and the other llama.cpp runtimes: the accelerator memory left after weights and
             buffers, shared by the -np slots (unified KV)
           bytes per sequence = for every layer with its own cache: cached values x tokens (full layers: every
             token, rounded up to the engine's block; sliding layers: at most the window; recurrent layers: their
             fixed state), the DSA indexer's keys and Falcon-H1's state included
           maximum concurrency at an average context L = pool / bytes per sequence(L)
step       one decode step of B sequences (speed.decode_step): weights touched by the batch (MoE: the experts
           any of the B tokens routes to) + B x KV read at the mean depth, over bandwidth (over g GPUs with tensor
           parallel), or the batch's FLOPs over compute, whichever is longer; plus the fixed per-layer cost, two
           all-reduces per layer over the interconnect with tensor parallel, and a per-sequence engine cost
           (scheduling, sampling, paged-attention gathers) for every sequence after the first
           per-user tokens/s = 1 / step;  aggregate = B / step
load       requests arrive at `rate` per second, each with a prompt and an output length; prefill is served
           first-come first-served at the single-request prefill rate, slowed by the share of time decode steps
           take (chunked prefill shares steps); its queue is treated as M/M/1, so the time to first token has
           p50 = ln 2 / (mu - lambda) and p90 = ln 10 / (mu - lambda); concurrency follows Little's law
           (N = rate x time in the system) and per-user speed is read off the curve at N.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

from .assumptions import Assumptions
from .engine import ATTENTION_FUSED_ENGINES, Estimate, Query, estimate
from .memory import kv_type_bytes, kv_values_per_token
from .specs import FULL, LINEAR, MLA, NONE, SLIDING, Architecture
from .speed import SERVING_STEP_ENGINES, DecodeStep, decode_step, estimate_speed, uses_cuda_graphs

TENSOR_PARALLEL_ENGINES = frozenset({"vllm", "sglang", "tensorrt-llm", "mlc-llm"})
"""Engines that split every layer over the GPUs; the llama.cpp family splits by layers."""

BLOCK_TOKENS = {"vllm": 16, "sglang": 1, "tensorrt-llm": 32, "mlc-llm": 16}
"""Tokens per KV block: vLLM's default block_size 16, SGLang's token-granular pool (page size 1), TensorRT-LLM's
tokens_per_block 32, MLC LLM's paged cache (16). llama.cpp keeps cells, rounded to 256 for the whole cache."""

CURVE_BATCHES = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096)


@dataclass(frozen=True)
class CurvePoint:
    concurrency: int
    per_user_tokens_per_s: float
    aggregate_tokens_per_s: float
    step_ms: float
    bound: str  # memory | compute | queue (more requests than the engine's slots: they wait)
    fits_pool: bool  # False: this many sequences at the average context do not fit the KV pool at once


@dataclass(frozen=True)
class LoadResult:
    rate_per_s: float
    concurrency: float
    ttft_p50_s: float
    ttft_p90_s: float
    e2e_p50_s: float
    e2e_p90_s: float
    per_user_tokens_per_s: float
    stable: bool  # False: requests arrive faster than prefill can take them; the queue grows without bound


@dataclass(frozen=True)
class ServingEstimate:
    engine: str
    gpu_count: int
    tensor_parallel: bool
    pool_bytes: int
    kv_bytes_per_sequence: int
    max_concurrency: int  # sequences of the full context that fit at once (vLLM's "maximum concurrency")
    typical_concurrency: int  # sequences that fit at the average length in flight (prompt + half the output)
    context_tokens: int
    curve: tuple[CurvePoint, ...]
    knee: int | None  # the smallest batch at which the step turns compute-bound (None: not within the curve)
    prefill_tokens_per_s: float | None
    single: Estimate
    notes: tuple[str, ...]
    prefill_one_tokens_per_s: float | None = None  # a prompt with no other in its steps (None: as under load)
    single_step_tokens: int = 8192  # prompt tokens one engine step takes (serving_step_tokens)

    def at(self, users: float) -> CurvePoint:
        """The curve at `users` concurrent sequences (log-interpolated between measured batch sizes)."""
        return point_at(self.curve, users)


def engine_slots(engine: str, asm: Assumptions) -> int | None:
    """Requests an engine decodes together by default (None: as many as fit, vLLM-style continuous batching)."""
    return {"ollama": asm.ollama_num_parallel, "lmstudio": asm.lmstudio_max_concurrent}.get(engine)


def kv_bytes_per_sequence(a: Architecture, tokens: int, kv_type: str, block: int) -> int:
    """Cache bytes one sequence of `tokens` holds in a paged pool (see the module docstring)."""
    t = max(1, tokens)
    blocks = -(-t // max(block, 1)) * max(block, 1)
    total = 0
    state = a.linear_state_elements * 4 if a.parallel_ssm else 0
    for i, kind in enumerate(a.layer_kinds()):
        if not a.owns_kv(i) or kind == NONE:
            continue
        if kind == LINEAR:
            total += a.linear_state_elements * 4
            continue
        vals = kv_values_per_token(a, kind, i)  # the layer's own KV heads (deci's layers differ)
        cells = min(blocks, a.sliding_window) if kind == SLIDING and a.sliding_window else blocks
        total += kv_type_bytes(kv_type, vals * cells) + state
        if kind == MLA and a.indexer_head_dim:
            total += kv_type_bytes(kv_type, a.indexer_head_dim * cells)
        if kind not in (FULL, SLIDING, MLA):  # pragma: no cover - layer kinds are validated
            raise ValueError(kind)
    return total


def state_bytes_per_sequence(a: Architecture) -> int:
    """Bytes of a sequence's fixed recurrent state (Mamba / Gated DeltaNet layers and Falcon-H1's parallel SSM heads),
    FP32, whatever its length: the part of kv_bytes_per_sequence that does not grow with the context."""
    total = 0
    for i, kind in enumerate(a.layer_kinds()):
        if not a.owns_kv(i) or kind == NONE:
            continue
        if kind == LINEAR or a.parallel_ssm:
            total += a.linear_state_elements * 4
    return total


@dataclass(frozen=True)
class SglangPools:
    state_slots: int  # per-request recurrent states the state pool holds
    kv_pool_bytes: int  # what the attention layers' KV pool gets
    max_running: int  # requests the state pool lets run at once (slots / slots per request)


def sglang_hybrid_pools(pool: int, state_bytes: int, asm: Assumptions) -> SglangPools | None:
    """SGLang's split of the cache memory for a model with recurrent layers (model_runner's
    _handle_max_mamba_cache): the state pool gets pool x r / (1 + r), r = mamba_full_memory_ratio, in slots of one
    request's state; the KV pool gets what the slots leave; a running request needs
    sglang_state_slots_per_request slots (MAMBA_CACHE_SIZE_MAX_RUNNING_REQUESTS_RATIO). None for a model
    without recurrent state."""
    if state_bytes <= 0:
        return None
    r = asm.sglang_mamba_full_memory_ratio
    slots = int(pool * r / (1 + r) // state_bytes)
    per_req = max(1, int(asm.sglang_state_slots_per_request))
    return SglangPools(slots, max(0, pool - slots * state_bytes), slots // per_req)


def kv_pool_bytes(est: Estimate, engine: str, asm: Assumptions) -> int:
    """The KV pool over all GPUs once weights and buffers are placed (module docstring)."""
    cap = est.capacity
    g = max(cap.gpu_count, 1)
    weights = est.memory.weights_bytes
    compute = est.memory.compute_bytes
    if engine == "sglang":
        return max(0, cap.per_gpu_bytes * g - weights)
    if engine == "tensorrt-llm":
        # capacity() already took the 0.9 share of the card; the pool is that share of what remains
        free = cap.per_gpu_bytes / asm.trtllm_free_gpu_memory_fraction * g - weights - compute
        return max(0, int(free * asm.trtllm_free_gpu_memory_fraction))
    if engine in ("vllm", "mlc-llm"):
        return max(0, cap.per_gpu_bytes * g - weights - compute)
    # llama.cpp family: the accelerator memory its placement leaves once weights and buffers are on it
    used = est.memory.accelerator_bytes - est.memory.kv_cache_bytes
    return max(0, cap.per_gpu_bytes * g + cap.overhead_per_gpu * g - used - cap.overhead_per_gpu * g)


def allreduce_seconds(batch: int, hidden: int, gpus: int, *, link_bytes_per_s: float, latency_us: float) -> float:
    """One ring all-reduce of a batch's 16-bit activations: latency + 2 (g - 1) / g x bytes over the link."""
    if gpus <= 1:
        return 0.0
    data = batch * hidden * 2
    return latency_us * 1e-6 + 2 * (gpus - 1) / gpus * data / link_bytes_per_s


def _link(q: Query, asm: Assumptions) -> tuple[float, float, str]:
    g = q.machine.gpus[0] if q.machine.gpus else None
    if g is not None and g.hbm:
        # HBM parts are taken as the SXM/OAM boards: NVLink on NVIDIA, Infinity Fabric links on AMD Instinct
        return (asm.nvlink_gb_s * 1e9, asm.allreduce_latency_us_nvlink,
                "Infinity Fabric" if g.vendor == "amd" else "NVLink")
    pcie = (g.pcie_bytes_per_s if g is not None and g.pcie_bytes_per_s else asm.default_pcie_gb_s * 1e9)
    return pcie, asm.allreduce_latency_us_pcie, "PCIe"


NETWORKS = {"ethernet-10g": (10, 50.0), "ethernet-25g": (25, 30.0), "ethernet-100g": (100, 20.0),
            "infiniband-200g": (200, 5.0), "infiniband-400g": (400, 5.0)}
"""Links between nodes for pipeline parallel: (line rate in Gbit/s, one-hop latency in us). Line rates are the
standards' (IEEE 802.3, InfiniBand HDR/NDR); latencies are typical TCP (Ethernet) and RDMA (InfiniBand) figures."""


def hop_seconds(batch: int, hidden: int, network: str) -> float:
    """Handing one micro-batch's 16-bit activations to the next node."""
    gbit, lat_us = NETWORKS[network]
    return lat_us * 1e-6 + batch * hidden * 2 / (gbit * 1e9 / 8 * 0.9)


def rpc_hop_seconds(batch: int, hidden: int, network: str, asm: Assumptions) -> float:
    """llama.cpp's RPC backend handing the batch's 32-bit activations to a remote host: rpc_roundtrips_per_hop
    request/answer exchanges (set the input tensor, compute the graph, read the output) over TCP."""
    gbit, lat_us = NETWORKS[network]
    return asm.rpc_roundtrips_per_hop * 2 * lat_us * 1e-6 + batch * hidden * 4 / (gbit * 1e9 / 8 * 0.9)


EAGER_ENGINES = frozenset({"vllm", "sglang"})
"""Engines that replay each decode step as a CUDA graph unless told not to (vLLM --enforce-eager, SGLang
--disable-cuda-graph)."""


def step(q: Query, est: Estimate, batch: int, depth: int, engine: str, *, nodes: int = 1,
         network: str = "ethernet-25g", eager: bool = False) -> tuple[DecodeStep, float]:
    """The decode step of `batch` sequences at `depth`, and the seconds it takes with the engine's own costs.

    With `nodes` > 1 (pipeline parallel, q.machine holding every node's GPUs) each node runs 1/nodes of the layers
    on its own GPUs (tensor parallel inside the node); the batch flows through the nodes as `nodes` micro-batches,
    so one token takes nodes x (a micro-batch's stage time) + (nodes - 1) hops, and each stage reads 1/nodes of the
    weights: the step over the whole machine with tensor parallel gives that stage time."""
    asm = q.assumptions
    gpus = q.machine.gpu_count
    per_node = max(1, gpus // max(nodes, 1))
    tp = engine in TENSOR_PARALLEL_ENGINES and gpus > 1
    placement = est.placement
    assert placement is not None
    rpc = nodes > 1 and engine not in TENSOR_PARALLEL_ENGINES  # llama.cpp over rpc-server hosts: a layer split
    micro = max(1, math.ceil(batch / nodes)) if nodes > 1 and not rpc else batch
    # as the single-stream answer: llama.cpp replays a lone sequence's step as a CUDA graph, the serving engines every
    # step unless launched eager (MLC's are not modelled)
    graphs = (bool(q.machine.gpus) and engine not in TENSOR_PARALLEL_ENGINES - SERVING_STEP_ENGINES
              and not (eager and engine in SERVING_STEP_ENGINES)
              and uses_cuda_graphs(q.machine.gpus[0], engine, None, gpus, micro))
    s = decode_step(q.model.arch, est.weights_detail, placement, q.machine, runtime=engine, quant=est.quant,
                    params=q.model.params, active_params=q.model.active_params, depth=depth,
                    kv_type=q.kv_cache_type, batch=micro,
                    flash_attention=est.flash_attention or engine in ATTENTION_FUSED_ENGINES, asm=asm,
                    tensor_parallel=tp, cuda_graphs=graphs)
    seconds = s.seconds
    if tp and per_node > 1:
        link, lat, _ = _link(q, asm)
        layers = q.model.arch.n_layers / max(nodes, 1)
        seconds += 2 * layers * allreduce_seconds(micro, q.model.arch.hidden_size, per_node,
                                                  link_bytes_per_s=link, latency_us=lat)
    if rpc:
        # one layer split over every host's GPUs: the step above already runs the layers one device after another;
        # each hand-off to another host adds RPC exchanges over the network
        seconds += (nodes - 1) * rpc_hop_seconds(batch, q.model.arch.hidden_size, network, asm)
    elif nodes > 1:
        # the stage time above is for 1/nodes of the layers on 1/nodes of the GPUs: a token passes every stage
        seconds = nodes * seconds + (nodes - 1) * hop_seconds(micro, q.model.arch.hidden_size, network)
    per_seq = asm.serve_seq_us_paged if engine in TENSOR_PARALLEL_ENGINES else asm.serve_seq_us_llamacpp
    seconds += (batch - 1) * per_seq * 1e-6
    if eager and engine in EAGER_ENGINES:
        # without CUDA graphs every layer's kernels are launched from Python each step, some once per sequence
        layers = q.model.arch.n_layers
        seconds += layers * (asm.serving_eager_layer_us + asm.serving_eager_seq_layer_us * micro) * 1e-6
    return s, seconds


def with_prompts(point: CurvePoint, *, prompt_tokens: int, output_tokens: int,
                 prefill_tokens_per_s: float | None, one_tokens_per_s: float | None = None,
                 step_tokens: int = 8192) -> float:
    """Aggregate output tokens/s when each request in flight also brings a prompt, as a benchmark client that keeps
    `point.concurrency` requests open measures it (vLLM's and SGLang's bench_serving, trtllm-bench): the prompts'
    prefill takes GPU time from decoding.

    Closed loop with B requests running (the batch the curve gives, queued ones wait), prompt P, output O, the
    single-request prefill rate R (compute-bound: batching prompts does not raise it much) and decode step s(B):
    B requests finish every T = B x P / R + O x s(B), so aggregate = B x O / T."""
    if not prefill_tokens_per_s or prompt_tokens <= 0:
        return point.aggregate_tokens_per_s
    running, _, t_round = _closed_loop(point, prompt_tokens, output_tokens, prefill_tokens_per_s, one_tokens_per_s,
                                       step_tokens)
    return running * output_tokens / t_round


def prompt_seconds(prompt_tokens: int, together: float, prefill_tokens_per_s: float,
                   one_tokens_per_s: float | None, step_tokens: int) -> float:
    """Seconds of prefill one prompt of P tokens costs when `together` prompts share the engine's steps: P / R with
    R the rate under load (steps of step_tokens full of prompts) once step / P of them fill a step, P / R1 (its
    rate alone) for a lone prompt; in between, the fixed part of a step (P / R1 - P / R over 1 - P / step) is shared
    by the k = min(together, step / P) prompts in it."""
    own = prompt_tokens / prefill_tokens_per_s
    per_step = max(1.0, step_tokens / max(prompt_tokens, 1))
    if not one_tokens_per_s or per_step <= 1.0:
        return own
    alone = prompt_tokens / one_tokens_per_s
    k = min(max(together, 1.0), per_step)
    return own + (alone - own) * max(0.0, 1.0 / k - 1.0 / per_step) / (1.0 - 1.0 / per_step)


def _closed_loop(point: CurvePoint, prompt_tokens: int, output_tokens: int, prefill_tokens_per_s: float,
                 one_tokens_per_s: float | None = None, step_tokens: int = 8192) -> tuple[float, float, float]:
    """(B running, one prompt's prefill seconds P / R, seconds T = B x P / R + O x s(B) each request stays); the B
    requests' prompts share the steps (prompt_seconds)."""
    running = point.aggregate_tokens_per_s / point.per_user_tokens_per_s
    own = prompt_seconds(prompt_tokens, running, prefill_tokens_per_s, one_tokens_per_s, step_tokens)
    return running, own, running * own + output_tokens / point.per_user_tokens_per_s


def ttft_with_prompts(point: CurvePoint, *, users: int, prompt_tokens: int, output_tokens: int,
                      prefill_tokens_per_s: float | None, one_tokens_per_s: float | None = None,
                      step_tokens: int = 8192) -> float | None:
    """Mean seconds to the first token when `users` clients each keep one request open (a benchmark's max-concurrency)
    and the engine runs B of them at once (the curve's running batch).

    Each admitted request stays T = B x P / R + O x s(B) (with_prompts). More clients than B wait for a slot: by
    Little's law users = (B / T) x (wait + T), so wait = (users / B - 1) x T. The admitted requests arrive together,
    as a benchmark's fixed-length requests do (they start and finish in waves): their prompts are prefilled first come
    first served, the k-th done after k x P / R, so the mean over the n = min(users, B) admitted is (n + 1) / 2 x P / R
    (R: the engine's prefill rate with its steps full of prompts, serving.batched_prefill)."""
    if not prefill_tokens_per_s or prompt_tokens <= 0:
        return None
    running, own, t_round = _closed_loop(point, prompt_tokens, output_tokens, prefill_tokens_per_s, one_tokens_per_s,
                                         step_tokens)
    admitted = max(1.0, min(users, running))
    prefill = own * (admitted + 1) / 2
    wait = max(0.0, users / running - 1) * t_round
    return wait + prefill


def point_at(curve: tuple[CurvePoint, ...], users: float) -> CurvePoint:
    """Log-linear interpolation of the curve at a (possibly fractional) concurrency."""
    u = max(1.0, users)
    lo = curve[0]
    for hi in curve[1:]:
        if u <= hi.concurrency:
            f = (math.log(u) - math.log(lo.concurrency)) / (math.log(hi.concurrency) - math.log(lo.concurrency))
            per = math.exp(math.log(lo.per_user_tokens_per_s) * (1 - f) + math.log(hi.per_user_tokens_per_s) * f)
            agg = math.exp(math.log(lo.aggregate_tokens_per_s) * (1 - f) + math.log(hi.aggregate_tokens_per_s) * f)
            return CurvePoint(int(round(u)), per, agg, 1000 / per, hi.bound if f > 0.5 else lo.bound,
                              lo.fits_pool if f <= 0.5 else hi.fits_pool)
        lo = hi
    return lo


def serve(q: Query, *, engine: str, context_tokens: int, output_tokens: int, prompt_tokens: int,
          max_batch: int = 512, nodes: int = 1, network: str = "ethernet-25g",
          eager: bool = False) -> ServingEstimate:
    """Capacity and the throughput-against-interactivity curve for this model, machine and engine."""
    asm = q.assumptions
    ctx = max(1, context_tokens)
    single_q = dataclasses.replace(q, parallel=1, context_tokens=ctx, prompt_tokens=max(1, prompt_tokens),
                                   depth_tokens=0)
    est = estimate(single_q)
    notes: list[str] = []
    block = BLOCK_TOKENS.get(engine, 1)
    per_seq = kv_bytes_per_sequence(q.model.arch, ctx, q.kv_cache_type, block)
    pool = kv_pool_bytes(est, engine, asm) if est.fits == "gpu" else 0
    max_conc = pool // per_seq if per_seq else 0
    avg_len = min(ctx, max(1, prompt_tokens + output_tokens // 2))
    per_avg = kv_bytes_per_sequence(q.model.arch, avg_len, q.kv_cache_type, block)
    typical = pool // per_avg if per_avg else 0
    if engine == "sglang" and pool:
        state = state_bytes_per_sequence(q.model.arch)
        split = sglang_hybrid_pools(pool, state, asm)
        if split is not None:
            kv_full, kv_avg = per_seq - state, per_avg - state
            by_kv_full = split.kv_pool_bytes // kv_full if kv_full > 0 else split.max_running
            by_kv_avg = split.kv_pool_bytes // kv_avg if kv_avg > 0 else split.max_running
            max_conc = min(by_kv_full, split.max_running)
            typical = min(by_kv_avg, split.max_running)
            notes.append(f"sglang keeps the recurrent layers' states in a pool of their own ({split.state_slots} "
                         f"states of {state / 2**20:.0f} MiB, mamba_full_memory_ratio "
                         f"{asm.sglang_mamba_full_memory_ratio:g}); a running request holds "
                         f"{asm.sglang_state_slots_per_request:g} of them, so at most {split.max_running} run "
                         "at once")
        cap_running = asm.sglang_max_running_requests
        typical, max_conc = min(typical, cap_running), min(max_conc, cap_running)
    if est.fits != "gpu":
        notes.append("the model does not fit on the accelerator with this engine: no serving capacity")
    depth = max(0, prompt_tokens + output_tokens // 2)
    slots = engine_slots(engine, asm)
    if slots is not None:
        typical = min(typical, slots)
        max_conc = min(max_conc, slots)
        notes.append(f"{engine} decodes {slots} request(s) at once by default ("
                     + ("OLLAMA_NUM_PARALLEL" if engine == "ollama" else "Max Concurrent Predictions")
                     + "); more wait in its queue: raise it to batch them")
    curve: list[CurvePoint] = []
    knee = None
    cap = max(1, typical)  # the batch the engine actually runs: what fits the KV pool (and its slots)
    batches = sorted({b for b in CURVE_BATCHES if b <= max(max_batch, 1)} | ({cap} if cap <= max_batch else set()))
    for b in batches if est.fits == "gpu" else ():
        if b > cap and curve:
            top = next(p for p in reversed(curve) if p.concurrency <= cap)
            # more requests than run at once: they wait in the queue; the running batch keeps its speed
            curve.append(CurvePoint(b, top.per_user_tokens_per_s, top.aggregate_tokens_per_s, top.step_ms,
                                    "queue", False))
            continue
        s, secs = step(q, est, b, depth, engine, nodes=nodes, network=network, eager=eager)
        if s.bound == "compute" and knee is None:
            knee = b
        curve.append(CurvePoint(b, 1 / secs, b / secs, secs * 1000, s.bound, b <= typical))
    tp = engine in TENSOR_PARALLEL_ENGINES and q.machine.gpu_count > 1
    if nodes > 1 and engine not in TENSOR_PARALLEL_ENGINES:
        notes.append(f"llama.cpp RPC over {nodes} hosts on {network}: one layer split over every host's GPUs, each "
                     f"token passes them in turn with {nodes - 1} network hand-off(s) of "
                     f"{q.assumptions.rpc_roundtrips_per_hop:g} round trips (assumed, not measured: shown as a "
                     "wide range)")
    elif nodes > 1:
        notes.append(f"pipeline parallel over {nodes} nodes of {q.machine.gpu_count // nodes} GPU(s) on {network}: "
                     f"each token passes every node, {nodes - 1} hop(s) of the batch's activations")
    elif tp:
        _, _, name = _link(q, asm)
        notes.append(f"tensor parallel over {q.machine.gpu_count} GPUs: two all-reduces per layer over {name}")
    if eager and engine in EAGER_ENGINES:
        notes.append(f"{engine} without CUDA graphs (" + ("--enforce-eager" if engine == "vllm" else
                     "--disable-cuda-graph") + f"): each step adds {asm.serving_eager_layer_us:g} us per "
                     f"layer and {asm.serving_eager_seq_layer_us:g} us per layer per sequence")
    notes.append(f"each sequence after the first adds "
                 f"{asm.serve_seq_us_paged if engine in TENSOR_PARALLEL_ENGINES else asm.serve_seq_us_llamacpp:g}"
                 " us per step (scheduling, sampling, cache gathers)")
    return ServingEstimate(engine=engine, gpu_count=q.machine.gpu_count, tensor_parallel=tp, pool_bytes=int(pool),
                           kv_bytes_per_sequence=per_seq, max_concurrency=int(max_conc),
                           typical_concurrency=int(typical), context_tokens=ctx,
                           curve=tuple(curve), knee=knee, prefill_tokens_per_s=batched_prefill(single_q, est, engine),
                           single=est, notes=tuple(notes),
                           prefill_one_tokens_per_s=est.speed.prefill_tokens_per_s if est.speed else None,
                           single_step_tokens=asm.serving_step_tokens)


def batched_prefill(q: Query, est: Estimate, engine: str) -> float | None:
    """Prompt tokens/s under load: a serving engine fills each step with several requests' prompts (up to
    serving_step_tokens), so each step's weight reads are shared by more tokens and an MoE model's experts see more
    tokens each than one prompt gives them (nearer their full rate); the llama.cpp family (n_ubatch steps either
    way) keeps the single-request rate."""
    single = est.speed.prefill_tokens_per_s if est.speed else None
    arch = q.model.arch
    if single is None or engine not in SERVING_STEP_ENGINES or est.placement is None:
        return single
    sp = estimate_speed(arch, est.weights_detail, est.placement, q.machine, runtime=engine, quant=est.quant,
                        params=q.model.params, active_params=q.model.active_params, depth=q.depth_tokens,
                        prompt=q.prompt_tokens, kv_type=q.kv_cache_type, parallel=1,
                        flash_attention=True, asm=q.assumptions,
                        prefill_step_tokens=q.assumptions.serving_step_tokens)
    return max(single, sp.prefill_tokens_per_s or single)


def under_load(s: ServingEstimate, *, rate_per_s: float, prompt_tokens: int, output_tokens: int) -> LoadResult:
    """Time to first token and end-to-end latency at an arrival rate (module docstring).

    Prefill takes rho = rate x prompt / prefill rate of the GPU's time; decode steps of the N sequences in flight
    run in the rest, so each user gets (1 - rho) / step(N) tokens/s. Prefill waits in an M/M/1 queue with service
    rate prefill rate / prompt, and N = rate x (mean time to first token + output / per-user rate)."""
    if not s.curve or not s.prefill_tokens_per_s:
        return LoadResult(rate_per_s, 0.0, math.inf, math.inf, math.inf, math.inf, 0.0, False)
    lam = max(rate_per_s, 1e-9)
    mu = s.prefill_tokens_per_s / max(prompt_tokens, 1)
    rho = lam / mu
    if rho >= 1:
        return LoadResult(rate_per_s, math.inf, math.inf, math.inf, math.inf, math.inf, 0.0, False)
    wait = 1 / (mu - lam)
    step1 = 1 / s.curve[0].per_user_tokens_per_s
    ttft50, ttft90, mean_ttft = math.log(2) * wait + step1, math.log(10) * wait + step1, wait + step1
    n = lam * (mean_ttft + output_tokens / ((1 - rho) * s.curve[0].per_user_tokens_per_s))
    per_user = 0.0
    for _ in range(100):
        per_user = (1 - rho) * s.at(n).per_user_tokens_per_s
        n_new = lam * (mean_ttft + output_tokens / per_user)
        if abs(n_new - n) < 1e-4 * max(n, 1):
            n = n_new
            break
        n = 0.5 * (n + n_new)
    gen = output_tokens / per_user
    stable = n <= max(s.typical_concurrency, 1) and n <= s.curve[-1].concurrency
    return LoadResult(rate_per_s, n, ttft50, ttft90, ttft50 + gen, ttft90 + gen, per_user, stable)


def users_at(s: ServingEstimate, target_tokens_per_s: float) -> int:
    """The most concurrent users that each still get `target_tokens_per_s`, within the KV pool."""
    best = 0
    for p in s.curve:
        if p.per_user_tokens_per_s >= target_tokens_per_s:
            best = p.concurrency
    if best and s.curve and best < s.curve[-1].concurrency:
        # refine between this batch and the next by the interpolated curve
        u = best
        while u < s.curve[-1].concurrency and point_at(s.curve, u + 1).per_user_tokens_per_s >= target_tokens_per_s:
            u += 1
        best = u
    return min(best, s.typical_concurrency)
