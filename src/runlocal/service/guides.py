"""Buyer guides generated from the engine and the price table: best GPU, best laptop, best Mac, best used card, and
budget tiers. Each pick says what it runs, "buy if" / "skip if", its price and date; nothing is typed, so a guide
changes when the catalog or the engine does. A hand-written paragraph is added where data/pages has one
(id `guide-<id>`, section "site")."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..errors import NotFound
from .api import answer
from .choose import Candidate, candidates
from .resolve import catalog
from .site import verdict_ladder

GUIDE_MODELS = ("llama-3.2-3b", "qwen3-8b", "qwen3-14b", "gpt-oss-20b", "qwen3-30b-a3b", "gemma-3-27b", "qwen3-32b",
                "llama-3.3-70b", "gpt-oss-120b", "qwen3-235b-a22b")
"""What a pick is judged on: the largest of these it runs well at GUIDE_CONTEXT, then its speed on the first 8B."""
GUIDE_CONTEXT = 8192
SPEED_MODEL = "qwen3-8b"


@dataclass(frozen=True)
class GuideSpec:
    id: str
    title: str
    intro: str
    kinds: tuple[str, ...]  # hardware kinds considered
    segments: tuple[str, ...] | None  # hardware segments considered (None: all)
    used: bool
    tiers: tuple[tuple[str, float, float], ...]  # (label, low usd, high usd)
    pairs: bool = False


TIERS = (("under $400", 0, 400), ("$400 to $800", 400, 800), ("$800 to $1,500", 800, 1500),
         ("$1,500 to $2,500", 1500, 2500), ("$2,500 to $5,000", 2500, 5000), ("$5,000 and up", 5000, 1e9))
GUIDES: dict[str, GuideSpec] = {g.id: g for g in (
    GuideSpec("best-gpu", "The best GPU for local AI", "Graphics cards ranked by what they run well for the money, "
              "in price tiers, from the dated street or launch prices in the catalog.", ("gpu",),
              ("consumer", "workstation"), False, TIERS),
    GuideSpec("best-used-gpu", "The best used GPU for local AI", "Used cards, where the catalog has a dated used "
              "price, ranked the same way: memory first, then speed.", ("gpu",), ("consumer", "workstation",
                                                                                  "datacenter"), True, TIERS),
    GuideSpec("best-mac", "The best Mac for local AI", "Macs by memory size: unified memory decides which models fit, "
              "bandwidth how fast they run.", ("apple",), None, False, TIERS),
    GuideSpec("best-laptop", "The best laptop for local AI", "Laptops with a discrete GPU or unified memory, ranked by "
              "what they run well (MacBooks are in the Mac guide: the catalog prices Apple chips, not Mac models).",
              ("gpu", "unified"), ("laptop",), False, TIERS),
    GuideSpec("budget-tiers", "What each budget buys for local AI", "Every priced machine (cards, two of one card, "
              "Macs, unified-memory PCs) at each budget: the one that runs the most.",
              ("gpu", "apple", "unified", "cpu"), None, False, TIERS, pairs=True),
)}


def guide_index() -> list[dict[str, str]]:
    return [{"id": g.id, "title": g.title, "intro": g.intro} for g in GUIDES.values()]


def _score(c: Candidate) -> dict[str, Any] | None:
    runs = []
    for m in GUIDE_MODELS:
        if m not in catalog().models:
            continue
        a = answer({"model": m, "hardware": c.hardware, "gpu_count": c.gpu_count, "context_tokens": GUIDE_CONTEXT})
        if not a.get("ok"):
            continue
        runs.append({"model": m, "name": catalog().models[m].name, "ladder": verdict_ladder(a)["level"],
                     "decode_tokens_per_s": a["speed"].get("decode_tokens_per_s"), "fits": a["fits"]})
    well = [r for r in runs if r["ladder"] == "runs-well"]
    if not well:
        return None
    params = {r["model"]: catalog().models[r["model"]].data.get("params", 0) for r in runs}
    biggest = max(well, key=lambda r: params[r["model"]])
    speed = next((r["decode_tokens_per_s"] for r in runs if r["model"] == SPEED_MODEL), None) or 0.0
    tight = [r for r in runs if r["ladder"] == "trade-offs"]
    wont = [r for r in runs if r["ladder"] == "does-not-run"]
    return {"runs": runs, "largest_well": biggest["model"], "largest_well_name": biggest["name"],
            "largest_params": params[biggest["model"]], "speed": speed, "well_count": len(well),
            "first_tradeoff": min(tight, key=lambda r: params[r["model"]])["name"] if tight else None,
            "first_wont": min(wont, key=lambda r: params[r["model"]])["name"] if wont else None}


@lru_cache(maxsize=16)
def _guide(gid: str, key: int) -> dict[str, Any]:
    g = GUIDES.get(gid)
    if g is None:
        raise NotFound(f"no guide '{gid[:100]}'", sorted(GUIDES))
    cat = catalog()
    pool = []
    for c in candidates(used=g.used):
        e = cat.hardware[c.hardware_id]
        if e.data.get("kind") not in g.kinds or (g.segments and e.data.get("segment") not in g.segments):
            continue
        if c.gpu_count > 1 and not g.pairs or c.price is None or (g.used and c.price.condition != "used"):
            continue
        pool.append(c)
    scored = [(c, s) for c in pool if (s := _score(c))]
    tiers = []
    for label, lo, hi in g.tiers:
        inside = [(c, s) for c, s in scored if c.price and lo <= c.price.usd < hi]
        if not inside:
            continue
        inside.sort(key=lambda cs: (-cs[1]["largest_params"], -cs[1]["speed"], cs[0].price.usd if cs[0].price else 0))
        best, runner = inside[0], inside[1:3]
        tiers.append({"tier": label, "pick": _pick(*best, cheaper=_cheaper(best, scored)),
                      "also": [_pick(c, s) for c, s in runner], "considered": len(inside)})
    bottom = _bottom_line(tiers)
    page = cat.pages.get(f"guide-{gid}")
    return {"id": g.id, "title": g.title, "intro": g.intro, "bottom_line": bottom, "tiers": tiers,
            "context_tokens": GUIDE_CONTEXT, "models": [m for m in GUIDE_MODELS if m in cat.models],
            "speed_model": SPEED_MODEL, "judgement": page.body if page else None,
            "method": "Each machine is sized by the engine for every reference model at "
                      f"{GUIDE_CONTEXT:,} tokens of context in its runtime's usual quant; a pick is the one in its "
                      "price tier that runs the largest model well (all on the accelerator, 10+ tokens/s), then the "
                      f"fastest on {SPEED_MODEL}. Prices are the newest dated price in the catalog."}


def _cheaper(best: tuple[Candidate, dict[str, Any]], scored: list[tuple[Candidate, dict[str, Any]]]) -> str | None:
    """What the next cheaper machine gives up (for "skip if")."""
    c0, s0 = best
    cheaper = [(c, s) for c, s in scored if c.price and c0.price and c.price.usd < c0.price.usd]
    if not cheaper:
        return None
    c, s = max(cheaper, key=lambda cs: (cs[1]["largest_params"], cs[1]["speed"]))
    if s["largest_params"] >= s0["largest_params"]:
        return f"{c.label} (${c.price.usd:,.0f}) also runs {s['largest_well_name']} well" if c.price else None
    return None


def _pick(c: Candidate, s: dict[str, Any], cheaper: str | None = None) -> dict[str, Any]:
    p = c.price
    buy = f"you want models up to {s['largest_well_name']} running well, about {s['speed']:.0f} tokens/s on " \
          f"{catalog().models[SPEED_MODEL].name if SPEED_MODEL in catalog().models else SPEED_MODEL}"
    skip = []
    if s["first_tradeoff"]:
        skip.append(f"you need {s['first_tradeoff']} all on the accelerator (here it spills over or runs slowly)")
    elif s["first_wont"]:
        skip.append(f"you need {s['first_wont']} (it does not fit)")
    if cheaper:
        skip.append(f"you only need what it runs well: {cheaper}")
    return {"label": c.label, "hardware_id": c.hardware_id, "hardware": c.hardware, "gpu_count": c.gpu_count,
            "memory_gb": c.memory_gb, "price": p.as_dict() if p else None, "largest_well": s["largest_well"],
            "largest_well_name": s["largest_well_name"], "speed_tokens_per_s": round(s["speed"], 1),
            "runs": s["runs"], "buy_if": buy, "skip_if": skip}


def _bottom_line(tiers: list[dict[str, Any]]) -> list[str]:
    return [f"{t['tier']}: {t['pick']['label']} (${t['pick']['price']['usd']:,.0f}, {t['pick']['price']['condition']} "
            f"{t['pick']['price']['date']}) runs up to {t['pick']['largest_well_name']} well." for t in tiers]


def guide(gid: str) -> dict[str, Any]:
    """One buyer guide, computed now from the catalog and the engine."""
    return _guide(gid, id(catalog()))
