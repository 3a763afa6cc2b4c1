"""Documentation helpers read from the source (outside the pure engine)."""

from __future__ import annotations

import ast
import dataclasses
import inspect
from typing import Any, NamedTuple


def assumption_docs() -> dict[str, str]:
    """Assumption field -> its docstring, for --explain, `runlocal assumptions` and the methodology page."""
    from ..estimate.assumptions import Assumptions

    tree = ast.parse(inspect.getsource(Assumptions))
    cls = tree.body[0]
    assert isinstance(cls, ast.ClassDef)
    docs: dict[str, str] = {}
    body = cls.body
    for node, nxt in zip(body, body[1:], strict=False):
        if (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
                and isinstance(nxt, ast.Expr) and isinstance(nxt.value, ast.Constant)
                and isinstance(nxt.value.value, str)):
            docs[node.target.id] = " ".join(nxt.value.value.split())
    return docs


class AssumptionInfo(NamedTuple):
    """One assumption: its default value, how that value was obtained, where from, and what it is."""

    value: Any
    basis: str  # fitted | taken | assumed | measured
    source: str
    doc: str


def assumption_info() -> dict[str, AssumptionInfo]:
    """Assumption field -> (value, basis, source, doc), in the engine's field order."""
    from ..estimate.assumptions import DEFAULT

    docs = assumption_docs()
    return {f.name: AssumptionInfo(getattr(DEFAULT, f.name), str(f.metadata.get("basis", "")),
                                   str(f.metadata.get("source", "")), docs.get(f.name, ""))
            for f in dataclasses.fields(DEFAULT)}


def assumption_values() -> dict[str, dict[str, object]]:
    """Every assumption: name -> {value, basis, source, doc}, in field order (for `runlocal assumptions --json`)."""
    return {k: i._asdict() for k, i in assumption_info().items()}


TABLE_BEGIN = "<!-- assumptions:begin (generated: python -m runlocal.service.assumptions docs/methodology.md) -->"
TABLE_END = "<!-- assumptions:end -->"


def _value(v: Any) -> str:
    if isinstance(v, tuple):
        return " – ".join(_value(x) for x in v)
    return f"{v:g}" if isinstance(v, float) else str(v)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def assumptions_markdown() -> str:
    """The table of every assumption (name, value, basis, source, meaning) for docs/methodology.md."""
    rows = ["| assumption | value | basis | source | what it is |", "|---|---|---|---|---|"]
    rows += [f"| `{k}` | {_value(i.value)} | {i.basis} | {_cell(i.source)} | {_cell(i.doc)} |"
             for k, i in assumption_info().items()]
    return "\n".join(rows)


def refresh_methodology(text: str) -> str:
    """`text` (docs/methodology.md) with the generated table between the marker comments replaced."""
    try:
        head, rest = text.split(TABLE_BEGIN, 1)
        _, tail = rest.split(TABLE_END, 1)
    except ValueError as exc:
        raise ValueError(f"the page lacks the marker lines {TABLE_BEGIN!r} and {TABLE_END!r}") from exc
    return f"{head}{TABLE_BEGIN}\n{assumptions_markdown()}\n{TABLE_END}{tail}"


if __name__ == "__main__":  # python -m runlocal.service.assumptions docs/methodology.md
    import sys
    from pathlib import Path

    for name in sys.argv[1:]:
        page = Path(name)
        page.write_text(refresh_methodology(page.read_text(encoding="utf-8")), encoding="utf-8")
