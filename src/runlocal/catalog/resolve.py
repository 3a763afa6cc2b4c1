"""Turn what people type into catalog entries: ids, names, aliases, Hugging Face repo ids, Ollama tags,
GGUF file names, "4090", "M2 Max 64GB". Unknown names raise with the closest suggestions."""

from __future__ import annotations

import dataclasses
import difflib
import re
from dataclasses import dataclass
from typing import Any

from ..errors import UnknownHardware, UnknownModel
from .load import Catalog, Entity

_NON_ALNUM = re.compile(r"[^a-z0-9]+")

# Quant spellings found at the end of file and repo names, longest first.
_QUANT_RE = re.compile(
    r"(?:^|[-_.\s])("
    r"iq[1-4]_(?:xxs|xs|s|m|nl)|q[2-8]_k_[sml]|q[2-8]_k|q[4-8]_[01]|tq[12]_0|mxfp4(?:_moe)?|"
    r"bf16|f16|fp16|f32|ud-q[2-8]_k_xl|ud-iq[1-4]_(?:xxs|xs|s|m)"
    r")$",
    re.IGNORECASE,
)
_MLX_RE = re.compile(r"(?:^|[-_])(\d)-?bit$", re.IGNORECASE)
_SPLIT_RE = re.compile(r"-\d{5}-of-\d{5}$")
_DECOR = ("-gguf", "-mlx", "-awq-int4", "-awq", "-gptq-int4", "-gptq-int8", "-gptq", "-fp8-dynamic", "-fp8", "-nvfp4",
          "-bnb-4bit", "-quantized.w4a16", "-quantized.w8a16", "-quantized.w8a8", "-w4a16", "-w8a8", "-int4", "-int8",
          "-qat", "-q4_0", "-unsloth", "-i1", "-imat")
_DECOR_QUANT = {"-awq-int4": "AWQ-INT4", "-awq": "AWQ-INT4", "-gptq-int4": "GPTQ-INT4", "-gptq-int8": "GPTQ-INT8",
                "-gptq": "GPTQ-INT4",
                "-fp8-dynamic": "FP8", "-fp8": "FP8", "-nvfp4": "NVFP4", "-bnb-4bit": "NF4",
                # llm-compressor checkpoints (RedHatAI / neuralmagic): "-quantized.w4a16" and the like
                "-quantized.w4a16": "GPTQ-INT4", "-quantized.w8a16": "GPTQ-INT8", "-quantized.w8a8": "GPTQ-INT8",
                "-w4a16": "GPTQ-INT4", "-w8a8": "GPTQ-INT8", "-int4": "AWQ-INT4", "-int8": "GPTQ-INT8"}
_VARIANT = ("-instruct", "-chat", "-it", "-base", "-hf", "-latest")
_VENDOR_WORDS = re.compile(r"\b(nvidia|geforce|amd|radeon|intel|apple|tesla|quadro|graphics|gpu)\b")


def norm(s: str) -> str:
    """Lowercase alphanumerics only: 'Meta-Llama-3.1-8B' -> 'metallama318b'."""
    return _NON_ALNUM.sub("", s.lower())


@dataclass(frozen=True)
class ModelMatch:
    entity: Entity
    quant: str | None  # a quant named inside the string (file name, mlx repo), if any
    how: str
    derivative: str | None = None  # "X: a fine-tune of Y with the same architecture" when a derivative was named
    context_length: int | None = None  # the derivative's own context where its entry gives one
    derivative_entry: dict[str, Any] | None = None  # that [[derivatives]] table (its name, aliases, url)

    def command_entity(self) -> Entity:
        """The entity launch commands name: for a derivative, the base's data under the derivative's own name and
        aliases (its repos and Ollama tags) and none of the base's published files, so a command never downloads
        the base in its place."""
        d = self.derivative_entry
        if not d:
            return self.entity
        data = {k: v for k, v in self.entity.data.items() if k not in ("aliases", "artifacts", "name")}
        name = str(d.get("name") or self.entity.name)
        data.update(name=name, aliases=[str(a) for a in d.get("aliases") or []])
        return Entity(self.entity.kind, _NON_ALNUM.sub("-", name.lower()).strip("-"), self.entity.path, data)


@dataclass(frozen=True)
class HardwareMatch:
    entity: Entity
    memory_gb: float | None  # chosen memory option (Apple, unified, CPU platforms)
    how: str
    count: int | None = None  # "2x RTX 3090": how many of them the name says


SUGGEST_MAX_CHARS = 200
"""Names longer than this get no "did you mean" (no catalog name is a tenth as long; matching a 10 MB name
took seconds)."""

class Index:
    """Normalised name -> entity id, per kind; built once per catalog."""

    def __init__(self, cat: Catalog) -> None:
        self.cat = cat
        self.keys: dict[str, dict[str, str]] = {}
        self.loose: dict[str, dict[str, str]] = {}
        self.duplicates: list[str] = []
        self.derived: dict[str, str] = {}  # normalised derivative name -> "X: a fine-tune of Y ..."
        self.derived_context: dict[str, int] = {}  # normalised derivative name -> its own context length
        self.derived_entry: dict[str, dict[str, Any]] = {}  # normalised derivative name -> its [[derivatives]] table
        self.counts: dict[str, int] = {}  # normalised cloud instance name -> GPUs in it
        for kind, ents in cat.entities.items():
            table: dict[str, str] = {}
            loose: dict[str, str] = {}
            for e in ents.values():
                names = [e.id, e.name, *e.aliases]
                for d in (e.data.get("derivatives") or []) if kind == "models" else []:
                    if not isinstance(d, dict):
                        continue
                    what = (f"{d.get('name')} ({d.get('url')}) is {d.get('relation')} {e.name} with the same "
                            f"architecture: answered as {e.name}")
                    ctx = d.get("context_length")
                    own_ctx = ctx if isinstance(ctx, int) and not isinstance(ctx, bool) and ctx > 0 else None
                    if own_ctx:
                        what += f" with its own {own_ctx:,}-token context"
                    for n in [d.get("name"), *(d.get("aliases") or [])]:
                        if isinstance(n, str) and norm(n) and norm(n) not in self.derived:
                            self.derived[norm(n)] = what
                            self.derived_entry[norm(n)] = d
                            if own_ctx:
                                self.derived_context[norm(n)] = own_ctx
                            names.append(n)
                for inst in (e.data.get("instances") or []) if kind == "hardware" else []:
                    if isinstance(inst, dict) and isinstance(inst.get("name"), str):
                        self.counts[norm(inst["name"])] = int(inst.get("gpus", 1))
                        names.append(inst["name"])
                for n in names:
                    k = norm(n)
                    if not k:
                        continue
                    prev = table.get(k)
                    if prev is not None and prev != e.id:
                        self.duplicates.append(f"{e.path}: alias '{n}' also names '{prev}'")
                        continue
                    table[k] = e.id
                    if kind == "hardware":
                        lk = norm(_VENDOR_WORDS.sub(" ", n.lower()))
                        if lk and lk not in loose:
                            loose[lk] = e.id
            self.keys[kind] = table
            self.loose[kind] = loose

    def get(self, kind: str, name: str) -> Entity | None:
        eid = self.keys.get(kind, {}).get(norm(name))
        return self.cat.kind(kind)[eid] if eid else None

    def suggest(self, kind: str, name: str, n: int = 5) -> list[str]:
        if len(name) > SUGGEST_MAX_CHARS:  # difflib's cost grows with the square of the length
            return []
        keys = self.keys.get(kind, {})
        k = norm(name)
        close = difflib.get_close_matches(k, list(keys), n=n * 3, cutoff=0.5)
        # also: entries whose key contains the query (e.g. "llama" -> every Llama)
        contains = [key for key in keys if k and k in key][: n * 3]
        out: list[str] = []
        for key in close + contains:
            eid = keys[key]
            if eid not in out:
                out.append(eid)
        return out[:n]


_INDEX_CACHE: dict[int, Index] = {}


def index(cat: Catalog) -> Index:
    idx = _INDEX_CACHE.get(id(cat))
    if idx is None or idx.cat is not cat:
        idx = Index(cat)
        _INDEX_CACHE[id(cat)] = idx
    return idx


# Unsloth "UD-Qn_K_XL" names are file types of their own (estimate.ggml_types.UD_BASE).


def _canon_quant(q: str) -> str:
    q = q.upper()
    m = re.fullmatch(r"UD-(Q[2-8])_K_XL", q)
    if m:  # Unsloth dynamic quants: their own file types (estimate.ggml_types.UD_BASE); Q7 reads as Q8
        return "UD-Q8_K_XL" if m.group(1) == "Q7" else q
    if re.fullmatch(r"UD-IQ[1-4]_(?:XXS|XS|S|M)", q):
        return q[3:]  # Unsloth's dynamic IQ files (UD-IQ1_S ...): read as their base IQ type (a lower bound)
    return {"FP16": "F16", "MXFP4": "MXFP4_MOE"}.get(q, q)


def _strip_model(s: str) -> list[tuple[str, str | None, str]]:
    """Candidate (name, quant, how) readings of a model string, most literal first."""
    out: list[tuple[str, str | None, str]] = [(s, None, "name")]
    base = s.strip()
    quant: str | None = None
    if base.lower().startswith("hf:"):
        base = base[3:]
    if base.lower().startswith(("hf.co/", "huggingface.co/")):
        # Ollama's hf.co/ORG/REPO:QUANT form
        base = base.split("/", 1)[1]
        if ":" in base:
            base, tag = base.rsplit(":", 1)
            m = _QUANT_RE.search("-" + tag)
            quant = _canon_quant(m.group(1)) if m else None
            out.append((base, quant, "Ollama hf.co name"))
    if base.lower().endswith(".gguf"):
        base = _SPLIT_RE.sub("", base[:-5])
        m = _QUANT_RE.search(base)
        if m:
            quant = _canon_quant(m.group(1))
            base = base[: m.start()]
        out.append((base, quant, "GGUF file name"))
    if ":" in base and "/" not in base:  # ollama tag name:tag
        name, tag = base.split(":", 1)
        m = _QUANT_RE.search(tag)
        if m:
            quant = _canon_quant(m.group(1))
            tag = tag[: m.start()].rstrip("-")
        if tag in ("", "latest"):
            out.append((name, quant, "Ollama tag"))
        else:
            out.append((f"{name}:{tag}", quant, "Ollama tag"))
            out.append((f"{name}-{tag}", quant, "Ollama tag"))
    if "/" in base and ":" in base.rsplit("/", 1)[-1]:  # "org/repo-GGUF:Q4_K_M" (llama.cpp -hf, Ollama hf.co)
        base, tag = base.rsplit(":", 1)
        m = _QUANT_RE.search("-" + tag)
        quant = _canon_quant(m.group(1)) if m else quant
        out.append((base, quant, "Hugging Face repo with a quant tag"))
    if "/" in base:
        org, name = base.split("/", 1)
        org_l = org.lower()
        out.append((name, quant, "Hugging Face repo id"))
        mm = _MLX_RE.search(name)
        if mm and (org_l.startswith("mlx") or "mlx" in name.lower() or org_l == "lmstudio-community"):
            quant = f"MLX-{mm.group(1)}BIT"
            name = name[: mm.start()]
            out.append((name, quant, "MLX repo id"))
        elif org_l.startswith("mlx"):
            quant = quant or "MLX-4BIT"
        base = name
    low = base
    for _ in range(3):
        changed = False
        for d in _DECOR:
            if low.lower().endswith(d):
                low = low[: -len(d)]
                quant = quant or _DECOR_QUANT.get(d)
                changed = True
        m = _QUANT_RE.search(low)
        if m and not low.lower().endswith(("8b", "7b")):
            quant = quant or _canon_quant(m.group(1))
            low = low[: m.start()]
            changed = True
        if not changed:
            break
        out.append((low, quant, "name without packaging suffix"))
    for v in _VARIANT:
        if low.lower().endswith(v):
            out.append((low[: -len(v)], quant, "name without variant suffix"))
            low2 = low[: -len(v)]
            for v2 in _VARIANT:
                if low2.lower().endswith(v2):
                    out.append((low2[: -len(v2)], quant, "name without variant suffix"))
    return out


def resolve_model(cat: Catalog, name: str) -> ModelMatch:
    """A model entity for `name`, plus any quant the name itself carries."""
    idx = index(cat)
    for cand, quant, how in _strip_model(name):
        e = idx.get("models", cand)
        if e is not None:
            return ModelMatch(e, quant, how, idx.derived.get(norm(cand)), idx.derived_context.get(norm(cand)),
                              idx.derived_entry.get(norm(cand)))
    cands = _strip_model(name)
    if _EMBEDDING.search(name):
        # nomic-embed-text, bge-m3, all-MiniLM, e5 / gte, rerankers: BERT-family encoders the catalog does not hold;
        # closest generative names would only mislead
        sugg = [s for s in idx.suggest("models", name) if "embed" in s]
        raise UnknownModel(f"unknown model '{name}': it looks like an embedding or reranking model, which runlocal "
                           "does not estimate yet (the catalog's embedding models are the Qwen3-Embedding ones)", sugg)
    sugg = idx.suggest("models", cands[-1][0]) or idx.suggest("models", name)
    raise UnknownModel(f"unknown model '{name}'", sugg)


_EMBEDDING = re.compile(r"embed|\bbge\b|bge-|minilm|\be5-|\bgte-|rerank", re.IGNORECASE)
"""Names of embedding and reranking models (BERT-family encoders), which the catalog does not hold."""


_MEM_RE = re.compile(r"(\d+(?:\.\d+)?)\s*(?:gb|gib|g)\b", re.IGNORECASE)


def resolve_hardware(cat: Catalog, name: str) -> HardwareMatch:
    """A hardware entity for `name`; a memory size in the name picks the memory option, a count in front ("2x RTX
    3090") is returned as `count`."""
    idx = index(cat)
    bare_name = re.sub(r"^\s*(?:aws|amazon|ec2|gcp|google cloud|azure)\s+", "", name, flags=re.IGNORECASE)
    if not re.match(r"(?i)\s*standard_", bare_name) and re.match(r"(?i)\s*N[CDV]\d+\w*_v\d\s*$", bare_name):
        bare_name = "Standard_" + bare_name.strip()  # Azure sizes are often written without their Standard_ prefix
    for cand in dict.fromkeys((name, bare_name)):
        e = idx.get("hardware", cand)
        if e is not None:
            n = idx.counts.get(norm(cand))
            return HardwareMatch(e, None, "cloud instance" if n else "name", n if n and n > 1 else None)
    many = _COUNT.match(name)
    if many and int(many.group(1)) >= 1 and not _COUNT.match(name[many.end():]):  # one count, not "2x 2x ..."
        inner = resolve_hardware(cat, name[many.end():])
        return dataclasses.replace(inner, count=int(many.group(1)))
    brand = re.sub(r"\s+", " ", _BRAND.sub(" ", _TRADEMARKS.sub("", name))).strip()
    if brand and brand != re.sub(r"\s+", " ", name).strip():
        # a brand string as the OS prints it: "13th Gen Intel(R) Core(TM) i9-13900K", "AMD EPYC 9654 96-Core
        # Processor", "Intel(R) Xeon(R) ... CPU @ 2.00GHz", "Raspberry Pi 5 Model B Rev 1.0", "Apple M4 Max 16-core
        # CPU 40-core GPU"
        try:
            return resolve_hardware(cat, brand)
        except UnknownHardware:
            pass
    if " - " in name:  # Windows' "Snapdragon(R) X Elite - X1E80100 - Qualcomm(R) Oryon(TM) CPU": one part names it
        for part in (p.strip() for p in _TRADEMARKS.sub("", name).split(" - ")):
            e = idx.get("hardware", part)
            if e is not None and part:
                return _pick_memory(cat, e, None)
    cores = name
    if re.search(r"\b(?:apple|m\d)\b", name, re.IGNORECASE):
        # "M2 Ultra (60 GPU cores)", "M3 Max (40c GPU)", LocalScore's "Apple M3 Pro 6P+6E+18GPU" (CPU cores dropped)
        cores = _APPLE_CPU_CORES.sub(" ", name)
        cores = re.sub(r"\s+", " ", _APPLE_CORES_WORDS.sub(r" \1-core GPU ", cores)).strip()
    if cores != re.sub(r"\s+", " ", name).strip():  # "M2 Ultra (60 GPU cores)", "M3 Max (40c GPU)": the cores
        try:                                             # pick the variant
            return resolve_hardware(cat, cores)
        except UnknownHardware as exc:  # a core count the chip does not come with: say so, do not guess
            raise UnknownHardware(f"unknown hardware '{name[:200]}' (no such GPU core count in the catalog)",
                                  exc.suggestions) from None
    clean = _TRADEMARKS.sub("", name)
    gfx = _GFX.search(clean)
    if gfx and re.search(r"radeon\s+graphics", clean, re.IGNORECASE):
        # a generic "AMD Radeon Graphics" iGPU named by its LLVM target (Vulkan and ROCm print it): the hardware
        # file that carries the target as an alias
        e = idx.get("hardware", gfx.group(1))
        if e is not None:
            return HardwareMatch(e, None, "integrated GPU target")
    bare = _PARENS.sub(" ", clean).strip()
    if bare != name.strip():  # driver and chip names in brackets ("(RADV NAVI31)", "(DG2)", "(gfx1100)")
        for cand in (bare, re.sub(r"\s+graphics\s*$", "", bare, flags=re.IGNORECASE)):
            e = idx.get("hardware", cand)
            if e is not None:
                return HardwareMatch(e, None, "name without bracketed driver details")
    mem_m = list(_MEM_RE.finditer(name))
    mem = float(mem_m[-1].group(1)) if mem_m else None
    vgpu = _VGPU.search(name)
    if vgpu:  # an NVIDIA vGPU profile ("NVIDIA A40-48Q"): that card, with the profile's memory
        name, mem = name[: vgpu.start()], float(vgpu.group(1))
        e = idx.get("hardware", name)
        if e is not None:
            return _pick_memory(cat, e, mem)
    stripped = _MEM_RE.sub(" ", name) if mem_m else name
    stripped = re.sub(r"[()]", " ", stripped)
    product = _MAC_PRODUCT.sub(" ", stripped) if _MAC_PRODUCT.search(stripped) else None
    cands = [stripped, _VENDOR_WORDS.sub(" ", stripped.lower())]
    if product:  # "MacBook Pro M4 Max 128GB": the chip names the machine
        cands += [product, "apple " + product]
    for cand in cands:
        e = idx.get("hardware", cand)
        if e is None:
            eid = idx.loose.get("hardware", {}).get(norm(_VENDOR_WORDS.sub(" ", cand.lower())))
            e = cat.hardware[eid] if eid else None
        if e is not None:
            return _pick_memory(cat, e, mem)
    sugg = idx.suggest("hardware", stripped)
    raise UnknownHardware(f"unknown hardware '{name}'", sugg)


_COUNT = re.compile(r"^\s*(\d{1,2})\s*[x×*]\s*(?=\S)", re.IGNORECASE)
"""A GPU count in front of a name: "2x RTX 3090", "8 x H100", "4×A100"."""
_TRADEMARKS = re.compile(r"\((?:R|TM|C)\)|®|™", re.IGNORECASE)
_PARENS = re.compile(r"\([^)]*\)")
_BRAND = re.compile(r"\bw/\s*radeon\b.*$|\bwith\s+radeon\b.*$"
                    r"|\b\d{1,2}(?:st|nd|rd|th)\s+gen(?:eration)?\b|\bcpu\s*@\s*[\d.]+\s*ghz\b|@\s*[\d.]+\s*ghz\b"
                    r"|\b\d{1,3}-core\s+(?:processor|cpu)\b|\bprocessor\b|\bmodel\s+[ab]\b|\brev\s*\d+(?:\.\d+)?\b",
                    re.IGNORECASE)
"""Words a CPU or board brand string adds to the product name (lscpu, /proc/cpuinfo, /proc/device-tree/model)."""
_GFX = re.compile(r"\b(gfx\d{3,4}[a-z]?)\b", re.IGNORECASE)
_APPLE_CORES_WORDS = re.compile(r"\(?\s*(\d{1,3})\s*(?:gpu\s*cores?|-?\s*core\s*gpu|c\s*gpu|gpu\b)\s*\)?",
                                re.IGNORECASE)
_APPLE_CPU_CORES = re.compile(r"\b\d+\s*p\s*\+\s*\d+\s*e\s*\+\s*", re.IGNORECASE)
"""CPU core counts in front of the GPU's, as llamafile and LocalScore print Apple chips: "M4 Max 12P+4E+40GPU"."""

_VGPU = re.compile(r"-(\d+)[QCAB]\s*$")
"""An NVIDIA vGPU profile suffix: the frame buffer in GB and the profile type (Q workstation, C compute, B, A)."""

_MAC_PRODUCT = re.compile(r"\b(?:mac\s*book\s*(?:pro|air)?|mac\s*studio|mac\s*mini|mac\s*pro|imac)\b"
                          r"(?:\s*\d{2}(?:\.\d)?(?:\s*-?\s*inch|\"|in)?)?", re.IGNORECASE)
"""Mac product names in front of the chip ("MacBook Pro 16-inch M4 Max", "Mac Studio M3 Ultra", "Mac mini M4")."""


def _pick_memory(cat: Catalog, e: Entity, mem: float | None) -> HardwareMatch:
    opts = e.data.get("memory_options_gb")
    if mem is None or not opts:
        if mem is not None and e.data.get("memory_gb") and float(e.data["memory_gb"]) != mem:
            # "RTX 3060 8GB" matched the 12GB entry by its bare name: look for a sibling variant
            sib = _sibling_with_memory(cat, e, mem)
            if sib is not None:
                return HardwareMatch(sib, None, "name and memory size")
            raise UnknownHardware(
                f"{e.name} has {float(e.data['memory_gb']):g} GB, not {mem:g} GB; for a modified card give a "
                f"hardware object with memory_gb", [e.id])
        return HardwareMatch(e, mem if opts else None, "name")
    if mem in [float(x) for x in opts]:
        return HardwareMatch(e, mem, "name and memory option")
    sib = _sibling_with_memory(cat, e, mem)
    if sib is not None:
        return HardwareMatch(sib, mem, "chip variant sold with that memory")
    raise UnknownHardware(
        f"{e.name} is not sold with {mem:g} GB; options: {', '.join(str(x) for x in opts)} GB",
        [f"{e.name} {x}GB" for x in opts],
    )


def _sibling_with_memory(cat: Catalog, e: Entity, mem: float) -> Entity | None:
    """Another entry of the same chip/card family offering `mem` GB."""
    stem = re.sub(r"-(\d+c|\d+gb)$", "", e.id)
    best: Entity | None = None
    for other in cat.hardware.values():
        if other.id == e.id or re.sub(r"-(\d+c|\d+gb)$", "", other.id) != stem:
            continue
        opts = [float(x) for x in other.data.get("memory_options_gb", [])]
        if mem in opts or float(other.data.get("memory_gb", -1)) == mem:
            if best is None or int(other.data.get("gpu_cores", 0)) > int(best.data.get("gpu_cores", 0)):
                best = other
    return best


ENGINE_PLACEMENTS = ("llamacpp", "all_or_nothing", "diffusion")


def estimated_runtimes(cat: Catalog, *, diffusion: bool) -> list[Entity]:
    """Runtimes the engine estimates (their data file has an `estimate` table), text or image/video ones."""
    out = [e for e in cat.runtimes.values() if isinstance(e.data.get("estimate"), dict)
           and (e.data["estimate"].get("placement") == "diffusion") == diffusion]
    return sorted(out, key=lambda e: e.id)


def runtime_key(e: Entity) -> str:
    """The name answers and the engine use for a runtime ('llama.cpp', 'ollama', 'comfyui' ...)."""
    return str(e.data["estimate"]["id"])


def resolve_runtime(cat: Catalog, name: str) -> Entity:
    """A runtime entity for `name` (id, name, alias or engine key; case and punctuation ignored)."""
    idx = index(cat)
    e = idx.get("runtimes", name)
    if e is None:
        k = norm(name)
        e = next((r for r in cat.runtimes.values() if isinstance(r.data.get("estimate"), dict)
                  and norm(runtime_key(r)) == k), None)
    if e is None:
        from ..errors import NotFound

        raise NotFound(f"unknown runtime {name!r}", [runtime_key(r) for r in estimated_runtimes(cat, diffusion=False)])
    return e
