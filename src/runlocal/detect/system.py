"""This machine: GPUs, memory, CPU and OS, read from the tools and files each platform offers.

Parsing is separate from running commands so that recorded outputs of real machines test every
parser (tests/detect/fixtures). A missing tool, a permission error or a time-out gives a partial answer
and a note, never an exception.
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

MIB = 1024**2
Runner = Callable[[list[str]], str | None]


@dataclass
class GPU:
    name: str
    vendor: str
    memory_total_bytes: int | None = None
    memory_used_bytes: int | None = None
    driver: str | None = None
    source: str = ""

    @property
    def memory_free_bytes(self) -> int | None:
        if self.memory_total_bytes is None or self.memory_used_bytes is None:
            return None
        return max(0, self.memory_total_bytes - self.memory_used_bytes)


@dataclass
class SystemInfo:
    os: str = ""
    os_release: str = ""
    cpu_model: str = ""
    cpu_cores: int = 0
    cpu_flags: list[str] = field(default_factory=list)
    ram_total_bytes: int | None = None
    ram_available_bytes: int | None = None
    gpus: list[GPU] = field(default_factory=list)
    apple_chip: str | None = None
    apple_gpu_cores: int | None = None
    gpu_wired_limit_bytes: int | None = None
    unified_memory: bool = False
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for g, gd in zip(self.gpus, d["gpus"], strict=True):
            gd["memory_free_bytes"] = g.memory_free_bytes
        return d


# ----------------------------------------------------------------------------------- parsers
def parse_nvidia_smi(text: str) -> list[GPU]:
    """`nvidia-smi --query-gpu=name,memory.total,memory.used,driver_version --format=csv,noheader,nounits`."""
    out = []
    for line in text.strip().splitlines():
        parts = [p.strip() for p in line.split(",")]
        if len(parts) < 3 or not parts[0]:
            continue
        total: int | None
        used: int | None
        try:
            total = int(float(parts[1])) * MIB
            used = int(float(parts[2])) * MIB
        except ValueError:
            total = used = None  # "[N/A]" on some boards
        out.append(GPU(parts[0], "nvidia", total, used, parts[3] if len(parts) > 3 else None, "nvidia-smi"))
    return out


def parse_rocm_smi(text: str) -> list[GPU]:
    """`rocm-smi --showproductname --showmeminfo vram --showdriverversion --json`."""
    try:
        data = json.loads(text)
    except ValueError:
        return []
    out = []
    driver = None
    if isinstance(data.get("system"), dict):
        driver = data["system"].get("Driver version")
    for key, card in data.items():
        if not key.startswith("card") or not isinstance(card, dict):
            continue
        name = str(card.get("Card Series") or card.get("Card series") or card.get("Card model") or "AMD GPU")
        name = re.sub(r"^.*\[(.+)\]$", r"\1", name) if "[" in name else name
        total = card.get("VRAM Total Memory (B)")
        used = card.get("VRAM Total Used Memory (B)")
        out.append(GPU(name, "amd",
                       int(total) if total else None, int(used) if used else None, driver, "rocm-smi"))
    return out


def parse_meminfo(text: str) -> tuple[int | None, int | None]:
    vals = {}
    for line in text.splitlines():
        m = re.match(r"(\w+):\s+(\d+)\s*kB", line)
        if m:
            vals[m.group(1)] = int(m.group(2)) * 1024
    return vals.get("MemTotal"), vals.get("MemAvailable")


def parse_cpuinfo(text: str) -> tuple[str, list[str]]:
    model = ""
    flags: list[str] = []
    for line in text.splitlines():
        k, _, v = line.partition(":")
        k = k.strip()
        if k in ("model name", "Model", "Hardware") and not model:
            model = v.strip()
        elif k in ("flags", "Features") and not flags:
            flags = v.split()
    keep = ("avx", "avx2", "avx512f", "avx512_vnni", "avx512_bf16", "amx_tile", "amx_bf16", "fma", "f16c",
            "asimd", "sve", "i8mm", "bf16", "dotprod")
    return model, [f for f in flags if f in keep]


def parse_sysctl(text: str) -> dict[str, str]:
    """`sysctl hw.memsize machdep.cpu.brand_string hw.ncpu iogpu.wired_limit_mb` ("key: value" lines)."""
    out = {}
    for line in text.splitlines():
        k, sep, v = line.partition(":")
        if sep:
            out[k.strip()] = v.strip()
    return out


def parse_system_profiler(text: str) -> tuple[str | None, int | None]:
    """`system_profiler SPDisplaysDataType -json`: the chip name and GPU core count."""
    try:
        data = json.loads(text)
    except ValueError:
        return None, None
    for item in data.get("SPDisplaysDataType", []):
        name = item.get("sppci_model") or item.get("_name")
        cores = item.get("sppci_cores")
        if name:
            return str(name), int(cores) if cores and str(cores).isdigit() else None
    return None, None


def parse_sysfs_intel(root: Path) -> list[GPU]:
    """Intel GPUs from /sys/class/drm/card*/device (vendor 0x8086). The i915/xe drivers expose no VRAM
    total there, so memory stays unknown (a note asks for --hardware); integrated parts are skipped."""
    out = []
    for card in sorted(root.glob("card[0-9]*")):
        dev = card / "device"
        try:
            if (dev / "vendor").read_text().strip() != "0x8086":
                continue
            device_id = (dev / "device").read_text().strip()
        except OSError:
            continue
        # discrete Arc (Alchemist 0x56xx, Battlemage 0xe2xx); everything else is integrated graphics
        if device_id.lower().startswith(("0x56", "0xe2")):
            out.append(GPU(f"Intel Arc GPU ({device_id})", "intel", None, None, None, "sysfs"))
    return out


def parse_sysfs_amd(root: Path) -> list[GPU]:
    """AMD GPUs from /sys/class/drm/card*/device (vendor 0x1002; VRAM totals in mem_info_vram_*)."""
    out = []
    for card in sorted(root.glob("card[0-9]*")):
        dev = card / "device"
        try:
            if (dev / "vendor").read_text().strip() != "0x1002":
                continue
            total = int((dev / "mem_info_vram_total").read_text().strip())
            used = int((dev / "mem_info_vram_used").read_text().strip())
        except (OSError, ValueError):
            continue
        name = "AMD GPU"
        try:
            name = (dev / "product_name").read_text().strip() or name
        except OSError:
            pass
        out.append(GPU(name, "amd", total, used, None, "sysfs"))
    return out


# ----------------------------------------------------------------------------------- running
def run_command(cmd: list[str], timeout: float = 5.0) -> str | None:
    if shutil.which(cmd[0]) is None:
        return None
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return p.stdout if p.returncode == 0 else None


def _read(path: str) -> str | None:
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def detect(run: Runner = run_command, read: Callable[[str], str | None] = _read,
           sysfs: Path = Path("/sys/class/drm"), system: str | None = None) -> SystemInfo:
    """Everything we can learn about this machine; what cannot be read becomes a note."""
    info = SystemInfo(os=system or platform.system(), os_release=platform.release(), cpu_cores=os.cpu_count() or 0)
    if info.os == "Darwin":
        _detect_mac(info, run)
    else:
        _detect_linux(info, read)
        _detect_gpus(info, run, sysfs)
    return info


def _detect_linux(info: SystemInfo, read: Callable[[str], str | None]) -> None:
    mem = read("/proc/meminfo")
    if mem:
        info.ram_total_bytes, info.ram_available_bytes = parse_meminfo(mem)
    else:
        info.notes.append("could not read /proc/meminfo: system RAM unknown")
    cpu = read("/proc/cpuinfo")
    if cpu:
        info.cpu_model, info.cpu_flags = parse_cpuinfo(cpu)


def _detect_gpus(info: SystemInfo, run: Runner, sysfs: Path) -> None:
    nv = _nvml() or None
    if nv:
        info.gpus += nv
    else:
        out = run(["nvidia-smi", "--query-gpu=name,memory.total,memory.used,driver_version",
                   "--format=csv,noheader,nounits"])
        if out:
            info.gpus += parse_nvidia_smi(out)
    amd = run(["rocm-smi", "--showproductname", "--showmeminfo", "vram", "--showdriverversion", "--json"])
    amd_gpus = parse_rocm_smi(amd) if amd else []
    if not amd_gpus:
        amd_gpus = parse_sysfs_amd(sysfs)
    info.gpus += amd_gpus
    intel = parse_sysfs_intel(sysfs)
    if intel:
        info.gpus += intel
        info.notes.append("Intel Arc found: its memory size is not exposed by the driver; pass --hardware "
                          "(for example arc-b580) for exact figures")
    if not info.gpus:
        info.notes.append("no GPU found (no nvidia-smi, rocm-smi or AMD sysfs entry): CPU only")


def _nvml() -> list[GPU] | None:
    """NVIDIA through NVML when nvidia-ml-py is installed (exact free memory, no subprocess)."""
    try:
        import pynvml  # type: ignore[import-not-found]
    except ImportError:
        return None
    try:
        pynvml.nvmlInit()
        out = []
        driver = pynvml.nvmlSystemGetDriverVersion()
        for i in range(pynvml.nvmlDeviceGetCount()):
            h = pynvml.nvmlDeviceGetHandleByIndex(i)
            mem = pynvml.nvmlDeviceGetMemoryInfo(h)
            name = pynvml.nvmlDeviceGetName(h)
            out.append(GPU(name.decode() if isinstance(name, bytes) else str(name), "nvidia", int(mem.total),
                           int(mem.used), driver.decode() if isinstance(driver, bytes) else str(driver), "nvml"))
        return out
    except Exception:  # noqa: BLE001 - any NVML failure falls back to nvidia-smi
        return None


def _detect_mac(info: SystemInfo, run: Runner) -> None:
    sc = run(["sysctl", "hw.memsize", "machdep.cpu.brand_string", "hw.ncpu", "iogpu.wired_limit_mb"])
    if sc is None:
        info.notes.append("sysctl unavailable: memory unknown")
        return
    kv = parse_sysctl(sc)
    if kv.get("hw.memsize", "").isdigit():
        info.ram_total_bytes = int(kv["hw.memsize"])
    info.cpu_model = kv.get("machdep.cpu.brand_string", "")
    if kv.get("hw.ncpu", "").isdigit():
        info.cpu_cores = int(kv["hw.ncpu"])
    wired = kv.get("iogpu.wired_limit_mb", "0")
    if wired.isdigit() and int(wired) > 0:
        info.gpu_wired_limit_bytes = int(wired) * MIB
        info.notes.append(f"iogpu.wired_limit_mb is set: the GPU may use {int(wired):,} MB")
    info.unified_memory = True
    sp = run(["system_profiler", "SPDisplaysDataType", "-json"])
    chip, cores = parse_system_profiler(sp) if sp else (None, None)
    info.apple_chip = chip or (info.cpu_model if info.cpu_model.startswith("Apple") else None)
    info.apple_gpu_cores = cores
    if info.apple_chip:
        info.gpus.append(GPU(info.apple_chip, "apple", info.ram_total_bytes, None, None, "sysctl"))
