"""The CLI end to end, in a real subprocess where start-up matters, in-process elsewhere."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from runlocal.cli.estimate import answer_stream
from runlocal.cli.main import main

CONTRACT_ANSWER = {"id", "ok", "model_id", "hardware_id", "fits", "file_bytes", "memory", "offload",
                   "max_context_tokens", "speed", "commands", "basis", "error"}
MEMORY = {"weights_bytes", "kv_cache_bytes", "compute_bytes", "overhead_bytes", "total_bytes",
          "accelerator_bytes", "system_bytes"}
SPEED = {"decode_tokens_per_s", "prefill_tokens_per_s", "time_to_first_token_s", "seconds_per_image",
         "seconds_per_video", "ranges", "bound"}


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "runlocal.cli.main", *args], input=stdin,
                          capture_output=True, text=True, timeout=120)


def test_check_human_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "qwen3-8b", "--hardware", "rtx-4090"]) == 0
    out = capsys.readouterr().out
    assert "Fits:" in out and "YES" in out
    assert "llama-server" in out
    assert "decode" in out and "tok/s" in out


def test_check_json_is_a_contract_answer(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "qwen3-8b", "--hardware", "rtx-4090", "--json"]) == 0
    r = json.loads(capsys.readouterr().out)
    assert CONTRACT_ANSWER <= set(r)
    assert MEMORY <= set(r["memory"])
    assert SPEED <= set(r["speed"])
    assert r["ok"] is True and r["fits"] == "gpu"
    m = r["memory"]
    assert m["total_bytes"] == m["accelerator_bytes"] + m["system_bytes"]
    assert m["total_bytes"] == sum(m[k] for k in ("weights_bytes", "kv_cache_bytes", "compute_bytes",
                                                  "overhead_bytes"))


def test_check_explain_lists_assumptions(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "qwen3-8b", "--hardware", "rtx-4090", "--explain"]) == 0
    out = capsys.readouterr().out
    assert "decode_eff_cuda" in out and "sources:" in out


def test_options_change_the_answer(capsys: pytest.CaptureFixture[str]) -> None:
    main(["check", "qwen3-8b", "-H", "rtx-4090", "--json", "--context", "32768", "--kv-cache-type", "q8_0",
          "--parallel", "2", "--quant", "Q8_0", "--assume", "decode_eff_cuda=0.5"])
    r = json.loads(capsys.readouterr().out)
    assert r["quant"] == "Q8_0"
    assert "-ctk q8_0" in r["commands"]["llama.cpp"] and "-np 2" in r["commands"]["llama.cpp"]
    assert r["basis"]["assumptions"]["decode_eff_cuda"] == 0.5


def test_unknown_model_exits_2_with_suggestions() -> None:
    p = run("check", "qwen3-8c", "--hardware", "rtx-4090")
    assert p.returncode == 2
    assert "unknown model" in p.stderr and "did you mean" in p.stderr
    assert "Traceback" not in p.stderr


def test_unknown_model_json_error_shape() -> None:
    p = run("check", "nonexistent-model-zzz", "--hardware", "rtx-4090", "--json")
    assert p.returncode == 2
    err = json.loads(p.stdout)
    assert err["ok"] is False and err["error"]["code"] == "unknown_model"


def test_bad_option_values_are_clear() -> None:
    p = run("check", "qwen3-8b", "--hardware", "rtx-4090", "--quant", "Q9_Z")
    assert p.returncode == 2 and "unknown quant" in p.stderr and "Traceback" not in p.stderr
    p = run("check", "qwen3-8b", "--hardware", "rtx-4090", "--kv-cache-type", "q3")
    assert p.returncode == 2 and "kv_cache_type" in p.stderr
    p = run("check", "qwen3-8b", "--hardware", "rtx-4090", "--assume", "nope=1")
    assert p.returncode == 2 and "unknown assumption" in p.stderr


def test_batch_contract_order_and_errors() -> None:
    lines = [
        json.dumps({"id": "a", "model": "qwen3-8b", "hardware": "rtx-4090"}),
        "this is not json",
        json.dumps({"id": "c", "model": "no-such-model", "hardware": "rtx-4090"}),
        json.dumps({"id": "d", "model": "qwen3-8b", "hardware": "no-such-gpu"}),
        json.dumps({"id": "e", "model": "qwen3-8b", "hardware": "rtx-4090", "context_tokens": "big"}),
        json.dumps({"id": "f", "model": "qwen3-8b", "hardware": {"gpus": [{"name": "x", "memory_gb": 8}]}}),
        "",
        json.dumps({"id": "g", "model": "qwen3-8b", "hardware": "rtx-4090", "bogus": 1}),
    ]
    out = io.StringIO()
    answer_stream(io.StringIO("\n".join(lines) + "\n"), out)
    res = [json.loads(x) for x in out.getvalue().splitlines()]
    # one answer per input line: the blank line in the middle gets an error object too
    assert [r["id"] for r in res] == ["a", None, "c", "d", "e", "f", None, "g"]
    assert [r["ok"] for r in res] == [True, False, False, False, False, True, False, True]
    assert "ignored unknown field(s): bogus" in res[7]["basis"]["notes"]
    assert res[2]["error"]["code"] == "unknown_model" and res[2]["error"]["suggestions"] is not None
    assert res[3]["error"]["code"] == "unknown_hardware"
    assert res[4]["error"]["code"] == "invalid_field"
    assert res[5]["hardware_id"] is None


def test_batch_from_stdin_in_subprocess(tmp_path: Path) -> None:
    q = json.dumps({"id": "x", "model": "qwen3-8b", "hardware": "rtx-4090"})
    p = run("estimate", "--jsonl", stdin=q + "\n")
    assert p.returncode == 0
    assert json.loads(p.stdout)["id"] == "x"
    f = tmp_path / "q.jsonl"
    f.write_text(q + "\n" + q + "\n", encoding="utf-8")
    p = run("estimate", "--jsonl", str(f))
    assert p.returncode == 0 and len(p.stdout.splitlines()) == 2
    p = run("estimate", "--jsonl", str(tmp_path / "missing.jsonl"))
    assert p.returncode == 2 and "cannot read" in p.stderr


def test_listing_commands(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["models", "--search", "qwen3"]) == 0
    assert "qwen3-8b" in capsys.readouterr().out
    assert main(["hardware", "--vendor", "apple", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows and all(r["vendor"] == "apple" for r in rows)
    assert main(["data", "check"]) == 0
    assert main(["assumptions"]) == 0
    assert "decode_eff_cuda" in capsys.readouterr().out


def test_help_and_version() -> None:
    p = run("--help")
    assert p.returncode == 0 and "check" in p.stdout
    p = run("check", "--help")
    assert p.returncode == 0 and "--kv-cache-type" in p.stdout
    assert run("--version").stdout.strip()


def test_check_defaults_to_the_runtime_context(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "qwen3-8b", "--hardware", "rtx-4060", "--json"]) == 0
    auto = json.loads(capsys.readouterr().out)
    assert auto["context_tokens"] == auto["max_context_tokens"] and "-c 4096" not in auto["commands"]["llama.cpp"]
    assert main(["check", "qwen3-8b", "--hardware", "rtx-4060", "--runtime", "ollama"]) == 0
    assert "Context:   4,096 tokens allocated" in capsys.readouterr().out
    assert main(["check", "qwen3-8b", "--hardware", "rtx-4060", "-c", "2048", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["context_tokens"] == 2048
