"""Strict JSON from outside (a batch line, an API body): bounded nesting, no NaN or Infinity, no 5,000-digit
integers; every failure is one InvalidField with the reason."""

from __future__ import annotations

import json
from typing import Any

from ..errors import InvalidField

MAX_NESTING = 64
"""JSON nested deeper than this is refused before parsing (a question is at most four levels deep)."""


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not a JSON number")


def too_deep(text: str, limit: int = MAX_NESTING) -> bool:
    """Whether brackets nest deeper than limit (brackets inside strings count too: a safe over-estimate)."""
    depth = 0
    for ch in text:
        if ch in "[{":
            depth += 1
            if depth > limit:
                return True
        elif ch in "]}":
            depth -= 1
    return False


def loads(text: str) -> Any:
    """The value in `text`, or InvalidField saying why it is not strict, bounded JSON."""
    if too_deep(text):
        raise InvalidField(f"JSON nested more than {MAX_NESTING} levels deep")
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise InvalidField(f"not valid JSON: {exc.msg}") from None
    except (ValueError, RecursionError) as exc:  # NaN/Infinity, integers of more than 4,300 digits
        raise InvalidField(f"not valid JSON: {exc}") from None
