"""Prompting kits: a model family's chat template and the sampling its makers recommend (cited, data/kits), and
ready settings for Ollama (a Modelfile), llama-server and LM Studio, sized by the engine for the user's hardware."""

from __future__ import annotations

import re
from typing import Any

from ..catalog.load import Entity
from ..catalog.resolve import resolve_model
from ..errors import NotFound, RunlocalError
from .api import answer
from .resolve import catalog

KIT_CONTEXT_CAP = 32_768
"""The context a kit sets when the hardware fits more: long enough for most chats, and the KV cache stays small."""
OLLAMA_PARAMS = {"temperature": "temperature", "top_p": "top_p", "top_k": "top_k", "min_p": "min_p",
                 "repeat_penalty": "repeat_penalty", "presence_penalty": "presence_penalty",
                 "frequency_penalty": "frequency_penalty"}
LLAMA_FLAGS = {"temperature": "--temp", "top_p": "--top-p", "top_k": "--top-k", "min_p": "--min-p",
               "repeat_penalty": "--repeat-penalty", "presence_penalty": "--presence-penalty",
               "frequency_penalty": "--frequency-penalty"}


def _sources(e: Entity) -> list[dict[str, str]]:
    return [{"id": str(s.get("id")), "title": str(s.get("title", "")), "url": str(s.get("url", "")),
             "accessed": str(s.get("accessed", ""))} for s in e.data.get("sources", [])]


def kits_index() -> list[dict[str, Any]]:
    return [{"id": e.id, "name": e.data["name"], "template_format": e.data["template_format"],
             "models": e.data["models"]} for e in sorted(catalog().kits.values(), key=lambda e: e.data["name"])]


def find_kit(name: str) -> tuple[Entity, str | None]:
    """The kit for a family id, or for a model (any name the resolver knows); with the model id when one was named."""
    cat = catalog()
    if name in cat.kits:
        return cat.kits[name], None
    try:
        mid = resolve_model(cat, name[:200]).entity.id
    except RunlocalError:
        raise NotFound(f"no prompting kit for '{name[:200]}'", sorted(cat.kits)) from None
    for e in cat.kits.values():
        if mid in e.data.get("models", []):
            return e, mid
    raise NotFound(f"no prompting kit for {mid} yet", sorted(cat.kits))


def _num(v: Any) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def kit(name: str, *, hardware: str | None = None, context: int | None = None) -> dict[str, Any]:
    """A family's kit; with hardware, the settings files sized for it (context that fits, GPU layers)."""
    e, mid = find_kit(name)
    d = e.data
    mid = mid or d["models"][0]
    sampling = dict(d.get("sampling") or {})
    out: dict[str, Any] = {"id": e.id, "name": d["name"], "models": d["models"], "model": mid,
                           "template_format": d["template_format"], "chat_template": d["chat_template"],
                           "stop": d.get("stop", []), "sampling": sampling, "modes": d.get("modes", []),
                           "system_prompt": d.get("system_prompt"), "notes": d.get("notes"), "sources": _sources(e),
                           "hardware": hardware, "sized": None}
    ctx = context or KIT_CONTEXT_CAP
    a: dict[str, Any] | None = None
    if hardware:
        from .compare import parse_machine

        hardware, gpus = parse_machine(hardware)
        a = answer({"model": mid, "hardware": hardware, "gpu_count": gpus, "context_tokens": min(ctx, KIT_CONTEXT_CAP)})
        if not a.get("ok"):
            raise NotFound(a["error"]["message"], a["error"].get("suggestions") or []) if a["error"]["code"].startswith(
                "unknown") else RunlocalError(a["error"]["message"])
        fits_ctx = a.get("max_context_tokens") or 4096
        ctx = min(context or KIT_CONTEXT_CAP, max(2048, fits_ctx))
        a = answer({"model": mid, "hardware": hardware, "gpu_count": gpus, "context_tokens": ctx})
        out["sized"] = {"context_tokens": ctx, "fits": a["fits"], "quant": a["quant"],
                        "gpu_layers": (a.get("offload") or {}).get("gpu_layers"),
                        "total_layers": (a.get("offload") or {}).get("total_layers"),
                        "decode_tokens_per_s": (a.get("speed") or {}).get("decode_tokens_per_s"),
                        "hardware_id": a.get("hardware_id")}
    out["ollama_modelfile"] = _modelfile(mid, a, sampling, d.get("stop", []), ctx, d.get("system_prompt"))
    out["llama_server"] = _llama_server(mid, a, sampling, ctx)
    out["lm_studio"] = {"context_length": ctx, **({"gpu_offload_layers": out["sized"]["gpu_layers"]}
                                                  if out["sized"] else {}),
                        **{k: v for k, v in sampling.items()}, "prompt_template": "from the model file (Jinja)"}
    return out


def _ollama_tag(mid: str, a: dict[str, Any] | None) -> str:
    cmd = ((a or {}).get("commands") or {}).get("ollama", "")
    m = re.search(r"ollama run (\S+)", cmd)
    if m:
        return m.group(1)
    return mid


def _modelfile(mid: str, a: dict[str, Any] | None, sampling: dict[str, Any], stop: list[str], ctx: int,
               system: str | None) -> str:
    lines = [f"FROM {_ollama_tag(mid, a)}", "# The chat template comes from the model file itself (GGUF); set TEMPLATE "
             "only to override it.", f"PARAMETER num_ctx {ctx}"]
    sized = a and (a.get("offload") or {})
    if sized and sized.get("gpu_layers") is not None and sized.get("gpu_layers") != sized.get("total_layers"):
        lines.append(f"PARAMETER num_gpu {sized['gpu_layers']}")
    for k, v in sampling.items():
        if k in OLLAMA_PARAMS:
            lines.append(f"PARAMETER {OLLAMA_PARAMS[k]} {_num(v)}")
    for s in stop:
        lines.append(f'PARAMETER stop "{s}"')
    if system:
        lines.append('SYSTEM """' + system.replace('"""', "'''") + '"""')
    return "\n".join(lines) + "\n"


def _llama_server(mid: str, a: dict[str, Any] | None, sampling: dict[str, Any], ctx: int) -> str:
    base = ((a or {}).get("commands") or {}).get("llama.cpp")
    if base:
        base = re.sub(r"\s-c\s+\d+", f" -c {ctx}", base)
    else:
        base = f"llama-server -m {mid}.gguf -c {ctx}"
    flags = " ".join(f"{LLAMA_FLAGS[k]} {_num(v)}" for k, v in sampling.items() if k in LLAMA_FLAGS)
    return f"{base} --jinja {flags}".strip()
