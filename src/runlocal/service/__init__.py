"""The service layer: the only part of runlocal that edges (CLI, web, API) import besides `errors`.

    question (parse, validate)  ->  resolve (catalog names -> engine specs, once)
        ->  llm / diffusion (the engine)  ->  answers (typed)  ->  contract (JSON, at the edge only)

Around it: fit (what runs here), knowledge (explain, troubleshoot, search, pages), machine (this
computer), installed (models already downloaded), inspect (model files), accuracy (scoring against
measurements), assumptions (the engine's numbers and their sources), listing (catalog lists).
Names load lazily so that the CLI starts fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .answers import Answer, MediaAnswer, TextAnswer
    from .api import answer, ask, will_it_run
    from .contract import to_contract
    from .question import Question, parse
    from .resolve import ResolvedMachine, catalog, resolve_machine, set_catalog

_WHERE = {
    "Answer": "answers", "MediaAnswer": "answers", "TextAnswer": "answers",
    "answer": "api", "ask": "api", "will_it_run": "api",
    "to_contract": "contract",
    "Question": "question", "parse": "question",
    "ResolvedMachine": "resolve", "catalog": "resolve", "resolve_machine": "resolve", "set_catalog": "resolve",
}


def __getattr__(name: str) -> Any:
    mod = _WHERE.get(name)
    if mod is None:
        raise AttributeError(f"module 'runlocal.service' has no attribute {name!r}")
    return getattr(importlib.import_module(f".{mod}", __name__), name)


__all__ = [
    "Answer",
    "MediaAnswer",
    "Question",
    "ResolvedMachine",
    "TextAnswer",
    "answer",
    "ask",
    "catalog",
    "parse",
    "resolve_machine",
    "set_catalog",
    "to_contract",
    "will_it_run",
]
