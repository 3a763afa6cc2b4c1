"""Task workloads: the sizes go into the question, and seconds per request = first token + reply / decode rate."""

from __future__ import annotations

import pytest

from runlocal.errors import InvalidField
from runlocal.service import answer
from runlocal.service.tasks import USES, apply_use, task_time


def test_seconds_per_request_by_hand() -> None:
    q = apply_use({"model": "qwen3-8b", "hardware": "rtx-4090"}, "rag", kind="text")
    assert q["prompt_tokens"] == 6000 and q["depth_tokens"] == 6000 and q["context_tokens"] == 16384
    a = answer(q)
    t = task_time(a, "rag")
    assert t is not None
    sp = a["speed"]
    # 400 tokens written at the decode rate after the first token
    expected = sp["time_to_first_token_s"] + 400 / sp["decode_tokens_per_s"]
    assert t["seconds_per_request"] == pytest.approx(expected, abs=0.06)


def test_image_batch_and_wrong_kinds() -> None:
    q = apply_use({"model": "sdxl-base-1.0", "hardware": "rtx-4090"}, "image-batch", kind="image")
    a = answer(q)
    t = task_time(a, "image-batch")
    assert t is not None and t["seconds_per_request"] == pytest.approx(a["speed"]["seconds_per_image"] * 4, abs=0.06)
    with pytest.raises(InvalidField):
        apply_use({"model": "qwen3-8b"}, "image-batch", kind="text")
    with pytest.raises(InvalidField):
        apply_use({"model": "qwen3-8b"}, "nope", kind="text")
    assert set(USES) >= {"chat", "coding-agent", "rag", "summarise", "image-batch"}
