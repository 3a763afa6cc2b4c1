"""The design's import rules, layer by layer:

    errors  <-  estimate  <-  formats, catalog  <-  detect, store  <-  service  <-  web  <-  cli

Each layer may import only the layers listed for it below; estimate/ is pure (an allow-list of standard
modules, no I/O calls); the package root holds only __init__.py and errors.py; no import loops."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "runlocal"

# layer -> the runlocal layers it may import (besides itself)
ALLOWED: dict[str, set[str]] = {
    "errors": set(),
    "estimate": set(),
    "formats": {"errors", "estimate"},
    "catalog": {"errors", "estimate"},
    "detect": {"errors", "formats"},
    "store": {"errors", "catalog"},
    "service": {"errors", "estimate", "formats", "catalog", "detect", "store"},
    "web": {"errors", "service", "estimate.workload", "estimate.units"},
    "cli": {"errors", "service", "web", "estimate.workload", "estimate.units", "__init__"},
    "__init__": {"errors", "service", "estimate"},
}
ENGINE_STDLIB = {"__future__", "math", "re", "functools", "dataclasses", "typing", "collections", "importlib"}
FORBIDDEN_CALLS = {"open", "print", "input", "exec", "eval", "__import__"}


def _layer(path: Path) -> str:
    rel = path.relative_to(SRC)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def _imports(path: Path) -> list[str]:
    """runlocal-internal modules imported by `path`, as dotted names below runlocal ('estimate.engine')."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    pkg = list(path.relative_to(SRC).with_suffix("").parts[:-1])
    out: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [a.name.removeprefix("runlocal.") for a in node.names if a.name.startswith("runlocal.")]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = pkg[: len(pkg) - (node.level - 1)] if node.level > 1 else pkg
                mod = ".".join([*base, node.module] if node.module else base)
                if not node.module:  # from . import x, y
                    out += [f"{mod}.{a.name}".strip(".") if mod else "__init__" for a in node.names]
                    continue
                out.append(mod)
            elif node.module and node.module.startswith("runlocal"):
                out.append(node.module.removeprefix("runlocal").lstrip("."))
    return [m for m in out if m]


def _stdlib_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and not node.level:
            out.add((node.module or "").split(".")[0])
    return out


def test_package_root_holds_only_the_public_api_and_errors() -> None:
    assert sorted(p.name for p in SRC.glob("*.py")) == ["__init__.py", "errors.py"]


def test_every_layer_imports_only_what_it_may() -> None:
    bad = []
    for f in sorted(SRC.rglob("*.py")):
        layer = _layer(f)
        allowed = ALLOWED[layer]
        for mod in _imports(f):
            target = mod.split(".")[0]
            if target == layer or target in allowed or mod in allowed or mod == "":
                continue
            bad.append(f"{f.relative_to(SRC)} ({layer}) imports {mod}")
    assert not bad, "\n".join(bad)


def test_estimate_imports_only_an_allow_list_of_standard_modules() -> None:
    for f in sorted((SRC / "estimate").glob("*.py")):
        extra = _stdlib_imports(f) - ENGINE_STDLIB - {""}
        assert not extra, f"{f.name} imports {sorted(extra)}: estimate/ must stay pure"


def test_estimate_does_no_io() -> None:
    for f in sorted((SRC / "estimate").glob("*.py")):
        tree = ast.parse(f.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in FORBIDDEN_CALLS, f"{f.name}:{node.lineno} calls {node.func.id}()"


def test_no_import_loops_between_modules() -> None:
    graph: dict[str, set[str]] = {}
    for f in SRC.rglob("*.py"):
        name = ".".join(f.relative_to(SRC).with_suffix("").parts).removesuffix(".__init__")
        graph[name] = {m for m in _imports(f) if m != name}
    names = set(graph)
    for k in graph:  # an import of a package counts as an import of its __init__
        graph[k] = {m if m in names else m.rsplit(".", 1)[0] for m in graph[k]} & names
    state: dict[str, int] = {}

    def visit(n: str, path: list[str]) -> None:
        state[n] = 1
        for m in sorted(graph[n]):
            if m in ("__init__",) or m.endswith(("estimate", "service")):  # lazy package faces
                continue
            if state.get(m) == 1:
                raise AssertionError("import loop: " + " -> ".join([*path, n, m]))
            if not state.get(m):
                visit(m, [*path, n])
        state[n] = 2

    for n in sorted(graph):
        if not state.get(n):
            visit(n, [])


def test_cli_starts_without_heavy_imports() -> None:
    # `runlocal --help` must not import the engine, the catalog or the service (fast start).
    code = ("import sys, runlocal.cli.main as m; m.build_parser(); "
            "print(sorted(k for k in sys.modules if k.startswith(('runlocal.estimate.', 'runlocal.catalog', "
            "'runlocal.service.', 'runlocal.formats')) "
            "and k not in ('runlocal.estimate.workload', 'runlocal.estimate.units')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
