"""runlocal: will this model run on this machine, in how much memory, and how fast?

The public Python API:

- `answer(question_dict) -> dict`: one batch-contract question, one contract answer (never raises);
- `ask(question) -> TextAnswer | MediaAnswer`: the same question answered into typed results (raises
  RunlocalError subclasses); `will_it_run(model, hardware, **options) -> dict`;
- the engine itself: `runlocal.estimate.estimate(Query(...)) -> Estimate` over `ModelSpec`, `Machine`, `Assumptions`;
- the errors, all RunlocalError subclasses with `.code`, `.message`, `.suggestions` and `.to_dict()`.

Heavy names load on first use, so `import runlocal` stays fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .errors import (
    Ambiguous,
    DataError,
    FileFormatError,
    InvalidField,
    NotFound,
    RunlocalError,
    UnknownHardware,
    UnknownModel,
    UnsupportedQuestion,
)

if TYPE_CHECKING:
    from .estimate import Assumptions, Estimate, Machine, ModelSpec, Query
    from .service import MediaAnswer, Question, TextAnswer, answer, ask, will_it_run

__version__ = "0.1.0"

_LAZY = {
    "answer": "service", "ask": "service", "will_it_run": "service", "Question": "service",
    "TextAnswer": "service", "MediaAnswer": "service",
    "Query": "estimate", "Estimate": "estimate", "Machine": "estimate",
    "ModelSpec": "estimate", "Assumptions": "estimate",
}


def __getattr__(name: str) -> Any:
    where = _LAZY.get(name)
    if where is None:
        raise AttributeError(f"module 'runlocal' has no attribute {name!r}")
    return getattr(importlib.import_module(f".{where}", __name__), name)


__all__ = [
    "Ambiguous",
    "Assumptions",
    "DataError",
    "Estimate",
    "FileFormatError",
    "InvalidField",
    "Machine",
    "MediaAnswer",
    "ModelSpec",
    "NotFound",
    "Query",
    "Question",
    "RunlocalError",
    "TextAnswer",
    "UnknownHardware",
    "UnknownModel",
    "UnsupportedQuestion",
    "__version__",
    "answer",
    "ask",
    "will_it_run",
]
