"""`runlocal data add-model hf:ORG/REPO`: a model file drafted from the repository's config.json (or a GGUF header)
and, for GGUF repositories, the published size of each quant from the file listing, with sources, ready for
review. Works offline against the local Hugging Face cache; asks the Hub only when the cache lacks the files."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import re
from pathlib import Path
from typing import Any

from ..catalog.load import data_root
from ..catalog.schema import ARCH
from ..errors import FileFormatError, InvalidField
from ..estimate.specs import Architecture
from ..formats import hfhub
from ..formats.load import load
from .resolve import catalog

_QUANT = re.compile(r"(?<![A-Za-z0-9])(IQ[1-4]_[A-Z]+|Q[2-8]_K(?:_[SMLX]{1,2})?|Q[4-8]_[01]|TQ[12]_0|BF16|F16|F32|"
                    r"MXFP4(?:_MOE)?|UD-[A-Z0-9_]+)(?=[-.])", re.IGNORECASE)
_SIZE = re.compile(r"^\d+(?:\.\d+)?[bBmM]$|^a\d+(?:\.\d+)?[bB]$|^\d+x\d+[bB]$")
_DROP = {"instruct", "it", "chat", "gguf", "hf", "base"}


def _slug(repo: str) -> str:
    name = repo.split("/", 1)[1].lower()
    parts = [p for p in re.split(r"[-_]+", name) if p and p not in _DROP]
    return re.sub(r"[^a-z0-9.\-]", "", "-".join(parts)).strip("-.")


def _family(repo: str) -> str:
    parts = [p for p in re.split(r"[-_]+", repo.split("/", 1)[1].lower()) if p not in ("meta",)]
    head = []
    for p in parts:
        if _SIZE.match(p) or p in _DROP:
            break
        head.append(p)
    return "-".join(head) or parts[0]


def _listing(repo: str, rev: str) -> tuple[dict[str, int], str | None]:
    """Files and sizes (cache first), and the snapshot folder when cached."""
    snap = hfhub.cached_snapshot(repo, rev)
    if snap is not None:
        return hfhub.cached_files(snap), snap
    if hfhub.offline():
        raise InvalidField(f"hf:{repo} is not in the local Hugging Face cache ({hfhub.cache_dir()}) and "
                           "HF_HUB_OFFLINE is set")
    return hfhub.HubRepo(repo, rev).files(), None


def _license(snap: str | None) -> str:
    """The licence from the model card's front matter (README.md), when the card is cached."""
    if snap is None or not os.path.isfile(os.path.join(snap, "README.md")):
        return "unknown"
    with open(os.path.join(snap, "README.md"), encoding="utf-8", errors="replace") as f:
        head = f.read(20_000)
    m = re.search(r"^license:\s*['\"]?([A-Za-z0-9.\-_+]+)", head, re.MULTILINE)
    return m.group(1).lower() if m else "unknown"


def _arch_table(a: Architecture) -> dict[str, Any]:
    default = Architecture(arch=a.arch, n_layers=1, hidden_size=1, n_heads=1, n_kv_heads=1, head_dim=1,
                           intermediate_size=1, vocab_size=1, context_length=1)
    out: dict[str, Any] = {}
    for f in dataclasses.fields(a):
        if f.name not in ARCH:
            continue
        v = getattr(a, f.name)
        required = ARCH[f.name][1]
        if not required and v == getattr(default, f.name):
            continue
        out[f.name] = list(v) if isinstance(v, tuple) else v
    return out


def _artifacts(repo: str, files: dict[str, int]) -> list[dict[str, Any]]:
    """One artifact per GGUF model in the listing (split parts summed), quant read from the file name."""
    from ..formats import gguf as gg

    out = []
    for name in hfhub.gguf_models(files):
        m = _QUANT.search(os.path.basename(name))
        if not m:
            continue
        parts = gg.split_parts(name) or [name]
        size = sum(files.get(p, 0) for p in parts)
        if size <= 0:
            continue
        out.append({"format": "gguf", "quant": m.group(1).upper(), "repo": repo, "file": name, "file_bytes": size,
                    "source": "hf-files"} | ({"files": len(parts)} if len(parts) > 1 else {}))
    return out


def draft(ref: str, *, model_id: str | None = None, today: dt.date | None = None,
          repo_name: str | None = None) -> dict[str, Any]:
    """The model file for `ref` (hf:ORG/REPO, or a config.json path with repo_name ORG/REPO), as TOML text with its
    id and path (nothing is written)."""
    if not ref.startswith("hf:"):
        if ref.endswith(".json") and os.path.isfile(ref):
            if not repo_name or "/" not in repo_name:
                raise InvalidField("a config.json needs --repo ORG/REPO: the repository it came from (for the source)")
            return _draft_config(ref, repo_name, model_id=model_id, today=today)
        raise InvalidField("add-model takes hf:ORG/REPO (a Hugging Face repository) or a config.json with --repo")
    repo, _file, rev = hfhub.parse_ref(ref)
    files, snap = _listing(repo, rev)
    ggufs = hfhub.gguf_models(files)
    if "config.json" in files:
        if snap is not None and os.path.isfile(os.path.join(snap, "config.json")):
            from ..formats.folder import load_json

            with open(os.path.join(snap, "config.json"), "rb") as f:
                _require_known(load_json(f.read(4 * 1024 * 1024), f"hf:{repo}/config.json"), f"hf:{repo}")
        loaded = load(f"hf:{repo}")
        source = {"id": "hf-config", "url": f"https://huggingface.co/{repo}/blob/main/config.json",
                  "title": f"{repo} config.json"}
    elif ggufs:
        pick = next((g for g in ggufs if "Q4_K_M" in g.upper()), ggufs[0])
        loaded = load(f"hf:{repo}:{pick}")
        source = {"id": "hf-gguf", "url": f"https://huggingface.co/{repo}/blob/main/{pick}",
                  "title": f"{repo} GGUF header ({pick})"}
    else:
        raise FileFormatError(f"hf:{repo}: neither config.json nor .gguf files in the repository")
    return _assemble(ref, repo, loaded.spec, source, _artifacts(repo, files), _license(snap), model_id=model_id,
                     today=today)


def _require_known(cfg: dict[str, Any], where: str) -> None:
    """Refuse a config whose architecture the engine does not know: it would be drafted as a plain llama."""
    from ..formats.hfconfig import known_architecture

    if known_architecture(cfg) is None:
        raise FileFormatError(f"{where}: architecture {cfg.get('architectures') or cfg.get('model_type')!r} is not "
                              "one the engine reads (it would be sized as a plain llama); not drafted")


def _draft_config(path: str, repo: str, *, model_id: str | None, today: dt.date | None) -> dict[str, Any]:
    """From a config.json saved locally (read from the repository by hand or through a mirror)."""
    from ..estimate.specs import ModelSpec
    from ..formats.folder import load_json
    from ..formats.hfconfig import arch_from_config

    with open(path, "rb") as f:
        cfg = load_json(f.read(4 * 1024 * 1024), path)
    _require_known(cfg, path)
    try:
        arch, params, active = arch_from_config(cfg)
    except (KeyError, TypeError, ValueError) as exc:
        raise FileFormatError(f"{path}: cannot read the architecture ({exc})") from None
    spec = ModelSpec(id=None, name=repo, arch=arch, params=params, active_params=active)
    source = {"id": "hf-config", "url": f"https://huggingface.co/{repo}/blob/main/config.json",
              "title": f"{repo} config.json"}
    return _assemble(path, repo, spec, source, [], "unknown", model_id=model_id, today=today)


def _assemble(ref: str, repo: str, spec: Any, source: dict[str, Any], arts: list[dict[str, Any]], license_: str,
              *, model_id: str | None, today: dt.date | None) -> dict[str, Any]:
    mid = model_id or _slug(repo)
    if not re.fullmatch(r"[a-z0-9][a-z0-9.\-]{0,80}", mid):
        raise InvalidField(f"model id {mid!r}: lowercase letters, digits, dots and dashes")
    today = today or dt.date.today()
    org = repo.split("/", 1)[0]
    sources = [{**source, "accessed": today}]
    if arts:
        sources.append({"id": "hf-files", "url": f"https://huggingface.co/{repo}/tree/main",
                        "title": f"{repo} file listing (file sizes)", "accessed": today})
    data: dict[str, Any] = {
        "name": repo.split("/", 1)[1].replace("-GGUF", "").replace("-gguf", "").replace("-", " "),
        "family": _family(repo), "kind": "text", "org": org, "release_date": today, "license": license_,
        "params": int(spec.params), **({"active_params": int(spec.active_params)} if spec.active_params else {}),
        "context_length": int(spec.arch.context_length), "aliases": [repo],
        "notes": f"Drafted by `runlocal data add-model {ref}` on {today.isoformat()} from the {source['title']}; "
                 "review release_date (the day it was drafted), license and family before committing.",
        "arch": _arch_table(spec.arch), "sources": sources,
    }
    if arts:
        data["artifacts"] = arts
        data["default_quant"] = "Q4_K_M" if any(a["quant"] == "Q4_K_M" for a in arts) else arts[0]["quant"]
    folder = re.sub(r"[^a-z0-9\-]", "", org.lower()) or "misc"
    rel = Path("models") / folder / f"{mid}.toml"
    clash = catalog().models.get(mid)
    return {"id": mid, "path": str(rel), "toml": to_toml(data), "data": data, "exists": clash is not None,
            "existing_path": clash.path if clash else None, "artifacts": len(arts)}


def write(result: dict[str, Any], *, root: Path | None = None, force: bool = False) -> Path:
    """Write a draft under data/ (never over an existing model unless forced)."""
    root = root or data_root()
    target = root / result["path"]
    if result["exists"] and not force:
        raise InvalidField(f"the catalog already has {result['id']} ({result['existing_path']}); use --force or --id")
    if target.exists() and not force:
        raise InvalidField(f"{target} exists; use --force to replace it")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".toml.tmp")
    tmp.write_text(result["toml"], encoding="utf-8")
    tmp.replace(target)
    return target


# ------------------------------------------------------------------------------------------------- TOML
def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, list):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    return json.dumps(str(v), ensure_ascii=False)  # a TOML basic string is a JSON string


def to_toml(data: dict[str, Any]) -> str:
    """A data file's text: scalars first, then [tables] and [[arrays of tables]]."""
    lines: list[str] = []
    tables = {k: v for k, v in data.items() if isinstance(v, dict)}
    arrays = {k: v for k, v in data.items() if isinstance(v, list) and v and all(isinstance(x, dict) for x in v)}
    for k, v in data.items():
        if k not in tables and k not in arrays:
            lines.append(f"{k} = {_value(v)}")
    for k, v in tables.items():
        lines += ["", f"[{k}]", *(f"{kk} = {_value(vv)}" for kk, vv in v.items())]
    for k, rows in arrays.items():
        for row in rows:
            lines += ["", f"[[{k}]]", *(f"{kk} = {_value(vv)}" for kk, vv in row.items())]
    return "\n".join(lines) + "\n"
