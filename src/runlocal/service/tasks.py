"""Time for a task: named workloads with their prompt and output sizes, so that an answer can say "about 9 s per
request" as well as tokens/s. The sizes are typical figures for each use, stated with the answer."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from ..errors import InvalidField


@dataclass(frozen=True)
class Use:
    id: str
    label: str
    prompt_tokens: int  # read per request (system prompt, history, documents)
    output_tokens: int  # written per request
    context_tokens: int  # allocated
    images: int = 0  # image batch size (image models)


USES: dict[str, Use] = {u.id: u for u in (
    Use("chat", "a chat turn", 1_000, 300, 8_192),
    Use("coding-agent", "a coding-agent step (repository context, a patch back)", 12_000, 800, 32_768),
    Use("rag", "a question over retrieved documents", 6_000, 400, 16_384),
    Use("summarise", "summarising a long file", 24_000, 600, 32_768),
    Use("long-document", "a question over a whole 100-page document", 60_000, 500, 65_536),
    Use("image-batch", "a batch of four images", 0, 0, 0, images=4),
)}


def use(uid: str) -> Use:
    u = USES.get(uid)
    if u is None:
        raise InvalidField(f"unknown use {uid!r}", sorted(USES))
    return u


def apply_use(q: dict[str, Any], uid: str, *, kind: str) -> dict[str, Any]:
    """The question with the use's sizes (context at least prompt + output; decode measured at the prompt's depth)."""
    u = use(uid)
    q = dict(q)
    if kind == "text":
        if u.images:
            raise InvalidField(f"{uid} is a use for image models")
        q["prompt_tokens"] = u.prompt_tokens
        q["depth_tokens"] = u.prompt_tokens
        need = u.prompt_tokens + u.output_tokens
        q["context_tokens"] = max(int(q.get("context_tokens") or 0), u.context_tokens, need)
    else:
        if not u.images:
            raise InvalidField(f"{uid} is a use for language models; image models take image-batch")
        media = dict(q.get(kind) or {})
        media.setdefault("batch", u.images)
        q[kind] = media
    return q


def task_time(answer: dict[str, Any], uid: str) -> dict[str, Any] | None:
    """Seconds per request for the use, from a contract answer made with apply_use."""
    u = use(uid)
    sp = answer.get("speed") or {}
    if u.images:
        spi = sp.get("seconds_per_image")
        return None if spi is None else {**asdict(u), "seconds_per_request": round(spi * u.images, 1)}
    ttft, dec = sp.get("time_to_first_token_s"), sp.get("decode_tokens_per_s")
    if ttft is None or not dec:
        return None
    return {**asdict(u), "seconds_to_first_token": round(ttft, 2),
            "seconds_per_request": round(ttft + u.output_tokens / dec, 1)}
