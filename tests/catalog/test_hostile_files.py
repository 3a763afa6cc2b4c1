"""Data files that are not files, nest too deep, are too big, or hold impossible numbers: each is one problem
from the loader or data check, and every other entry still loads."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from runlocal.catalog.check import check
from runlocal.catalog.load import MAX_DATA_FILE_BYTES, MAX_DATA_NESTING, load

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "catalog"


@pytest.fixture()
def root(tmp_path: Path) -> Path:
    r = tmp_path / "catalog"
    shutil.copytree(FIXTURE, r)
    return r


def test_things_named_like_data_files_are_problems_not_crashes(root: Path) -> None:
    before = len(load(root, use_cache=False).models)
    m = root / "models"
    (m / "dir.toml").mkdir()
    os.symlink(m / "nowhere.toml", m / "dangling.toml")
    os.symlink(m / "loop.toml", m / "loop.toml")
    os.mkfifo(m / "fifo.toml")
    os.symlink(m, m / "again")  # a folder loop: not followed
    (m / "deep.toml").write_text("a = " + "[" * 3000 + "]" * 3000 + "\n")
    (m / "deep2.toml").write_text("a = " + "[" * (MAX_DATA_NESTING + 1) + "]" * (MAX_DATA_NESTING + 1) + "\n")
    (m / "big.toml").write_text('name = "' + "x" * MAX_DATA_FILE_BYTES + '"\n')
    cat = load(root, use_cache=False)
    text = "\n".join(cat.problems)
    assert "models/dir.toml: a directory, not a file" in text
    assert "models/dangling.toml: a symlink that leads nowhere or loops" in text
    assert "models/loop.toml: a symlink that leads nowhere or loops" in text
    assert "models/fifo.toml: a FIFO (named pipe), not a file" in text
    assert f"models/deep.toml: nested more than {MAX_DATA_NESTING} deep" in text
    assert f"models/deep2.toml: nested more than {MAX_DATA_NESTING} deep" in text
    assert "models/big.toml: larger than" in text
    assert len(cat.models) == before
    assert len(cat.problems) == 7, cat.problems


@pytest.mark.parametrize(("key", "value", "words"), [
    ("memory_bandwidth_gb_s", "nan", "must be a finite number"),
    ("memory_bandwidth_gb_s", "0", "must be above 0"),
    ("memory_gb", "-24", "must be above 0"),
    ("memory_gb", "inf", "must be a finite number"),
    ("memory_gb", "1e9", "at most 100,000"),
    ("gpu_memory_fraction", "1.5", "at most 1"),
    ("launch_price_usd", "-5", "must be above 0"),
    ("memory_gb", "true", "not a boolean"),
])
def test_data_check_applies_physical_ranges_to_hardware(root: Path, key: str, value: str, words: str) -> None:
    f = sorted((root / "hardware").rglob("*.toml"))[0]
    lines = [ln for ln in f.read_text().splitlines() if not ln.startswith(f"{key} ")]
    i = next(i for i, ln in enumerate(lines) if ln.startswith("["))
    lines.insert(i, f"{key} = {value}")
    f.write_text("\n".join(lines) + "\n")
    problems, _ = check(load(root, use_cache=False))
    assert any(key in p and words in p for p in problems), problems


def test_the_real_catalog_is_within_range() -> None:
    problems, _ = check(load(use_cache=False))
    assert not problems, problems[:5]
