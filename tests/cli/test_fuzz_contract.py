"""Bad questions get an error object, never an exception (property-based)."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runlocal.service.llm import QUESTION_FIELDS, answer

scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12), st.floats(allow_nan=True),
                    st.text(max_size=30))
values = st.recursive(scalars, lambda c: st.one_of(st.lists(c, max_size=3),
                                                   st.dictionaries(st.text(max_size=12), c, max_size=4)),
                      max_leaves=8)
good = {"model": ["qwen3-8b", "llama-3.1-8b", "gpt-oss-20b", "nonexistent"],
        "hardware": ["rtx-4090", "M2 Max 64GB", "ddr5-5600-2ch", "nothing"]}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(sorted(QUESTION_FIELDS) + ["junk"]), values, max_size=8),
       st.sampled_from(good["model"]), st.sampled_from(good["hardware"]))
def test_answer_never_raises(q: dict, model: str, hardware: str) -> None:  # type: ignore[type-arg]
    q.setdefault("model", model)
    q.setdefault("hardware", hardware)
    r = answer(q)
    json.dumps(r)  # always serialisable
    assert r["ok"] in (True, False)
    if not r["ok"]:
        assert set(r["error"]) == {"code", "message", "suggestions"}


@settings(max_examples=60, deadline=None)
@given(st.fixed_dictionaries({
    "gpus": st.lists(st.fixed_dictionaries({"name": st.text(max_size=20),
                                            "memory_gb": st.one_of(st.floats(-5, 500), st.text(max_size=4))}),
                     max_size=2),
    "ram_gb": st.one_of(st.none(), st.floats(-5, 2000)),
}))
def test_inline_hardware_objects(hw: dict) -> None:  # type: ignore[type-arg]
    r = answer({"model": "qwen3-8b", "hardware": hw})
    assert r["ok"] in (True, False)
