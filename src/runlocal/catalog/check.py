"""One validator for the CLI (runlocal data check), the tests and CI."""

from __future__ import annotations

import datetime as dt
import re

from ..errors import RunlocalError
from .build import model_spec
from .load import Catalog, load
from .resolve import ENGINE_PLACEMENTS, Index, resolve_hardware, resolve_model

STALE_AFTER_DAYS = 548  # a dated verdict older than 18 months is flagged for review


def check(cat: Catalog | None = None, *, today: dt.date | None = None) -> tuple[list[str], dict[str, int]]:
    """All problems in the catalog, and the count of entities per kind."""
    cat = cat or load(use_cache=False)
    today = today or dt.date.today()
    problems = list(cat.problems)
    idx = Index(cat)
    problems += idx.duplicates
    bad_paths = {p.split(":", 1)[0] for p in problems}
    for e in cat.models.values():
        if "arch" in e.data and e.path not in bad_paths:
            try:
                problems += [f"{e.path}: [arch] {p}" for p in model_spec(e).arch.problems()]
            except (TypeError, ValueError, KeyError) as exc:
                problems.append(f"{e.path}: [arch] cannot be used by the engine: {exc}")
        dq = e.data.get("default_quant")
        if dq:
            from ..estimate.weights import UnknownQuant, normalize_quant

            try:
                normalize_quant(dq)
            except UnknownQuant:
                problems.append(f"{e.path}: default_quant '{dq}' is not a known quant")
    for e in cat.glossary.values():
        for r in e.data.get("related", []):
            if r not in cat.glossary:
                problems.append(f"{e.path}: related term '{r}' is not a glossary entry")
        ex = e.data.get("example")
        if isinstance(ex, dict):
            problems += _check_refs(cat, e.path, ex.get("model"), ex.get("hardware"), "example")
        for f in re.findall(r"\{\{\s*([^}|]+)", e.body):
            if not ex:
                problems.append(f"{e.path}: uses {{{{{f.strip()}}}}} but has no [example]")
                break
    for e in cat.errors.values():
        for pat in e.data.get("patterns", []):
            try:
                rx = re.compile(str(pat), re.IGNORECASE)
            except re.error as exc:
                problems.append(f"{e.path}: pattern {pat!r} is not a valid regular expression: {exc}")
                continue
            slow = _slow_on_hostile_text(rx)
            if slow:
                problems.append(f"{e.path}: pattern {pat!r} backtracks: {slow}; bound its repeats (\\d{{1,4}})")
    for e in cat.verdicts.values():
        problems += _check_refs(cat, e.path, e.data.get("model"), e.data.get("hardware"), "verdict")
        problems += _stale(e.path, e.data.get("date"), today)
    keys: dict[str, str] = {}
    for e in cat.runtimes.values():
        problems += _stale(e.path, e.data.get("verdict_date"), today)
        est = e.data.get("estimate")
        if est is not None:
            if set(est) != {"id", "placement"} or est.get("placement") not in ENGINE_PLACEMENTS:
                problems.append(f"{e.path}: estimate must be {{ id = \"...\", placement = one of "
                                f"{', '.join(ENGINE_PLACEMENTS)} }}")
            elif str(est["id"]) in keys:
                problems.append(f"{e.path}: estimate id {est['id']!r} is also used by {keys[str(est['id'])]}")
            else:
                keys[str(est["id"])] = e.path
    engine_keys = {str(r.data["estimate"]["id"]) for r in cat.runtimes.values()
                   if isinstance(r.data.get("estimate"), dict) and "id" in r.data["estimate"]}
    for e in cat.runtimes.values():
        through = e.data.get("loads_through")
        if through is not None and e.data.get("estimate") is not None:
            problems.append(f"{e.path}: a runtime has either estimate (it runs models) or loads_through (a front "
                            "end), not both")
        for k in through or []:
            if str(k) not in engine_keys:
                problems.append(f"{e.path}: loads_through names {k!r}, not the estimate id of a catalog runtime")
    for e in cat.prices.values():
        if e.data.get("hardware") not in cat.hardware:
            problems.append(f"{e.path}: hardware '{e.data.get('hardware')}' is not a catalog hardware id")
        elif e.id != e.data.get("hardware"):
            problems.append(f"{e.path}: the file must be named after its hardware id ({e.data.get('hardware')}.toml)")
    for e in cat.kits.values():
        for m in e.data.get("models", []):
            if m not in cat.models:
                problems.append(f"{e.path}: model '{m}' is not a catalog model id")
    for e in cat.api_prices.values():
        for i, p in enumerate(e.data.get("prices", [])):
            if isinstance(p, dict) and p.get("model") not in cat.models:
                problems.append(f"{e.path} prices[{i}]: model '{p.get('model')}' is not a catalog model id")
    for e in cat.benchmarks.values():
        problems += _check_refs(cat, e.path, e.data.get("model"), e.data.get("hardware"), "benchmark")
        rates = ("decode_tokens_per_s", "prefill_tokens_per_s", "seconds_per_image", "seconds_per_video",
                 "seconds_per_step", "peak_vram_gb")
        if not any(k in e.data for k in rates):
            problems.append(f"{e.path}: a benchmark needs a measured value ({', '.join(rates)})")
    from .load import ALL_KINDS

    counts = {k: len(cat.kind(k)) for k in sorted(ALL_KINDS)}  # every kind, zero included: stable output
    return problems, counts


PATTERN_PROBE_CHARS = 5_000
"""Length of the hostile texts every error pattern is timed on (runs of one character class each)."""
PATTERN_BUDGET_S = 0.05
"""A pattern slower than this on a probe would take seconds on a 20,000-character paste: a problem."""


def _slow_on_hostile_text(rx: re.Pattern[str]) -> str | None:
    """Time `rx` on growing runs of hostile text; lengths grow slowly at first so that an exponential pattern
    is caught at a length where one try still takes well under a second."""
    import time

    lengths = [*range(4, 65, 4), 128, 256, 512, 1024, 2048, PATTERN_PROBE_CHARS]
    for probe in ("0", "a", " ", "a0", "%/", "/"):
        for n in lengths:
            text = probe * max(1, n // len(probe)) + "!"
            t = time.perf_counter()
            rx.search(text)
            took = time.perf_counter() - t
            if took > PATTERN_BUDGET_S:
                return f"{took:.2f} s on {n:,} characters of {probe!r}"
    return None


def _check_refs(cat: Catalog, path: str, model: object, hardware: object, what: str) -> list[str]:
    out: list[str] = []
    if isinstance(model, str):
        try:
            resolve_model(cat, model)
        except RunlocalError:
            out.append(f"{path}: {what} model '{model}' is not in the catalog")
    if isinstance(hardware, str):
        try:
            resolve_hardware(cat, hardware)
        except RunlocalError:
            out.append(f"{path}: {what} hardware '{hardware}' is not in the catalog")
    return out


def _stale(path: str, date: object, today: dt.date) -> list[str]:
    if isinstance(date, dt.date) and (today - date).days > STALE_AFTER_DAYS:
        return [f"{path}: stale: dated {date}, more than 18 months ago; review it"]
    return []
