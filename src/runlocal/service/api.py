"""The service's front door: parse once, resolve once, answer into a typed Answer; JSON only for the contract."""

from __future__ import annotations

from typing import Any

from ..errors import RunlocalError
from .answers import Answer
from .contract import error_answer, to_contract, unforeseen_answer
from .question import Question, parse
from .resolve import ResolvedMachine, resolve


def ask(question: Question | dict[str, Any], *, hw: ResolvedMachine | None = None) -> Answer:
    """One question -> one typed answer; raises RunlocalError subclasses. `hw` reuses a resolved machine."""
    q = question if isinstance(question, Question) else parse(question)
    r = resolve(q, hw=hw)
    if r.kind == "text":
        from .llm import answer_text

        return answer_text(q, r)
    from .diffusion import answer_media

    return answer_media(q, r)


def answer(q: Any) -> dict[str, Any]:
    """One batch-contract question -> one answer object (errors become ok: false, never an exception)."""
    qid = q.get("id") if isinstance(q, dict) else None
    try:
        return to_contract(ask(parse(q)))
    except RunlocalError as exc:
        return error_answer(qid, exc)
    except (TypeError, ValueError, ArithmeticError, MemoryError, RecursionError) as exc:
        return unforeseen_answer(qid, exc)


def will_it_run(model: str, hardware: str, **options: Any) -> dict[str, Any]:
    """Library entry point: the contract answer for `model` on `hardware`, raising RunlocalError on errors."""
    return to_contract(ask({"model": model, "hardware": hardware, **options}))
