"""Score the engine on measured questions (shared/data/measured/queries): the accuracy report's core.

Each line there is a batch-contract question plus `expected` (metric path, measured value, source row).
We strip `expected`, answer the question with published file sizes switched off (so the file-size
family tests the physics, not a lookup), and compare.
"""

from __future__ import annotations

import json
import os
import re
import statistics
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FAMILIES = ("llm_file_size", "llm_memory", "llm_decode", "llm_prefill", "diffusion")


def measured_dir() -> Path | None:
    """The folder of measured questions (``*.jsonl``), or None when there is none.

    ``$RUNLOCAL_MEASURED`` if set: the measured data folder (its ``queries/`` is used) or that ``queries/``
    folder itself. Otherwise ``shared/data/measured/queries`` in the folder that holds the repository
    (``../shared`` seen from the repository root), and nowhere else: no search further up the parents."""
    env = os.environ.get("RUNLOCAL_MEASURED")
    if env:
        p = Path(env)
        return p / "queries" if (p / "queries").is_dir() else p
    repo = Path(__file__).resolve().parents[3]  # src/runlocal/service/accuracy.py -> the repository root
    cand = repo.parent / "shared" / "data" / "measured" / "queries"
    return cand if cand.is_dir() else None


@dataclass(frozen=True)
class Point:
    qid: str
    family: str
    metric: str
    measured: float
    estimated: float | None
    hardware_class: str
    source_tag: str
    error: str | None
    question: dict[str, Any]
    row_split: bool = False  # a 2023 multi-GPU build that split every matrix by rows

    @property
    def pct_error(self) -> float | None:
        if self.estimated is None or not self.measured:
            return None
        return (self.estimated - self.measured) / self.measured * 100.0


def questions(family: str, root: Path | None = None) -> Iterator[dict[str, Any]]:
    root = root or measured_dir()
    if root is None:
        return
    path = root / f"{family}.jsonl"
    if not path.exists():
        return
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def source_build_date(expected: dict[str, Any], root: Path | None = None) -> str | None:
    """The date of the measurement a dev-set answer comes from, read from its source rows' `date` column (the
    question files do not carry it): the earliest of the rows, as an ISO date, or None when the rows give none.
    Used to score the dev set as its sources ran it (2023-24 llama.cpp builds), beside the score as asked."""
    ref = str(expected.get("source_row", ""))
    if ":" not in ref:
        return None
    name, rows = ref.split(":", 1)
    table = _source_table((root or measured_dir() or Path(".")).parent / name)
    dates = sorted(table[int(r)] for r in rows.split(",") if r.strip().isdigit() and int(r) in table)
    dates = [d for d in dates if len(d) == 10 and d[4] == "-"]
    return dates[0] if dates else None


_SOURCE_TABLES: dict[Path, dict[int, str]] = {}


def _source_table(path: Path) -> dict[int, str]:
    """CSV line number (the header is line 1) -> that row's `date`."""
    import csv

    if path not in _SOURCE_TABLES:
        out: dict[int, str] = {}
        if path.is_file():
            with path.open(encoding="utf-8", newline="") as fh:
                for i, row in enumerate(csv.DictReader(fh), start=2):
                    out[i] = (row.get("date") or "").strip()[:10]
        _SOURCE_TABLES[path] = out
    return _SOURCE_TABLES[path]


def _get(d: dict[str, Any], path: str) -> Any:
    cur: Any = d
    for part in path.split("."):
        if not isinstance(cur, dict):
            return None
        cur = cur.get(part)
    return cur


_VENDOR_WORDS = (("NVIDIA", ("nvidia", "geforce", "rtx", "gtx", "quadro", "tesla")),
                 ("AMD", ("amd", "radeon", "instinct")),
                 ("Intel", ("intel", " arc ")),
                 ("Apple", ("apple",)))


def _entity_class(d: dict[str, Any]) -> str:
    """The class of a catalog hardware entry: Apple Silicon, CPU, unified-memory PC, or vendor + segment."""
    if d["kind"] == "apple":
        return "Apple Silicon"
    if d["kind"] == "cpu":
        return "CPU"
    if d["kind"] == "unified":
        return "unified-memory PC"
    seg = d.get("segment", "")
    vendor = {"nvidia": "NVIDIA", "amd": "AMD", "intel": "Intel"}.get(d["vendor"], d["vendor"])
    group = "consumer" if seg in ("consumer", "laptop") else "workstation/datacenter"
    return f"{vendor} {group}"


def _inline_class(hw: dict[str, Any]) -> str:
    """The class of a contract hardware object: its first GPU's name resolved through the catalog, else the
    vendor named in it; no GPUs is a CPU machine."""
    from ..catalog.resolve import resolve_hardware
    from ..errors import RunlocalError
    from .resolve import catalog

    gpus = hw.get("gpus")
    if not isinstance(gpus, list) or not gpus:
        return "CPU"
    if hw.get("unified_memory"):
        return "unified-memory PC"
    name = gpus[0].get("name") if isinstance(gpus[0], dict) else None
    if not isinstance(name, str) or not name.strip():
        return "other"
    try:
        return _entity_class(resolve_hardware(catalog(), name).entity.data)
    except RunlocalError:
        pass
    words = f" {name.lower()} "
    for vendor, keys in _VENDOR_WORDS:
        if any(k in words for k in keys):
            return f"{vendor} (not in the catalog)"
    return "other"


def hardware_class(hw_id: str | None, q: dict[str, Any]) -> str:
    """The group a question's machine is scored in: from the catalog entry the answer named, else from the
    question's inline hardware object."""
    from .resolve import catalog

    if hw_id and hw_id in catalog().hardware:
        return _entity_class(catalog().hardware[hw_id].data)
    hw = q.get("hardware")
    if isinstance(hw, dict):
        return _inline_class(hw)
    return "other"


def score(families: Iterable[str] = FAMILIES, root: Path | None = None,
          assume: dict[str, Any] | None = None, *, source_dates: bool = False) -> list[Point]:
    """The dev set's questions answered and compared. source_dates: ask each with the build date of the
    measurement it comes from (source_build_date) instead of as written (a current build)."""
    from .api import answer

    pts: list[Point] = []
    for fam in families:
        for line in questions(fam, root):
            exp = line.pop("expected")
            q = dict(line)
            q["use_published_sizes"] = False
            if source_dates and "build_date" not in q:
                bd = source_build_date(exp[0] if isinstance(exp, list) else exp, root)
                if bd:
                    q["build_date"] = bd
            if assume:
                q["assume"] = assume
            res = answer(q)
            exps = exp if isinstance(exp, list) else [exp]
            tag = line["id"].split("-")[2] if line["id"].count("-") >= 3 else "?"
            hc = hardware_class(res.get("hardware_id"), line)
            for e in exps:
                est = _get(res, e["metric"]) if res.get("ok") else None
                err = None if res.get("ok") else res["error"]["code"] + ": " + res["error"]["message"]
                pts.append(Point(line["id"], fam, e["metric"], float(e["value"]),
                                 float(est) if isinstance(est, int | float) else None, hc, tag, err, line,
                                 "splits weight matrices by rows" in e.get("note", "")))
    return pts


def summarize(points: list[Point], key: str = "hardware_class") -> dict[str, dict[str, Any]]:
    """metric -> group -> {n, answered, median_abs_pct, p90_abs_pct, worst_abs_pct, bias_pct}."""
    groups: dict[tuple[str, str], list[Point]] = defaultdict(list)
    for p in points:
        groups[(p.metric, getattr(p, key))].append(p)
        groups[(p.metric, "ALL")].append(p)
    out: dict[str, dict[str, Any]] = defaultdict(dict)
    for (metric, g), pts in sorted(groups.items()):
        errs = [p.pct_error for p in pts if p.pct_error is not None]
        absd = sorted(abs(e) for e in errs)
        out[metric][g] = {
            "n": len(pts),
            "answered": len(errs),
            "median_abs_pct": round(statistics.median(absd), 2) if absd else None,
            "p90_abs_pct": round(absd[min(len(absd) - 1, int(0.9 * len(absd)))], 2) if absd else None,
            "worst_abs_pct": round(absd[-1], 2) if absd else None,
            "median_signed_pct": round(statistics.median(errs), 2) if errs else None,
        }
    return dict(out)


def worst(points: list[Point], metric: str, n: int = 10) -> list[Point]:
    pts = [p for p in points if p.metric == metric and p.pct_error is not None]
    return sorted(pts, key=lambda p: -abs(p.pct_error or 0))[:n]


BENCH_METRICS = {"decode_tokens_per_s": "speed.decode_tokens_per_s",
                 "prefill_tokens_per_s": "speed.prefill_tokens_per_s",
                 "seconds_per_image": "speed.seconds_per_image",
                 "seconds_per_video": "speed.seconds_per_video"}


HELD_OUT_SHARE = 3
"""Tenths of the catalog benchmarks kept out of every fit (chosen by a hash of the file's id, so a run stays in its
share as files are added): the held-out figures in docs/methodology.md are scored on these alone."""


def is_held_out(entity_id: str) -> bool:
    """Whether a catalog benchmark belongs to the held-out share (stable: a hash of its id)."""
    import hashlib

    return int(hashlib.sha1(entity_id.encode()).hexdigest(), 16) % 10 < HELD_OUT_SHARE


UNSCORED_RUNTIMES = frozenset({"coreml-stable-diffusion"})
"""Runs kept in the catalog but not scored: Apple's Core ML runs use the Neural Engine, which the engine does not
model (it estimates the GPU path, 3-5x slower than those runs)."""

LLAMA_BENCH_GEN = 128
"""llama-bench's default generation test (tg128): with pp512 a run needs 640 cells of KV cache."""

MIN_PREFILL_PROMPT = 64
"""Prefill measured on shorter prompts is not scored: a 30-token prompt takes a few milliseconds, dominated by fixed
costs and prompt caches (Ollama rows of 30-51 tokens on an M1 Max imply up to 2.5x the GPU's peak FLOP/s)."""


SUITES: dict[str, tuple[tuple[int, int], ...]] = {
    # LocalScore's nine tests (prompt, generated tokens); its figures are the plain means of the nine rates
    "localscore": ((1024, 16), (4096, 256), (2048, 256), (2048, 768), (1024, 1024), (1280, 3072), (384, 1152),
                   (64, 1024), (16, 1536)),
}
"""Benchmark suites that report an average over several tests: a run of one is scored against the mean of the
engine's answers for each test (decode at the test's mean depth: its prompt plus half its output)."""


_FA_ON = re.compile(r"(?:^|\s)(?:-fa|--flash-attn)(?:\s+(?:1|on|true)\b|(?=\s+-|\s*$))"
                    r"|OLLAMA_FLASH_ATTENTION=(?:1|true)")
_FA_OFF = re.compile(r"(?:^|\s)(?:-fa|--flash-attn)\s+(?:0|off|false)(?![,\d])")


def hardware_name(d: dict[str, Any]) -> str:
    """A benchmark's or serving run's machine as a question names it: the catalog id, with the run's memory where
    the entry lists options ("ryzen-ai-max-plus-395 128GB")."""
    return f"{d['hardware']} {float(d['memory_gb']):g}GB" if d.get("memory_gb") else str(d["hardware"])


def flash_attention_of(run_id: str, d: dict[str, Any]) -> bool | None:
    """Whether a benchmark ran with flash attention, as its command says (llama-bench / llama-server `-fa 1|on|0|off`,
    `--flash-attn`, Ollama's OLLAMA_FLASH_ATTENTION=1; a scoreboard run's `-fa0-` / `-fa1-` id where its command
    lists both); None when it does not say (the engine's default, off, applies)."""
    m = re.search(r"-fa([01])-", run_id)
    if m:
        return m.group(1) == "1"
    cmd = str(d.get("command", ""))
    if _FA_ON.search(cmd):
        return True
    if _FA_OFF.search(cmd):
        return False
    return None


def answer_benchmark(q: dict[str, Any], metric: str, assume: dict[str, Any] | None = None
                     ) -> tuple[float | None, dict[str, Any]]:
    """The engine's figure for one benchmark question (a suite's questions answered test by test and averaged),
    with the (last) answer object."""
    from .api import answer

    base = {k: v for k, v in q.items() if k != "_suite"}
    if assume:
        base["assume"] = assume
    tests = SUITES.get(str(q.get("_suite", "")))
    if not tests:
        r = answer(base)
        est = _get(r, metric) if r.get("ok") else None
        return (float(est) if isinstance(est, int | float) else None), r
    vals: list[float] = []
    r = {}
    for prompt, gen in tests:
        sub = {**base, "prompt_tokens": prompt, "context_tokens": prompt + gen,
               "depth_tokens": prompt + gen // 2 if metric.endswith("decode_tokens_per_s") else 0}
        r = answer(sub)
        est = _get(r, metric) if r.get("ok") else None
        if not isinstance(est, int | float):
            return None, r
        vals.append(float(est))
    return sum(vals) / len(vals), r


def benchmark_questions(split: str = "all") -> Iterator[tuple[dict[str, Any], str, float, str]]:
    """Catalog benchmarks (data/benchmarks) as questions: (question, metric path, measured, entity path).

    split: "all", "fit" (the share a calibration may use) or "held_out" (the share no fit may see)."""
    from .resolve import catalog

    if split not in ("all", "fit", "held_out"):
        raise ValueError(f"split must be all, fit or held_out, got {split!r}")
    for e in sorted(catalog().benchmarks.values(), key=lambda e: e.path):
        if split != "all" and is_held_out(e.id) != (split == "held_out"):
            continue
        d = e.data
        hw = hardware_name(d)
        q: dict[str, Any] = {"id": e.id, "model": d["model"], "hardware": hw, "runtime": d["runtime"],
                             "quant": d["quant"], "gpu_count": max(1, int(d.get("gpu_count", 1)))}
        if d.get("backend") in ("vulkan", "sycl", "rocm", "cuda", "metal") and int(d.get("gpu_count", 1)) > 0:
            q["backend"] = d["backend"]  # measured on this backend (Vulkan on a Radeon, ...)
        if "width" in d or "frames" in d or "steps" in d:
            media = {k: d[k] for k in ("width", "height", "steps", "cfg_scale", "batch", "frames", "offload")
                     if k in d}
            q["video" if "seconds_per_video" in d or "frames" in d else "image"] = media
        else:
            q["depth_tokens"] = d.get("depth_tokens", 0)
            q["prompt_tokens"] = d.get("prompt_tokens", 512)
            # llama-bench allocates only what each test needs (n_prompt + n_gen + depth), not llama-server's 4096
            bench = "llama-bench" in str(d.get("command", "")) or "llama-bench" in str(d.get("notes", ""))
            default_ctx = q["prompt_tokens"] + LLAMA_BENCH_GEN + q["depth_tokens"] if bench else 4096
            q["context_tokens"] = d.get("context_tokens", default_ctx)
            if d.get("kv_cache_type"):
                q["kv_cache_type"] = d["kv_cache_type"]
            fa = flash_attention_of(e.id, d)
            if fa is not None:
                q["flash_attention"] = fa
            if d.get("build_date"):  # the code it ran, dated where it landed (a PR branch before its merge)
                q["build_date"] = str(d["build_date"])[:10]
            elif d.get("date"):  # the run's date: its llama.cpp build is no later
                q["build_date"] = str(d["date"])[:10]
        if d.get("runtime") in UNSCORED_RUNTIMES:
            continue
        if d.get("suite"):
            q["_suite"] = d["suite"]
        for key, metric in BENCH_METRICS.items():
            if key in d:
                if (key == "prefill_tokens_per_s" and int(q.get("prompt_tokens", 512)) < MIN_PREFILL_PROMPT
                        and not d.get("suite")):
                    continue
                yield q, metric, float(d[key]), e.path
        if "peak_vram_gb" in d:  # measured peak memory (decimal GB as the tools print it)
            yield q, "memory.accelerator_bytes", float(d["peak_vram_gb"]) * 1e9, e.path


def score_benchmarks(assume: dict[str, Any] | None = None, *, split: str = "all") -> list[Point]:
    """The catalog benchmarks (one split of them), scored (with `assume` overrides: e.g. a dev-only fit)."""
    pts = []
    for q, metric, measured, _path in benchmark_questions(split):
        est, r = answer_benchmark({**q, "use_published_sizes": False}, metric, assume)
        err = None if r.get("ok") else r["error"]["code"] + ": " + r["error"]["message"]
        pts.append(Point(q["id"], "benchmarks", metric, measured, est,
                         hardware_class(r.get("hardware_id"), q), "catalog", err, q))
    return pts


# --- serving (data/serving: many concurrent requests) ------------------------------------------------------------

SERVING_ENGINES = {"vllm": "vllm", "sglang": "sglang", "llama.cpp": "llama.cpp", "tensorrt-llm": "tensorrt-llm",
                   "ollama": "ollama"}


@dataclass(frozen=True)
class ServingPoint:
    qid: str
    engine: str
    concurrency: int
    metric: str  # aggregate | per_user | ttft_s
    measured: float
    estimated: float | None
    error: str | None
    held_out: bool

    @property
    def pct_error(self) -> float | None:
        if self.estimated is None or not self.measured:
            return None
        return (self.estimated - self.measured) / self.measured * 100.0


def serving_points(assume: dict[str, Any] | None = None, *, split: str = "all") -> list[ServingPoint]:
    """Published serving runs (data/serving) scored with runlocal capacity: aggregate output tokens/s and per-user
    tokens/s (or 1000 / TPOT) at each concurrency. Runs with speculative decoding are not plain decode: skipped."""
    from ..errors import RunlocalError
    from .capacity import capacity
    from .resolve import catalog

    out: list[ServingPoint] = []
    for e in sorted(catalog().serving.values(), key=lambda e: e.path):
        held = is_held_out(e.id)
        if split != "all" and held != (split == "held_out"):
            continue
        d = e.data
        if d.get("speculative_decoding") or d.get("engine") not in SERVING_ENGINES:
            continue
        for pt in d["points"]:
            inp = int(pt.get("input_tokens", d.get("input_tokens", 1024)))
            outp = int(pt.get("output_tokens", d.get("output_tokens", 256)))
            c = int(pt["concurrency"])
            total = pt.get("total_tokens_per_s")  # prompt + output tokens/s: its output share where not given
            measured = {"aggregate": pt.get("output_tokens_per_s") or (float(total) * outp / (inp + outp) if total
                                                                       else None),
                        "per_user": pt.get("per_user_tokens_per_s") or (1000.0 / pt["tpot_ms"] if pt.get("tpot_ms")
                                                                        else None),
                        # closed-loop runs only (a client keeping `concurrency` requests open, or one at a time):
                        # with a request rate (even "inf": every prompt sent at once) the queue depends on how many
                        # prompts were sent, which the runs do not all say
                        "ttft_s": pt["ttft_ms"] / 1000.0 if pt.get("ttft_ms") and ("request_rate" not in pt or c == 1)
                        else None}
            run_assume = {**(assume or {}), **launch_assumptions(d)}
            hw = hardware_name(d)
            q = {"model": d["model"], "hardware": hw, "runtime": SERVING_ENGINES[d["engine"]],
                 "quant": d["quant"], "gpu_count": int(d.get("gpu_count", 1)), "context_tokens": inp + outp,
                 "prompt_tokens": inp, "output_tokens": outp, "users": c,
                 **({"assume": run_assume} if run_assume else {}),
                 **({"enforce_eager": True} if d.get("enforce_eager") else {}),
                 **({"kv_cache_type": kv} if (kv := pt.get("kv_cache_type", d.get("kv_cache_type"))) else {})}
            try:
                r = capacity(q)
                curve = r["curve"]
                err = None if curve else "does not fit"
            except RunlocalError as exc:
                r, curve, err = {}, [], f"{exc.code}: {exc}"
            est: dict[str, float | None] = {"aggregate": None, "per_user": None, "ttft_s": None}
            if curve and c <= curve[-1]["concurrency"]:
                from ..estimate.serving import CurvePoint, point_at, ttft_with_prompts, with_prompts

                pts = tuple(CurvePoint(p["concurrency"], p["per_user_tokens_per_s"], p["aggregate_tokens_per_s"],
                                       p["step_ms"], p["bound"], p["fits_kv_pool"]) for p in curve)
                at = point_at(pts, c)
                est = {"aggregate": at.aggregate_tokens_per_s, "per_user": at.per_user_tokens_per_s}
                if prompts_count(d):  # an end-to-end client: the prompts' prefill shares the GPU with decode
                    rate, one = r.get("prefill_tokens_per_s"), r.get("prefill_one_request_tokens_per_s")
                    step_tokens = int(r.get("prefill_step_tokens") or 8192)
                    est["aggregate"] = with_prompts(at, prompt_tokens=inp, output_tokens=outp,
                                                    prefill_tokens_per_s=rate, one_tokens_per_s=one,
                                                    step_tokens=step_tokens)
                    est["ttft_s"] = ttft_with_prompts(at, users=c, prompt_tokens=inp, output_tokens=outp,
                                                      prefill_tokens_per_s=rate, one_tokens_per_s=one,
                                                      step_tokens=step_tokens)
            for metric in ("aggregate", "per_user", "ttft_s"):
                m = measured[metric]
                if m:
                    out.append(ServingPoint(e.id, d["engine"], c, metric, float(m), est[metric], err, held))
    return out


MEMORY_FRACTION = {"sglang": "sglang_mem_fraction_static", "vllm": "vllm_gpu_memory_utilization",
                   "tensorrt-llm": "trtllm_free_gpu_memory_fraction"}
"""The assumption a serving run's `memory_fraction` (its launch flag) stands for, per engine."""


def launch_assumptions(d: dict[str, Any]) -> dict[str, float]:
    """A serving run's own launch settings as assumption overrides (the engine's memory share where it was set)."""
    key = MEMORY_FRACTION.get(str(d.get("engine")))
    return {key: float(d["memory_fraction"])} if key and d.get("memory_fraction") else {}


def prompts_count(d: dict[str, Any]) -> bool:
    """Whether a serving run's output throughput includes the prompts' prefill: end-to-end clients (vLLM/SGLang
    bench_serving, trtllm-bench, Ollama timings of whole requests) do; llama.cpp's batched-bench reports generation
    apart (S_TG)."""
    return "batched-bench" not in str(d.get("dataset", "")) and "batched-bench" not in str(d.get("notes", ""))


def serving_table(points: list[ServingPoint]) -> list[dict[str, Any]]:
    """Median and worst |error| by engine and concurrency band (1, 2-8, 9-32, 33+), per metric."""
    def band(c: int) -> str:
        return "1" if c == 1 else "2-8" if c <= 8 else "9-32" if c <= 32 else "33+"

    groups: dict[tuple[str, str, str], list[float]] = {}
    counts: dict[tuple[str, str, str], int] = {}
    for p in points:
        key = (p.metric, p.engine, band(p.concurrency))
        counts[key] = counts.get(key, 0) + 1
        if p.pct_error is not None:
            groups.setdefault(key, []).append(abs(p.pct_error))
    rows = []
    for key in sorted(counts):
        errs = sorted(groups.get(key, []))
        rows.append({"metric": key[0], "engine": key[1], "concurrency": key[2], "n": counts[key],
                     "answered": len(errs), "median": statistics.median(errs) if errs else None,
                     "worst": errs[-1] if errs else None})
    return rows
