"""Launch commands for an estimated configuration: llama.cpp, Ollama, vLLM and MLX."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from ..catalog.load import Entity
from ..catalog.resolve import norm
from ..estimate.engine import Estimate
from ..estimate.weights import MLX_FORMATS, is_gguf, normalize_quant
from ..formats.arch_defaults import NO_LLAMACPP_ARCHS

T = TypeVar("T")

_PACKED = ("gguf", "mlx", "awq", "gptq", "fp8", "lmstudio", "bartowski", "unsloth", "thebloke", "int4", "nf4",
           "bnb", "gpt4all")


def _hf_repo(e: Entity | None, *, want: str = "") -> str | None:
    """The original Hugging Face repo (an Instruct/chat variant first), or one whose name carries `want`."""
    if e is None:
        return None
    repos = [a for a in e.aliases if "/" in a and not a.lower().endswith((".gguf", ".safetensors"))]
    if want:
        hit = [a for a in repos if want in a.lower()]
        return hit[0] if hit else None
    plain = [a for a in repos if not any(x in a.lower() for x in _PACKED)]
    for tag in ("instruct", "-it", "chat"):
        for a in plain:
            if tag in a.lower():
                return a
    return plain[0] if plain else None


def _own_first(e: Entity, items: list[T], repo: Callable[[T], str] = str) -> list[T]:
    """Repos whose name carries the entry's own name first (a stable sort): a file that folds a sibling in as an
    alias (Qwen2.5 7B and Qwen2.5-Coder-7B share one shape) must not point Qwen2.5 7B's commands at the Coder's
    files."""
    own = norm(e.name)
    return sorted(items, key=lambda x: own not in norm(repo(x)))


def _gguf_repo(e: Entity | None, quant: str) -> str | None:
    """A GGUF repo that holds this quant: the artifact of that quant, else a multi-quant GGUF repo."""
    if e is None:
        return None
    arts = [a for a in e.data.get("artifacts", []) if a.get("format") == "gguf" and a.get("repo")]
    arts = _own_first(e, arts, lambda a: str(a["repo"]))
    for a in arts:
        if str(a.get("quant", "")).upper() == quant.upper():
            return str(a["repo"])
    if quant.upper().startswith("UD-"):  # Unsloth's dynamic quants live in unsloth's repositories
        hit = next((a for a in e.aliases if a.lower().startswith("unsloth/") and a.lower().endswith("-gguf")), None)
        if hit:
            return hit
    for a in _own_first(e, list(e.aliases)):
        if "/" in a and a.lower().endswith("-gguf"):
            return a
    for a in arts:
        if str(a["repo"]).lower().endswith("-gguf"):
            return str(a["repo"])
    return None


def _ollama_tag(e: Entity | None) -> str | None:
    if e is None:
        return None
    tags = [a for a in e.aliases if ":" in a and "/" not in a and not a.endswith(":latest")]
    return tags[0] if tags else None


def commands(e: Entity | None, est: Estimate, *, context: int, parallel: int, kv_type: str,
             gpu_count: int) -> dict[str, str]:
    """runtime name -> the command that launches this configuration."""
    out: dict[str, str] = {}
    q = est.quant
    ctx_total = context * max(parallel, 1)
    if is_gguf(q):
        repo = _gguf_repo(e, q)
        src = f"-hf {repo}:{q}" if repo else f"-m ./{(e.id if e else 'model')}-{q}.gguf"
        parts = [f"llama-server {src}", f"-c {ctx_total}"]
        if est.fits in ("gpu", "gpu+cpu"):
            parts.append(f"-ngl {est.gpu_layers + (1 if est.fits == 'gpu' else 0)}")
        elif est.fits == "cpu":
            parts.append("-ngl 0")
        if est.cpu_moe_layers:
            parts.append(f"--n-cpu-moe {est.cpu_moe_layers}")
        if kv_type.lower() != "f16":
            parts.append(f"-fa on -ctk {kv_type} -ctv {kv_type}")
        elif est.flash_attention:
            parts.append("-fa on")
        if parallel > 1:
            parts.append(f"-np {parallel}")
        arch = str((e.data.get("arch") or {}).get("arch", "")) if e else ""
        if arch not in NO_LLAMACPP_ARCHS:  # no GGUF of them exists
            out["llama.cpp"] = " ".join(parts)
        tag = _ollama_tag(e) if arch != "opt" else None
        if tag or repo:
            default_q = normalize_quant(str(e.data.get("default_quant") or "Q4_K_M")) if e else q
            name = tag if tag and q == default_q else (f"hf.co/{repo}:{q}" if repo else tag)
            env = [f"OLLAMA_CONTEXT_LENGTH={context}"]
            if kv_type.lower() != "f16":
                env += ["OLLAMA_FLASH_ATTENTION=1", f"OLLAMA_KV_CACHE_TYPE={kv_type}"]
            if parallel > 1:
                env.append(f"OLLAMA_NUM_PARALLEL={parallel}")
            out["ollama"] = f"{' '.join(env)} ollama serve &  ollama run {name}"
    hf = _hf_repo(e)
    vllm_q = {"AWQ-INT4": "awq", "GPTQ-INT4": "gptq", "GPTQ-INT8": "gptq", "FP8": "fp8", "MXFP4_MOE": "",
              "BF16": "", "F16": ""}
    if hf and (est.runtime == "vllm" or q in vllm_q) and q != "NF4":
        repo = hf
        if q in ("AWQ-INT4", "GPTQ-INT4", "GPTQ-INT8"):
            repo = _hf_repo(e, want=q.split("-")[0].lower()) or f"<a {q} checkpoint of {hf}>"
        parts = [f"vllm serve {repo}", f"--max-model-len {context}"]
        if gpu_count > 1:
            parts.append(f"--tensor-parallel-size {gpu_count}")
        if vllm_q.get(q):
            parts.append(f"--quantization {vllm_q[q]}")
        if kv_type.lower() in ("fp8", "q8_0"):
            parts.append("--kv-cache-dtype fp8")
        if parallel > 1:
            parts.append(f"--max-num-seqs {parallel}")
        out["vllm"] = " ".join(parts)
    if hf and est.runtime == "sglang":
        parts = [f"python -m sglang.launch_server --model-path {hf}", f"--context-length {context}"]
        if gpu_count > 1:
            parts.append(f"--tp {gpu_count}")
        if q == "FP8":
            parts.append("--quantization fp8")
        if kv_type.lower() in ("fp8", "q8_0"):
            parts.append("--kv-cache-dtype fp8_e5m2")
        out["sglang"] = " ".join(parts)
    if hf and est.runtime == "transformers":
        load = ("quantization_config=BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type='nf4'), "
                if q == "NF4" else "torch_dtype='auto', ")
        out["transformers"] = (f"from transformers import AutoModelForCausalLM, BitsAndBytesConfig; "
                               f"model = AutoModelForCausalLM.from_pretrained('{hf}', {load}device_map='auto')")
    if est.runtime == "mlc-llm":
        name = (hf.split("/", 1)[1] if hf else (e.name if e else "model")).replace(" ", "-")
        mq = q.replace("MLC-", "").lower() if q.startswith("MLC-") else "q0f16"
        out["mlc-llm"] = (f"mlc_llm serve HF://mlc-ai/{name}-{mq}-MLC --mode local "
                          f"--overrides \"context_window_size={ctx_total}"
                          f"{f';tensor_parallel_shards={gpu_count}' if gpu_count > 1 else ''}\"")
    if hf and est.runtime == "tensorrt-llm":
        parts = [f"trtllm-serve {hf}", f"--max_seq_len {context}"]
        if gpu_count > 1:
            parts.append(f"--tp_size {gpu_count}")
        if parallel > 1:
            parts.append(f"--max_batch_size {parallel}")
        out["tensorrt-llm"] = " ".join(parts)
    if est.runtime in ("tabbyapi", "exllamav2", "exllamav3"):
        fam, _, bpw = q.partition("-")
        name = (hf.split("/", 1)[1] if hf else (e.name if e else "model")).replace(" ", "-")
        cache = {"q8_0": "Q8", "q4_0": "Q4"}.get(kv_type.lower(), "FP16")
        model_dir = f"{name}-{fam.lower()}-{bpw.lower()}" if bpw else name
        out["tabbyapi"] = (f"# config.yml: model_name: {model_dir}  max_seq_len: {ctx_total}  cache_mode: {cache}"
                           f"{'  gpu_split_auto: true' if gpu_count > 1 else ''}; then ./start.sh")
    if q in MLX_FORMATS or est.runtime == "mlx":
        bits = q.replace("MLX-", "").replace("BIT", "bit").lower() if q in MLX_FORMATS else "bf16"
        name = (hf.split("/", 1)[1] if hf else (e.name if e else "model")).replace(" ", "-")
        out["mlx"] = (f"mlx_lm.server --model mlx-community/{name}-{bits} "
                      f"--max-tokens 2048  # context up to {context} tokens")
    return out
