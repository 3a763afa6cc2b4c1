"""Catalog questions beyond a single estimate: tools, glossary, troubleshooting, verdicts, search.

Like service.py, these return JSON-ready dicts and raise RunlocalError subclasses; the CLI and the web
site render them.
"""

from __future__ import annotations

import re
from typing import Any

from ..catalog.load import Entity
from ..catalog.resolve import index, norm
from ..errors import InvalidField, NotFound, RunlocalError
from ..estimate.units import GIB
from ..estimate.workload import DEFAULT_WORKLOAD
from .answers import TextAnswer
from .api import ask
from .contract import to_contract
from .fit import QUANT_LADDER
from .question import parse
from .resolve import catalog, resolve_machine

_FIELD = re.compile(r"\{\{\s*([a-zA-Z_][\w.]*)\s*(?:\|\s*(\w+))?\s*\}\}")


# ---------------------------------------------------------------------------------------- tools
def list_tools(*, kind: str | None = None, platform: str | None = None, backend: str | None = None,
               fmt: str | None = None) -> list[dict[str, Any]]:
    out = []
    for e in sorted(catalog().runtimes.values(), key=lambda e: e.id):
        d = e.data
        if kind and kind.lower() not in d.get("kind", "").lower():
            continue
        if platform and platform.lower() not in [p.lower() for p in d.get("platforms", [])]:
            continue
        if backend and backend.lower() not in [b.lower() for b in d.get("backends", [])]:
            continue
        if fmt and fmt.lower() not in [f.lower() for f in d.get("formats", [])]:
            continue
        out.append({"id": e.id, "name": e.name, "kind": d.get("kind"), "platforms": d.get("platforms"),
                    "backends": d.get("backends"), "formats": d.get("formats"), "install": d.get("install"),
                    "homepage": d.get("homepage"), "license": d.get("license"), "verdict": d.get("verdict"),
                    "verdict_date": str(d.get("verdict_date", "")), "path": e.path})
    return out


# ------------------------------------------------------------------------------------- glossary
def _fmt(value: Any, how: str | None) -> str:
    if value is None:
        return "n/a"
    if how == "gib":
        return f"{value / GIB:.1f} GiB"
    if how == "gb":
        return f"{value / 1e9:.1f} GB"
    if how == "mib":
        return f"{value / 1024**2:,.0f} MiB"
    if how == "int":
        return f"{int(value):,}"
    if how == "tps":
        return f"{value:,.0f} tokens/s" if value >= 10 else f"{value:.1f} tokens/s"
    if how == "s":
        return f"{value:.2f} s"
    if how == "pct":
        return f"{value:.0f} %"
    if how == "num":
        return _sig(value)
    if how == "range" and isinstance(value, list | tuple) and len(value) == 2:
        return f"{_sig(value[0])} to {_sig(value[1])}"
    return str(value)


def _sig(v: Any) -> str:
    """A figure as prose prints it: whole numbers from 10 up, two significant digits below."""
    if not isinstance(v, int | float):
        return str(v)
    if abs(v) >= 10:
        return f"{v:,.0f}"
    return f"{v:.2g}"


def _lookup(d: dict[str, Any], path: str) -> Any:
    cur: Any = d
    for part in path.split("."):
        if not isinstance(cur, dict) or part not in cur:
            raise KeyError(path)
        cur = cur[part]
    return cur


def render_template(body: str, example: dict[str, Any] | None) -> str:
    """Fill {{field|format}} placeholders from the engine's answer to the entry's example question."""
    if not _FIELD.search(body):
        return body
    if not example:
        return body
    # Placeholders name fields of the contract's answer object (e.g. memory.kv_cache_bytes).
    answer = to_contract(ask(dict(example)))

    def sub(m: re.Match[str]) -> str:
        try:
            return _fmt(_lookup(answer, m.group(1)), m.group(2))
        except KeyError:
            return f"[unknown field {m.group(1)}]"

    return _FIELD.sub(sub, body)


def find_term(term: str) -> Entity:
    cat = catalog()
    e = index(cat).get("glossary", term)
    if e is None:
        raise NotFound(f"no glossary entry for '{term}'", index(cat).suggest("glossary", term))
    return e


def explain(term: str) -> dict[str, Any]:
    e = find_term(term)
    d = e.data
    return {"id": e.id, "term": d["term"], "aliases": d.get("aliases", []), "category": d.get("category"),
            "related": d.get("related", []), "example": d.get("example"),
            "text": render_template(e.body, d.get("example")),
            "sources": [{k: str(v) for k, v in s.items()} for s in d.get("sources", [])], "path": e.path}


# ------------------------------------------------------------------------------ troubleshooting
MAX_PASTE_CHARS = 20_000
"""A pasted log is matched on its first and last 10,000 characters: errors sit at the start or the end, and the
bound keeps every pattern's time small (data check also times each pattern on hostile text)."""


def bounded_paste(text: str) -> str:
    """`text` cut to MAX_PASTE_CHARS: its head and tail, joined by a newline."""
    if len(text) <= MAX_PASTE_CHARS:
        return text
    half = MAX_PASTE_CHARS // 2
    return text[:half] + "\n" + text[-half:]


def match_errors(text: str) -> list[tuple[Entity, int]]:
    """Entries whose patterns match `text`, best first (score = total matched characters)."""
    text = bounded_paste(text)
    hits: list[tuple[Entity, int]] = []
    for e in catalog().errors.values():
        score = 0
        for pat in e.data.get("patterns", []):
            try:
                m = re.search(str(pat), text, re.IGNORECASE)
            except re.error:
                continue
            if m:
                score += max(1, len(m.group(0)))
        if score:
            hits.append((e, score))
    if not hits:
        hits = _keyword_matches(text)
    hits.sort(key=lambda h: (-h[1], h[0].id))
    return hits


_WORD = re.compile(r"[a-z][a-z0-9_]{2,}")
_STOP = {"the", "and", "for", "with", "error", "failed", "not", "from", "this", "that", "was", "are", "has"}


def _keyword_matches(text: str) -> list[tuple[Entity, int]]:
    """Fallback for a partial paste ("CUDA out of memory"): shared words with the patterns and title."""
    words = {w for w in _WORD.findall(text.lower()) if w not in _STOP}
    if not words:
        return []
    out: list[tuple[Entity, int]] = []
    for e in catalog().errors.values():
        hay = " ".join([str(e.data.get("title", "")), *map(str, e.data.get("patterns", []))]).lower()
        vocab = {w for w in _WORD.findall(re.sub(r"\\.", " ", hay)) if w not in _STOP}
        common = words & vocab
        if len(common) >= max(2, (len(words) + 1) // 2):
            out.append((e, len(common) * 100 - len(vocab)))  # ties: the more general entry first
    return out


def troubleshoot(text: str, *, model: str | None = None, hardware: str | None = None,
                 context_tokens: int | None = None, quant: str | None = None) -> dict[str, Any]:
    if not text or not text.strip():
        raise InvalidField("paste the error text to look up")
    hits = match_errors(text)
    entries = [{"id": e.id, "title": e.data["title"], "runtime": e.data.get("runtime"),
                "category": e.data.get("category"), "score": s, "text": e.body, "path": e.path,
                "sources": [{k: str(v) for k, v in src.items()} for src in e.data.get("sources", [])]}
               for e, s in hits[:5]]
    concrete = None
    if bool(model) != bool(hardware):
        raise InvalidField("sizing advice needs both the model and the hardware (--model and --hardware)")
    if model and hardware:
        concrete = sizing_advice(model, hardware, context_tokens=context_tokens, quant=quant)
    return {"query": text, "matches": entries, "advice": concrete}


def _text(q: dict[str, Any], hw: Any = None) -> TextAnswer:
    a = ask(q, hw=hw)
    if not isinstance(a, TextAnswer):
        raise InvalidField(f"{a.model_id} is an image/video model; memory advice is for language models")
    return a


def sizing_advice(model: str, hardware: str, *, context_tokens: int | None = None,
                  quant: str | None = None) -> dict[str, Any]:
    """Make a memory error concrete: what this needs, what the machine has, what would fit."""
    q: dict[str, Any] = {"model": model, "hardware": hardware,
                         "context_tokens": context_tokens or DEFAULT_WORKLOAD.context_tokens}
    if quant:
        q["quant"] = quant
    hw = resolve_machine(parse(q))
    base = _text(q, hw)
    est = base.estimate
    mem = est.memory
    need = mem.accelerator_bytes + mem.system_bytes
    usable = est.capacity.per_gpu_bytes
    lines = [
        f"{base.model_id} in {base.quant} at {q['context_tokens']:,} tokens of context needs "
        f"{need / GIB:.1f} GiB (weights {mem.weights_bytes / GIB:.1f}, KV cache "
        f"{mem.kv_cache_bytes / GIB:.1f}); {base.hardware_id} leaves about "
        f"{usable / GIB:.1f} GiB usable on the GPU: verdict '{base.fits}'."
    ]
    options: list[dict[str, Any]] = []
    if base.fits != "gpu":
        for qq in QUANT_LADDER:
            try:
                alt = _text({**q, "quant": qq}, hw)
            except RunlocalError:
                continue
            if alt.fits == "gpu":
                options.append({"change": f"quant {qq}", "fits": "gpu", "total_bytes": alt.total_bytes,
                                "command": alt.commands.get("llama.cpp")})
                lines.append(f"{qq} at {q['context_tokens']:,} tokens fits fully on the GPU "
                             f"({alt.estimate.memory.accelerator_bytes / GIB:.1f} GiB).")
                break
        if est.max_context_tokens:
            lines.append(f"In {base.quant}, the largest context that stays on the GPU is "
                         f"{est.max_context_tokens:,} tokens.")
            options.append({"change": f"context {est.max_context_tokens}", "fits": "gpu"})
        kvq = _text({**q, "kv_cache_type": "q8_0"}, hw)
        if kvq.fits == "gpu":
            lines.append("Quantising the KV cache to q8_0 (-ctk q8_0 -ctv q8_0, needs flash attention) "
                         "makes it fit.")
            options.append({"change": "kv_cache_type q8_0", "fits": "gpu"})
        if base.fits == "gpu+cpu":
            dec = est.speed.decode_tokens_per_s
            lines.append(f"As is, it runs with {est.gpu_layers} of "
                         f"{est.total_layers} layers on the GPU at about "
                         f"{None if dec is None else round(dec, 2)} tokens/s (estimate).")
            options.append({"change": "partial offload", "fits": "gpu+cpu",
                            "command": base.commands.get("llama.cpp")})
        if base.hardware_id:
            try:
                two: TextAnswer | None = _text({**q, "gpu_count": 2})
            except RunlocalError:
                two = None
            if two is not None and two.fits == "gpu":
                lines.append("Two of these GPUs would hold it entirely (llama.cpp splits the layers).")
                options.append({"change": "gpu_count 2", "fits": "gpu"})
    return {"summary": " ".join(lines), "lines": lines, "options": options, "estimate": to_contract(base)}


def verdicts_for(model_id: str | None = None, hardware_id: str | None = None) -> list[dict[str, Any]]:
    out = []
    for e in sorted(catalog().verdicts.values(), key=lambda e: e.id):
        d = e.data
        if model_id and d["model"] != model_id:
            continue
        if hardware_id and d["hardware"] != hardware_id:
            continue
        out.append({"id": e.id, "model": d["model"], "hardware": d["hardware"], "date": str(d["date"]),
                    "summary": d["summary"], "text": e.body, "path": e.path})
    return out


# --------------------------------------------------------------------------------------- search
def search(text: str, *, limit: int = 20) -> list[dict[str, Any]]:
    """Everything in the catalog mentioning `text`: names and aliases first, then descriptions and bodies."""
    if not text.strip():
        raise InvalidField("search text is empty")
    words = [w for w in re.split(r"\s+", text.lower()) if w]
    key = norm(text)
    results: list[tuple[float, dict[str, Any]]] = []
    for kind, ents in catalog().entities.items():
        for e in ents.values():
            names = [e.id, e.name, *e.aliases]
            nkeys = [norm(n) for n in names]
            score = 0.0
            if key and key in nkeys:
                score += 100
            elif key and any(key in k for k in nkeys):
                score += 40
            hay = " ".join([*names, str(e.data.get("description", "")), str(e.data.get("summary", "")),
                            str(e.data.get("verdict", "")), e.body]).lower()
            if all(w in hay for w in words):
                score += 10 + sum(hay.count(w) for w in words) * 0.1
            if score:
                results.append((score, {"kind": kind, "id": e.id, "name": e.name, "path": e.path,
                                        "score": round(score, 1)}))
    results.sort(key=lambda r: (-r[0], r[1]["kind"], r[1]["id"]))
    # The best hit of every kind first, so that a tool or a glossary term is not crowded out by models.
    firsts: dict[str, tuple[float, dict[str, Any]]] = {}
    for r in results:
        firsts.setdefault(r[1]["kind"], r)
    head = sorted(firsts.values(), key=lambda r: (-r[0], r[1]["kind"]))
    rest = [r for r in results if r not in head]
    return [r for _, r in (head + rest)[:limit]]


# ---------------------------------------------------------------------------------------- pages
# One representative machine per memory size for the "what runs at N GB" table.
MEMORY_TIERS: list[tuple[int, str]] = [
    (8, "rtx-4060"), (12, "rtx-3060-12gb"), (16, "rtx-4060-ti-16gb"), (24, "rtx-4090"), (32, "rtx-5090"),
    (48, "rtx-6000-ada"), (96, "rtx-pro-6000-blackwell"), (128, "M4 Max 128GB"),
]
COMFORT_CONTEXT = 8192
COMFORT_DECODE = 15.0


def fits_by_memory(*, per_tier: int = 6) -> list[dict[str, Any]]:
    """For each memory size, the largest catalog models that run comfortably there.

    Comfortable = all on the accelerator in Q4_K_M (MXFP4 for gpt-oss) with 8,192 tokens of context,
    decoding at 15 tokens/s or more (engine estimates).
    """
    cat = catalog()
    rows = []
    models = [e for e in cat.models.values() if e.data.get("kind") == "text" and "arch" in e.data]
    for gb, hw in MEMORY_TIERS:
        fits: list[tuple[int, str, float]] = []
        try:
            machine = resolve_machine(parse({"model": "-", "hardware": hw}))
        except RunlocalError:
            continue
        for e in models:
            try:
                r = _text({"model": e.id, "hardware": hw, "context_tokens": COMFORT_CONTEXT}, machine)
            except RunlocalError:
                continue
            dec = r.decode_tokens_per_s
            if r.fits == "gpu" and dec and round(dec, 2) >= COMFORT_DECODE:
                fits.append((int(e.data.get("params", 0)), e.id, round(float(dec), 2)))
        fits.sort(reverse=True)
        rows.append({"memory_gb": gb, "hardware": hw, "models": [
            {"id": mid, "params": p, "decode_tokens_per_s": round(d, 1)} for p, mid, d in fits[:per_tier]],
            "count": len(fits)})
    return rows


def _memory_table() -> str:
    lines = ["| memory | example machine | models that run comfortably (largest first, est. tokens/s) | "
             "how many fit |", "|---|---|---|---:|"]
    for row in fits_by_memory():
        names = ", ".join(f"{m['id']} ({m['params'] / 1e9:.0f}B, ~{m['decode_tokens_per_s']:.0f})"
                          for m in row["models"]) or "none"
        lines.append(f"| {row['memory_gb']} GB | {row['hardware']} | {names} | {row['count']} |")
    return "\n".join(lines)


DIRECTIVES = {"table:fits_by_memory": _memory_table}
ESTIMATE = re.compile(r"\{\{est\s+([^}:]+?)\s*:\s*([A-Za-z_][\w.]*)(?:\|(\w+))?\s*\}\}")
"""{{est model=M hardware=H context_tokens=N : speed.decode_tokens_per_s|num}}: a live engine figure in prose
(a + in a value stands for a space: hardware=M4+Max+128GB)."""
_EST_INTS = {"context_tokens", "depth_tokens", "prompt_tokens", "gpu_count", "parallel"}
ESTIMATE_FAILED = "[estimate unavailable]"


def render_estimates(body: str) -> str:
    """Replace every {{est ...}} directive with the engine's current figure (so prose never drifts)."""
    def sub(m: re.Match[str]) -> str:
        q: dict[str, Any] = {}
        for pair in m.group(1).split():
            k, _, v = pair.partition("=")
            v = v.replace("+", " ")
            if k in _EST_INTS:
                q[k] = int(v) if v.isdigit() else v
            elif k == "ram_gb":
                q[k] = float(v) if v.replace(".", "", 1).isdigit() else v
            elif k in ("use_published_sizes", "flash_attention"):
                q[k] = {"true": True, "false": False}.get(v, v)
            else:
                q[k] = v
        from .api import answer

        a = answer(q)
        if not a.get("ok"):
            return ESTIMATE_FAILED
        try:
            return _fmt(_lookup(a, m.group(2)), m.group(3))
        except KeyError:
            return ESTIMATE_FAILED

    return ESTIMATE.sub(sub, body)


def render_page(page_id: str) -> dict[str, Any]:
    cat = catalog()
    e = cat.pages.get(page_id) or index(cat).get("pages", page_id)
    if e is None:
        raise NotFound(f"no page '{page_id}'", sorted(cat.pages))
    body = render_estimates(e.body)
    for name, fn in DIRECTIVES.items():
        token = "{{" + name + "}}"
        if token in body:
            body = body.replace(token, fn())
    return {"id": e.id, "title": e.data["title"], "summary": e.data["summary"], "text": body, "path": e.path}
