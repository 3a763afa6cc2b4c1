"""runlocal compare / choose / cost: the decision tools (which machine, which GPU to buy, local or an API)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from .render import rate, table


def _money(x: float | None) -> str:
    return "-" if x is None else f"${x:,.0f}" if x >= 100 else f"${x:,.2f}"


def _price(p: dict[str, Any] | None) -> str:
    if not p:
        return "unpriced"
    return f"{_money(p['usd'])} ({p['condition']}, {p['date']})"


def run_compare(args: argparse.Namespace) -> int:
    from ..service.compare import compare

    r = compare(args.hardware, used=args.used)
    if args.json:
        print(json.dumps(r, indent=2))
        return 0
    ms = r["machines"]
    heads = ["", *[m["input"] for m in ms]]
    rows = [
        ["memory", *[f"{m['memory_total_gb']:g} GB" for m in ms]],
        ["bandwidth", *[f"{m['bandwidth_gb_s']:,.0f} GB/s" for m in ms]],
        ["FP16 tensor", *[f"{m['fp16_tflops']:,.0f} TFLOPS" if m["fp16_tflops"] else "-" for m in ms]],
        ["power", *[f"{m['power_w']:,.0f} W" if m["power_w"] else "-" for m in ms]],
        ["price", *[_price(m["price"]) for m in ms]],
        ["$ per tok/s", *[_money(m["usd_per_token_per_s"]) for m in ms]],
        ["W per tok/s", *[f"{m['watts_per_token_per_s']:.1f}" if m["watts_per_token_per_s"] else "-" for m in ms]],
        [
            "longest context",
            *[f"{m['longest_context']['tokens']:,}" if m["longest_context"]["tokens"] else "-" for m in ms],
        ],
    ]
    for i, model in enumerate(r["reference"]["models"]):
        cells = []
        for m in ms:
            run = m["runs"][i]
            if not run.get("ok") or run["fits"] == "no":
                cells.append("does not fit")
            else:
                mark = {"runs-well": "", "trade-offs": " (trade-offs)"}.get(run["ladder"]["level"], "")
                cells.append(rate(run["decode_tokens_per_s"]) + mark)
        rows.append([model, *cells])
    print(table(rows, heads))
    print(
        f"\nSpeeds are estimated decode at {r['reference']['context_tokens']:,} tokens of context, "
        f"each runtime's usual quant."
    )
    for line in r["summary"]:
        print(f"- {line}")
    return 0


def run_choose(args: argparse.Namespace) -> int:
    from ..service.choose import choose

    r = choose(args.model, min_speed=args.min_speed, context=args.context, budget=args.budget, used=args.used)
    if args.json:
        print(json.dumps(r, indent=2))
        return 0
    t = r["target"]
    print(
        f"Cheapest hardware that runs {', '.join(t['models'])} at {t['min_tokens_per_s']:g}+ tokens/s "
        f"with {t['context_tokens']:,} tokens of context"
        + (f", up to ${t['budget_usd']:,.0f}" if t["budget_usd"] else "")
        + ":"
    )
    if not r["picks"]:
        print("  nothing priced in the catalog meets this target")
    rows = [
        [
            p["label"],
            _price(p["price"]),
            rate(p["slowest_tokens_per_s"]),
            _money(p["usd_per_token_per_s"]),
            f"{p['headroom_bytes'] / 2**30:.1f} GB" if p["headroom_bytes"] is not None else "-",
        ]
        for p in r["picks"]
    ]
    if rows:
        print(table(rows, ["hardware", "price", "tok/s", "$ per tok/s", "headroom"]))
    if r["cheaper_that_fail"]:
        print("\nCheaper, but:")
        for p in r["cheaper_that_fail"]:
            print(f"  {p['label']} ({_price(p['price'])}): {p['why_not']}")
    if r["unpriced_that_meet"]:
        print(
            "\nAlso meets it, but has no price in the catalog: "
            + ", ".join(p["label"] for p in r["unpriced_that_meet"][:6])
        )
    for n in r["notes"]:
        print(f"note: {n}")
    return 0


def run_cost(args: argparse.Namespace) -> int:
    from ..service.cost import CostSettings, cost

    s = CostSettings(
        tokens_per_day=args.tokens_per_day,
        kwh_price=args.kwh_price,
        years=args.years,
        hours_per_day=args.hours_per_day,
        input_share=args.input_share,
        price_usd=args.price,
        used=args.used,
    )
    r = cost(args.model, args.hardware, gpu_count=args.gpu_count, settings=s)
    if args.json:
        print(json.dumps(r, indent=2))
        return 0
    loc, api = r["local"], r["api"]
    print(
        f"{r['model_id']} ({r['quant']}) on {r['hardware']}, {s.tokens_per_day:,.0f} tokens a day "
        f"({s.input_share:.0%} prompt), {s.hours_per_day:g} h on, ${s.kwh_price:.2f}/kWh, "
        f"paid off over {s.years:g} years"
    )
    print(
        f"  local: ${loc['usd_per_mtok']:.2f} per million tokens (hardware {_money(r['hardware_price']['usd'])}"
        f" = ${loc['hardware_usd_per_day']:.2f}/day, electricity ${loc['energy_usd_per_day']:.2f}/day at "
        f"{r['power']['load_w']:.0f} W busy for {r['power']['busy_hours_per_day']:.1f} h)"
    )
    if api:
        print(
            f"  API:   ${api['usd_per_mtok']:.2f} per million tokens ({api['provider']}, {api['date']}) = "
            f"${api['usd_per_day']:.2f}/day"
        )
        be = r["break_even_days"]
        life = "" if not be or r["break_even_within_life"] else f" (beyond its {s.years:g}-year life)"
        when = f"after {be:,.0f} days" if be else "never"
        print(f"  break-even: {when}{life}; cheaper: {r['cheaper']}")
        for f in r["flips"]:
            print(f"  - {f}")
    for n in r["notes"]:
        print(f"note: {n}")
    return 0


def register(sub: Any) -> None:
    """Add this module's command(s) to the `runlocal` parser."""
    c = sub.add_parser(
        "compare",
        help="compare 2-4 machines side by side",
        description="Specs, what each runs how fast, price and watts per token/s, and which wins for "
        "what. A machine is a catalog name, or 'N x NAME' for several of one GPU.",
    )
    c.add_argument(
        "hardware", nargs="+", metavar="HARDWARE", help="2 to 4 machines: rtx-4090 '2x rtx-3090' 'M4 Max 128GB'"
    )
    c.add_argument("--used", action="store_true", help="reckon with used prices where the catalog has them")
    c.add_argument("--json", action="store_true", help="print the result as JSON")
    c.set_defaults(run=run_compare)

    ch = sub.add_parser(
        "choose",
        help="the cheapest hardware that runs these models this fast",
        description="Rank single cards, Macs, unified-memory PCs and pairs of one card by price, "
        "keeping those that run every model at the speed and context asked.",
    )
    ch.add_argument("--model", action="append", required=True, help="a model (repeat for up to 4)")
    ch.add_argument("--min-speed", type=float, default=20.0, help="decode tokens/s each model must reach (default 20)")
    ch.add_argument("--context", type=int, default=8192, help="context tokens (default 8192)")
    ch.add_argument("--budget", type=float, help="the most you would spend, in dollars")
    ch.add_argument("--used", action="store_true", help="reckon with used prices where the catalog has them")
    ch.add_argument("--json", action="store_true", help="print the result as JSON")
    ch.set_defaults(run=run_choose)

    co = sub.add_parser(
        "cost",
        help="local cost per million tokens against a hosted API",
        description="Hardware amortised over its life plus electricity, against the cheapest hosted "
        "API price for the same model, with the break-even point.",
    )
    co.add_argument("--model", required=True)
    co.add_argument("--hardware", "-H", required=True)
    co.add_argument("--gpu-count", type=int, default=None,
                    help="how many of the GPU (default 1, or the count a name such as a cloud instance gives)")
    co.add_argument(
        "--tokens-per-day", type=float, default=1_000_000, help="tokens a day, prompt and output (1,000,000)"
    )
    co.add_argument("--input-share", type=float, default=0.75, help="share of tokens that are prompt (default 0.75)")
    co.add_argument("--kwh-price", type=float, default=0.16, help="electricity in dollars per kWh (default 0.16)")
    co.add_argument("--years", type=float, default=3.0, help="years to pay the hardware off over (default 3)")
    co.add_argument("--hours-per-day", type=float, default=8.0, help="hours a day the machine is on (default 8)")
    co.add_argument("--price", type=float, help="the hardware price to use instead of the catalog's")
    co.add_argument("--used", action="store_true", help="use the used price where the catalog has one")
    co.add_argument("--json", action="store_true", help="print the result as JSON")
    co.set_defaults(run=run_cost)
    register_guide(sub)
    register_ask(sub)
    register_kit(sub)


def run_guide(args: argparse.Namespace) -> int:
    from ..service.guides import guide, guide_index

    if not args.id:
        for g in guide_index():
            print(f"{g['id']:<16} {g['title']}")
        return 0
    r = guide(args.id)
    if args.json:
        print(json.dumps(r, indent=2))
        return 0
    print(r["title"])
    print("=" * len(r["title"]))
    print(r["intro"] + "\n")
    for b in r["bottom_line"]:
        print(f"- {b}")
    for t in r["tiers"]:
        p = t["pick"]
        print(f"\n{t['tier']}: {p['label']} — {_price(p['price'])}")
        print(f"  buy if {p['buy_if']}")
        for s in p["skip_if"]:
            print(f"  skip if {s}")
    print(f"\n{r['method']}")
    return 0


def register_guide(sub: Any) -> None:
    g = sub.add_parser("guide", help="print a buyer guide (best GPU, best Mac, ...)",
                       description="Buyer guides generated from the engine and the catalog's price table.")
    g.add_argument("id", nargs="?", help="guide id (none: list them)")
    g.add_argument("--json", action="store_true", help="print the guide as JSON")
    g.set_defaults(run=run_guide)


def run_ask(args: argparse.Namespace) -> int:
    from ..service.phrases import ask, quick_answers

    if args.quick:
        rows = quick_answers()
        if args.json:
            print(json.dumps(rows, indent=2))
            return 0
        for r in rows:
            print(f"{r['question']}\n  {r['reply']}\n")
        return 0
    if not args.sentence:
        from ..errors import InvalidField

        raise InvalidField('ask a question, e.g. runlocal ask "can I run qwen3 30b on a 3060 with 32k context?"')
    r = ask(" ".join(args.sentence))
    if args.json:
        print(json.dumps(r, indent=2))
        return 0 if r.get("answer") else 2
    print(r["reply"])
    u = r["understood"]
    read = ", ".join(f"{k.replace('_id', '')}={u[k]}" for k in ("model_id", "hardware_id", "gpu_count", "quant",
                                                                 "context_tokens", "ram_gb") if k in u)
    print(f"(read as: {read})" if read else "")
    return 0 if r.get("answer") else 2


def register_ask(sub: Any) -> None:
    a = sub.add_parser("ask", help="ask in a sentence: can I run MODEL on HARDWARE with N context?",
                       description="Finds the model, hardware, quant, context and GPU count in a sentence, answers in "
                                   "two or three sentences, and says what it understood.")
    a.add_argument("sentence", nargs="*", help='e.g. "can I run qwen3 30b on a 3060 with 32k context?"')
    a.add_argument("--quick", action="store_true", help="print every quick answer (the questions asked most)")
    a.add_argument("--json", action="store_true", help="print the result as JSON")
    a.set_defaults(run=run_ask)


def run_kit(args: argparse.Namespace) -> int:
    from ..service.kits import kit, kits_index

    if not args.model:
        for k in kits_index():
            print(f"{k['id']:<22} {k['name']:<22} {k['template_format']:<10} {', '.join(k['models'][:4])}")
        return 0
    r = kit(args.model, hardware=args.hardware, context=args.context)
    if args.json:
        print(json.dumps(r, indent=2))
        return 0
    print(f"{r['name']} prompting kit ({r['template_format']} template) for {r['model']}")
    if r["sized"]:
        s = r["sized"]
        print(f"sized for {s['hardware_id']}: {s['context_tokens']:,} tokens of context, {s['quant']}, "
              f"{s['gpu_layers']} of {s['total_layers']} layers on the GPU, about {rate(s['decode_tokens_per_s'])}")
    print("\nRecommended sampling: " + (", ".join(f"{k} {v}" for k, v in r["sampling"].items()) or
                                       "the makers publish none (runtime defaults)"))
    for m in r["modes"]:
        print(f"  mode {m.get('name')}: " + ", ".join(f"{k} {v}" for k, v in (m.get("sampling") or {}).items()))
    print("\nOllama Modelfile:\n" + r["ollama_modelfile"])
    print("llama-server:\n  " + r["llama_server"])
    print("\nLM Studio: " + ", ".join(f"{k} = {v}" for k, v in r["lm_studio"].items()))
    if args.template:
        print("\nChat template:\n" + r["chat_template"])
    print("\nSources: " + "; ".join(f"{s['title']} <{s['url']}>" for s in r["sources"]))
    return 0


def register_kit(sub: Any) -> None:
    k = sub.add_parser("kit", help="chat template, recommended sampling and ready settings for a model",
                       description="The family's chat template and the sampling its makers recommend (cited), and an "
                                   "Ollama Modelfile, llama-server flags and LM Studio settings sized for --hardware.")
    k.add_argument("model", nargs="?", help="a model or a family id (none: list the kits)")
    k.add_argument("--hardware", "-H", help="size the settings (context, GPU layers) for this machine")
    k.add_argument("--context", type=int, help="the context to set (default: what fits, at most 32,768)")
    k.add_argument("--template", action="store_true", help="also print the chat template")
    k.add_argument("--json", action="store_true", help="print the kit as JSON")
    k.set_defaults(run=run_kit)
