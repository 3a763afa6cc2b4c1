"""Run one CLI invocation in this process under a time bound and report what a user would see.

Used by the hostile-input suite (tests/fuzz) and by bench/hostile.py, which prints the counts per class and
the slowest and largest inputs. In-process so that hundreds of inputs take seconds; the few inputs that need a
process of their own (a FIFO in the catalog, closed descriptors) run in a subprocess in the tests."""

from __future__ import annotations

import contextlib
import io
import json
import math
import resource
import signal
import sys
import time
import traceback
from dataclasses import dataclass, field
from typing import Any

TIME_LIMIT_S = 20.0
"""Any one input that takes longer than this is a hang (the slowest legitimate one takes about a second)."""
MEMORY_LIMIT_MB = 2_000
"""Peak resident memory of the whole test process after any one input (the suite starts near 300 MB)."""
MAX_RATE = 1e6
"""A tokens/s figure above this is absurd for any 2026 machine."""


class Hang(Exception):
    """Raised in the main thread when an input runs past TIME_LIMIT_S."""


@dataclass
class Outcome:
    rc: int | None
    out: str
    err: str
    seconds: float
    peak_mb: float
    crash: str | None = None  # a traceback, when one escaped
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def peak_mb() -> float:
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024 if sys.platform != "darwin" else kb / 1024 / 1024


def _on_alarm(signum: int, frame: Any) -> None:
    raise Hang(f"no answer within {TIME_LIMIT_S:g} s")


def run_cli(argv: list[str], stdin: bytes | None = None) -> Outcome:
    """`runlocal ARGV` with `stdin`, in process: exit code, output, time and memory, and every way the outcome
    breaks the rules (a traceback, a hang, a multi-line error, output that is not strict JSON, an absurd figure)."""
    from runlocal.cli.main import main

    out, err = io.StringIO(), io.StringIO()
    fake_in = io.TextIOWrapper(io.BytesIO(stdin or b""), encoding="utf-8")
    old_in = sys.stdin
    sys.stdin = fake_in
    old = signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, TIME_LIMIT_S)
    t = time.perf_counter()
    rc: int | None = None
    crash = None
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                rc = main(argv)
            except SystemExit as exc:  # argparse: usage and one error line, exit 2
                rc = exc.code if isinstance(exc.code, int) else 2
    except Hang as exc:
        crash = f"hang: {exc}"
    except BaseException:  # noqa: BLE001 - a traceback is what this harness exists to catch
        crash = traceback.format_exc(limit=-6)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
        sys.stdin = old_in
    o = Outcome(rc, out.getvalue(), err.getvalue(), time.perf_counter() - t, peak_mb(), crash)
    o.problems = judge(argv, o)
    return o


def judge(argv: list[str], o: Outcome) -> list[str]:
    """Every rule this outcome breaks (empty when it is a clean answer or a clean error)."""
    bad: list[str] = []
    options = argv[:argv.index("--")] if "--" in argv else argv
    json_mode = "--json" in options
    if o.crash:
        return [o.crash.strip().splitlines()[-1] if "hang" not in o.crash else o.crash, o.crash]
    if o.peak_mb > MEMORY_LIMIT_MB:
        bad.append(f"peak memory {o.peak_mb:.0f} MB")
    if o.rc not in (0, 1, 2):
        bad.append(f"exit code {o.rc}")
    if "Traceback" in o.err or "Traceback" in o.out:
        bad.append("a traceback in the output")
    if o.rc == 2:
        lines = [ln for ln in o.err.split("\n") if ln.strip()]
        if any(not ln.isprintable() for ln in lines):
            bad.append(f"control characters in the error: {lines[:2]!r}")
        json_err = json_mode and o.out.strip().startswith("{")
        if not lines and not json_err:
            bad.append("exit 2 with nothing said")
        said = [ln for ln in lines if not ln.startswith(("usage:", "did you mean:", " "))]
        if len(said) > 1:
            bad.append(f"an error of {len(said)} lines: {said[:3]}")
    if json_mode or argv[:1] == ["estimate"]:
        for line in _json_docs(o.out):
            try:
                doc = json.loads(line, parse_constant=_no_constants)
            except ValueError as exc:
                bad.append(f"output is not strict JSON: {exc}")
                break
            bad += absurd(doc)
    return bad


def _json_docs(text: str) -> list[str]:
    text = text.strip()
    if not text:
        return []
    if text.startswith("{") and "\n{" not in text:
        return [text]
    return [ln for ln in text.splitlines() if ln.strip()]


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} in the output")


def absurd(doc: Any) -> list[str]:
    """Silently wrong figures in one answer object: negative bytes, parts that do not add up, NaN, a rate
    past any machine, an error without code or message."""
    if not isinstance(doc, dict) or "ok" not in doc:
        return []
    out: list[str] = []
    if doc["ok"] is False:
        e = doc.get("error") or {}
        if not (isinstance(e.get("code"), str) and isinstance(e.get("message"), str) and e["message"]):
            out.append(f"an error without code and message: {e}")
        return out
    mem = doc.get("memory") or {}
    for k, v in mem.items():
        if not isinstance(v, int) or v < 0:
            out.append(f"memory.{k} = {v!r}")
    if mem and mem.get("total_bytes") != mem.get("accelerator_bytes", 0) + mem.get("system_bytes", 0):
        out.append("memory parts do not add up")
    for k, v in (doc.get("speed") or {}).items():
        if isinstance(v, bool) or not isinstance(v, int | float):
            continue
        if not math.isfinite(v) or v < 0 or (k.endswith("tokens_per_s") and v > MAX_RATE):
            out.append(f"speed.{k} = {v!r}")
    return out


def run_case(case: Any) -> Outcome:
    """One hostile_cases.Case: its catalog (if it brings one) installed for the run, the batch answers
    counted, the exit code checked against what the class expects."""
    import os

    from runlocal.service import set_catalog

    old = os.environ.get("RUNLOCAL_DATA")
    if case.data_root is not None:
        os.environ["RUNLOCAL_DATA"] = str(case.data_root)
        set_catalog(None)
    try:
        o = run_cli(case.argv, case.stdin)
    finally:
        if case.data_root is not None:
            if old is None:
                os.environ.pop("RUNLOCAL_DATA", None)
            else:
                os.environ["RUNLOCAL_DATA"] = old
            set_catalog(None)
    if not o.crash and o.rc not in case.expect_rc:
        o.problems.append(f"exit {o.rc}, expected {' or '.join(map(str, case.expect_rc))}: {o.err.strip()[:200]}")
    if case.batch_lines is not None and not o.crash:
        answers = [json.loads(ln) for ln in o.out.splitlines() if ln.strip()]
        if len(answers) != case.batch_lines:
            o.problems.append(f"{len(answers)} answers for {case.batch_lines} lines")
        elif not answers[-1].get("ok"):
            o.problems.append(f"the good line after it was not answered: {answers[-1].get('error')}")
    return o
