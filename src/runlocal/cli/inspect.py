"""runlocal inspect: what a GGUF/safetensors file, model folder or hf:ORG/REPO holds (headers only)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from .render import count as _count
from .render import size, table


def render(d: dict[str, Any]) -> str:
    """The inspection as text for people."""
    a = d["architecture"]
    lines = [
        f"{d['name']}  ({d['format']}, {d['quant'] or 'unknown type'})",
        f"  file:          {d['path']}" + (f"  ({len(d['parts'])} parts)" if len(d["parts"]) > 1 else ""),
        f"  file size:     {size(d['file_bytes'])} ({d['file_bytes']:,} bytes)"
        + ("" if d["data_present"] else "  [header only / truncated: tensor data not all present]"),
        f"  tensor data:   {size(d['tensor_bytes'])} ({d['tensor_bytes']:,} bytes in {d['tensor_count']} tensors)",
        f"  header:        {d['header_bytes']:,} bytes",
        f"  parameters:    {_count(d['params'])}" + (f" ({_count(d['active_params'])} active)"
                                                     if d.get("active_params") else ""),
        f"  architecture:  {a['arch']}, {a['n_layers']} layers, hidden {a['hidden_size']}, "
        + (f"{a.get('n_heads', 0)} heads / {a.get('n_kv_heads', 0)} KV heads x {a.get('head_dim', 0)}, "
           if a.get("n_kv_heads") else "no attention, ")
        + f"FFN {a.get('intermediate_size', 0)}, vocab {a['vocab_size']}"
        + (", tied embeddings" if a.get("tie_embeddings") else ""),
        f"  context:       {d['context_length']:,} tokens"
        + (f", sliding window {a['sliding_window']}" if a.get("sliding_window") else ""),
    ]
    if a.get("n_experts"):
        lines.append(f"  experts:       {a['n_experts_used']} of {a['n_experts']} per token, "
                     f"expert FFN {a.get('moe_intermediate_size', 0)}")
    total = d["tensor_bytes"] or 1
    rows = [(ty, d["tensors_per_type"].get(ty, 0), size(b), f"{100 * b / total:.1f}%")
            for ty, b in d["quant_mix"].items()]
    lines += ["", "Tensor types:", table(rows, ["type", "tensors", "size", "share"])]
    w = d["weights"]
    lines += ["", f"Engine weights: {w['total_bytes']:,} bytes ({w['method']})"]
    if w["tied_copy_bytes"]:
        lines.append(f"  llama.cpp loads the tied embedding matrix again as the output head: "
                     f"+{size(w['tied_copy_bytes'])} when that head is on the GPU")
    md = d.get("metadata") or {}
    if md:
        lines += ["", "Metadata:"]
        for k, v in md.items():
            s = json.dumps(v) if not isinstance(v, str) else v
            lines.append(f"  {k}: {s if len(s) <= 100 else s[:97] + '...'}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    from ..service.inspect import inspect_file

    d = inspect_file(args.path)
    if args.json:
        print(json.dumps(d, indent=2, default=str))
    else:
        print(render(d))
    return 0


def register(sub: Any) -> None:
    """Add this module's command(s) to the `runlocal` parser."""
    ins = sub.add_parser("inspect", help="read a GGUF/safetensors file or model folder (or hf:ORG/REPO)")
    ins.add_argument("path")
    ins.add_argument("--json", action="store_true")
    ins.set_defaults(run=run)
