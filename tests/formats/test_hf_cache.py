"""hf:ORG/REPO[:FILE]: a fake local Hugging Face cache (offline), and the range-read path with a fake Hub."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from formats_builders import hf_llama, llama_config, write_folder, write_llama_gguf

from runlocal.cli.main import main
from runlocal.errors import FileFormatError, NotFound
from runlocal.formats import gguf as gg
from runlocal.formats import hfhub
from runlocal.formats.load import load_remote, model_spec_from_path
from runlocal.service import will_it_run

REV = "0123456789abcdef0123456789abcdef01234567"


def _cache_repo(cache: Path, repo: str, build: Any) -> Path:
    """models--org--repo/{refs/main, snapshots/REV/...}, files linked from blobs/ as huggingface_hub does."""
    root = cache / ("models--" + repo.replace("/", "--"))
    snap = root / "snapshots" / REV
    staging = root / "staging"
    build(staging)
    (root / "blobs").mkdir(parents=True)
    for f in sorted(staging.rglob("*")):
        if f.is_file():
            rel = f.relative_to(staging)
            blob = root / "blobs" / f"blob{abs(hash(str(rel)))}"
            shutil.move(str(f), blob)
            (snap / rel).parent.mkdir(parents=True, exist_ok=True)
            os.symlink(os.path.relpath(blob, (snap / rel).parent), snap / rel)
    shutil.rmtree(staging)
    (root / "refs").mkdir()
    (root / "refs" / "main").write_text(REV)
    return snap


@pytest.fixture()
def hf_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    cache = tmp_path / "hub"
    cache.mkdir()
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    return cache


def test_parse_ref() -> None:
    assert hfhub.parse_ref("hf:org/repo") == ("org/repo", None, "main")
    assert hfhub.parse_ref("hf:org/repo:sub/m-Q4_K_M.gguf") == ("org/repo", "sub/m-Q4_K_M.gguf", "main")
    assert hfhub.parse_ref("hf:org/repo@v1.0:m.gguf") == ("org/repo", "m.gguf", "v1.0")
    for bad in ("hf:repo", "hf:org/repo:../x.gguf", "hf:"):
        with pytest.raises(FileFormatError):
            hfhub.parse_ref(bad)


def test_cached_safetensors_repo_offline(hf_cache: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data: list[int] = []
    _cache_repo(hf_cache, "org/tiny-llama",
                lambda d: data.append(write_folder(d, llama_config(2), hf_llama(2))))
    spec = model_spec_from_path("hf:org/tiny-llama")
    assert spec.file_quant == "BF16" and spec.arch.n_layers == 2
    ans = will_it_run("hf:org/tiny-llama", "rtx-4090")
    assert ans["ok"] and sum(ans["basis"]["weights"]["by_type_bytes"].values()) == data[0]
    assert main(["check", "hf:org/tiny-llama", "--hardware", "rtx-4090", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["ok"]


def test_cached_gguf_repo_offline(hf_cache: Path) -> None:
    def build(d: Path) -> None:
        d.mkdir(parents=True)
        write_llama_gguf(d / "tiny-Q8_0.gguf")

    snap = _cache_repo(hf_cache, "org/tiny-GGUF", build)
    a = model_spec_from_path("hf:org/tiny-GGUF")
    b = model_spec_from_path("hf:org/tiny-GGUF:tiny-Q8_0.gguf")
    assert a.tensor_table == b.tensor_table and a.file_quant == "Q8_0"
    assert a.file_bytes == os.path.getsize(snap / "tiny-Q8_0.gguf")
    shutil.copy(snap / "tiny-Q8_0.gguf", snap / "tiny-F16.gguf")
    with pytest.raises(FileFormatError, match="2 GGUF models") as exc:
        model_spec_from_path("hf:org/tiny-GGUF")
    assert "hf:org/tiny-GGUF:tiny-F16.gguf" in exc.value.suggestions


def test_cached_split_gguf(hf_cache: Path) -> None:
    names: list[str] = []

    def build(d: Path) -> None:
        (d / "Q8_0").mkdir(parents=True)
        names.extend(p.name for p in write_llama_gguf(d / "Q8_0" / "tiny.gguf", split_max_tensors=10))

    snap = _cache_repo(hf_cache, "org/split-GGUF", build)
    assert names[0] == "tiny-00001-of-00003.gguf"
    spec = model_spec_from_path("hf:org/split-GGUF:Q8_0/tiny-00001-of-00003.gguf")
    assert spec.file_bytes == sum(os.path.getsize(p) for p in (snap / "Q8_0").iterdir())
    assert spec.file_quant == "Q8_0"


def test_offline_and_not_cached(hf_cache: Path) -> None:
    with pytest.raises(NotFound, match="HF_HUB_OFFLINE"):
        model_spec_from_path("hf:org/absent")
    _cache_repo(hf_cache, "org/partial", lambda d: write_folder(d, llama_config(2), hf_llama(2)))
    with pytest.raises(NotFound, match="not in the local Hugging Face cache"):
        model_spec_from_path("hf:org/partial:other.gguf")


class FakeHubFS:
    """The two HfFileSystem calls HubRepo makes (find, open + seek + read), over a local folder."""

    def __init__(self, root: Path, repo: str) -> None:
        self.root, self.repo = root, repo
        self.bytes_read = 0
        self.opened: list[str] = []

    def find(self, path: str, detail: bool = False, revision: str | None = None) -> dict[str, dict[str, Any]]:
        assert path == self.repo and detail
        return {f"{self.repo}/{p.relative_to(self.root).as_posix()}": {"size": p.stat().st_size, "type": "file"}
                for p in self.root.rglob("*") if p.is_file()}

    def open(self, path: str, mode: str = "rb", revision: str | None = None, cache_type: str = "") -> Any:
        assert path.startswith(self.repo + "/") and mode == "rb" and cache_type == "none"
        self.opened.append(path)
        fs = self
        f = open(self.root / path[len(self.repo) + 1:], "rb")  # noqa: SIM115

        class Counting:
            def __enter__(self) -> Counting:
                return self

            def __exit__(self, *exc: object) -> None:
                f.close()

            def seek(self, n: int) -> None:
                f.seek(n)

            def read(self, n: int) -> bytes:
                data = f.read(n)
                fs.bytes_read += len(data)
                return data

        return Counting()


def test_remote_gguf_reads_only_the_header(tmp_path: Path) -> None:
    repo_dir = tmp_path / "repo"
    repo_dir.mkdir()
    write_llama_gguf(repo_dir / "big-Q8_0.gguf", vocab=32768)
    size = (repo_dir / "big-Q8_0.gguf").stat().st_size
    fs = FakeHubFS(repo_dir, "org/big-GGUF")
    ld = load_remote(hfhub.HubRepo("org/big-GGUF", fs=fs), None, "hf:org/big-GGUF")
    local = gg.read(repo_dir / "big-Q8_0.gguf")
    assert ld.spec.tensor_table == model_spec_from_path(str(repo_dir / "big-Q8_0.gguf")).tensor_table
    assert ld.spec.file_bytes == size
    assert local.data_offset <= fs.bytes_read < size / 2  # the header, not the weights


def test_remote_safetensors_reads_two_ranges_per_shard(tmp_path: Path) -> None:
    repo_dir = tmp_path / "repo"
    data = write_folder(repo_dir, llama_config(2), hf_llama(2, vocab=4096))
    fs = FakeHubFS(repo_dir, "org/tiny")
    ld = load_remote(hfhub.HubRepo("org/tiny", fs=fs), None, "hf:org/tiny")
    assert ld.folder is not None and ld.folder.weights.tensor_bytes == data
    assert fs.bytes_read < data / 10
    missing = load_remote
    with pytest.raises(NotFound):
        missing(hfhub.HubRepo("org/tiny", fs=fs), "absent.safetensors", "hf:org/tiny:absent.safetensors")


_HF_VARS = ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "HF_HOME", "XDG_CACHE_HOME")


@pytest.mark.parametrize(("env", "expected"), [
    ({"HF_HUB_CACHE": "/a", "HUGGINGFACE_HUB_CACHE": "/b", "HF_HOME": "/c", "XDG_CACHE_HOME": "/d"}, "/a"),
    ({"HUGGINGFACE_HUB_CACHE": "/b", "HF_HOME": "/c", "XDG_CACHE_HOME": "/d"}, "/b"),
    ({"HF_HOME": "/c", "XDG_CACHE_HOME": "/d"}, "/c/hub"),
    ({"XDG_CACHE_HOME": "/d"}, "/d/huggingface/hub"),
    ({}, "~/.cache/huggingface/hub"),
    ({"HF_HUB_CACHE": "", "HF_HOME": "/c"}, "/c/hub"),  # empty counts as unset
    ({"HF_HOME": "~/hf"}, "~/hf/hub"),
    ({"HF_HUB_CACHE": "$RL_TEST_ROOT/hub", "RL_TEST_ROOT": "/r"}, "/r/hub"),
])
def test_cache_dir_precedence(monkeypatch: pytest.MonkeyPatch, env: dict[str, str], expected: str) -> None:
    """HF_HUB_CACHE > HUGGINGFACE_HUB_CACHE > HF_HOME/hub > XDG_CACHE_HOME/huggingface/hub > ~/.cache/..."""
    for var in _HF_VARS:
        monkeypatch.delenv(var, raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    assert hfhub.cache_dir() == os.path.expanduser(expected)


@pytest.mark.parametrize("env", [
    {"HF_HUB_CACHE": "/a", "HUGGINGFACE_HUB_CACHE": "/b", "HF_HOME": "/c"},
    {"HUGGINGFACE_HUB_CACHE": "/b", "HF_HOME": "/c", "XDG_CACHE_HOME": "/d"},
    {"HF_HOME": "~/c", "XDG_CACHE_HOME": "/d"},
    {"XDG_CACHE_HOME": "/d"},
    {},
])
def test_cache_dir_is_huggingface_hubs(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> None:
    """The same folder huggingface_hub.constants computes (it reads the variables once, at import)."""
    import subprocess
    import sys

    pytest.importorskip("huggingface_hub")
    clean = {k: v for k, v in os.environ.items() if k not in _HF_VARS}
    code = "import huggingface_hub.constants as c; print(c.HF_HUB_CACHE)"
    theirs = subprocess.run([sys.executable, "-c", code], env={**clean, **env}, capture_output=True, text=True,
                            check=True).stdout.strip()
    for var in _HF_VARS:
        monkeypatch.delenv(var, raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    assert hfhub.cache_dir() == theirs
