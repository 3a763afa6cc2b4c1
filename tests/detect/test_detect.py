"""Detection parsers on recorded outputs, and the whole detect() with tools missing or failing."""

from __future__ import annotations

from pathlib import Path

import pytest

from runlocal.detect.system import (
    SystemInfo,
    detect,
    parse_cpuinfo,
    parse_meminfo,
    parse_nvidia_smi,
    parse_rocm_smi,
    parse_sysctl,
    parse_sysfs_amd,
    parse_system_profiler,
)
from runlocal.service.machine import describe, detected_hardware, match

FX = Path(__file__).parent / "fixtures"
GIB = 1024**3


def fx(name: str) -> str:
    return (FX / name).read_text(encoding="utf-8")


def test_nvidia_smi() -> None:
    gpus = parse_nvidia_smi(fx("rtx4090.nvidia-smi.csv"))
    assert len(gpus) == 1
    g = gpus[0]
    assert g.name == "NVIDIA GeForce RTX 4090" and g.memory_total_bytes == 24564 * 2**20
    assert g.memory_free_bytes == (24564 - 1923) * 2**20 and g.driver == "550.54.14"
    assert len(parse_nvidia_smi(fx("2x3090.nvidia-smi.csv"))) == 2
    assert parse_nvidia_smi("NVIDIA Jetson, [N/A], [N/A], 540\n")[0].memory_total_bytes is None


def test_rocm_smi() -> None:
    g = parse_rocm_smi(fx("rx7900xtx.rocm-smi.json"))[0]
    assert g.name == "Radeon RX 7900 XT/7900 XTX"
    # one PCI id names two cards: the 24 GiB of VRAM picks the XTX
    assert match(SystemInfo(gpus=[g]))[0]["catalog_id"] == "rx-7900-xtx"
    assert g.memory_total_bytes == 25769803776 and g.memory_used_bytes == 25677897728
    assert g.driver == "6.8.0-51-generic"
    assert parse_rocm_smi("not json") == []


def test_proc_files() -> None:
    total, avail = parse_meminfo(fx("ci-epyc-2core.meminfo"))
    assert total and avail and 0 < avail <= total
    model, flags = parse_cpuinfo(fx("ci-epyc-2core.cpuinfo"))
    assert "EPYC" in model and "avx2" in flags


def test_mac() -> None:
    kv = parse_sysctl(fx("m2max.sysctl"))
    assert kv["hw.memsize"] == "68719476736"
    assert parse_system_profiler(fx("m2max.system_profiler.json")) == ("Apple M2 Max", 38)


def _runner(outputs: dict[str, str | None]):  # type: ignore[no-untyped-def]
    def run(cmd: list[str]) -> str | None:
        return outputs.get(cmd[0])
    return run


def test_detect_linux_nvidia_and_match() -> None:
    info = detect(run=_runner({"nvidia-smi": fx("rtx4090.nvidia-smi.csv")}),
                  read=lambda p: fx("ci-epyc-2core.meminfo") if "meminfo" in p else fx("ci-epyc-2core.cpuinfo"),
                  sysfs=FX / "none", system="Linux")
    assert [g.name for g in info.gpus] == ["NVIDIA GeForce RTX 4090"]
    m = match(info)[0]
    assert m["catalog_id"] == "rtx-4090"
    hw = detected_hardware(info)
    assert isinstance(hw, dict) and hw["gpus"][0]["memory_gb"] == pytest.approx((24564 - 1923) / 1024, abs=0.01)


def test_detect_mac() -> None:
    info = detect(run=_runner({"sysctl": fx("m2max.sysctl"), "system_profiler": fx("m2max.system_profiler.json")}),
                  system="Darwin")
    assert info.unified_memory and info.apple_gpu_cores == 38
    assert match(info)[0]["catalog_id"] == "apple-m2-max-38c"
    assert detected_hardware(info) == "Apple M2 Max 38-core GPU 64GB"


def test_detect_amd_sysfs(tmp_path: Path) -> None:
    dev = tmp_path / "card1" / "device"
    dev.mkdir(parents=True)
    (dev / "vendor").write_text("0x1002\n")
    (dev / "mem_info_vram_total").write_text("17163091968\n")
    (dev / "mem_info_vram_used").write_text("1000\n")
    gpus = parse_sysfs_amd(tmp_path)
    assert gpus[0].memory_total_bytes == 17163091968
    info = detect(run=_runner({}), read=lambda p: None, sysfs=tmp_path, system="Linux")
    assert info.gpus and "could not read /proc/meminfo" in info.notes[0]


def test_nothing_available_gives_notes_not_errors() -> None:
    info = detect(run=_runner({}), read=lambda p: None, sysfs=Path("/nonexistent"), system="Linux")
    assert info.gpus == [] and info.notes
    hw = detected_hardware(info)
    assert isinstance(hw, dict) and hw["gpus"] == []
    d = describe(info)
    assert d["hardware_for_estimates"] == hw


def test_unmatched_gpu_is_noted() -> None:
    info = SystemInfo(gpus=[])
    info.gpus = parse_nvidia_smi("NVIDIA Mystery GPU 9000, 16000, 0, 1.0\n")
    m = match(info)[0]
    assert m["catalog_id"] is None and "not in the catalog" in m["note"]


def test_detect_intel_arc_sysfs(tmp_path: Path) -> None:
    from runlocal.detect.system import parse_sysfs_intel

    for i, dev_id in enumerate(("0xe20b", "0x46a6")):  # a B580 and an integrated Alder Lake GPU
        d = tmp_path / f"card{i}" / "device"
        d.mkdir(parents=True)
        (d / "vendor").write_text("0x8086\n")
        (d / "device").write_text(dev_id + "\n")
    gpus = parse_sysfs_intel(tmp_path)
    assert [g.name for g in gpus] == ["Intel Arc GPU (0xe20b)"]
    info = detect(run=_runner({}), read=lambda p: None, sysfs=tmp_path, system="Linux")
    assert any("Intel Arc" in n for n in info.notes)
