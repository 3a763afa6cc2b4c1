"""Jinja2 templates and the filters that format numbers for people (units in the label, bytes inside)."""

from __future__ import annotations

import datetime as dt
import math
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markdown_it import MarkdownIt
from markupsafe import Markup

HERE = Path(__file__).resolve().parent


def gb(n: Any, digits: int = 1) -> str:
    """Bytes as GB (10^9), the unit vendors print on the box."""
    if not isinstance(n, int | float) or isinstance(n, bool) or not math.isfinite(n):
        return "–"
    if n < 1e9:
        return f"{n / 1e6:,.0f} MB"
    return f"{n / 1e9:,.{digits}f} GB"


def num(n: Any, digits: int = 0) -> str:
    if not isinstance(n, int | float) or isinstance(n, bool) or not math.isfinite(n):
        return "–"
    return f"{n:,.{digits}f}"


def rate(n: Any) -> str:
    """A tokens/s figure with sensible precision (3 significant figures, no false precision)."""
    if not isinstance(n, int | float) or isinstance(n, bool) or not math.isfinite(n):
        return "–"
    if n >= 100:
        return f"{n:,.0f}"
    if n >= 10:
        return f"{n:.1f}".rstrip("0").rstrip(".")
    return f"{n:.2g}"


def params(n: Any) -> str:
    if not isinstance(n, int | float) or isinstance(n, bool) or n <= 0:
        return "–"
    if n >= 1e12:
        return f"{n / 1e12:.2g}T"
    if n >= 1e9:
        return f"{n / 1e9:.3g}B"
    return f"{n / 1e6:.3g}M"


def tokens(n: Any) -> str:
    if not isinstance(n, int) or n <= 0:
        return "–"
    if n >= 1024 and n % 1024 == 0:
        return f"{n // 1024:,}K"
    return f"{n:,}"


_MD = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")


def markdown(text: str) -> Markup:
    """Markdown from the catalog as HTML; raw HTML in the source is escaped, never passed through."""
    return Markup(_MD.render(text or ""))


def query(base: dict[str, Any], **changes: Any) -> str:
    """A query string from `base` with some keys changed (None drops a key)."""
    d = {k: v for k, v in {**base, **changes}.items() if v not in (None, "")}
    return urlencode(d)


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(str(HERE / "templates")), autoescape=select_autoescape(["html", "xml"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters.update(gb=gb, num=num, rate=rate, params=params, tokens=tokens, markdown=markdown)
    env.globals.update(query=query, year=dt.date.today().year)
    return env


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)
