"""Standard streams that are closed, full or gone: one line on stderr and exit 2 (or a quiet stop when the
reader of a pipe went away), never a traceback."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys

import pytest

CLI = f"{shlex.quote(sys.executable)} -m runlocal.cli.main"


def sh(script: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=60)


def test_closed_stdin_for_a_batch() -> None:
    r = sh(f"{CLI} estimate <&-")
    assert r.returncode == 2, r
    assert r.stderr.strip() == "runlocal: standard input is closed; give the questions with --jsonl FILE"


def test_closed_stdout() -> None:
    r = sh(f"{CLI} check qwen3-8b --hardware rtx-4090 >&-")
    assert r.returncode == 2, r
    assert "standard output is closed" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux)")
def test_a_full_disk() -> None:
    r = sh(f"{CLI} check qwen3-8b --hardware rtx-4090 > /dev/full")
    assert r.returncode == 2, r
    assert r.stderr.strip() == "runlocal: cannot write the output: No space left on device", r.stderr


def test_the_reader_goes_away() -> None:
    r = sh(f"{CLI} models | head -c 10 > /dev/null; echo \"${{PIPESTATUS[0]}}\"")
    assert r.stdout.strip() == "0" and "Traceback" not in r.stderr and "Exception" not in r.stderr, r


def test_a_fifo_in_the_catalog_does_not_hang_a_process(tmp_path: object) -> None:
    import shutil
    from pathlib import Path

    root = Path(str(tmp_path)) / "cat"
    shutil.copytree(Path(__file__).resolve().parents[1] / "fixtures" / "catalog", root)
    os.mkfifo(root / "models" / "fifo.toml")
    env = {**os.environ, "RUNLOCAL_DATA": str(root)}
    r = subprocess.run([sys.executable, "-m", "runlocal.cli.main", "data", "check"], capture_output=True,
                       text=True, timeout=60, env=env)
    assert r.returncode == 1 and "models/fifo.toml: a FIFO (named pipe), not a file" in r.stdout + r.stderr, r
