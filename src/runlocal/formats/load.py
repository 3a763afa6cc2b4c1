"""Model files -> ModelSpec: a GGUF file, a safetensors file or model folder, or ``hf:ORG/REPO[:FILE]``.

The spec carries the file's own tensor table, so the engine's weights are the file's tensor bytes
exactly (``weights_from_table``); the architecture comes from the GGUF metadata or config.json.
"""

from __future__ import annotations

import dataclasses
import os
import re
from dataclasses import dataclass
from typing import Any

from ..errors import FileFormatError, NotFound
from ..estimate.ggml_types import FTYPES
from ..estimate.specs import LINEAR, SLIDING, Architecture, ModelSpec
from ..estimate.weights import weights_from_table
from . import gguf as gg
from . import hfhub
from .folder import CONFIG, FolderModel, LocalFolder, Source, read_folder
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

def _num(v: Any, what: str, label: str) -> int:
    if isinstance(v, list):
        v = max((x for x in v if isinstance(x, int | float)), default=0)
    if isinstance(v, bool) or not isinstance(v, int | float) or v < 0 or v > 1 << 40:
        raise FileFormatError(f"{label}: metadata {what} = {v!r} is not a usable count")
    return int(v)


def arch_from_gguf(g: gg.GGUFFile) -> tuple[Architecture, int, int | None]:
    """Architecture, total and active parameters from a GGUF header (metadata + tensor table)."""
    md = g.metadata
    label = g.path
    arch = md.get("general.architecture")
    if not isinstance(arch, str) or not arch:
        raise FileFormatError(f"{label}: no general.architecture in the metadata")

    def get(key: str, default: Any = None) -> Any:
        return md.get(f"{arch}.{key}", default)

    def num(key: str, default: int | None = None) -> int:
        v = get(key, default)
        if v is None:
            raise FileFormatError(f"{label}: metadata {arch}.{key} is missing")
        return _num(v, f"{arch}.{key}", label)

    names = {t.name for t in g.tensors}
    for t in g.tensors:
        if t.name.startswith("blk.") and not t.name.split(".", 2)[1].isdigit():
            raise FileFormatError(f"{label}: tensor name {t.name!r} has no layer number")
    n_layers = num("block_count")
    hidden = num("embedding_length")
    heads_raw = get("attention.head_count")
    heads = num("attention.head_count")
    if heads <= 0 or n_layers <= 0 or hidden <= 0:
        raise FileFormatError(f"{label}: block_count, embedding_length and attention.head_count must be positive")
    kv_raw = get("attention.head_count_kv", heads_raw)
    n_kv = _num(kv_raw, f"{arch}.attention.head_count_kv", label) or heads
    layer_types: list[str] | None = None
    if isinstance(kv_raw, list) and len(kv_raw) == n_layers and any(x == 0 for x in kv_raw):
        layer_types = [LINEAR if x == 0 else "full" for x in kv_raw]  # recurrent/conv layers keep no KV
    n_exp = num("expert_count", 0)
    ffn = num("feed_forward_length", 0) or (num("expert_feed_forward_length", 0) if n_exp else 4 * hidden)
    embd = next((t for t in g.tensors if t.name == "token_embd.weight"), None)
    if embd is not None and len(embd.shape) >= 2:
        vocab = embd.shape[1]
    else:
        vocab = num("vocab_size", 0) or len(md.get("tokenizer.ggml.tokens") or [])
    sliding = num("attention.sliding_window", 0) or None
    pattern_raw = get("attention.sliding_window_pattern")
    pattern: int | None = None
    if isinstance(pattern_raw, list) and len(pattern_raw) == n_layers and sliding:
        base = layer_types or ["full"] * n_layers
        layer_types = [SLIDING if swa and base[i] == "full" else base[i] for i, swa in enumerate(pattern_raw)]
    elif isinstance(pattern_raw, int) and not isinstance(pattern_raw, bool) and pattern_raw > 0:
        pattern = pattern_raw
    elif sliding:
        # llama.cpp's defaults where the GGUF carries only the window (src/llama-model.cpp)
        pattern = {"gemma2": 2, "gemma3": 6, "gpt-oss": 2, "cohere2": 4, "gemma3n": 5}.get(arch, 1)
    kv_lora = num("attention.kv_lora_rank", 0)
    rope_dim = num("rope.dimension_count", 0)
    key_len = num("attention.key_length_mla", 0) or num("attention.key_length", 0)
    val_len = num("attention.value_length_mla", 0) or num("attention.value_length", 0)
    head_dim = num("attention.key_length", 0) or hidden // heads
    gated = any(".ffn_gate" in n for n in names) or not any(".ffn_up" in n for n in names)
    a = Architecture(
        arch=arch, n_layers=n_layers, hidden_size=hidden, n_heads=heads, n_kv_heads=n_kv,
        head_dim=head_dim, intermediate_size=ffn, vocab_size=vocab,
        tie_embeddings="output.weight" not in names,
        context_length=num("context_length", 4096) or 4096,
        sliding_window=sliding if (pattern or layer_types) else None,
        sliding_window_pattern=pattern if sliding else None,
        full_attention_interval=num("full_attention_interval", 0) or None,
        layer_types=tuple(layer_types) if layer_types else None,
        attn_bias="blk.0.attn_q.bias" in names or "blk.0.attn_qkv.bias" in names,
        qk_norm="blk.0.attn_q_norm.weight" in names,
        ffn_gated=gated,
        parallel_attn_ffn=arch in ("falcon", "phi2", "command-r", "cohere2", "gptj", "gptneox")
        and "blk.0.ffn_norm.weight" not in names,
        n_experts=n_exp,
        n_experts_used=num("expert_used_count", 0) if n_exp else 0,
        moe_intermediate_size=num("expert_feed_forward_length", 0) or (ffn if n_exp else 0),
        n_shared_experts=num("expert_shared_count", 0),
        shared_expert_intermediate_size=num("expert_shared_feed_forward_length", 0),
        first_k_dense=num("leading_dense_block_count", 0),
        q_lora_rank=num("attention.q_lora_rank", 0),
        kv_lora_rank=kv_lora,
        qk_rope_head_dim=rope_dim if kv_lora else 0,
        qk_nope_head_dim=max(0, key_len - rope_dim) if kv_lora else 0,
        v_head_dim=val_len if kv_lora else 0,
        ssm_d_inner=num("ssm.inner_size", 0),
        ssm_d_state=num("ssm.state_size", 0),
        ssm_n_groups=num("ssm.group_count", 0),
        ssm_n_heads=num("ssm.time_step_rank", 0),
        ssm_conv_kernel=num("ssm.conv_kernel", 0),
        nextn_layers=num("nextn_predict_layers", 0),
    )
    total = experts = 0
    for t in g.tensors:
        total += t.n_elements
        if "_exps" in t.name:
            experts += t.n_elements
    active = total - experts + experts * a.n_experts_used // a.n_experts if a.n_experts else None
    return a, total, active


# ggml type of the bulk of the weights -> the llama-quantize label (when general.file_type is absent)
_DOMINANT_FTYPE = {"q4_k": "Q4_K_M", "q5_k": "Q5_K_M", "q3_k": "Q3_K_M", "q2_k": "Q2_K", "mxfp4": "MXFP4_MOE"}


def gguf_quant(g: gg.GGUFFile) -> str | None:
    """The file type label: general.file_type when it names a known type, else the dominant tensor type."""
    ft = g.metadata.get("general.file_type")
    if isinstance(ft, int) and not isinstance(ft, bool):
        label = gg.LLAMA_FTYPES.get(ft & ~1024)  # 1024: LLAMA_FTYPE_GUESSED
        if label in FTYPES:
            return label
    by: dict[str, int] = {}
    for t in g.tensors:
        if len(t.shape) >= 2 and t.shape[1] > 1:
            by[t.type] = by.get(t.type, 0) + t.n_bytes
    if not by:
        return None
    top = max(by, key=lambda k: by[k])
    label = _DOMINANT_FTYPE.get(top, top.upper())
    return label if label in FTYPES else None


def _from_gguf(g: gg.GGUFFile, label: str) -> Loaded:
    arch, params, active = arch_from_gguf(g)
    table: Table = tuple((t.name, t.shape, t.type) for t in g.tensors)
    name = g.metadata.get("general.name")
    spec = ModelSpec(id=None, name=name if isinstance(name, str) and name else os.path.basename(label),
                     arch=arch, params=params, active_params=active, tensor_table=table,
                     file_bytes=g.file_bytes, file_quant=gguf_quant(g))
    return Loaded("gguf", label, spec, gguf=g)


# ----------------------------------------------------------------------------------------- safetensors

# Hugging Face tensor names -> llama.cpp's, as far as the engine needs them: layer number (placement),
# embeddings and output head (kept apart), routed experts ("_exps": MoE offload).
_LAYER = re.compile(r"^(?:.*\.)?(?:layers|h|blocks|block)\.(\d+)\.(.+)$")
_NON_TEXT = re.compile(r"(^|\.)(vision_tower|vision_model|visual|vision|audio_tower|audio_model|audio|"
                       r"multi_modal_projector|mm_projector)(\.|$)")
# Engine widths known to weights_from_table; other dtypes are tabled as their raw bytes.
_ENGINE_DTYPES = {"F64", "F32", "F16", "BF16", "I64", "I32", "I16", "I8", "U8", "BOOL", "F8_E4M3", "F8_E5M2"}
_SAME_WIDTH = {"U16": "I16", "U32": "I32", "U64": "I64", "F8_E8M0": "U8"}


def gguf_name(hf: str) -> str:
    """A llama.cpp-style name for a Hugging Face tensor name (only what the engine's grouping reads)."""
    if _NON_TEXT.search(hf):
        return hf
    m = _LAYER.match(hf)
    if m:
        rest = m[2]
        if rest.startswith(("mlp.experts.", "block_sparse_moe.experts.", "feed_forward.experts.")):
            rest = "ffn_exps." + rest.split(".experts.", 1)[1]
        return f"blk.{m[1]}.{rest}"
    for emb in ("embed_tokens.", "wte.", "tok_embeddings.", "word_embeddings."):
        if emb in hf:
            return "token_embd." + hf.split(emb, 1)[1]
    if hf.startswith("lm_head.") or hf.startswith("output."):
        return "output." + hf.split(".", 1)[1]
    return hf


def _table_entry(name: str, dtype: str, shape: tuple[int, ...], n_bytes: int) -> tuple[str, tuple[int, ...], str]:
    gname = gguf_name(name)
    if dtype in _ENGINE_DTYPES:
        return gname, shape[::-1] or (1,), dtype
    if dtype in _SAME_WIDTH:
        return gname, shape[::-1] or (1,), _SAME_WIDTH[dtype]
    return gname, (n_bytes,), "U8"  # sub-byte floats (F4, F6): exact bytes, shape not kept


def _from_folder(fm: FolderModel, label: str) -> Loaded:
    cfg = fm.config
    try:
        arch, _, _ = arch_from_config(cfg)
    except (KeyError, TypeError, ValueError, ZeroDivisionError) as exc:
        raise FileFormatError(f"{fm.label}/{CONFIG}: cannot read the architecture ({type(exc).__name__}: {exc})",
                              ) from None
    table: Table = tuple(_table_entry(t.name, t.dtype, t.shape, t.n_bytes) for t in fm.weights.tensors)
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


# -------------------------------------------------------------------------------------------- inspect

_HIGHLIGHTS = ("general.name", "general.basename", "general.organization", "general.finetune",
               "general.size_label", "general.license", "general.file_type", "general.quantization_version",
               "general.alignment", "tokenizer.ggml.model", "tokenizer.ggml.pre", "split.count")


def _plain(v: Any) -> Any:
    if isinstance(v, gg.SkippedArray):
        return {"type": v.type, "length": v.count}
    if isinstance(v, list) and len(v) > 16:
        return v[:16] + [f"... {len(v) - 16} more"]
    return v


def inspect(path: str) -> dict[str, Any]:
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


__all__ = ["Loaded", "Source", "arch_from_gguf", "gguf_name", "gguf_quant", "inspect", "load", "load_remote",
           "model_spec_from_path"]
