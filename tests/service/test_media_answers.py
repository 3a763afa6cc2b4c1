"""Image/video questions through the service: the contract's image/video answers and their errors."""

from __future__ import annotations

from runlocal.service import answer


def test_contract_image_answer() -> None:
    r = answer({"id": "i", "model": "runwayml/stable-diffusion-v1-5", "hardware": "rtx-4090",
                "image": {"width": 512, "height": 512, "steps": 20, "cfg_scale": 7, "batch": 1}})
    assert r["ok"] and r["fits"] == "gpu"
    assert r["speed"]["seconds_per_image"] > 0 and r["speed"]["decode_tokens_per_s"] is None
    lo, hi = r["speed"]["ranges"]["seconds_per_image"]
    assert lo < r["speed"]["seconds_per_image"] < hi
    assert "diffusers" in r["commands"] and "comfyui" in r["commands"]

def test_contract_image_errors() -> None:
    r = answer({"model": "sd15", "hardware": "rtx-4090", "image": {"width": "big"}})
    assert not r["ok"] and r["error"]["code"] == "invalid_field"
    r = answer({"model": "sd15", "hardware": "rtx-4090", "runtime": "llama.cpp"})
    assert not r["ok"] and r["error"]["code"] == "unsupported"
    r = answer({"model": "qwen3-8b", "hardware": "rtx-4090", "image": {"width": 512}})
    assert not r["ok"] and r["error"]["code"] == "invalid_field"
