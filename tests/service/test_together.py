"""Several models on one machine: each answered alone, then packed into the usable memory in the order given."""

from __future__ import annotations

import pytest

from runlocal.cli.main import main
from runlocal.errors import InvalidField, RunlocalError
from runlocal.service.together import together


def test_small_models_stay_loaded_together() -> None:
    r = together([{"model": "qwen3-8b", "hardware": "rtx-4090"}, {"model": "llama-3.2-1b", "hardware": "rtx-4090"},
                  {"model": "sdxl-base-1.0", "hardware": "rtx-4090"}])
    assert r["take_turns"] == [] and len(r["resident"]) == 3
    assert r["resident_bytes"] == sum(m["accelerator_bytes"] for m in r["models"]) <= r["usable_accelerator_bytes"]
    assert r["verdict"].startswith("All 3 stay loaded together")


def test_what_does_not_fit_takes_turns_in_the_order_given() -> None:
    r = together([{"model": "qwen3-32b", "hardware": "rtx-4090"}, {"model": "gpt-oss-20b", "hardware": "rtx-4090"}])
    assert r["resident"] == ["qwen3-32b"] and r["take_turns"] == ["gpt-oss-20b"]
    assert "takes turns" in r["verdict"] and r["total_accelerator_bytes"] > r["usable_accelerator_bytes"]


def test_bounds_and_errors(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(InvalidField):
        together([{"model": "qwen3-8b", "hardware": "rtx-4090"}])
    with pytest.raises(RunlocalError):
        together([{"model": "qwen3-8b", "hardware": "rtx-4090"}, {"model": "nope-zz", "hardware": "rtx-4090"}])
    assert main(["check", "qwen3-8b", "llama-3.2-1b", "--hardware", "rtx-4090"]) == 0
    assert "stay loaded together" in capsys.readouterr().out
    assert main(["check", "qwen3-8b", "llama-3.2-1b"]) == 2  # several models need --hardware
