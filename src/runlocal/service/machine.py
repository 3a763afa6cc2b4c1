"""This machine as the engine sees it: detected devices matched to catalog entries, free memory first."""

from __future__ import annotations

from typing import Any

from ..catalog.resolve import resolve_hardware
from ..detect import SystemInfo, detect
from ..errors import RunlocalError, UnsupportedQuestion
from ..estimate.assumptions import DEFAULT
from ..estimate.units import GIB
from .resolve import catalog

_CACHED: SystemInfo | None = None


def this_system(refresh: bool = False) -> SystemInfo:
    global _CACHED
    if _CACHED is None or refresh:
        _CACHED = detect()
    return _CACHED


def match(info: SystemInfo) -> list[dict[str, Any]]:
    """Each detected GPU with the catalog entry it matches (None, with a note, when it does not)."""
    out = []
    cat = catalog()
    for g in info.gpus:
        name = g.name
        if g.vendor == "apple" and info.apple_gpu_cores:
            name = f"{g.name} {info.apple_gpu_cores}-core GPU"
        if g.vendor == "apple" and info.ram_total_bytes:
            name += f" {round(info.ram_total_bytes / GIB)}GB"
        try:
            hm = resolve_hardware(cat, _disambiguate(name, g.memory_total_bytes))
            out.append({"gpu": g, "catalog_id": hm.entity.id, "memory_gb": hm.memory_gb, "matched_as": name})
        except RunlocalError as exc:
            out.append({"gpu": g, "catalog_id": None, "memory_gb": None, "matched_as": name,
                        "note": f"'{g.name}' is not in the catalog ({exc.message}); close: "
                                f"{', '.join(exc.suggestions[:3])}"})
    return out


def _disambiguate(name: str, total: int | None) -> str:
    """'Radeon RX 7900 XT/7900 XTX' (one PCI id, two cards): pick the variant whose VRAM matches."""
    if "/" not in name:
        return name
    head, *tails = name.split("/")
    prefix = head.rsplit(" ", 2)[0] if len(head.split()) > 2 else ""
    cands = [head] + [t if t.split()[0].isalpha() else f"{prefix} {t}".strip() for t in tails]
    cat = catalog()
    for c in cands:
        try:
            e = resolve_hardware(cat, c).entity
        except RunlocalError:
            continue
        mem = e.data.get("memory_gb")
        if total and mem and abs(float(mem) - total / GIB) < 1.5:
            return c
    return cands[0]


def in_use_notes(info: SystemInfo) -> list[str]:
    """What is already loaded: memory other processes (a desktop, another model) hold on each GPU."""
    notes = []
    for g in info.gpus:
        if g.memory_used_bytes:
            notes.append(f"{g.name}: {g.memory_used_bytes / GIB:.1f} GiB of {((g.memory_total_bytes or 0) / GIB):.1f} "
                         "GiB already in use by other processes; estimates fit against the free part")
    return notes


def describe(info: SystemInfo | None = None) -> dict[str, Any]:
    """`runlocal system` as a JSON-ready dict."""
    info = info or this_system()
    d = info.to_dict()
    d["matches"] = [{k: v for k, v in m.items() if k != "gpu"} | {"name": m["gpu"].name} for m in match(info)]
    d["hardware_for_estimates"] = detected_hardware(info)
    d["notes"] = list(info.notes) + in_use_notes(info)
    bw = saved_bandwidth(info)
    d["ram_bandwidth"] = ({**bw, "basis": "measured"} if bw else
                          {"all_threads_gb_s": ASSUMED_RAM_GB_S, "basis": "assumed",
                           "note": "not measured here yet: runlocal system --measure"})
    return d


def detected_hardware(info: SystemInfo | None = None) -> str | dict[str, Any]:
    """A hardware name or contract hardware object for the engine, fitted against free memory."""
    info = info or this_system()
    matches = match(info)
    ram_gb = (info.ram_available_bytes or info.ram_total_bytes or 16 * GIB) / GIB
    apple = [m for m in matches if m["gpu"].vendor == "apple"]
    if apple and apple[0]["catalog_id"]:
        return str(apple[0]["matched_as"])
    discrete = [m for m in matches if m["gpu"].vendor in ("nvidia", "amd", "intel")]
    if discrete:
        gpus = []
        for m in discrete:
            g = m["gpu"]
            free = g.memory_free_bytes if g.memory_free_bytes is not None else g.memory_total_bytes
            ent = catalog().hardware.get(m["catalog_id"]) if m["catalog_id"] else None
            gpus.append({"name": ent.name if ent else g.name, "memory_gb": round((free or 8 * GIB) / GIB, 2)})
        return {"gpus": gpus, "ram_gb": round(ram_gb, 1)}
    bw = saved_bandwidth(info)
    out: dict[str, Any] = {"gpus": [], "ram_gb": round(ram_gb, 1),
                           "ram_bandwidth_gb_s": round(bw["all_threads_gb_s"] / READ_SHARE, 1) if bw
                           else ASSUMED_RAM_GB_S, "cpu_cores": info.cpu_cores or 4}
    simd = simd_of_flags(info)
    if simd:
        out["cpu_simd"] = simd
    return out


def simd_of_flags(info: SystemInfo) -> str | None:
    """The widest vectors this CPU offers llama.cpp (a runtime-dispatched build, as Ollama's and LM Studio's, uses
    them): avx512 (AVX-512 F and VNNI or BW), avx2, or neon on Arm."""
    import platform

    flags = {f.lower() for f in info.cpu_flags}
    if "avx512f" in flags and flags & {"avx512_vnni", "avx512vnni", "avx512bw"}:
        return "avx512"
    if "avx2" in flags:
        return "avx2"
    if platform.machine().lower() in ("arm64", "aarch64") or "neon" in flags or "asimd" in flags:
        return "neon"
    return None


READ_SHARE = DEFAULT.measured_read_share
"""Measured sustained read over theoretical rate (the assumption measured_read_share)."""


def bandwidth_for_threads(threads: int, info: SystemInfo | None = None) -> float | None:
    """The theoretical-equivalent RAM bandwidth (GB/s) `threads` threads reach here, from the measured one- and
    all-thread reads (linear between them); None when not measured."""
    info = info or this_system()
    bw = saved_bandwidth(info)
    if bw is None:
        return None
    cores = max(int(bw.get("cpu_cores") or 1), 1)
    one, full = float(bw.get("one_thread_gb_s") or bw["all_threads_gb_s"]), float(bw["all_threads_gb_s"])
    t = min(max(threads, 1), cores)
    rate = one + (full - one) * ((t - 1) / (cores - 1) if cores > 1 else 1.0)
    return round(rate / READ_SHARE, 1)


ASSUMED_RAM_GB_S = DEFAULT.detected_ram_bandwidth_gb_s
"""A CPU-only machine's RAM bandwidth until it is measured here (`runlocal system --measure`)."""
BW_BUFFER = 64 << 20
BW_FILE = "machine.json"


def measure_bandwidth(threads: int, *, size: int = BW_BUFFER, reps: int = 4, trials: int = 3) -> float:
    """RAM read bandwidth in GB/s with `threads` threads, each comparing two buffers of `size` bytes with libc's
    memcmp (which reads both and writes nothing, as decoding reads weights); the best of `trials`. ctypes
    releases the GIL during the call, so the threads run at once."""
    import ctypes
    import ctypes.util
    import threading
    import time

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None)
        memcmp = libc.memcmp
    except (OSError, AttributeError):
        raise UnsupportedQuestion("cannot measure memory bandwidth here (no C library's memcmp)") from None
    memcmp.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t]
    memcmp.restype = ctypes.c_int
    bufs = [(ctypes.create_string_buffer(size), ctypes.create_string_buffer(size)) for _ in range(threads)]

    def work(i: int) -> None:
        a, b = bufs[i]
        for _ in range(reps):
            memcmp(a, b, size)

    best = 0.0
    for _ in range(trials):
        ts = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
        t = time.perf_counter()
        for x in ts:
            x.start()
        for x in ts:
            x.join()
        best = max(best, 2 * size * reps * threads / (time.perf_counter() - t) / 1e9)
    return best


def _bw_path() -> Any:
    from ..store.db import data_dir

    return data_dir() / BW_FILE


def measure_and_save(info: SystemInfo | None = None) -> dict[str, Any]:
    """Measure RAM read bandwidth on one thread and on all of them, and keep it for later estimates."""
    import datetime as dt
    import json
    import os

    info = info or this_system()
    cores = info.cpu_cores or os.cpu_count() or 1
    d = {"cpu": info.cpu_model, "cpu_cores": cores, "one_thread_gb_s": round(measure_bandwidth(1), 2),
         "all_threads_gb_s": round(measure_bandwidth(min(cores, 64)), 2), "method": "memcmp read, 2 x 64 MiB per "
         "thread, best of 3", "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
    path = _bw_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"ram_bandwidth": d}, indent=2), encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        d["not_saved"] = f"{path}: {exc.strerror}"
    return d


def saved_bandwidth(info: SystemInfo) -> dict[str, Any] | None:
    """The bandwidth measured here before, when it was measured on this CPU with these cores."""
    import json

    try:
        d = json.loads(_bw_path().read_text(encoding="utf-8")).get("ram_bandwidth")
    except (OSError, ValueError, AttributeError):
        return None
    if not isinstance(d, dict) or d.get("cpu") != info.cpu_model or d.get("cpu_cores") != info.cpu_cores:
        return None
    v = d.get("all_threads_gb_s")
    if isinstance(v, bool) or not isinstance(v, int | float) or not 0.1 <= v <= 20_000:
        return None
    return d
