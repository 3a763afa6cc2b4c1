"""Questions in a sentence ("can I run qwen3 30b on a 3060 with 32k context?"): the model, hardware, quant, context
and GPU count are found with the same resolver as everything else, the answer is two or three sentences with the
engine's numbers, and what could not be placed is asked about. Also the quick answers: the questions people ask
most, answered live."""

from __future__ import annotations

import re
from typing import Any

from ..catalog.resolve import resolve_hardware, resolve_model
from ..errors import InvalidField, RunlocalError
from .api import answer
from .resolve import catalog
from .site import verdict_ladder

MAX_SENTENCE = 500
MAX_SPAN = 6
FILLER = {"can", "could", "i", "you", "we", "run", "running", "use", "on", "a", "an", "my", "the", "with", "will",
          "would", "how", "fast", "is", "it", "does", "do", "what", "of", "in", "at", "and", "to", "for", "be", "much",
          "vram",
          "memory", "need", "needs", "get", "tokens", "token", "context", "ctx", "please", "fit", "fits", "enough",
          "good", "ok", "okay", "work", "works", "speed", "per", "second", "s", "gb", "ram", "using", "there", "any",
          "card", "gpu", "gpus", "machine", "computer", "pc", "me", "tell"}
_CONTEXT = re.compile(r"(\d+(?:\.\d+)?)\s*(k|K|m|M)?\s*(?:tokens?\s+)?(?:of\s+)?(?:context|ctx|tokens)\b"
                      r"|\b(?:context|ctx)\s*(?:of\s*)?(\d+(?:\.\d+)?)\s*(k|K)?\b")
_COUNT = re.compile(r"\b(?:([2-8])\s*[x×]\s*|(two|three|four|dual|twin)\s+(?:x\s*)?)(?=\w)", re.IGNORECASE)
GENERIC = {"1b": "llama-3.2-1b", "3b": "llama-3.2-3b", "7b": "qwen2.5-7b", "8b": "llama-3.1-8b", "12b": "gemma-3-12b",
           "14b": "qwen3-14b", "20b": "gpt-oss-20b", "24b": "mistral-small-3-24b", "27b": "gemma-3-27b",
           "30b": "qwen3-30b-a3b", "32b": "qwen3-32b", "70b": "llama-3.3-70b", "120b": "gpt-oss-120b",
           "235b": "qwen3-235b-a22b", "405b": "llama-3.1-405b", "671b": "deepseek-v3"}
"""A size said without a family ("a 70B model") is read as the most-run model of that size, and the reply says so."""
_SIZE = re.compile(r"\b(\d{1,3})\s*b\b(?:\s+(?:parameter|param)s?)?(?:\s+(?:model|llm))?", re.IGNORECASE)
_RAM = re.compile(r"\b(\d{1,4})\s*gb\s+(?:of\s+)?(?:system\s+)?ram\b", re.IGNORECASE)
_QUANT = re.compile(r"\b(q[2-8]_k(?:_[sml])?|q[48]_0|iq[1-4]_[a-z]+|f16|bf16|fp16|fp8|mxfp4|awq|gptq|"
                    r"(?:[2-8])[- ]?bit)\b", re.IGNORECASE)
WORDS = {"two": 2, "three": 3, "four": 4, "dual": 2, "twin": 2}
BITS = {"2": "Q2_K", "3": "Q3_K_M", "4": "Q4_K_M", "5": "Q5_K_M", "6": "Q6_K", "8": "Q8_0"}


def understand(sentence: str) -> dict[str, Any]:
    """What a sentence names: model, hardware, quant, context, gpu_count and RAM, and what it leaves out."""
    if not sentence or not sentence.strip():
        raise InvalidField("ask a question, e.g. \"can I run qwen3 30b on a 3060 with 32k context?\"")
    if len(sentence) > MAX_SENTENCE:
        raise InvalidField(f"a question of at most {MAX_SENTENCE} characters, please")
    text = sentence.strip()
    found: dict[str, Any] = {}
    m = _CONTEXT.search(text)
    if m:
        num, unit = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        mult = {"k": 1024, "m": 1024 * 1024}.get((unit or "").lower(), 1)
        found["context_tokens"] = int(float(num) * mult)
        text = text[:m.start()] + " " + text[m.end():]
    m = _RAM.search(text)
    if m:
        found["ram_gb"] = float(m.group(1))
        text = text[:m.start()] + " " + text[m.end():]
    m = _QUANT.search(text)
    if m:
        q = m.group(1)
        bits = re.match(r"([2-8])[- ]?bit", q, re.IGNORECASE)
        found["quant"] = BITS.get(bits.group(1), q) if bits else q.upper().replace("FP16", "F16")
        text = text[:m.start()] + " " + text[m.end():]
    m = _COUNT.search(text)
    if m:
        found["gpu_count"] = int(m.group(1)) if m.group(1) else WORDS[m.group(2).lower()]
        text = text[:m.start()] + " " + text[m.end():]
    tokens = [t for t in re.split(r"[\s,?!;]+", text) if t]
    cat = catalog()
    used: set[int] = set()
    for kind, fn in (("model", resolve_model), ("hardware", resolve_hardware)):
        best = _find(tokens, used, lambda s, fn=fn: fn(cat, s))
        if best:
            (lo, hi), name, match = best
            used |= set(range(lo, hi))
            found[kind] = name
            found[f"{kind}_id"] = match.entity.id
        elif kind == "model":
            g = _generic(tokens, used)
            if g:
                used |= g[0]
                found["model"] = found["model_id"] = g[1]
                found["model_read_as"] = f"a {g[2]} model read as {g[1]}, the most-run model of that size"
    leftover = [t for i, t in enumerate(tokens) if i not in used and t.lower().strip(".") not in FILLER]
    missing = [k for k in ("model", "hardware") if k not in found]
    return {"sentence": sentence, "understood": found, "missing": missing, "unplaced": leftover}


def _generic(tokens: list[str], used: set[int]) -> tuple[set[int], str, str] | None:
    for i, t in enumerate(tokens):
        if i in used:
            continue
        m = re.fullmatch(r"(\d{1,3})b", t.lower())
        if m and m.group(0) in GENERIC and GENERIC[m.group(0)] in catalog().models:
            nxt = tokens[i + 1].lower() if i + 1 < len(tokens) else ""
            span = {i} | ({i + 1} if nxt in ("model", "llm", "models") else set())
            return span, GENERIC[m.group(0)], t.upper()
    return None


def _find(tokens: list[str], used: set[int], resolve: Any) -> tuple[tuple[int, int], str, Any] | None:
    """The longest run of words (not yet used, not all filler) that the resolver knows."""
    for n in range(min(MAX_SPAN, len(tokens)), 0, -1):
        for lo in range(0, len(tokens) - n + 1):
            span = range(lo, lo + n)
            if any(i in used for i in span):
                continue
            words = tokens[lo:lo + n]
            if all(w.lower() in FILLER for w in words):
                continue
            name = " ".join(words).strip(".")
            for cand in (name, name[:-1] if name.lower().endswith("s") and len(name) > 3 else None):
                if not cand:
                    continue
                try:
                    return (lo, lo + n), cand, resolve(cand)
                except RunlocalError:
                    continue
    return None


def ask(sentence: str) -> dict[str, Any]:
    """The answer to a sentence, in two or three sentences with the numbers, and the question it was read as."""
    u = understand(sentence)
    got = u["understood"]
    if u["missing"]:
        what = " and ".join(u["missing"])
        u["answer"] = None
        u["reply"] = (f"Which {what}? " + ("I read the model as " + got["model_id"] + ". " if "model_id" in got else "")
                      + ("I read the hardware as " + got["hardware_id"] + ". " if "hardware_id" in got else "")
                      + (f"I could not place: {' '.join(u['unplaced'])}." if u["unplaced"] else "")).strip()
        return u
    q = {"model": got["model_id"], "hardware": got["hardware"]}
    for k in ("context_tokens", "quant", "gpu_count", "ram_gb"):
        if k in got:
            q[k] = got[k]
    a = answer(q)
    u["question"] = q
    u["answer"] = a
    u["reply"] = reply(a, q) if a.get("ok") else f"I could not answer that: {a['error']['message']}."
    if got.get("model_read_as"):
        u["reply"] = f"({got['model_read_as'][0].upper()}{got['model_read_as'][1:]}.) " + u["reply"]
    if u["unplaced"]:
        u["reply"] += f" (I did not use: {' '.join(u['unplaced'])}.)"
    return u


def reply(a: dict[str, Any], q: dict[str, Any]) -> str:
    """Two or three sentences from a contract answer."""
    cat = catalog()
    model = cat.models[a["model_id"]].name if a.get("model_id") in cat.models else "the model"
    hw = cat.hardware[a["hardware_id"]].name if a.get("hardware_id") in cat.hardware else "this machine"
    if q.get("gpu_count", 1) > 1:
        hw = f"{q['gpu_count']}x {hw}"
    lad = verdict_ladder(a)
    ctx = q.get("context_tokens", 4096)
    mem = a["memory"]["total_bytes"] / 1e9
    sp = a["speed"]
    first = {"runs-well": "Yes.", "trade-offs": "Yes, with trade-offs.", "does-not-run": "No."}[lad["level"]]
    if a["fits"] == "no":
        return (f"{first} {model} in {a['quant']} needs about {mem:.0f} GB with {ctx:,} tokens of context, more than "
                f"{hw} has. Try a smaller quant or model, or more memory.")
    where = {"gpu": "all on the accelerator", "gpu+cpu": "partly in system RAM", "cpu": "on the CPU"}[a["fits"]]
    speed = (f"about {sp['decode_tokens_per_s']:.0f} tokens/s" if sp.get("decode_tokens_per_s") and
             sp["decode_tokens_per_s"] >= 10 else f"about {sp['decode_tokens_per_s']:.1f} tokens/s"
             if sp.get("decode_tokens_per_s") else f"about {sp['seconds_per_image']:.0f} s per image"
             if sp.get("seconds_per_image") else "")
    at = f" at {ctx:,} tokens of context" if sp.get("decode_tokens_per_s") is not None else ""
    out = f"{first} {model} in {a['quant']} needs about {mem:.1f} GB{at} and runs {where} " \
          f"on {hw}" + (f", at {speed} (estimated)." if speed else ".")
    if a.get("max_context_tokens") and a["fits"] == "gpu":
        out += f" The longest context that stays on the accelerator is about {a['max_context_tokens']:,} tokens."
    elif a["fits"] != "gpu" and lad["reasons"]:
        out += f" {lad['reasons'][0][0].upper()}{lad['reasons'][0][1:]}."
    return out


QUICK: tuple[tuple[str, str], ...] = (
    ("Can I run a 70B model on an RTX 4090?", "70b model on rtx-4090"),
    ("Can I run Llama 3.3 70B on two RTX 3090s?", "llama 3.3 70b on 2x rtx-3090"),
    ("How fast is an 8B model on an RTX 4060?", "llama 3.1 8b on rtx-4060"),
    ("How fast is an 8B model on a laptop?", "llama 3.1 8b on rtx-4060 laptop"),
    ("Does Qwen3 30B-A3B fit on a 12 GB RTX 3060?", "qwen3 30b on rtx-3060-12gb"),
    ("Qwen3 30B-A3B on a 3060 with 32K context?", "qwen3 30b on rtx-3060-12gb with 32k context"),
    ("Can an RTX 4090 run gpt-oss 120B?", "gpt-oss 120b on rtx-4090"),
    ("Can a 24 GB card run Qwen3 32B?", "qwen3 32b on rtx-3090"),
    ("Qwen3 32B with 32K context on an RTX 5090?", "qwen3 32b on rtx-5090 with 32k context"),
    ("What runs on an 8 GB card? Qwen3 8B on an RTX 4060", "qwen3 8b on rtx-4060"),
    ("Gemma 3 27B on an RTX 4090?", "gemma 3 27b on rtx-4090"),
    ("gpt-oss 20B on a 16 GB card?", "gpt-oss 20b on rtx-4060-ti-16gb"),
    ("gpt-oss 20B on a 12 GB RTX 3060?", "gpt-oss 20b on rtx-3060-12gb"),
    ("Is a Mac good for local AI? Llama 3.3 70B on an M4 Max 128 GB", "llama 3.3 70b on M4 Max 128GB"),
    ("gpt-oss 120B on a 128 GB M4 Max?", "gpt-oss 120b on M4 Max 128GB"),
    ("Qwen3 8B on a 16 GB M4 MacBook?", "qwen3 8b on M4 16GB"),
    ("Qwen3 235B on a 512 GB Mac Studio (M3 Ultra)?", "qwen3 235b on M3 Ultra 512GB"),
    ("DeepSeek R1 (671B) on a 512 GB M3 Ultra?", "deepseek r1 on M3 Ultra 512GB"),
    ("gpt-oss 120B on a Ryzen AI Max+ 395 (Strix Halo)?", "gpt-oss 120b on ryzen-ai-max-plus-395 128GB"),
    ("Llama 3.3 70B on a DGX Spark?", "llama 3.3 70b on dgx spark"),
    ("Can I run an 8B model on the CPU alone?", "llama 3.1 8b on ddr5-5600-2ch"),
    ("Qwen3 30B-A3B on a CPU with DDR5?", "qwen3 30b on ddr5-5600-2ch"),
    ("How much VRAM for FLUX.1 dev?", "flux dev on rtx-4090"),
    ("FLUX.1 dev on a 12 GB RTX 3060?", "flux dev on rtx-3060-12gb"),
    ("SDXL on an 8 GB card?", "sdxl on rtx-4060"),
    ("Wan 2.1 video (14B) on an RTX 4090?", "wan2.1-t2v-14b on rtx-4090"),
    ("Mistral Small 24B on a 16 GB card?", "mistral small on rtx-4060-ti-16gb"),
    ("Qwen3 14B on an RX 7900 XTX?", "qwen3 14b on rx-7900-xtx"),
    ("Qwen3 32B on an RX 7900 XTX with 16K context?", "qwen3 32b on rx-7900-xtx with 16k context"),
    ("Llama 3.1 8B on an Intel Arc B580?", "llama 3.1 8b on arc-b580"),
    ("Llama 3.1 8B in 8-bit on an RTX 4070?", "llama 3.1 8b 8-bit on rtx-4070"),
    ("Qwen3 8B in F16 on an RTX 4090?", "qwen3 8b f16 on rtx-4090"),
    ("Llama 3.1 8B with 128K context on an RTX 4090?", "llama 3.1 8b on rtx-4090 with 128k context"),
    ("Qwen3 Coder 30B on an RTX 4090?", "qwen3 coder 30b on rtx-4090"),
    ("DeepSeek R1 distill (Llama 8B) on an RTX 3060?", "deepseek r1 distill llama 8b on rtx-3060-12gb"),
    ("Phi-4 on an RTX 4060 Ti 16 GB?", "phi-4 on rtx-4060-ti-16gb"),
    ("Llama 3.2 3B on a CPU-only desktop?", "llama 3.2 3b on ddr5-5600-2ch"),
    ("Qwen3 235B on four RTX 3090s?", "qwen3 235b on 4x rtx-3090"),
    ("Llama 3.1 405B on an 8x H100 server?", "llama 3.1 405b on 8x h100-sxm"),
    ("gpt-oss 120B on an RTX PRO 6000?", "gpt-oss 120b on rtx-pro-6000-blackwell"),
    ("Gemma 3 12B on an M2 Pro 16 GB?", "gemma 3 12b on M2 Pro 16GB"),
    ("Qwen3 14B on an RTX 5060 Ti 16 GB?", "qwen3 14b on rtx 5060 ti"),
)
"""The questions people ask most (shown as written), each with the sentence `ask` reads."""


def quick_answers() -> list[dict[str, Any]]:
    """Every quick answer, computed now."""
    out = []
    for shown, sentence in QUICK:
        r = ask(sentence)
        a = r.get("answer")
        ok = bool(a and a.get("ok"))
        out.append({"question": shown, "sentence": sentence, "reply": r["reply"], "answered": ok,
                    "query": r.get("question"), "ladder": verdict_ladder(a)["level"] if a and ok else None})
    return out
