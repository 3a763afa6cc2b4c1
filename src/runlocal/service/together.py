"""Several models on one machine (a chat model, an embedding model and an image model on one card, say): what
stays resident together and what has to take turns. Each model runs in its own runtime process, so each brings
its own buffers and overhead; they share the accelerator's usable memory."""

from __future__ import annotations

from typing import Any

from ..errors import InvalidField, NotFound, RunlocalError
from .api import answer

MAX_TOGETHER = 6


def together(questions: list[dict[str, Any]]) -> dict[str, Any]:
    """Answer each question (same hardware), then pack them: models are kept resident in the order given while
    their accelerator memory fits in what is usable; the rest are loaded in turn."""
    if not 2 <= len(questions) <= MAX_TOGETHER:
        raise InvalidField(f"from 2 to {MAX_TOGETHER} models at once, got {len(questions)}")
    answers = [answer(q) for q in questions]
    for a in answers:
        if not a.get("ok"):
            err = a["error"]
            raise (NotFound if err["code"].startswith("unknown") else RunlocalError)(err["message"],
                                                                                   err.get("suggestions") or [])
    usable_one = (answers[0].get("basis") or {}).get("usable_accelerator_bytes_per_gpu")
    gpus = int(questions[0].get("gpu_count") or 1)
    usable = int(usable_one) * gpus if usable_one else None
    rows = []
    resident: list[str] = []
    used = 0
    turns: list[str] = []
    for q, a in zip(questions, answers, strict=True):
        acc = int(a["memory"]["accelerator_bytes"])
        alone = a["fits"]
        row = {"model": a["model_id"] or str(q["model"]), "quant": a["quant"], "runtime": a["runtime"],
               "fits_alone": alone,
               "accelerator_bytes": acc, "system_bytes": int(a["memory"]["system_bytes"]),
               "decode_tokens_per_s": (a.get("speed") or {}).get("decode_tokens_per_s"),
               "seconds_per_image": (a.get("speed") or {}).get("seconds_per_image")}
        if usable is not None and alone == "gpu" and used + acc <= usable:
            used += acc
            resident.append(row["model"])
            row["place"] = "resident"
        else:
            turns.append(row["model"])
            row["place"] = "takes turns" if alone != "no" else "does not fit at all"
        rows.append(row)
    total = sum(r["accelerator_bytes"] for r in rows)
    if not turns:
        verdict = f"All {len(rows)} stay loaded together: {used / 1e9:.1f} GB of {usable / 1e9:.1f} GB usable." \
            if usable else f"All {len(rows)} stay loaded together."
    else:
        verdict = (f"Together they need {total / 1e9:.1f} GB on the accelerator"
                   + (f", more than the {usable / 1e9:.1f} GB usable" if usable else "")
                   + f": {', '.join(resident) or 'none'} can stay loaded; {', '.join(turns)} "
                   + ("takes" if len(turns) == 1 else "take") + " turns (each load costs seconds to minutes).")
    return {"hardware_id": answers[0].get("hardware_id"), "usable_accelerator_bytes": usable,
            "resident_bytes": used, "total_accelerator_bytes": total, "models": rows, "resident": resident,
            "take_turns": turns, "verdict": verdict, "answers": answers}
