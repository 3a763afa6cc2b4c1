"""Hostile batch lines: each gets its own error object, the other lines are still answered, output is strict JSON."""

from __future__ import annotations

import io
import json

from runlocal.cli.estimate import MAX_LINE_BYTES, answer_stream
from runlocal.service.jsonin import MAX_NESTING

GOOD = b'{"id": "ok", "model": "llama-3.1-8b", "hardware": "rtx-4090"}\n'


def _run(data: bytes) -> list[dict[str, object]]:
    out = io.StringIO()
    n = answer_stream(io.BytesIO(data), out)
    rows = [json.loads(x, parse_constant=lambda c: (_ for _ in ()).throw(AssertionError(c)))
            for x in out.getvalue().splitlines()]
    assert n == len(rows)
    return rows


def test_each_hostile_line_gets_one_error_and_the_rest_are_answered() -> None:
    hostile = [
        b"[" * 1000 + b"]" * 1000,                       # nested 1,000 deep
        b'{"id": 1, "x": ' + b"9" * 5000 + b"}",          # an integer of 5,000 digits
        b'{"id": NaN, "model": "llama-3.1-8b", "hardware": "rtx-4090"}',
        b'{"id": "inf", "model": "llama-3.1-8b", "hardware": "rtx-4090", "context_tokens": Infinity}',
        b'{"id": "x", "model": "llama-3.1-8b", "hardware": "rtx-4090", "assume": {"decode_eff_cuda": 1e308}}',
        b"\xff\xfe not utf-8",
        b"x" * (MAX_LINE_BYTES + 10),                    # one line over the bound
    ]
    rows = _run(b"".join(h + b"\n" + GOOD for h in hostile))
    assert len(rows) == 2 * len(hostile)
    for bad, good in zip(rows[::2], rows[1::2], strict=True):
        assert bad["ok"] is False and isinstance(bad["error"], dict) and bad["error"]["message"], bad
        assert good["ok"] is True and good["id"] == "ok"


def test_nesting_bound_is_named() -> None:
    rows = _run(b"{" * (MAX_NESTING + 1) + b"\n")
    assert "nested more than" in str(rows[0]["error"])


def test_an_endless_line_is_refused_without_reading_it_all() -> None:
    rows = _run(b"\0" * (3 * MAX_LINE_BYTES))  # like /dev/zero, cut short
    assert len(rows) == 1 and "longer than" in str(rows[0]["error"])


def test_blank_lines_between_questions_are_errors_but_trailing_ones_end_the_input() -> None:
    rows = _run(GOOD + b"\n" + GOOD + b"\n\n")
    assert [r["ok"] for r in rows] == [True, False, True]


def test_ram_zero_is_reported_not_ignored() -> None:
    import subprocess
    import sys

    p = subprocess.run([sys.executable, "-m", "runlocal.cli.main", "check", "llama-3.1-8b", "--hardware",
                        "rtx-4090", "--ram", "0"], capture_output=True, text=True, timeout=60)
    assert p.returncode == 2 and "ram_gb" in p.stderr and "Traceback" not in p.stderr
