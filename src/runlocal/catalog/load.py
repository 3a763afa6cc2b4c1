"""Read data/ into a Catalog, strictly, with a compiled cache so the CLI starts fast."""

from __future__ import annotations

import hashlib
import os
import pickle
import stat
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import DataError
from .schema import (
    ARCH,
    ARTIFACT,
    COMPONENT,
    DERIVATIVE,
    DIFFUSION,
    ENUMS,
    INSTANCE,
    KINDS,
    LAYER_KINDS,
    MD_KINDS,
    MD_SECTIONS,
    SOURCE,
    check_table,
)

CACHE_VERSION = 4
SAMPLING_KEYS = {"temperature": 5, "top_p": 1, "top_k": 1000, "min_p": 1, "repeat_penalty": 5, "presence_penalty": 5,
                 "frequency_penalty": 5}
"""Sampling settings a prompting kit may recommend, with their upper bounds."""
ALL_KINDS = {**KINDS, **MD_KINDS}


@dataclass
class Entity:
    """One data file: its kind, id, path (relative to data/) and validated contents."""

    kind: str
    id: str
    path: str
    data: dict[str, Any]

    @property
    def name(self) -> str:
        d = self.data
        return str(d.get("name") or d.get("term") or d.get("title") or self.id)

    @property
    def aliases(self) -> list[str]:
        return [str(a) for a in self.data.get("aliases", [])]

    def source_ids(self) -> list[str]:
        return [s["id"] for s in self.data.get("sources", [])]

    @property
    def body(self) -> str:
        """Markdown body (glossary, errors, verdicts); empty for TOML kinds."""
        return str(self.data.get("_body", ""))


@dataclass
class Catalog:
    root: Path
    entities: dict[str, dict[str, Entity]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def kind(self, kind: str) -> dict[str, Entity]:
        return self.entities.setdefault(kind, {})

    @property
    def models(self) -> dict[str, Entity]:
        return self.kind("models")

    @property
    def hardware(self) -> dict[str, Entity]:
        return self.kind("hardware")

    @property
    def quants(self) -> dict[str, Entity]:
        return self.kind("quants")

    @property
    def runtimes(self) -> dict[str, Entity]:
        return self.kind("runtimes")

    @property
    def glossary(self) -> dict[str, Entity]:
        return self.kind("glossary")

    @property
    def errors(self) -> dict[str, Entity]:
        return self.kind("errors")

    @property
    def verdicts(self) -> dict[str, Entity]:
        return self.kind("verdicts")

    @property
    def pages(self) -> dict[str, Entity]:
        return self.kind("pages")

    @property
    def kits(self) -> dict[str, Entity]:
        return self.kind("kits")

    @property
    def prices(self) -> dict[str, Entity]:
        return self.kind("prices")

    @property
    def api_prices(self) -> dict[str, Entity]:
        return self.kind("api_prices")

    @property
    def benchmarks(self) -> dict[str, Entity]:
        return self.kind("benchmarks")

    @property
    def serving(self) -> dict[str, Entity]:
        return self.kind("serving")


def data_root() -> Path:
    """data/ of the checkout (or $RUNLOCAL_DATA)."""
    env = os.environ.get("RUNLOCAL_DATA")
    if env:
        return Path(env)
    here = Path(__file__).resolve()
    for parent in here.parents:
        cand = parent / "data"
        if (cand / "models").is_dir() and (cand / "hardware").is_dir():
            return cand
    raise DataError("cannot find the catalog's data/ folder; set RUNLOCAL_DATA to its path")


MAX_DATA_FILE_BYTES = 1 << 20
"""The largest data file read (the largest real one is under 4 KB): a bigger file is a problem, never read whole."""
MAX_DATA_NESTING = 16
"""Deepest nesting of tables and arrays in a data file (the schema needs 3); deeper is a problem, not a crash."""
MAX_DATA_FILES = 100_000
"""More files than this under data/ is a mistake (a copied cache, a loop), reported rather than read."""


def _files(root: Path) -> tuple[list[Path], list[str]]:
    """Regular data files under root, and a problem for every other thing named like one (a directory, a FIFO,
    a device, a dangling or looping symlink), so that no such entry can stop or hang a command."""
    out: list[Path] = []
    problems: list[str] = []
    for kinds, suffix in ((KINDS, ".toml"), (MD_KINDS, ".md")):
        for kind in kinds:
            d = root / kind
            if not d.is_dir():
                continue
            for f in _walk(d, suffix, problems, root):
                if len(out) >= MAX_DATA_FILES:
                    problems.append(f"{kind}: more than {MAX_DATA_FILES:,} data files; the rest are not read")
                    return out, problems
                out.append(f)
    return out, problems


def _walk(d: Path, suffix: str, problems: list[str], root: Path) -> list[Path]:
    """Files ending in suffix under d, sorted, without following symlinked folders (no loops)."""
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(d, followlinks=False):
        dirnames.sort()
        here = Path(dirpath)
        for name in sorted(filenames + [n for n in dirnames if n.endswith(suffix)]):
            if not name.endswith(suffix):
                continue
            f = here / name
            why = _not_a_file(f)
            if why:
                problems.append(f"{f.relative_to(root)}: {why}; only regular files are read")
            else:
                found.append(f)
        dirnames[:] = [n for n in dirnames if not n.endswith(suffix)]
    return found


def _not_a_file(f: Path) -> str | None:
    try:
        st = f.stat()
    except OSError as exc:
        if f.is_symlink():
            return "a symlink that leads nowhere or loops" + (f" ({exc.strerror})" if exc.strerror else "")
        return f"cannot be read ({exc.strerror or exc})"
    if stat.S_ISREG(st.st_mode):
        return None
    if stat.S_ISDIR(st.st_mode):
        return "a directory, not a file"
    if stat.S_ISFIFO(st.st_mode):
        return "a FIFO (named pipe), not a file"
    return "not a regular file (a device or socket)"


def _depth(value: Any, limit: int) -> int:
    """Nesting depth of tables and arrays, counted no further than limit + 1."""
    stack = [(value, 1)]
    deepest = 0
    while stack:
        v, d = stack.pop()
        if isinstance(v, (dict, list)):
            deepest = max(deepest, d)
            if deepest > limit:
                return deepest
            stack.extend((c, d + 1) for c in (v.values() if isinstance(v, dict) else v))
    return deepest


def split_front_matter(text: str) -> tuple[str, str] | None:
    """(TOML front matter, Markdown body) of a '+++'-fenced file, or None."""
    if not text.startswith("+++"):
        return None
    end = text.find("\n+++", 3)
    if end < 0:
        return None
    return text[3:end], text[end + 4:].lstrip("\n")


_VALIDATORS = (Path(__file__), Path(__file__).with_name("schema.py"))


def _fingerprint(root: Path, files: list[Path], problems: list[str]) -> str:
    h = hashlib.sha1(f"{CACHE_VERSION}:{root}".encode())
    for code in _VALIDATORS:  # a change to the rules re-validates every file
        st = code.stat()
        h.update(f"{code}:{st.st_mtime_ns}:{st.st_size}".encode())
    for f in files:
        try:
            st = f.stat()
        except OSError:  # removed since the walk: the key changes, the loader reports it
            h.update(f"{f}:gone".encode())
            continue
        h.update(f"{f}:{st.st_mtime_ns}:{st.st_size}".encode())
    for p in problems:
        h.update(p.encode())
    return h.hexdigest()[:16]


def _cache_dir() -> Path:
    base = os.environ.get("RUNLOCAL_CACHE") or os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "runlocal"


def load(root: Path | None = None, *, use_cache: bool = True) -> Catalog:
    """Load every data file; problems are collected (see check.py), never raised one by one."""
    root = root or data_root()
    files, file_problems = _files(root)
    key = _fingerprint(root, files, file_problems)
    cache = _cache_dir() / f"catalog-{key}.pickle"
    if use_cache and cache.exists():
        try:
            with cache.open("rb") as fh:
                cat = pickle.load(fh)
            if isinstance(cat, Catalog):
                return cat
        except Exception:  # noqa: BLE001 - a bad cache is rebuilt, never fatal
            pass
    cat = Catalog(root, problems=list(file_problems))
    for f in files:
        _load_file(cat, root, f)
    if use_cache:
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache.with_suffix(f".tmp{os.getpid()}")
            with tmp.open("wb") as fh:
                pickle.dump(cat, fh, protocol=pickle.HIGHEST_PROTOCOL)
            tmp.replace(cache)
        except OSError:
            pass
    return cat


def _load_file(cat: Catalog, root: Path, f: Path) -> None:
    rel = str(f.relative_to(root))
    kind = rel.split(os.sep, 1)[0]
    eid = f.stem
    try:
        with f.open("rb") as fh:
            raw = fh.read(MAX_DATA_FILE_BYTES + 1)
    except OSError as exc:
        cat.problems.append(f"{rel}: cannot be read ({exc.strerror or exc})")
        return
    if len(raw) > MAX_DATA_FILE_BYTES:
        cat.problems.append(f"{rel}: larger than {MAX_DATA_FILE_BYTES:,} bytes; not read")
        return
    try:
        text = raw.decode("utf-8")
        if f.suffix == ".md":
            parts = split_front_matter(text)
            if parts is None:
                cat.problems.append(f"{rel}: no '+++' TOML front matter at the top")
                return
            data = tomllib.loads(parts[0])
            body = parts[1]
        else:
            data = tomllib.loads(text)
            body = None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        cat.problems.append(f"{rel}: not valid TOML: {exc}")
        return
    except RecursionError:
        cat.problems.append(f"{rel}: nested more than {MAX_DATA_NESTING} deep; not read")
        return
    if _depth(data, MAX_DATA_NESTING) > MAX_DATA_NESTING:
        cat.problems.append(f"{rel}: nested more than {MAX_DATA_NESTING} deep; not read")
        return
    problems = validate(kind, data, rel)
    if body is not None:
        for section in MD_SECTIONS.get(kind, ()):
            if section not in body:
                problems.append(f"{rel}: body lacks a '{section}' section")
        data["_body"] = body
    cat.problems.extend(problems)
    if eid in cat.kind(kind):
        cat.problems.append(f"{rel}: duplicate id '{eid}' (also {cat.kind(kind)[eid].path})")
        return
    cat.kind(kind)[eid] = Entity(kind, eid, rel, data)


def _cited_tables(data: dict[str, Any], key: str, spec: Any, ids: Any, rel: str) -> list[str]:
    """Problems of an array of tables that each cite one of the file's [[sources]] (artifacts, derivatives,
    instances): each must be a table of `spec` whose `source` is a sources id."""
    out: list[str] = []
    for i, t in enumerate(data.get(key, []) or []):
        if not isinstance(t, dict):
            out.append(f"{rel}: {key}[{i}] must be a table")
            continue
        out.extend(check_table(t, spec, f"{rel} {key}[{i}]"))
        if t.get("source") not in ids:
            out.append(f"{rel} {key}[{i}]: source '{t.get('source')}' is not a [[sources]] id")
    return out


def validate(kind: str, data: dict[str, Any], rel: str) -> list[str]:
    spec = ALL_KINDS[kind]
    problems = check_table(data, spec, rel)
    for (k, key), allowed in ENUMS.items():
        if k == kind and key in data and data[key] not in allowed:
            problems.append(f"{rel}: key '{key}' is '{data[key]}', expected one of {sorted(allowed)}")
    sources = data.get("sources", [])
    ids: set[str] = set()
    if isinstance(sources, list):
        if not sources and kind not in ("verdicts", "pages"):
            problems.append(f"{rel}: no [[sources]]")
        for i, s in enumerate(sources):
            if not isinstance(s, dict):
                problems.append(f"{rel}: sources[{i}] must be a table")
                continue
            problems.extend(check_table(s, SOURCE, f"{rel} sources[{i}]"))
            if not str(s.get("url", "")).startswith(("http://", "https://")):
                problems.append(f"{rel} sources[{i}]: url must be http(s)")
            ids.add(str(s.get("id")))
    if kind == "models":
        arch = data.get("arch")
        if data.get("kind") == "text" and not isinstance(arch, dict):
            problems.append(f"{rel}: text models need an [arch] table")
        if isinstance(arch, dict):
            problems.extend(check_table(arch, ARCH, f"{rel} [arch]"))
            lt = arch.get("layer_types")
            if isinstance(lt, list):
                if len(lt) != arch.get("n_layers"):
                    problems.append(f"{rel} [arch]: layer_types has {len(lt)} entries, n_layers is "
                                    f"{arch.get('n_layers')}")
                bad = sorted({x for x in lt if x not in LAYER_KINDS})
                if bad:
                    problems.append(f"{rel} [arch]: unknown layer types {bad}")
        if data.get("kind") in ("image", "video"):
            comps = data.get("components")
            if not isinstance(comps, list) or not comps:
                problems.append(f"{rel}: image/video models need [[components]]")
            else:
                for i, c in enumerate(comps):
                    if isinstance(c, dict):
                        problems.extend(check_table(c, COMPONENT, f"{rel} components[{i}]"))
                if not any(isinstance(c, dict) and c.get("role") == "denoiser" for c in comps):
                    problems.append(f"{rel}: components need one with role = 'denoiser'")
            if not isinstance(data.get("diffusion"), dict):
                problems.append(f"{rel}: image/video models need a [diffusion] table")
            else:
                problems.extend(check_table(data["diffusion"], DIFFUSION, f"{rel} [diffusion]"))
        for key, spec in (("artifacts", ARTIFACT), ("derivatives", DERIVATIVE)):
            problems.extend(_cited_tables(data, key, spec, ids, rel))
    if kind == "hardware":
        problems.extend(_cited_tables(data, "instances", INSTANCE, ids, rel))
        for i, t in enumerate(data.get("instances", []) or []):
            if isinstance(t, dict) and isinstance(t.get("gpus"), int) and not 1 <= t["gpus"] <= 64:
                problems.append(f"{rel} instances[{i}]: gpus must be from 1 to 64")
    for key, sub in (("offers", "OFFER"), ("prices", "API_PRICE")):
        if kind in ("prices", "api_prices") and isinstance(data.get(key), list):
            from . import schema

            for i, o in enumerate(data[key]):
                if not isinstance(o, dict):
                    problems.append(f"{rel}: {key}[{i}] must be a table")
                    continue
                problems.extend(check_table(o, getattr(schema, sub), f"{rel} {key}[{i}]"))
                if o.get("source") not in ids:
                    problems.append(f"{rel} {key}[{i}]: source '{o.get('source')}' is not a [[sources]] id")
                if key == "offers" and o.get("condition") not in ("new", "used"):
                    problems.append(f"{rel} {key}[{i}]: condition must be new or used")
    if kind == "serving" and isinstance(data.get("points"), list):
        from ..estimate.memory import KV_TYPES
        from .schema import SERVING_POINT

        def bad_kv(where: str, t: dict[str, Any]) -> None:
            kv = t.get("kv_cache_type")
            if isinstance(kv, str) and kv.lower() not in KV_TYPES:
                problems.append(f"{where}: kv_cache_type '{kv}' is not one of {', '.join(KV_TYPES)}")

        bad_kv(rel, data)
        for i, pt in enumerate(data["points"]):
            if not isinstance(pt, dict):
                problems.append(f"{rel}: points[{i}] must be a table")
                continue
            problems.extend(check_table(pt, SERVING_POINT, f"{rel} points[{i}]"))
            bad_kv(f"{rel} points[{i}]", pt)
            if not any(k in pt for k in ("output_tokens_per_s", "per_user_tokens_per_s", "tpot_ms",
                                          "total_tokens_per_s", "prefill_tokens_per_s")):
                problems.append(f"{rel} points[{i}]: no measured figure")
    if kind == "kits":
        for key in ("template_source", "sampling_source"):
            if key in data and data[key] not in ids:
                problems.append(f"{rel}: {key} '{data[key]}' is not a [[sources]] id")
        samp = data.get("sampling")
        if isinstance(samp, dict):
            for k, v in samp.items():
                if k not in SAMPLING_KEYS:
                    problems.append(f"{rel} [sampling]: unknown key '{k}' (one of {', '.join(SAMPLING_KEYS)})")
                elif isinstance(v, bool) or not isinstance(v, int | float) or not 0 <= v <= SAMPLING_KEYS[k]:
                    problems.append(f"{rel} [sampling]: {k} must be a number from 0 to {SAMPLING_KEYS[k]}")
    if kind == "hardware":
        if data.get("kind") == "gpu" and "memory_gb" not in data:
            problems.append(f"{rel}: a gpu needs memory_gb")
        if data.get("kind") in ("apple", "unified", "cpu") and not data.get("memory_options_gb"):
            problems.append(f"{rel}: {data.get('kind')} hardware needs memory_options_gb")
    return problems
