"""Models already on this machine: Ollama's store, LM Studio's models folder, the Hugging Face cache.

Everything is read from the file system (no running server needed); names are resolved to catalog ids
where possible. Missing folders or unreadable manifests are skipped with a note, never an error.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from ..catalog.resolve import resolve_model
from ..errors import RunlocalError
from ..service.llm import catalog

OLLAMA_MODEL_MEDIA = "application/vnd.ollama.image.model"


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


def hf_cache_dir() -> Path:
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.environ["HF_HUB_CACHE"])
    if os.environ.get("HF_HOME"):
        return Path(os.environ["HF_HOME"]) / "hub"
    return Path.home() / ".cache" / "huggingface" / "hub"


def _resolve(name: str) -> tuple[str | None, str | None]:
    try:
        m = resolve_model(catalog(), name)
        return m.entity.id, m.quant
    except RunlocalError:
        return None, None


def scan_ollama(root: Path) -> list[dict[str, Any]]:
    """Manifests under manifests/<registry>/<namespace>/<model>/<tag>; the model layer is a GGUF blob."""
    out: list[dict[str, Any]] = []
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
        mid, quant = _resolve(name)
        out.append({"source": "ollama", "name": name, "path": str(blob), "exists": blob.is_file(),
                    "size_bytes": int(model_layer.get("size") or 0), "model_id": mid, "quant": quant})
    return out


def scan_gguf_folder(root: Path, source: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if not root.is_dir():
        return out
    for f in sorted(root.rglob("*.gguf")):
        if "mmproj" in f.name.lower() or ("-of-" in f.name and "-00001-of-" not in f.name):
            continue
        rel = f.relative_to(root)
        mid, quant = _resolve(f.name)
        if mid is None and len(rel.parts) >= 3:
            mid, _ = _resolve(f"{rel.parts[0]}/{rel.parts[1]}")
        out.append({"source": source, "name": str(rel), "path": str(f), "exists": True,
                    "size_bytes": f.stat().st_size, "model_id": mid, "quant": quant})
    return out


def scan_hf_cache(root: Path) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
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
        mid, quant = _resolve(repo)
        out.append({"source": "huggingface", "name": repo, "path": str(d), "exists": True, "size_bytes": size,
                    "model_id": mid, "quant": quant, "files": sorted(set(files))[:50]})
    return out


def installed_models() -> list[dict[str, Any]]:
    """Every model found in the known stores, with the catalog id it resolves to (or None)."""
    found: list[dict[str, Any]] = []
    for d in ollama_dirs():
        found += scan_ollama(d)
    for d in lmstudio_dirs():
        found += scan_gguf_folder(d, "lmstudio")
    found += scan_hf_cache(hf_cache_dir())
    return found


def installed_model_ids() -> list[str]:
    return sorted({m["model_id"] for m in installed_models() if m.get("model_id")})
