"""The service's front door: parse once, resolve once, answer into a typed Answer; JSON only for the contract."""

from __future__ import annotations

import dataclasses
from typing import Any

from ..errors import RunlocalError
from .answers import Answer
from .contract import error_answer, to_contract, unforeseen_answer
from .question import Question, parse
from .resolve import ResolvedMachine, resolve


def ask(question: Question | dict[str, Any], *, hw: ResolvedMachine | None = None,
        calibrated: bool = True) -> Answer:
    """One question -> one typed answer; raises RunlocalError subclasses. `hw` reuses a resolved machine. A
    calibration this user made (runlocal calibrate) for the question's machine is applied and named in the
    notes, unless `calibrated` is False."""
    note = None
    if calibrated and isinstance(question, dict):
        from .calibration import apply

        question, note = apply(question)
    q = question if isinstance(question, Question) else parse(question)
    r = resolve(q, hw=hw)
    if r.kind == "text":
        from .llm import answer_text

        ans: Answer = answer_text(q, r)
    else:
        from .diffusion import answer_media

        ans = answer_media(q, r)
    if note:
        ans = dataclasses.replace(ans, notes=(*ans.notes, note))
    return ans


def answer(q: Any, *, calibrated: bool = True) -> dict[str, Any]:
    """One batch-contract question -> one answer object (errors become ok: false, never an exception); with the
    user's calibration for the question's machine, if any (see ask)."""
    qid = q.get("id") if isinstance(q, dict) else None
    try:
        if not isinstance(q, dict):
            q = parse(q)  # raises the contract's error for a line that is not an object
        return to_contract(ask(q, calibrated=calibrated))
    except RunlocalError as exc:
        return error_answer(qid, exc)
    except (TypeError, ValueError, ArithmeticError, MemoryError, RecursionError) as exc:
        return unforeseen_answer(qid, exc)


def will_it_run(model: str, hardware: str, **options: Any) -> dict[str, Any]:
    """Library entry point: the contract answer for `model` on `hardware`, raising RunlocalError on errors."""
    return to_contract(ask({"model": model, "hardware": hardware, **options}))


def answer_plain(q: Any) -> dict[str, Any]:
    """answer() without any user calibration: the engine's own defaults and the question's `assume`."""
    return answer(q, calibrated=False)
