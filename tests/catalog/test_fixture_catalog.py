"""The fixture catalog (tests/fixtures/catalog): valid by the same rules as data/, and used by the service."""

from __future__ import annotations

import datetime as dt

import pytest

import runlocal
from runlocal.catalog.check import check
from runlocal.catalog.load import Catalog
from runlocal.service import catalog

# A fixed day, so that the copied verdict (dated 2026-11-23) never turns stale under the 18-month rule.
SNAPSHOT_DAY = dt.date(2026, 12, 2)


def test_fixture_catalog_has_zero_data_check_problems(fixture_catalog: Catalog) -> None:
    problems, counts = check(fixture_catalog, today=SNAPSHOT_DAY)
    assert problems == []
    assert counts == {"api_prices": 1, "benchmarks": 0, "errors": 1, "glossary": 1, "hardware": 4, "kits": 0,
                      "models": 5, "pages": 0, "prices": 1, "quants": 3, "runtimes": 8, "serving": 0, "verdicts": 1}


def test_fixture_catalog_holds_the_listed_entries(fixture_catalog: Catalog) -> None:
    assert set(fixture_catalog.models) == {"llama-3.1-8b", "qwen3-30b-a3b", "gpt-oss-20b", "sdxl-base-1.0",
                                           "wan2.1-t2v-1.3b"}
    assert set(fixture_catalog.hardware) == {"rtx-4090", "rtx-3060-12gb", "apple-m4-pro-20c", "ddr5-5600-2ch"}
    assert set(fixture_catalog.runtimes) == {"llama-cpp", "ollama", "vllm", "mlx", "transformers", "lmstudio",
                                             "comfyui", "diffusers"}
    assert all(e.source_ids() for kind in ("models", "hardware", "runtimes") for e in fixture_catalog.kind(kind)
               .values()), "every copied entry keeps its sources"


def test_answers_come_from_the_fixture_while_it_is_installed(fixture_catalog: Catalog) -> None:
    assert catalog() is fixture_catalog
    r = runlocal.answer({"model": "llama-3.1-8b", "hardware": "rtx-4090"})
    assert r["ok"] and r["model_id"] == "llama-3.1-8b" and r["hardware_id"] == "rtx-4090"
    assert r["fits"] == "gpu" and r["quant"] == "Q4_K_M"
    # qwen3-8b is in data/ but not in the fixture
    missing = runlocal.answer({"model": "qwen3-8b", "hardware": "rtx-4090"})
    assert not missing["ok"] and missing["error"]["code"] == "unknown_model"
    assert "qwen3-30b-a3b" in missing["error"]["suggestions"]


@pytest.mark.parametrize(("q", "fits"), [
    ({"model": "gpt-oss-20b", "hardware": "rtx-4090"}, "gpu"),
    ({"model": "qwen3-30b-a3b", "hardware": "rtx-3060-12gb"}, "gpu+cpu"),
    ({"model": "qwen3-30b-a3b", "hardware": "M4 Pro 48GB", "runtime": "mlx"}, "gpu"),
    # with no size named, the chip's smallest memory option (24 GB) is used
    ({"model": "qwen3-30b-a3b", "hardware": "apple-m4-pro-20c", "runtime": "mlx"}, "no"),
    ({"model": "llama-3.1-8b", "hardware": "ddr5-5600-2ch"}, "cpu"),
    ({"model": "llama-3.1-8b", "hardware": "rtx-4090", "runtime": "vllm"}, "gpu"),
    ({"model": "sdxl-base-1.0", "hardware": "rtx-3060-12gb"}, "gpu"),
    ({"model": "wan2.1-t2v-1.3b", "hardware": "rtx-4090"}, "gpu"),
])
def test_every_fixture_kind_answers(fixture_catalog: Catalog, q: dict[str, str], fits: str) -> None:
    r = runlocal.answer(q)
    assert r["ok"], r.get("error")
    assert r["fits"] == fits


def test_fixture_verdict_is_shown_with_the_answer(fixture_catalog: Catalog) -> None:
    r = runlocal.answer({"model": "gpt-oss-20b", "hardware": "rtx-4090"})
    assert r["verdict"]["date"] == "2026-11-23" and "Fits easily" in r["verdict"]["summary"]


def test_the_real_catalog_is_back_afterwards() -> None:
    # runs after the tests above (file order); set_catalog(None) let data/ load again
    assert len(catalog().models) > 5
    assert runlocal.answer({"model": "qwen3-8b", "hardware": "rtx-4090"})["ok"]
