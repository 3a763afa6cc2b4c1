"""`runlocal inspect`: what a model file, folder or hf:ORG/REPO holds, as a JSON-ready report (headers only)."""

from __future__ import annotations

import dataclasses
from typing import Any

from ..estimate.weights import weights_from_table
from ..formats import gguf as gg
from ..formats.load import load

_HIGHLIGHTS = ("general.name", "general.basename", "general.organization", "general.finetune",
               "general.size_label", "general.license", "general.file_type", "general.quantization_version",
               "general.alignment", "tokenizer.ggml.model", "tokenizer.ggml.pre", "split.count")


def _plain(v: Any) -> Any:
    if isinstance(v, gg.SkippedArray):
        return {"type": v.type, "length": v.count}
    if isinstance(v, list) and len(v) > 16:
        return v[:16] + [f"... {len(v) - 16} more"]
    return v


def inspect_file(path: str) -> dict[str, Any]:
    """What a model file holds, JSON-ready: architecture, tensors, bytes per type, parameters."""
    ld = load(path)
    spec = ld.spec
    table = spec.tensor_table or ()
    w = weights_from_table(spec.arch, table)
    out: dict[str, Any] = {"path": path, "format": ld.format, "name": spec.name, "quant": spec.file_quant}
    if ld.gguf is not None:
        g = ld.gguf
        by_type: dict[str, int] = {}
        count: dict[str, int] = {}
        for t in g.tensors:
            by_type[t.type] = by_type.get(t.type, 0) + t.n_bytes
            count[t.type] = count.get(t.type, 0) + 1
        md = g.metadata
        arch = g.architecture
        highlights = {k: _plain(md[k]) for k in _HIGHLIGHTS if k in md}
        highlights.update({k: _plain(v) for k, v in md.items() if k.startswith(arch + ".")})
        for k in ("tokenizer.ggml.tokens", "tokenizer.ggml.merges"):
            if k in md:
                highlights[k.rsplit(".", 1)[1] + "_count"] = len(md[k])
        if "tokenizer.chat_template" in md:
            highlights["chat_template_chars"] = len(str(md["tokenizer.chat_template"]))
        out.update({"gguf_version": g.version, "parts": list(g.parts), "file_bytes": g.file_bytes,
                    "header_bytes": g.header_bytes, "tensor_bytes": g.tensor_bytes, "data_present": g.complete,
                    "metadata": highlights, "metadata_keys": len(md)})
    else:
        assert ld.folder is not None
        f = ld.folder.weights
        by_type, count = {}, {}
        for st in f.tensors:
            by_type[st.dtype] = by_type.get(st.dtype, 0) + st.n_bytes
            count[st.dtype] = count.get(st.dtype, 0) + 1
        cfg = ld.folder.config
        out.update({"parts": list(f.parts), "file_bytes": f.file_bytes, "header_bytes": f.header_bytes,
                    "tensor_bytes": f.tensor_bytes, "data_present": f.complete,
                    "metadata": {k: cfg[k] for k in ("architectures", "model_type", "torch_dtype",
                                                     "quantization_config", "quantization") if k in cfg},
                    "all_params": ld.folder.params})
    out.update({
        "tensor_count": len(table),
        "quant_mix": dict(sorted(by_type.items(), key=lambda kv: -kv[1])),
        "tensors_per_type": dict(sorted(count.items(), key=lambda kv: -kv[1])),
        "params": spec.params,
        "active_params": spec.active_params,
        "context_length": spec.arch.context_length,
        "architecture": {k: v for k, v in dataclasses.asdict(spec.arch).items()
                         if v not in (None, 0, False, ()) or k in ("tie_embeddings",)},
        "weights": {"total_bytes": w.total_bytes, "token_embd_bytes": w.token_embd_bytes,
                    "output_bytes": w.output_bytes, "tied_copy_bytes": w.tied_copy_bytes, "method": w.method},
    })
    return out


__all__ = ["inspect_file"]
