"""Models already on this machine: Ollama's store, LM Studio's models folder, the Hugging Face cache.

Everything is read from the file system (no running server needed). Only what is found is reported here:
names, paths and sizes; ``service.installed`` resolves the names to catalog ids. Missing folders or
unreadable manifests are skipped, never an error.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from ..formats.hfhub import cache_dir

OLLAMA_MODEL_MEDIA = "application/vnd.ollama.image.model"


@dataclass(frozen=True)
class FoundModel:
    """One model found in a store."""

    source: str  # ollama | lmstudio | huggingface
    name: str  # as the store names it: llama3.1:8b, bartowski/.../x.gguf, Qwen/Qwen3-8B
    path: str
    exists: bool  # the model file itself is there (an Ollama manifest may outlive its blob)
    size_bytes: int
    lookup: tuple[str, ...]  # names to try against the catalog, best first
    files: tuple[str, ...] | None = None  # Hugging Face cache: file names in the snapshots (first 50)


def ollama_dirs() -> list[Path]:
    env = os.environ.get("OLLAMA_MODELS")
    if env:
        return [Path(env)]
    return [Path.home() / ".ollama" / "models", Path("/usr/share/ollama/.ollama/models"),
            Path("/var/lib/ollama/.ollama/models")]


def lmstudio_dirs() -> list[Path]:
    env = os.environ.get("LMSTUDIO_MODELS")
    if env:
        return [Path(env)]
    home = Path.home()
    return [home / ".lmstudio" / "models", home / ".cache" / "lm-studio" / "models"]


def scan_ollama(root: Path) -> list[FoundModel]:
    """Manifests under manifests/<registry>/<namespace>/<model>/<tag>; the model layer is a GGUF blob."""
    out: list[FoundModel] = []
    man = root / "manifests"
    if not man.is_dir():
        return out
    for f in sorted(man.rglob("*")):
        if not f.is_file():
            continue
        try:
            data = json.loads(f.read_text(encoding="utf-8"))
        except (OSError, ValueError, UnicodeDecodeError):
            continue
        layers = data.get("layers") if isinstance(data, dict) else None
        if not isinstance(layers, list):
            continue
        model_layer = next((x for x in layers if isinstance(x, dict) and x.get("mediaType") == OLLAMA_MODEL_MEDIA),
                           None)
        if model_layer is None:
            continue
        parts = f.relative_to(man).parts  # registry, namespace, model, tag
        if len(parts) < 3:
            continue
        model, tag = parts[-2], parts[-1]
        namespace = parts[-3] if len(parts) >= 3 else "library"
        name = f"{model}:{tag}" if namespace == "library" else f"{namespace}/{model}:{tag}"
        digest = str(model_layer.get("digest", "")).replace(":", "-")
        blob = root / "blobs" / digest
        out.append(FoundModel("ollama", name, str(blob), blob.is_file(), int(model_layer.get("size") or 0),
                              (name,)))
    return out


def scan_gguf_folder(root: Path, source: str) -> list[FoundModel]:
    """GGUF models under a folder (LM Studio's <publisher>/<repo>/<file>.gguf); first parts of split ones."""
    out: list[FoundModel] = []
    if not root.is_dir():
        return out
    for f in sorted(root.rglob("*.gguf")):
        if "mmproj" in f.name.lower() or ("-of-" in f.name and "-00001-of-" not in f.name):
            continue
        rel = f.relative_to(root)
        lookup = (f.name, f"{rel.parts[0]}/{rel.parts[1]}") if len(rel.parts) >= 3 else (f.name,)
        out.append(FoundModel(source, str(rel), str(f), True, f.stat().st_size, lookup))
    return out


def scan_hf_cache(root: Path) -> list[FoundModel]:
    """Model repositories in a Hugging Face hub cache (models--ORG--NAME/snapshots/...)."""
    out: list[FoundModel] = []
    if not root.is_dir():
        return out
    for d in sorted(root.glob("models--*")):
        repo = d.name[len("models--"):].replace("--", "/", 1)
        snaps = d / "snapshots"
        if not snaps.is_dir():
            continue
        size = 0
        files: list[str] = []
        for f in snaps.rglob("*"):
            if f.is_file() or f.is_symlink():
                try:
                    size += f.stat().st_size
                except OSError:
                    continue
                files.append(f.name)
        out.append(FoundModel("huggingface", repo, str(d), True, size, (repo,), tuple(sorted(set(files))[:50])))
    return out


def found_models() -> list[FoundModel]:
    """Every model in the known stores: Ollama's, LM Studio's, then the Hugging Face cache."""
    found: list[FoundModel] = []
    for d in ollama_dirs():
        found += scan_ollama(d)
    for d in lmstudio_dirs():
        found += scan_gguf_folder(d, "lmstudio")
    found += scan_hf_cache(Path(cache_dir()))
    return found


__all__ = ["FoundModel", "found_models", "lmstudio_dirs", "ollama_dirs", "scan_gguf_folder", "scan_hf_cache",
           "scan_ollama"]
