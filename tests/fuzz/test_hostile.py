"""Every hostile input of hostile_cases, class by class: a clean answer or a one-line error, in time and
memory, never a traceback, a hang or an absurd figure. `python bench/hostile.py` prints the counts and the
slowest and largest inputs."""

from __future__ import annotations

from pathlib import Path

import pytest
from harness import run_case
from hostile_cases import CLASSES, cases


@pytest.fixture(scope="module")
def all_cases(tmp_path_factory: pytest.TempPathFactory) -> list:  # type: ignore[type-arg]
    return cases(Path(tmp_path_factory.mktemp("hostile")))


@pytest.mark.parametrize("cls", sorted(CLASSES))
def test_class(cls: str, all_cases: list) -> None:  # type: ignore[type-arg]
    mine = [c for c in all_cases if c.cls == cls]
    assert len(mine) >= 8, f"class {cls} has only {len(mine)} inputs"
    failures = []
    for c in mine:
        o = run_case(c)
        if o.problems:
            failures.append(f"{c.label[:120]}: {o.problems[0]}" + (f"\n{o.crash}" if o.crash else ""))
    assert not failures, f"{len(failures)} of {len(mine)} {cls} inputs broke a rule:\n" + "\n".join(failures)
