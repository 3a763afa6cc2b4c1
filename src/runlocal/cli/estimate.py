"""runlocal estimate --jsonl: the batch contract (shared/contracts/estimate-jsonl.md)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from typing import IO, Any

MAX_LINE_BYTES = 1 << 20
"""A question line longer than 1 MiB is refused (a config.json object is a few KiB); it bounds what one line
can make the process read or parse, e.g. /dev/zero given as the input."""
MAX_SKIP_BYTES = 64 << 20
"""An over-long line is skipped unread up to this much; past it the input has no line ends (/dev/zero, a binary
file) and the batch stops with one error for that line instead of reading forever."""

def _error(message: str, qid: object = None) -> dict[str, object]:
    return {"id": qid, "ok": False, "error": {"code": "invalid_field", "message": message, "suggestions": []}}


def _parse(text: str, lineno: int) -> tuple[object | None, dict[str, object] | None]:
    """The question on one line, or the error object that answers it."""
    from ..errors import InvalidField
    from ..service.jsonin import loads

    try:
        return loads(text), None
    except InvalidField as exc:
        return None, _error(f"line {lineno}: {exc.message}")


def _dump(res: dict[str, object]) -> str:
    """One answer as one line of strict JSON (no NaN or Infinity); an answer that cannot be is an error."""
    try:
        return json.dumps(res, separators=(",", ":"), allow_nan=False)
    except ValueError:
        qid = res.get("id")
        safe_id = qid if isinstance(qid, str | int) and not isinstance(qid, bool) else None
        return json.dumps(_error("the answer holds a number that is not finite (check the assumptions given)",
                                 safe_id), separators=(",", ":"))


def _ends_line(chunk: str | bytes) -> bool:
    return chunk.endswith(b"\n") if isinstance(chunk, bytes) else chunk.endswith("\n")


ENDLESS = b""
"""Stands for a line with no end within MAX_SKIP_BYTES: the last thing _lines yields."""


def _lines(inp: IO[str] | IO[bytes]) -> Iterator[str | bytes | None]:
    """Lines of at most MAX_LINE_BYTES; None stands for a longer line (the rest of it is skipped unread) and
    ENDLESS for one that does not end within MAX_SKIP_BYTES (then the input is not read further)."""
    while True:
        raw = inp.readline(MAX_LINE_BYTES + 1)
        if not raw:
            return
        if len(raw) > MAX_LINE_BYTES and not _ends_line(raw):
            skipped = len(raw)
            while True:  # skip to the end of this line without keeping it
                more = inp.readline(MAX_LINE_BYTES)
                skipped += len(more)
                if not more or _ends_line(more):
                    break
                if skipped > MAX_SKIP_BYTES:
                    yield ENDLESS
                    return
            yield None
            continue
        yield raw


def answer_stream(inp: IO[str] | IO[bytes], out: IO[str]) -> int:
    """Answer every line of `inp` on `out`, in order, one answer per input line; bad lines (not UTF-8, not
    JSON, too long or too deep, blank between questions) get error objects and the rest are still answered.
    Answers are written as they are made; trailing blank lines end the input."""
    from ..service import answer

    n = 0
    blanks: list[int] = []  # blank lines seen and not yet answered: errors only if a question follows
    for lineno, raw in enumerate(_lines(inp), 1):
        if raw is None:
            res = _error(f"line {lineno}: longer than {MAX_LINE_BYTES:,} bytes")
        elif raw is ENDLESS:
            res = _error(f"line {lineno}: no line end within {MAX_SKIP_BYTES:,} bytes; the rest of the input is "
                         "not read")
        else:
            if isinstance(raw, bytes):
                try:
                    line = raw.decode("utf-8")
                except UnicodeDecodeError as exc:
                    line = ""
                    res = _error(f"line {lineno}: not UTF-8 text ({exc.reason} at byte {exc.start})")
                    raw = None
            else:
                line = raw
            if raw is not None:
                text = line.strip()
                if not text:
                    blanks.append(lineno)
                    continue
                q, res_err = _parse(text, lineno)
                res = res_err if res_err is not None else answer(q)
        for b in blanks:
            out.write(json.dumps(_error(f"line {b}: empty line"), separators=(",", ":")) + "\n")
            n += 1
        blanks.clear()
        out.write(_dump(res) + "\n")
        n += 1
    out.flush()
    return n


def cmd_estimate(path: str) -> int:
    if path in ("-", None):
        if sys.stdin is None:
            print("runlocal: standard input is closed; give the questions with --jsonl FILE", file=sys.stderr)
            return 2
        answer_stream(sys.stdin.buffer, sys.stdout)
        return 0
    try:
        fh = open(path, "rb")
    except OSError as exc:
        print(f"runlocal: cannot read {path}: {exc.strerror}", file=sys.stderr)
        return 2
    with fh:
        answer_stream(fh, sys.stdout)
    return 0


def run(args: Any) -> int:
    return cmd_estimate(args.jsonl)


def register(sub: Any) -> None:
    """Add this module's command(s) to the `runlocal` parser."""
    e = sub.add_parser("estimate", help="answer many questions (JSON Lines in, JSON Lines out)",
                       description="Batch estimates per shared/contracts/estimate-jsonl.md: one JSON "
                                   "object per input line, one answer per output line, same order.")
    e.add_argument("--jsonl", nargs="?", const="-", default="-", metavar="FILE",
                   help="input file ('-' or absent: standard input)")
    e.set_defaults(run=run)
