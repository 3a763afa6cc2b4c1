"""docs/cli.md names every command and option; docs/api.md names every field the contract answer has."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from runlocal.cli.main import build_parser
from runlocal.service import answer

DOCS = Path(__file__).resolve().parents[1] / "docs"


def _commands(p: argparse.ArgumentParser, prefix: str = "runlocal") -> list[tuple[str, argparse.ArgumentParser]]:
    out = []
    for a in p._actions:
        if isinstance(a, argparse._SubParsersAction):
            for name, sp in a.choices.items():
                out.append((f"{prefix} {name}", sp))
                out += _commands(sp, f"{prefix} {name}")
    return out


def test_every_command_and_option_is_in_docs_cli() -> None:
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    missing = []
    for name, sp in _commands(build_parser()):
        if f"`{name.split(' ', 1)[1]}`" not in text and f"`{name}`" not in text:
            missing.append(name)
        for a in sp._actions:
            missing += [f"{name} {o}" for o in a.option_strings if o.startswith("--") and o != "--help"
                        and f"`{o}`" not in text]
    assert not missing, f"missing from docs/cli.md: {missing}"


def _paths(d: dict[str, Any], prefix: str = "") -> set[str]:
    out = set()
    for k, v in d.items():
        p = f"{prefix}{k}"
        if isinstance(v, dict) and k not in ("commands", "ranges", "stages_s", "assumptions", "weights", "verdict"):
            out |= _paths(v, p + ".")  # a group is documented through its fields
        else:
            out.add(p)
    return out


def test_every_answer_field_is_in_docs_api() -> None:
    text = (DOCS / "api.md").read_text(encoding="utf-8")
    fields: set[str] = set()
    for q in ({"model": "llama-3.1-8b", "hardware": "rtx-4090"}, {"model": "sdxl", "hardware": "rtx-4090"},
              {"model": "nope", "hardware": "rtx-4090"}):
        fields |= _paths(answer(q))
    missing = sorted(f for f in fields if f"`{f}`" not in text)
    assert not missing, f"missing from docs/api.md: {missing}"
