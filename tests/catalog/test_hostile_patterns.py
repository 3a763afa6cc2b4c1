"""Error patterns cannot hang troubleshoot: data check times each on hostile text, and pastes are bounded."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from runlocal.catalog.check import check
from runlocal.catalog.load import load
from runlocal.service.knowledge import MAX_PASTE_CHARS, bounded_paste, troubleshoot

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "catalog"


def test_data_check_flags_a_backtracking_pattern(tmp_path: Path) -> None:
    root = tmp_path / "catalog"
    shutil.copytree(FIXTURE, root)
    err = next((root / "errors").rglob("*.md"))
    err.write_text(err.read_text(encoding="utf-8").replace("patterns = [", 'patterns = ["(a+)+$", ', 1),
                   encoding="utf-8")
    problems, _ = check(load(root, use_cache=False))
    assert any("backtracks" in p for p in problems), problems


def test_a_long_pasted_log_is_matched_quickly() -> None:
    assert len(bounded_paste("x" * 10**6)) <= MAX_PASTE_CHARS + 1
    for text in ("0" * 200_000, "a" * 200_000, "CUDA error: out of memory " + " " * 200_000):
        t = time.perf_counter()
        troubleshoot(text)
        assert time.perf_counter() - t < 5, text[:20]  # a hang guard, not a benchmark
