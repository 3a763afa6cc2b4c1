"""``hf:ORG/REPO[:FILE]``: model headers from the Hugging Face Hub, local cache first.

The local cache (:func:`cache_dir`: the folder huggingface_hub itself uses) is used when it holds what is
needed; with ``HF_HUB_OFFLINE=1`` nothing else is tried. Otherwise only the
headers are fetched with HTTP range requests through ``huggingface_hub.HfFileSystem`` (an optional
dependency: ``pip install 'runlocal[hf]'``), never the weights.
"""

from __future__ import annotations

import os
import re
from typing import Any

from ..errors import FileFormatError, NotFound, RunlocalError
from . import gguf as gg
from . import regular
from . import safetensors as st

_REF = re.compile(r"^hf:(?P<repo>[A-Za-z0-9][\w.\-]*/[\w.\-]+)(?:@(?P<rev>[\w.\-/]+?))?(?::(?P<file>.+))?$")


def parse_ref(ref: str) -> tuple[str, str | None, str]:
    """``hf:ORG/REPO[@REVISION][:FILE]`` -> (repo id, file or None, revision)."""
    m = _REF.match(ref.strip())
    if not m:
        raise FileFormatError(f"{ref}: expected hf:ORG/REPO or hf:ORG/REPO:FILE")
    file = m["file"]
    if file is not None and (file.startswith("/") or ".." in file.split("/")):
        raise FileFormatError(f"{ref}: the file must be a path inside the repository")
    return m["repo"], file, m["rev"] or "main"


def offline() -> bool:
    """HF_HUB_OFFLINE as huggingface_hub reads it (1, true, yes, on)."""
    return os.environ.get("HF_HUB_OFFLINE", "").strip().upper() in ("1", "ON", "YES", "TRUE")


def cache_dir() -> str:
    """The Hugging Face hub cache folder, found as huggingface_hub.constants finds it.

    ``HF_HUB_CACHE``, else the legacy ``HUGGINGFACE_HUB_CACHE``, else ``HF_HOME/hub``, else
    ``XDG_CACHE_HOME/huggingface/hub``, else ``~/.cache/huggingface/hub``; ``~`` and ``$VARS`` expanded.
    One difference: a variable set to the empty string counts as unset here (huggingface_hub would use "").
    Every part of runlocal that looks in the cache (``hf:`` references, ``fit --installed``) uses this.
    """
    def expand(p: str) -> str:
        return os.path.expandvars(os.path.expanduser(p))

    for var in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"):
        if os.environ.get(var):
            return expand(os.environ[var])
    home = os.environ.get("HF_HOME") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "huggingface")
    return os.path.join(expand(home), "hub")


def cached_snapshot(repo: str, revision: str = "main") -> str | None:
    """The cached snapshot folder of ``repo`` at ``revision`` (a branch, tag or commit), if any."""
    root = os.path.join(cache_dir(), "models--" + repo.replace("/", "--"))
    commit = revision
    ref = os.path.join(root, "refs", revision)
    if os.path.isfile(ref):
        with open(ref, encoding="utf-8") as f:
            commit = f.read(256).strip()  # a commit hash
    snap = os.path.join(root, "snapshots", commit)
    return snap if commit and os.path.isdir(snap) else None


def cached_files(snap: str) -> dict[str, int]:
    """Relative path -> size of every file in a cached snapshot (symlinks into blobs/ followed)."""
    out: dict[str, int] = {}
    for folder, _, names in os.walk(snap):
        for n in names:
            p = os.path.join(folder, n)
            if os.path.isfile(p):
                out[os.path.relpath(p, snap).replace(os.sep, "/")] = os.path.getsize(p)
    return out


class HubRepo:
    """A repository on the Hub read through range requests (folder.Source, plus GGUF headers)."""

    def __init__(self, repo: str, revision: str = "main", fs: Any = None) -> None:
        self.repo = repo
        self.revision = revision
        self.label = f"hf:{repo}"
        self._fs = fs
        self._files: dict[str, int] | None = None

    @property
    def fs(self) -> Any:
        if self._fs is None:
            try:
                from huggingface_hub import HfFileSystem
            except ImportError:
                raise RunlocalError(f"{self.label}: reading from the Hugging Face Hub needs huggingface_hub "
                                    "(pip install 'runlocal[hf]')") from None
            self._fs = HfFileSystem()
        return self._fs

    def _call(self, what: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except FileNotFoundError:
            raise NotFound(f"{self.label}: {what} not found on the Hugging Face Hub "
                           f"(revision {self.revision})") from None
        except RunlocalError:
            raise
        except Exception as exc:  # network, auth and HTTP errors of whichever client is installed
            raise NotFound(f"{self.label}: cannot read {what} from the Hugging Face Hub: {exc}") from None

    def files(self) -> dict[str, int]:
        if self._files is None:
            found = self._call("the repository", self.fs.find, self.repo, detail=True, revision=self.revision)
            prefix = self.repo + "/"
            self._files = {k[len(prefix):] if k.startswith(prefix) else k: int(v.get("size") or 0)
                           for k, v in found.items() if v.get("type", "file") == "file"}
        return self._files

    def read_range(self, name: str, start: int, end: int) -> bytes:
        """Bytes [start, end) of one file: one HTTP range request."""
        def go() -> bytes:
            with self.fs.open(f"{self.repo}/{name}", "rb", revision=self.revision, cache_type="none") as f:
                f.seek(start)
                data: bytes = f.read(end - start)
                return data
        return bytes(self._call(name, go))

    def read_small(self, name: str) -> bytes:
        snap = cached_snapshot(self.repo, self.revision)
        if snap and os.path.isfile(os.path.join(snap, name)):
            return regular.read_small(os.path.join(snap, name))
        size = self.files().get(name)
        if size is None:
            raise NotFound(f"{self.label}: no file {name!r} in the repository")
        if size > regular.MAX_METADATA_BYTES:
            raise FileFormatError(f"{self.label}/{name}: too large for a JSON metadata file")
        return self.read_range(name, 0, size)

    def safetensors(self, name: str) -> st.SafetensorsFile:
        size = self.files()[name]
        return st.read_remote(lambda a, b: self.read_range(name, a, b), size, f"{self.label}/{name}")

    def gguf(self, name: str) -> gg.GGUFFile:
        """The header of one GGUF model in the repository (every part of a split model)."""
        files = self.files()
        if name not in files:
            raise NotFound(f"{self.label}: no file {name!r} in the repository",
                           [n for n in files if n.endswith(".gguf")][:10])
        parts = gg.split_parts(name) or [name]
        parts = [p.replace(os.sep, "/") for p in parts]
        missing = [p for p in parts if p not in files]
        if missing:
            raise FileFormatError(f"{self.label}/{name}: split model is missing part(s): {', '.join(missing)}")
        heads = []
        for p in parts:
            def prefix(a: int, b: int, p: str = p) -> bytes:
                return self.read_range(p, a, b)
            heads.append(gg.read_prefix(prefix, files[p], f"{self.label}/{p}"))
        return heads[0] if len(heads) == 1 else gg.merge_parts(heads)


def gguf_models(files: dict[str, int]) -> list[str]:
    """The GGUF models among a repository's files: single files and the first part of split ones."""
    out = []
    for n in sorted(files):
        if not n.lower().endswith(".gguf"):
            continue
        m = gg.SPLIT_RE.match(os.path.basename(n))
        if m and int(m["no"]) != 1:
            continue
        if "mmproj" in os.path.basename(n).lower():  # vision projectors shipped beside the model
            continue
        out.append(n)
    return out
