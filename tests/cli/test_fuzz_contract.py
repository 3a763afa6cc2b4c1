"""Bad questions get an error object, never an exception (property-based)."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runlocal.service import answer
from runlocal.service.question import QUESTION_FIELDS

scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12), st.floats(allow_nan=True),
                    st.text(max_size=30))
values = st.recursive(scalars, lambda c: st.one_of(st.lists(c, max_size=3),
                                                   st.dictionaries(st.text(max_size=12), c, max_size=4)),
                      max_leaves=8)
good = {"model": ["qwen3-8b", "llama-3.1-8b", "gpt-oss-20b", "nonexistent"],
        "hardware": ["rtx-4090", "M2 Max 64GB", "ddr5-5600-2ch", "nothing"]}


def _assert_contract_shape(r: dict) -> None:  # type: ignore[type-arg]
    """Every answer is JSON; an ok one has a fit verdict and non-negative memory parts, an error has
    code, message and suggestions."""
    json.dumps(r)  # always serialisable
    assert r["ok"] in (True, False)
    if r["ok"]:
        assert r.get("error") is None
        assert r["fits"] in ("gpu", "gpu+cpu", "cpu", "no"), r["fits"]
        mem = r["memory"]
        assert all(isinstance(v, int) and v >= 0 for v in mem.values()), mem
        assert mem["total_bytes"] == mem["accelerator_bytes"] + mem["system_bytes"], mem
    else:
        err = r["error"]
        assert set(err) == {"code", "message", "suggestions"}, err
        assert isinstance(err["code"], str) and err["code"]
        assert isinstance(err["message"], str) and err["message"]
        assert isinstance(err["suggestions"], list) and all(isinstance(x, str) for x in err["suggestions"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(sorted(QUESTION_FIELDS) + ["junk"]), values, max_size=8),
       st.sampled_from(good["model"]), st.sampled_from(good["hardware"]))
def test_answer_never_raises(q: dict, model: str, hardware: str) -> None:  # type: ignore[type-arg]
    q.setdefault("model", model)
    q.setdefault("hardware", hardware)
    _assert_contract_shape(answer(q))


@settings(max_examples=60, deadline=None)
@given(st.fixed_dictionaries({
    "gpus": st.lists(st.fixed_dictionaries({"name": st.text(max_size=20),
                                            "memory_gb": st.one_of(st.floats(-5, 500), st.text(max_size=4))}),
                     max_size=2),
    "ram_gb": st.one_of(st.none(), st.floats(-5, 2000)),
}))
def test_inline_hardware_objects(hw: dict) -> None:  # type: ignore[type-arg]
    r = answer({"model": "qwen3-8b", "hardware": hw})
    _assert_contract_shape(r)
    if r["ok"]:  # an inline machine is never a catalog entry
        assert r["hardware_id"] is None and r["model_id"] == "qwen3-8b"
    else:
        assert r["error"]["code"] in ("invalid_field", "invalid_question", "unsupported"), r["error"]
