"""A page result, shared by the page functions and the app."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Page:
    """What a page function returns: the template that draws it, its title, and the data (the JSON twin)."""

    template: str
    title: str
    data: dict[str, Any]
    description: str = ""
    extras: dict[str, Any] = field(default_factory=dict)
    """Drawn on the HTML page only (SVG charts made from `data`), never part of the JSON twin."""
