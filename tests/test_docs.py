"""Every Assumptions field is documented in the code (docstring, basis, source) and in docs/methodology.md, whose
assumptions table is generated from the code."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from runlocal.estimate.assumptions import BASES, Assumptions
from runlocal.service.assumptions import (
    TABLE_BEGIN,
    TABLE_END,
    assumption_docs,
    assumption_info,
    refresh_methodology,
)

METHODOLOGY = Path(__file__).resolve().parents[1] / "docs" / "methodology.md"
REFRESH = "python -m runlocal.service.assumptions docs/methodology.md"


def test_every_assumption_has_a_docstring() -> None:
    docs = assumption_docs()
    missing = [f.name for f in dataclasses.fields(Assumptions) if not docs.get(f.name, "").strip()]
    assert not missing, f"Assumptions fields without a docstring: {missing}"


def test_every_assumption_has_a_basis_and_a_source() -> None:
    bad = [f.name for f in dataclasses.fields(Assumptions)
           if f.metadata.get("basis") not in BASES or not str(f.metadata.get("source", "")).strip()]
    assert not bad, f"Assumptions fields without metadata basis ({'/'.join(BASES)}) and source: {bad}"


def test_assumption_info_covers_every_field_in_order() -> None:
    info = assumption_info()
    assert list(info) == [f.name for f in dataclasses.fields(Assumptions)]
    assert info["gpu_free_margin_mib"].value == 1024.0 and info["gpu_free_margin_mib"].basis == "taken"


def test_every_assumption_appears_in_methodology() -> None:
    text = METHODOLOGY.read_text(encoding="utf-8")
    missing = [f.name for f in dataclasses.fields(Assumptions) if f"`{f.name}`" not in text]
    assert not missing, f"missing from docs/methodology.md: {missing}; run {REFRESH}"


def test_methodology_table_is_generated_from_the_code() -> None:
    text = METHODOLOGY.read_text(encoding="utf-8")
    assert TABLE_BEGIN in text and TABLE_END in text, f"docs/methodology.md lacks the markers: add them, run {REFRESH}"
    assert refresh_methodology(text) == text, f"docs/methodology.md's assumptions table is stale: run {REFRESH}"


def test_the_accuracy_tables_in_methodology_are_generated_and_current() -> None:
    """§6 of docs/methodology.md is the output of the scorer, not typed: regenerate it after an engine change with
    python -m runlocal.service.methodology docs/methodology.md"""
    from runlocal.service.methodology import refresh_accuracy

    text = METHODOLOGY.read_text(encoding="utf-8")
    assert refresh_accuracy(text) == text, "run: python -m runlocal.service.methodology docs/methodology.md"
