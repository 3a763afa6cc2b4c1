"""runlocal estimate --jsonl: the batch contract (shared/contracts/estimate-jsonl.md)."""

from __future__ import annotations

import json
import sys
from typing import IO, Any


def _error(message: str) -> dict[str, object]:
    return {"id": None, "ok": False, "error": {"code": "invalid_field", "message": message, "suggestions": []}}


def answer_stream(inp: IO[str] | IO[bytes], out: IO[str]) -> int:
    """Answer every line of `inp` on `out`, in order, one answer per input line; bad lines (not UTF-8, not
    JSON, blank between questions) get error objects and the rest are still answered."""
    from ..service import answer

    lines: list[str | bytes] = list(inp)
    while lines and not lines[-1].strip():
        lines.pop()  # a trailing blank line ends the input, it is not a question
    n = 0
    for lineno, raw in enumerate(lines, 1):
        line: str
        if isinstance(raw, bytes):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                out.write(json.dumps(_error(f"line {lineno}: not UTF-8 text ({exc.reason} at byte {exc.start})"),
                                     separators=(",", ":")) + "\n")
                n += 1
                continue
        else:
            line = raw
        text = line.strip()
        if not text:
            out.write(json.dumps(_error(f"line {lineno}: empty line"), separators=(",", ":")) + "\n")
            n += 1
            continue
        try:
            q = json.loads(text)
        except json.JSONDecodeError as exc:
            res = _error(f"line {lineno}: not valid JSON: {exc.msg}")
        else:
            res = answer(q)
        out.write(json.dumps(res, separators=(",", ":")) + "\n")
        n += 1
    out.flush()
    return n


def cmd_estimate(path: str) -> int:
    if path in ("-", None):
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
