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

COMMANDS = ("check", "estimate", "catalog", "knowledge", "system", "fit", "inspect")
"""Command modules under runlocal.cli, in `--help` order; each has register(subparsers)."""


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
            print(f"runlocal: {exc.message}", file=sys.stderr)
            if exc.suggestions:
                print("did you mean: " + ", ".join(exc.suggestions), file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
