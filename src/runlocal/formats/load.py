"""Model files -> ModelSpec: a GGUF file, a safetensors file or model folder, or ``hf:ORG/REPO[:FILE]``.

The spec carries the file's own tensor table, so the engine's weights are the file's tensor bytes
exactly (``weights_from_table``); the architecture comes from the GGUF metadata or config.json.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from typing import Any

from ..errors import FileFormatError, NotFound
from ..estimate.specs import Architecture, ModelSpec
from . import gguf as gg
from . import hfhub
from .folder import CONFIG, FolderModel, LocalFolder, Source, read_folder
from .gguf_arch import arch_from_gguf, gguf_quant
from .hf_names import table_entry
from .hfconfig import arch_from_config

Table = tuple[tuple[str, tuple[int, ...], str], ...]


@dataclass
class Loaded:
    """A model file read: its spec plus the raw header it came from."""

    format: str  # gguf | safetensors
    label: str
    spec: ModelSpec
    gguf: gg.GGUFFile | None = None
    folder: FolderModel | None = None


def model_spec_from_path(path: str) -> ModelSpec:
    """The engine's ModelSpec of a GGUF file, safetensors file/folder or hf:ORG/REPO[:FILE]."""
    return load(path).spec


def load(path: str) -> Loaded:
    """Read the headers of a model file, folder or hf: reference (tensor data is never read)."""
    if path.startswith("hf:"):
        return _load_hf(path)
    p = os.path.expanduser(path)
    if not os.path.exists(p):
        raise NotFound(f"{path}: no such file or folder")
    return _load_local(p, path)


def _load_local(p: str, label: str) -> Loaded:
    if os.path.isdir(p):
        names = os.listdir(p)
        if CONFIG in names or any(n.endswith(".safetensors") for n in names):
            return _from_folder(read_folder(LocalFolder(p)), label)
        ggufs = hfhub.gguf_models({n: 0 for n in names})
        if len(ggufs) == 1:
            return _from_gguf(gg.read(os.path.join(p, ggufs[0])), label)
        if ggufs:
            raise FileFormatError(f"{label}: the folder holds {len(ggufs)} GGUF models; name one",
                                  [os.path.join(label, n) for n in ggufs[:10]])
        raise FileFormatError(f"{label}: neither config.json + safetensors nor a .gguf file in this folder")
    low = p.lower()
    if low.endswith(".safetensors"):
        folder, name = os.path.split(p)
        return _from_folder(read_folder(LocalFolder(folder or "."), only=name), label)
    if low.endswith(".json"):
        return _from_folder(read_folder(LocalFolder(os.path.dirname(p) or ".")), label)
    return _from_gguf(gg.read(p), label)  # .gguf, or any other name: the magic decides


# ---------------------------------------------------------------------------------------------- hf:

def _load_hf(ref: str) -> Loaded:
    repo, file, rev = hfhub.parse_ref(ref)
    snap = hfhub.cached_snapshot(repo, rev)
    if snap is not None:
        local = _from_cache(snap, file, ref)
        if local is not None:
            return local
    if hfhub.offline():
        raise NotFound(f"{ref}: not in the local Hugging Face cache ({hfhub.cache_dir()}) and HF_HUB_OFFLINE "
                       "is set, so the Hub was not asked")
    return load_remote(hfhub.HubRepo(repo, rev), file, ref)


def _from_cache(snap: str, file: str | None, ref: str) -> Loaded | None:
    """The model from a cached snapshot, or None when the cache lacks some of the files needed."""
    files = hfhub.cached_files(snap)
    if file is not None:
        if file not in files:
            return None
        if file.lower().endswith(".gguf"):
            parts = gg.split_parts(file) or [file]
            if not all(p in files for p in parts):
                return None
            return _from_gguf(gg.read(os.path.join(snap, file)), ref)
        if file.lower().endswith(".safetensors"):
            return _folder_if_complete(LocalFolder(os.path.join(snap, os.path.dirname(file))),
                                       os.path.basename(file), ref)
        raise FileFormatError(f"{ref}: expected a .gguf or .safetensors file")
    if CONFIG in files and any(n.endswith(".safetensors") for n in files):
        return _folder_if_complete(LocalFolder(snap), None, ref)
    ggufs = hfhub.gguf_models(files)
    if len(ggufs) == 1:
        parts = gg.split_parts(ggufs[0]) or ggufs
        if all(p in files for p in parts):
            return _from_gguf(gg.read(os.path.join(snap, ggufs[0])), ref)
    if len(ggufs) > 1:
        _many_ggufs(ref, ggufs)
    return None


def _folder_if_complete(src: LocalFolder, only: str | None, ref: str) -> Loaded | None:
    if CONFIG not in src.files():
        return None
    try:
        return _from_folder(read_folder(src, only=only), ref)
    except FileFormatError as exc:
        if "not there" in exc.message:  # shards missing from the cache: read them from the Hub instead
            return None
        raise


def _many_ggufs(ref: str, ggufs: list[str]) -> None:
    repo = hfhub.parse_ref(ref)[0]
    raise FileFormatError(f"{ref}: the repository holds {len(ggufs)} GGUF models; name one as hf:{repo}:FILE",
                          [f"hf:{repo}:{n}" for n in ggufs[:10]])


def load_remote(repo: hfhub.HubRepo, file: str | None, ref: str) -> Loaded:
    """Headers of a Hub repository's model read with range requests."""
    files = repo.files()
    if file is not None:
        if file.lower().endswith(".gguf"):
            return _from_gguf(repo.gguf(file), ref)
        if file.lower().endswith(".safetensors"):
            if file not in files:
                raise NotFound(f"{ref}: no file {file!r} in the repository")
            if "/" in file:
                raise FileFormatError(f"{ref}: safetensors files in subfolders are not supported")
            return _from_folder(read_folder(repo, only=file), ref)
        raise FileFormatError(f"{ref}: expected a .gguf or .safetensors file")
    if CONFIG in files and any(n.endswith(".safetensors") and "/" not in n for n in files):
        return _from_folder(read_folder(_TopLevel(repo)), ref)
    ggufs = hfhub.gguf_models(files)
    if len(ggufs) == 1:
        return _from_gguf(repo.gguf(ggufs[0]), ref)
    if ggufs:
        _many_ggufs(ref, ggufs)
    raise FileFormatError(f"{ref}: the repository has neither config.json + safetensors nor .gguf files")


class _TopLevel:
    """A repository's top-level files only (subfolders hold other variants)."""

    def __init__(self, repo: hfhub.HubRepo) -> None:
        self.repo = repo
        self.label = repo.label

    def files(self) -> dict[str, int]:
        return {k: v for k, v in self.repo.files().items() if "/" not in k}

    def read_small(self, name: str) -> bytes:
        return self.repo.read_small(name)

    def safetensors(self, name: str) -> Any:
        return self.repo.safetensors(name)


# ---------------------------------------------------------------------------------------------- GGUF

def _check_arch(arch: Architecture, label: str) -> None:
    """A header or config.json whose sizes are impossible (or too large to size) is a file problem."""
    problems = arch.problems()
    if problems:
        raise FileFormatError(f"{label}: {'; '.join(problems)}")


def _from_gguf(g: gg.GGUFFile, label: str) -> Loaded:
    arch, params, active = arch_from_gguf(g)
    _check_arch(arch, label)
    table: Table = tuple((t.name, t.shape, t.type) for t in g.tensors)
    name = g.metadata.get("general.name")
    spec = ModelSpec(id=None, name=name if isinstance(name, str) and name else os.path.basename(label),
                     arch=arch, params=params, active_params=active, tensor_table=table,
                     file_bytes=g.file_bytes, file_quant=gguf_quant(g))
    return Loaded("gguf", label, spec, gguf=g)


# ----------------------------------------------------------------------------------------- safetensors

def _from_folder(fm: FolderModel, label: str) -> Loaded:
    cfg = fm.config
    try:
        arch, _, _ = arch_from_config(cfg)
    except (KeyError, TypeError, ValueError, ZeroDivisionError) as exc:
        raise FileFormatError(f"{fm.label}/{CONFIG}: cannot read the architecture ({type(exc).__name__}: {exc})",
                              ) from None
    _check_arch(arch, f"{fm.label}/{CONFIG}")
    table: Table = tuple(table_entry(t.name, t.dtype, t.shape, t.n_bytes) for t in fm.weights.tensors)
    has_head = any(n == "output.weight" or n.startswith("output.") for n, _, _ in table)
    arch = dataclasses.replace(arch, tie_embeddings=not has_head,
                               extra_params=fm.params - fm.text_params)
    active = None
    if arch.n_experts and fm.expert_params:
        active = fm.text_params - fm.expert_params + fm.expert_params * arch.n_experts_used // arch.n_experts
    name = cfg.get("_name_or_path")
    spec = ModelSpec(id=None, name=str(name) if name else os.path.basename(label.rstrip("/")) or label,
                     arch=arch, params=fm.text_params or fm.params, active_params=active, tensor_table=table,
                     file_bytes=fm.weights.file_bytes, file_quant=fm.quant)
    return Loaded("safetensors", label, spec, folder=fm)


__all__ = ["Loaded", "Source", "load", "load_remote", "model_spec_from_path"]
