"""runlocal: will this model run on this machine, in how much memory, and how fast?

The public Python API. Everything here returns JSON-ready dicts or plain dataclasses.
"""

from __future__ import annotations

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

__version__ = "0.1.0"


def answer(question: dict) -> dict:
    """Answer one batch-contract question (see shared/contracts/estimate-jsonl.md)."""
    from .service.llm import answer as _answer

    return _answer(question)


def will_it_run(model: str, hardware: str, **options: object) -> dict:
    """Fit, memory, speed and commands for `model` on `hardware`; raises RunlocalError subclasses."""
    from .service.llm import will_it_run as _w

    return _w(model, hardware, **options)


__all__ = [
    "Ambiguous",
    "DataError",
    "FileFormatError",
    "InvalidField",
    "NotFound",
    "RunlocalError",
    "UnknownHardware",
    "UnknownModel",
    "UnsupportedQuestion",
    "__version__",
    "answer",
    "will_it_run",
]
