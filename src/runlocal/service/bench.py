"""runlocal bench: run a GGUF with llama.cpp (through llama-cpp-python) on this machine, in the manner of llama-bench
(pp512 and tg128, several repetitions, mean and standard deviation), and put the engine's estimate beside each
measured figure. The estimate is asked for this machine as detected, with the same threads, context and prompt."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import platform
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import InvalidField, UnsupportedQuestion

HASH_WHOLE_BYTES = 4 << 30
"""Files up to 4 GiB are hashed whole; larger ones by size plus their first and last 64 MiB (said in the result)."""
HASH_EDGE_BYTES = 64 << 20
MAX_REPS = 20
MAX_TOKENS = 16384

INSTALL_HINT = ("runlocal bench runs models with llama-cpp-python (pip install 'runlocal[bench]') or with a "
                "llama-bench binary on the PATH; neither is here: pip install 'runlocal[bench]' "
                "(set CMAKE_ARGS=\"-DGGML_NATIVE=OFF\" where the native build misbehaves)")


def file_sha256(path: Path) -> tuple[str, str]:
    """(hex digest, what was hashed)."""
    size = path.stat().st_size
    h = hashlib.sha256()
    with path.open("rb") as f:
        if size <= HASH_WHOLE_BYTES:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
            return h.hexdigest(), "whole file"
        h.update(str(size).encode())
        h.update(f.read(HASH_EDGE_BYTES))
        f.seek(size - HASH_EDGE_BYTES)
        h.update(f.read(HASH_EDGE_BYTES))
    return h.hexdigest(), "size + first and last 64 MiB"


def fingerprint() -> dict[str, Any]:
    """This machine as the bench saw it (what makes two runs comparable)."""
    from .machine import this_system

    info = this_system()
    return {"cpu": info.cpu_model, "cpu_cores": info.cpu_cores, "ram_bytes": info.ram_total_bytes,
            "gpus": [g.name for g in info.gpus], "os": f"{info.os} {info.os_release}".strip(),
            "machine": platform.machine()}


def _rss() -> int:
    """Peak resident memory of this process so far, in bytes (ru_maxrss is KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak if sys.platform == "darwin" else peak * 1024)


def _mean_std(xs: list[float]) -> tuple[float, float]:
    return statistics.fmean(xs), (statistics.stdev(xs) if len(xs) > 1 else 0.0)


def resolve_model_file(model: str) -> Path:
    """A GGUF path, or a catalog model whose file is present in a local Hugging Face / Ollama / LM Studio store."""
    p = Path(model).expanduser()
    if p.is_file():
        if p.suffix.lower() != ".gguf":
            raise InvalidField(f"{model}: runlocal bench runs GGUF files (llama.cpp)")
        return p
    from .installed import installed_models

    # an installed model by its catalog id or by the name its tool gives it (an Ollama tag such as qwen3:8b, an LM
    # Studio folder name): a GGUF file (Ollama keeps them as sha256- blobs without the suffix)
    hits = [m for m in installed_models()
            if model in (m.get("model_id"), m.get("name")) and m.get("exists")
            and Path(str(m.get("path", ""))).is_file()]
    if hits:
        return Path(str(hits[0]["path"]))
    raise InvalidField(f"{model!r} is neither a GGUF file nor a catalog model with a GGUF downloaded here",
                       ["a path to a .gguf file"])


LLAMA_BENCH_TIMEOUT_S = 6 * 3600
MAX_TOOL_OUTPUT = 4 << 20


def llama_bench_binary() -> str | None:
    """llama.cpp's own llama-bench, when one is on the PATH ($RUNLOCAL_LLAMA_BENCH names another)."""
    import shutil

    named = os.environ.get("RUNLOCAL_LLAMA_BENCH")
    if named:
        return named if os.access(named, os.X_OK) else None
    return shutil.which("llama-bench")


def _children_rss() -> int:
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return int(peak if sys.platform == "darwin" else peak * 1024)


def llama_bench_rows(out: str) -> tuple[list[dict[str, Any]], dict[str, Any], dict[str, Any]]:
    """`llama-bench -o json` output read: (every row, the prompt (pp) row, the generation (tg) row)."""
    import json

    try:
        rows = json.loads(out)
    except ValueError:
        raise UnsupportedQuestion("llama-bench did not print JSON (was it given -o json?)") from None
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise UnsupportedQuestion("llama-bench printed something other than a list of results")
    pp = next((r for r in rows if int(r.get("n_prompt") or 0) > 0 and not int(r.get("n_gen") or 0)), None)
    tg = next((r for r in rows if int(r.get("n_gen") or 0) > 0 and not int(r.get("n_prompt") or 0)), None)
    if pp is None or tg is None:
        raise UnsupportedQuestion("llama-bench's output has no prompt (pp) and generation (tg) result")
    return rows, pp, tg


def parse_llama_bench(out: str) -> dict[str, Any]:
    """The pp and tg results of `llama-bench -o json`: {decode/prefill mean and std, build, threads, layers}."""
    return _llama_bench_figures(*llama_bench_rows(out))


def _llama_bench_figures(rows: list[dict[str, Any]], pp: dict[str, Any], tg: dict[str, Any]) -> dict[str, Any]:
    first = rows[0]
    def best(r: dict[str, Any]) -> float:
        samples = [float(x) for x in r.get("samples_ts") or [] if isinstance(x, int | float)]
        return max(samples) if samples else float(r["avg_ts"])

    return {"decode_tokens_per_s": float(tg["avg_ts"]), "decode_std": float(tg.get("stddev_ts") or 0.0),
            "prefill_tokens_per_s": float(pp["avg_ts"]), "prefill_std": float(pp.get("stddev_ts") or 0.0),
            "decode_best": best(tg), "prefill_best": best(pp),
            "llama_bench": f"{first.get('build_number', '?')} ({first.get('build_commit', '?')})",
            "backends": first.get("backends"), "flash_attn": first.get("flash_attn"),
            "n_threads": first.get("n_threads"), "n_gpu_layers": first.get("n_gpu_layers")}


def measure_llama_bench(binary: str, path: Path, *, threads: int, gpu_layers: int, reps: int, pp: int, tg: int,
                        depth: int = 0, progress: Callable[[str, int, int], None] | None = None) -> dict[str, Any]:
    """Run llama.cpp's own llama-bench on the file (pp and tg tests, `reps` repetitions each) and read its JSON."""
    import subprocess

    cmd = [binary, "-m", str(path), "-p", str(pp), "-n", str(tg), "-r", str(reps), "-t", str(threads),
           "-ngl", str(99 if gpu_layers < 0 else gpu_layers), "-o", "json"]
    if depth:
        cmd += ["-d", str(depth)]
    if progress:
        progress("llama-bench", 0, 1)
    t0 = time.perf_counter()
    try:
        done = subprocess.run(cmd, capture_output=True, timeout=LLAMA_BENCH_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise UnsupportedQuestion(f"llama-bench could not run: {exc}") from None
    if done.returncode != 0:
        tail = done.stderr[-600:].decode("utf-8", "replace").strip()
        raise UnsupportedQuestion(f"llama-bench failed (exit {done.returncode}): {tail}")
    m = parse_llama_bench(done.stdout[:MAX_TOOL_OUTPUT].decode("utf-8", "replace"))
    if progress:
        progress("llama-bench", 1, 1)
    peak = _children_rss()
    return {**m, "load_seconds": None, "peak_memory_bytes": peak, "model_memory_bytes": None,
            "wall_seconds": time.perf_counter() - t0, "command_line": " ".join(cmd)}


def measure(path: Path, *, threads: int, gpu_layers: int, reps: int, pp: int, tg: int, depth: int = 0,
            progress: Callable[[str, int, int], None] | None = None) -> dict[str, Any]:
    """Load the file and time prompt processing (pp tokens at once) and generation (tg tokens one by one), each
    after `depth` tokens already in the KV cache (llama-bench's -d; not timed)."""
    if importlib.util.find_spec("llama_cpp") is None:
        raise UnsupportedQuestion(INSTALL_HINT)
    from llama_cpp import Llama

    steps = 1 + 2 * reps
    done = 0

    def tick(what: str) -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(what, done, steps)

    before = _rss()
    t0 = time.perf_counter()
    llm = Llama(model_path=str(path), n_ctx=depth + pp + tg + 16, n_batch=min(512, max(pp, 1)), n_threads=threads,
                n_threads_batch=threads, n_gpu_layers=gpu_layers, verbose=False)
    load_s = time.perf_counter() - t0
    tick("loaded")
    n_vocab = llm.n_vocab()
    prompt = [llm.token_bos() if llm.token_bos() >= 0 else 1] + [3 + (i * 7919) % max(n_vocab - 3, 1)
                                                                  for i in range(pp - 1)]
    prefix = [3 + (i * 104729) % max(n_vocab - 3, 1) for i in range(depth)]
    pps: list[float] = []
    tgs: list[float] = []
    for _ in range(reps):
        llm.reset()
        if prefix:
            llm.eval(prefix)
        t = time.perf_counter()
        llm.eval(prompt)
        pps.append(pp / (time.perf_counter() - t))
        tick("prompt")
        llm.reset()
        llm.eval(prefix + prompt[:1])
        tok = prompt[1] if len(prompt) > 1 else 3
        t = time.perf_counter()
        for _ in range(tg):
            llm.eval([tok])
            tok = 3 + (tok * 31) % max(n_vocab - 3, 1)
        tgs.append(tg / (time.perf_counter() - t))
        tick("generation")
    peak = _rss()
    pp_mean, pp_std = _mean_std(pps)
    tg_mean, tg_std = _mean_std(tgs)
    import llama_cpp

    return {"decode_tokens_per_s": tg_mean, "decode_std": tg_std, "prefill_tokens_per_s": pp_mean,
            "prefill_std": pp_std, "decode_best": max(tgs), "prefill_best": max(pps), "load_seconds": load_s,
            "peak_memory_bytes": peak,
            "model_memory_bytes": max(0, peak - before), "n_vocab": n_vocab,
            "llama_cpp_python": getattr(llama_cpp, "__version__", "?")}


OLLAMA_URL = "http://127.0.0.1:11434"
OLLAMA_TIMEOUT_S = 600.0


def _ollama(url: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    """One call to Ollama's local HTTP API (POST when there is a body)."""
    import json
    import urllib.error
    import urllib.request

    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url.rstrip("/") + path, data=data,
                                 headers={"content-type": "application/json"} if data else {})
    try:
        with urllib.request.urlopen(req, timeout=OLLAMA_TIMEOUT_S) as resp:  # noqa: S310 - a local URL
            raw = resp.read(16 << 20)
    except urllib.error.HTTPError as exc:
        raise UnsupportedQuestion(f"Ollama at {url} answered {exc.code} to {path}: "
                                  f"{exc.read(500).decode('utf-8', 'replace')}") from None
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        raise UnsupportedQuestion(f"no Ollama server answers at {url} ({getattr(exc, 'reason', exc)}); start it "
                                  "with `ollama serve`, or set --ollama-url") from None
    try:
        out = json.loads(raw)
    except ValueError:
        raise UnsupportedQuestion(f"Ollama at {url} did not answer JSON to {path}") from None
    if not isinstance(out, dict):
        raise UnsupportedQuestion(f"Ollama at {url} answered {path} with something other than an object")
    return out


def measure_ollama(model: str, *, url: str, threads: int | None, gpu_layers: int | None, reps: int, pp: int,
                   tg: int, progress: Callable[[str, int, int], None] | None = None) -> dict[str, Any]:
    """Time prompt processing and generation through a running Ollama server: Ollama reports each request's
    prompt_eval_count/duration and eval_count/duration (nanoseconds) itself, and /api/ps the memory it holds.
    Each repetition's prompt differs in its first words, so Ollama's prompt cache does not skip the work."""
    tags = _ollama(url, "/api/tags").get("models") or []
    names = [str(m.get("name")) for m in tags if isinstance(m, dict)]
    if model not in names and f"{model}:latest" not in names:
        raise InvalidField(f"Ollama at {url} has no model {model!r}", names[:8])
    entry = next(m for m in tags if m.get("name") in (model, f"{model}:latest"))
    steps, done = 1 + reps, 0
    opts: dict[str, Any] = {"num_predict": tg, "num_ctx": pp + tg + 64, "temperature": 0, "seed": 1}
    if threads:
        opts["num_thread"] = threads
    if gpu_layers is not None:
        opts["num_gpu"] = gpu_layers
    t0 = time.perf_counter()
    warm = _ollama(url, "/api/generate", {"model": model, "prompt": "hi", "raw": True, "stream": False,
                                          "options": {**opts, "num_predict": 1}, "keep_alive": "5m"})
    load_s = float(warm.get("load_duration") or 0) / 1e9 or time.perf_counter() - t0
    done += 1
    if progress:
        progress("loaded", done, steps)
    words = " ".join(["the quick brown fox jumps over the lazy dog"] * (pp // 9 + 1))
    pps: list[float] = []
    tgs: list[float] = []
    for i in range(reps):
        r = _ollama(url, "/api/generate", {"model": model, "prompt": f"{i} {i * 7919} " + words, "raw": True,
                                           "stream": False, "options": opts, "keep_alive": "5m"})
        pc, pd = float(r.get("prompt_eval_count") or 0), float(r.get("prompt_eval_duration") or 0)
        ec, ed = float(r.get("eval_count") or 0), float(r.get("eval_duration") or 0)
        if pc and pd:
            pps.append(pc / (pd / 1e9))
        if ec and ed:
            tgs.append(ec / (ed / 1e9))
        done += 1
        if progress:
            progress("rep", done, steps)
    if not pps or not tgs:
        raise UnsupportedQuestion(f"Ollama at {url} did not report prompt and generation timings")
    ps = [m for m in (_ollama(url, "/api/ps").get("models") or []) if isinstance(m, dict)
          and m.get("name") in (entry.get("name"), model)]
    size = float(ps[0].get("size") or 0) if ps else 0.0
    vram = float(ps[0].get("size_vram") or 0) if ps else 0.0
    version = str(_ollama(url, "/api/version").get("version", "?"))
    pp_mean, pp_std = _mean_std(pps)
    tg_mean, tg_std = _mean_std(tgs)
    return {"decode_tokens_per_s": tg_mean, "decode_std": tg_std, "prefill_tokens_per_s": pp_mean,
            "prefill_std": pp_std, "decode_best": max(tgs), "prefill_best": max(pps), "load_seconds": load_s,
            "peak_memory_bytes": size or None,
            "model_memory_bytes": size or None, "gpu_memory_bytes": vram, "ollama": version,
            "digest": str(entry.get("digest") or ""), "file_bytes": int(entry.get("size") or 0),
            "quant": ((entry.get("details") or {}).get("quantization_level"))}


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("runlocal")
    except PackageNotFoundError:
        return "?"


def build_simd() -> str | None:
    """The widest vectors the installed llama-cpp-python build uses (its system info line), which may be
    narrower than the CPU's: a GGML_NATIVE=OFF build stops at AVX2."""
    try:
        import llama_cpp

        info = llama_cpp.llama_print_system_info().decode("utf-8", "replace").upper()
    except Exception:  # noqa: BLE001 - no build, or an older one without the call: the CPU's own flags stand
        return None
    if "AVX512 = 1" in info:
        return "avx512"
    if "AVX2 = 1" in info:
        return "avx2"
    if "NEON = 1" in info:
        return "neon"
    return None


def nvml_memory() -> int | None:
    """GPU memory in use on the first NVIDIA GPU, through NVML (pynvml), when present."""
    try:
        import pynvml  # type: ignore[import-not-found]

        pynvml.nvmlInit()
        try:
            return int(pynvml.nvmlDeviceGetMemoryInfo(pynvml.nvmlDeviceGetHandleByIndex(0)).used)
        finally:
            pynvml.nvmlShutdown()
    except Exception:  # noqa: BLE001 - no NVML, no NVIDIA GPU: the figure is simply absent
        return None


def _hardware_id(hw: Any) -> str | None:
    """The catalog machine the detected one is, when it matched one (a GPU or a Mac)."""
    from ..catalog.resolve import resolve_hardware
    from ..errors import RunlocalError
    from .resolve import catalog

    name = hw if isinstance(hw, str) else (hw.get("gpus") or [{}])[0].get("name") if isinstance(hw, dict) else None
    if not name:
        return None
    try:
        return resolve_hardware(catalog(), str(name)).entity.id
    except RunlocalError:
        return None


def bench(model: str, *, threads: int | None = None, gpu_layers: int = 0, reps: int = 3, pp: int = 512,
          tg: int = 128, depth: int = 0, runtime: str = "llama.cpp", ollama_url: str = OLLAMA_URL,
          model_id: str | None = None, tool: str = "auto", cpu_simd: str | None = None,
          progress: Callable[[str, int, int], None] | None = None) -> dict[str, Any]:
    """Measured next to estimated for one model on this machine (the --json shape of `runlocal bench`)."""
    from .api import answer
    from .benchruns import model_id_for, ratios
    from .machine import detected_hardware

    if cpu_simd is not None and cpu_simd not in ("avx512", "avx2", "neon"):
        raise InvalidField(f"cpu-simd: avx512, avx2 or neon, not {cpu_simd!r}", ["avx512", "avx2", "neon"])
    if tool not in ("auto", "llama-cpp-python", "llama-bench"):
        raise InvalidField(f"tool: auto, llama-cpp-python or llama-bench, not {tool!r}")
    if runtime not in ("llama.cpp", "ollama"):
        raise InvalidField(f"runtime: llama.cpp or ollama, not {runtime!r}", ["llama.cpp", "ollama"])
    if not 1 <= reps <= MAX_REPS:
        raise InvalidField(f"reps must be from 1 to {MAX_REPS}, got {reps}")
    for name, v in (("pp", pp), ("tg", tg)):
        if not 1 <= v <= MAX_TOKENS:
            raise InvalidField(f"{name} must be from 1 to {MAX_TOKENS:,} tokens, got {v}")
    if not 0 <= depth <= MAX_TOKENS * 8:
        raise InvalidField(f"depth must be from 0 to {MAX_TOKENS * 8:,} tokens, got {depth}")
    if depth and runtime == "ollama":
        raise InvalidField("--depth is measured with llama.cpp; Ollama's API has no way to fill the cache first")
    if not -1 <= gpu_layers <= 10_000:
        raise InvalidField(f"gpu-layers must be from -1 (all) to 10,000, got {gpu_layers}")
    cores = os.cpu_count() or 1
    threads = threads or cores
    if not 1 <= threads <= 1024:
        raise InvalidField(f"threads must be from 1 to 1,024, got {threads}")
    hw = detected_hardware()
    if isinstance(hw, dict) and not hw.get("gpus"):  # the threads used, and the RAM bandwidth they reach here
        from .machine import bandwidth_for_threads

        hw = {**hw, "cpu_cores": min(threads, int(hw.get("cpu_cores") or threads))}
        bw = bandwidth_for_threads(threads)
        if bw:
            hw["ram_bandwidth_gb_s"] = bw
        simd = cpu_simd or (build_simd() if runtime == "llama.cpp" and tool != "llama-bench" else None)
        if simd:
            hw["cpu_simd"] = simd
    gpu_run = gpu_layers != 0 and not (isinstance(hw, dict) and not hw.get("gpus"))
    use_tool = False
    if runtime == "ollama":
        m = measure_ollama(model, url=ollama_url, threads=threads, gpu_layers=gpu_layers if gpu_layers else None,
                           reps=reps, pp=pp, tg=tg, progress=progress)
        mid = model_id or model_id_for(model)
        if mid is None:
            raise InvalidField(f"{model!r} is not a model the catalog knows, so there is nothing to estimate; "
                               "name it with --model-id")
        q: dict[str, Any] = {"model": mid, "hardware": hw, "runtime": "ollama", "context_tokens": pp + tg + 64,
                             "prompt_tokens": pp}
        if m.get("quant"):
            q["quant"] = m["quant"]
        digest, hashed, file_bytes, path_s = m["digest"], "Ollama's manifest digest", m["file_bytes"], model
        versions = {"ollama": m["ollama"]}
    else:
        path = resolve_model_file(model)
        gpu_before = nvml_memory() if gpu_run else None
        binary = llama_bench_binary()
        use_tool = tool == "llama-bench" or (tool == "auto" and importlib.util.find_spec("llama_cpp") is None
                                              and binary is not None)
        if use_tool:
            if binary is None:
                raise UnsupportedQuestion("no llama-bench on the PATH (or in $RUNLOCAL_LLAMA_BENCH)")
            m = measure_llama_bench(binary, path, threads=threads, gpu_layers=gpu_layers, reps=reps, pp=pp, tg=tg,
                                    depth=depth, progress=progress)
        else:
            m = measure(path, threads=threads, gpu_layers=gpu_layers, reps=reps, pp=pp, tg=tg, depth=depth,
                        progress=progress)
        if gpu_run:
            after = nvml_memory()
            m["gpu_memory_bytes"] = (after - gpu_before) if after is not None and gpu_before is not None else None
        mid = model_id or model_id_for(path.name) or model_id_for(str(model))
        q = {"model": str(path), "hardware": hw, "context_tokens": depth + pp + tg + 16, "prompt_tokens": pp}
        if depth:
            q["depth_tokens"] = depth
        digest, hashed = file_sha256(path)
        file_bytes, path_s = path.stat().st_size, str(path)
        versions = ({"llama_bench": m["llama_bench"]} if use_tool else {"llama_cpp_python": m["llama_cpp_python"]})
    a = answer(q)
    sp = a.get("speed") or {}
    est = {"decode_tokens_per_s": sp.get("decode_tokens_per_s"), "prefill_tokens_per_s": sp.get("prefill_tokens_per_s"),
           "peak_memory_bytes": (a.get("memory") or {}).get("total_bytes")}
    meas = {k: m.get(k) for k in ("decode_tokens_per_s", "decode_std", "prefill_tokens_per_s", "prefill_std",
                                  "decode_best", "prefill_best", "load_seconds", "peak_memory_bytes",
                                  "model_memory_bytes", "gpu_memory_bytes")}
    ratio: dict[str, float | None] = dict(ratios(meas, est))
    ratio["model_memory_bytes"] = (est["peak_memory_bytes"] / meas["model_memory_bytes"]
                                   if est["peak_memory_bytes"] and meas["model_memory_bytes"] else None)
    settings = {"threads": threads, "gpu_layers": gpu_layers, "on": "gpu" if gpu_run else "cpu", "reps": reps,
                "pp": pp, "tg": tg, "depth": depth,
                "tool": ("llama-bench" if runtime == "llama.cpp" and use_tool else
                         "llama-cpp-python" if runtime == "llama.cpp" else "ollama"),
                "n_ctx": q["context_tokens"], "n_batch": min(512, pp), "hardware": hw}
    from .benchruns import command_for

    return {
        "ok": True, "runtime": runtime, "model_id": mid, "hardware_id": _hardware_id(hw),
        "model": {"path": path_s, "file_bytes": file_bytes, "sha256": digest, "hashed": hashed,
                  "quant": a.get("quant") or m.get("quant")},
        "measured": meas, "estimated": est, "ratio": ratio, "settings": settings,
        "versions": {**versions, "runlocal": _version(), "python": platform.python_version()},
        "hardware": fingerprint(),
        "estimate_notes": (a.get("basis") or {}).get("notes", []) if a.get("ok") else [a.get("error")],
        "question": q, "command": command_for(path_s, settings, runtime),
    }


MAX_IMPORT_BYTES = 4 << 20


def import_llama_bench(path: str, *, model_file: str | None = None, model_id: str | None = None,
                       hardware_id: str | None = None, cpu_simd: str | None = None) -> dict[str, Any]:
    """A run of llama.cpp's llama-bench made elsewhere (`llama-bench ... -o json > results.json`) as a bench run:
    its pp and tg results, threads, layers and build, next to the estimate for the catalog machine it ran on
    (`hardware_id`) or, without one, for this machine. The model file (named in the results, or `model_file`) must
    be here: its SHA-256 identifies the run."""
    from .api import answer
    from .benchruns import catalog_id, command_for, model_id_for, ratios
    from .machine import detected_hardware

    p = Path(path).expanduser()
    if not p.is_file():
        raise InvalidField(f"{path}: no such file (llama-bench's output with -o json)")
    if p.stat().st_size > MAX_IMPORT_BYTES:
        raise InvalidField(f"{path}: larger than {MAX_IMPORT_BYTES >> 20} MiB; llama-bench's JSON is a few KB")
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InvalidField(f"{path}: not UTF-8 text") from None
    rows, pp_row, tg_row = llama_bench_rows(text)
    m = _llama_bench_figures(rows, pp_row, tg_row)
    first = rows[0]
    name = model_file or str(first.get("model_filename") or "")
    f = Path(name).expanduser() if name else None
    if f is None or not f.is_file():
        raise InvalidField(f"the model file {name or '(not named)'} is not here: pass --file FILE (its SHA-256 "
                           "identifies the run)")
    threads = int(first.get("n_threads") or 1)
    ngl = int(first.get("n_gpu_layers") or 0)
    pp, tg = int(pp_row["n_prompt"]), int(tg_row["n_gen"])
    depth = int(first.get("n_depth") or 0)
    reps = len(tg_row.get("samples_ts") or []) or 1
    for label, v, lo, hi in (("n_threads", threads, 1, 1024), ("n_prompt", pp, 1, MAX_TOKENS),
                             ("n_gen", tg, 1, MAX_TOKENS), ("n_depth", depth, 0, MAX_TOKENS * 8)):
        if not lo <= v <= hi:
            raise InvalidField(f"{path}: {label} {v} is outside {lo} to {hi}")
    hid = catalog_id("hardware", hardware_id) if hardware_id else None
    hw: Any = hid
    if hw is None:
        hw = detected_hardware()
        if isinstance(hw, dict) and not hw.get("gpus"):
            hw = {**hw, "cpu_cores": min(threads, int(hw.get("cpu_cores") or threads))}
    if cpu_simd and isinstance(hw, dict):
        hw["cpu_simd"] = cpu_simd
    q: dict[str, Any] = {"model": str(f), "hardware": hw, "context_tokens": depth + pp + tg + 16,
                         "prompt_tokens": pp}
    if depth:
        q["depth_tokens"] = depth
    a = answer(q)
    sp = a.get("speed") or {}
    est = {"decode_tokens_per_s": sp.get("decode_tokens_per_s"), "prefill_tokens_per_s": sp.get("prefill_tokens_per_s"),
           "peak_memory_bytes": (a.get("memory") or {}).get("total_bytes")}
    meas = {k: m.get(k) for k in ("decode_tokens_per_s", "decode_std", "prefill_tokens_per_s", "prefill_std",
                                  "decode_best", "prefill_best")}
    settings = {"threads": threads, "gpu_layers": ngl, "reps": reps, "pp": pp, "tg": tg, "depth": depth,
                "tool": "llama-bench", "on": "gpu" if ngl and str(first.get("backends", "CPU")) != "CPU" else "cpu",
                "imported_from": p.name, "hardware": hw}
    digest, hashed = file_sha256(f)
    return {
        "ok": True, "runtime": "llama.cpp", "model_id": model_id or model_id_for(f.name), "hardware_id": hid,
        "model": {"path": str(f), "file_bytes": f.stat().st_size, "sha256": digest, "hashed": hashed,
                  "quant": a.get("quant")},
        "measured": meas, "estimated": est, "ratio": ratios(meas, est), "settings": settings,
        "versions": {"llama_bench": m["llama_bench"], "runlocal": _version()},
        "hardware": {**fingerprint(), "cpu_info": first.get("cpu_info"), "gpu_info": first.get("gpu_info")}
        if hid is None else {"cpu": first.get("cpu_info"), "gpus": [first.get("gpu_info")] if first.get("gpu_info")
                             else []},
        "estimate_notes": (a.get("basis") or {}).get("notes", []) if a.get("ok") else [a.get("error")],
        "question": q, "command": command_for(str(f), settings, "llama.cpp"),
    }
