"""runlocal command line: a table of command modules, each registering its own parser and calling only the
service; one error handler for all. Imports stay lazy for a fast start."""

from __future__ import annotations

import argparse
import importlib
import json
import sys

EPILOG = """examples:
  runlocal check llama-3.1-8b --hardware rtx-4090
  runlocal check qwen3-30b-a3b --hardware "M2 Max 64GB" --context 32768 --json
  runlocal check llama-3.3-70b --hardware 4090 --gpu-count 2 --quant Q4_K_M --explain
  runlocal estimate --jsonl questions.jsonl > answers.jsonl
  runlocal models --search qwen3
  runlocal hardware --vendor apple
  runlocal data check
"""

COMMANDS = ("check", "estimate", "catalog", "knowledge", "system", "fit", "inspect", "decide", "capacity", "bench",
            "serve", "digest", "db")
"""Command modules under runlocal.cli, in `--help` order; each has register(subparsers)."""


def printable(text: str) -> str:
    """`text` with control characters (an echoed name holding ESC or a line break) written as escapes, so that
    an error stays one line and cannot drive the terminal."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="runlocal",
        description="Will this model run on this machine, in how much memory, and how fast?",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--version", action="store_true", help="print the version and exit")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"{__package__}.{name}").register(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    """Run one command; every failure the user can cause or meet ends in one line on stderr and exit 2."""
    if sys.stdout is None:  # started with stdout closed (>&-): nothing could be shown
        if sys.stderr is not None:
            print("runlocal: standard output is closed; nothing can be shown", file=sys.stderr)
        return 2
    try:
        rc = _main(argv)
        sys.stdout.flush()
        return rc
    except BrokenPipeError:  # the reader went away (| head): stop quietly, as other tools do
        _silence_stdout()
        return 0
    except KeyboardInterrupt:
        print("runlocal: interrupted", file=sys.stderr)
        return 130
    except OSError as exc:  # a full disk, a closed descriptor, a file that went away
        if exc.filename is not None:
            print(f"runlocal: {exc.filename}: {exc.strerror or exc}", file=sys.stderr)
        else:
            _silence_stdout()
            print(f"runlocal: cannot write the output: {exc.strerror or exc}", file=sys.stderr)
        return 2


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that the interpreter's own flush at exit does not fail again."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def _main(argv: list[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.version:
        from .. import __version__

        print(__version__)
        return 0
    if not args.command:
        parser.print_help()
        return 0
    from ..errors import RunlocalError

    try:
        return int(args.run(args))
    except RunlocalError as exc:
        if getattr(args, "json", False):
            print(json.dumps({"ok": False, "error": exc.to_dict()}, indent=2))
        else:
            print(f"runlocal: {printable(exc.message)}", file=sys.stderr)
            if exc.suggestions:
                print("did you mean: " + ", ".join(map(printable, exc.suggestions)), file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
