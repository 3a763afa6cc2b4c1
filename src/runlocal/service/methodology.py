"""The /methodology page: the formulas (docs/methodology.md, sections 1-5), the measured accuracy generated from a
calibration run when the page is first asked for (never typed), and every assumption with its source."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from .accuracy import FAMILIES, measured_dir, score, score_benchmarks, summarize
from .assumptions import assumption_info

_CACHE: dict[str, Any] = {}
_LOCK = threading.Lock()


def _doc_sections() -> str:
    """Sections 1-5 of docs/methodology.md (how each figure is computed), when the checkout has it."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        p = parent / "docs" / "methodology.md"
        if p.is_file():
            text = p.read_text(encoding="utf-8")
            start = text.find("## 1.")
            end = text.find("## 6.")
            return text[start:end].strip() if start >= 0 else ""
    return ""


def _accuracy() -> dict[str, Any]:
    t = time.perf_counter()
    bench = summarize(score_benchmarks())
    out: dict[str, Any] = {"benchmarks": _rows(bench), "dev_set": None}
    if measured_dir() is not None:
        out["dev_set"] = _rows(summarize(score(FAMILIES)))
    out["computed_in_s"] = round(time.perf_counter() - t, 2)
    return out


LABELS = {"speed.decode_tokens_per_s": "decode tokens/s", "speed.prefill_tokens_per_s": "prefill tokens/s",
          "speed.seconds_per_image": "seconds per image", "speed.seconds_per_video": "seconds per video",
          "memory.accelerator_bytes": "memory on the accelerator", "memory.total_bytes": "total memory",
          "file_bytes": "file size", "max_context_tokens": "largest context"}


def _rows(summary: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"metric": metric, "label": LABELS.get(metric, metric.rsplit(".", 1)[-1].replace("_", " ")),
             "hardware_class": g, **v} for metric, groups in summary.items() for g, v in groups.items()]


def methodology() -> dict[str, Any]:
    """Formulas, generated accuracy tables (in-sample dev set and held-out catalog benchmarks), assumptions."""
    with _LOCK:
        if "accuracy" not in _CACHE:
            _CACHE["accuracy"] = _accuracy()
            _CACHE["text"] = _doc_sections()
    return {"text": _CACHE["text"], "accuracy": _CACHE["accuracy"],
            "assumptions": [{"name": k, "value": i.value if not isinstance(i.value, tuple) else list(i.value),
                             "basis": i.basis, "source": i.source, "doc": i.doc}
                            for k, i in assumption_info().items()]}
