"""Documentation helpers read from the source (outside the pure engine)."""

from __future__ import annotations

import ast
import inspect


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


def assumption_values() -> dict[str, dict[str, object]]:
    """Every assumption: name -> {value, doc}, in the engine's field order (for `runlocal assumptions`)."""
    from ..estimate.assumptions import DEFAULT

    docs = assumption_docs()
    return {k: {"value": v, "doc": docs.get(k, "")} for k, v in DEFAULT.as_dict().items()}
