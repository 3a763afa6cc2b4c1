"""compare, choose and cost on the fixture catalog, with the arithmetic checked by hand."""

from __future__ import annotations

import pytest

from runlocal.catalog.load import Catalog
from runlocal.errors import InvalidField, RunlocalError
from runlocal.service.choose import choose
from runlocal.service.compare import compare, parse_machine
from runlocal.service.cost import CostSettings, cost
from runlocal.service.prices import api_prices, price_of


def test_prices_newest_offer_used_and_launch(fixture_catalog: Catalog) -> None:
    assert price_of("rtx-4090").usd == 1800 and price_of("rtx-4090").condition == "new"  # newest, not dearest
    assert price_of("rtx-4090", used=True).usd == 1400
    p = price_of("rtx-3060-12gb")
    assert p is not None and p.condition == "launch" and p.usd == 329
    assert price_of("ddr5-5600-2ch") is None  # unpriced, never guessed
    assert [a.provider for a in api_prices("llama-3.1-8b")] == ["Fixture Cloud"]


def test_cost_arithmetic_by_hand(fixture_catalog: Catalog) -> None:
    s = CostSettings(tokens_per_day=1_000_000, input_share=0.75, kwh_price=0.20, years=3, hours_per_day=8)
    r = cost("llama-3.1-8b", "rtx-4090", settings=s)
    dec, pre = r["decode_tokens_per_s"], r["prefill_tokens_per_s"]
    # busy hours: 250,000 tokens written at dec/s + 750,000 read at pre/s
    busy = (250_000 / dec + 750_000 / pre) / 3600
    # power: 450 W card + 60 W rest of the PC while working; idle 10% of 450 + half of 60 = 75 W
    assert r["power"]["load_w"] == 510 and r["power"]["idle_w"] == 75
    kwh = (510 * busy + 75 * (8 - busy)) / 1000
    hw_day = 1800 / (3 * 365)  # $1.6438 a day
    local_day = hw_day + kwh * 0.20
    assert r["local"]["usd_per_day"] == pytest.approx(local_day, abs=1e-3)
    assert r["local"]["usd_per_mtok"] == pytest.approx(local_day / 1.0, abs=1e-3)
    # API: 0.75 x $0.10 + 0.25 x $0.30 = $0.15 per million tokens, $0.15 a day
    assert r["api"]["usd_per_mtok"] == pytest.approx(0.15) and r["api"]["usd_per_day"] == pytest.approx(0.15)
    # electricity alone (kwh x 0.20) is above $0.15 a day here, so the hardware never pays for itself
    assert kwh * 0.20 > 0.15 and r["break_even_days"] is None and r["cheaper"] == "api"
    assert any("cheaper at any volume" in f or "tokens a day" in f for f in r["flips"])
    assert r["cumulative"][0] == {"month": 0, "local_usd": 1800.0, "api_usd": 0.0} and len(r["cumulative"]) == 37


def test_cost_break_even_when_the_api_is_dear(fixture_catalog: Catalog) -> None:
    s = CostSettings(tokens_per_day=50_000_000, kwh_price=0.10, years=3, hours_per_day=24, price_usd=1000)
    r = cost("llama-3.1-8b", "rtx-4090", settings=s)
    energy_day = r["local"]["energy_usd_per_day"]
    api_day = 0.15 * 50  # $7.50 a day
    assert r["api"]["usd_per_day"] == pytest.approx(api_day)
    assert r["break_even_days"] == pytest.approx(1000 / (api_day - energy_day), abs=0.1)
    assert r["hardware_price"] == {"usd": 1000, "given": True}


def test_cost_refuses_what_it_cannot_reckon(fixture_catalog: Catalog) -> None:
    with pytest.raises(InvalidField, match="no dated price"):
        cost("llama-3.1-8b", "ddr5-5600-2ch")
    with pytest.raises(InvalidField, match="kwh_price"):
        cost("llama-3.1-8b", "rtx-4090", settings=CostSettings(kwh_price=-1))
    with pytest.raises(RunlocalError):
        cost("no-such-model", "rtx-4090")


def test_choose_explains_the_cheaper_option_that_fails(fixture_catalog: Catalog) -> None:
    r = choose(["llama-3.1-8b"], min_speed=100, context=8192)
    picks = r["picks"]
    assert picks and picks[0]["hardware_id"] == "rtx-4090" and picks[0]["slowest_tokens_per_s"] >= 100
    assert [p["price"]["usd"] for p in picks] == sorted(p["price"]["usd"] for p in picks)
    fails = {f["label"]: f for f in r["cheaper_that_fail"]}
    f3060 = fails["NVIDIA GeForce RTX 3060"]
    assert f3060["price"]["usd"] == 329 and "below 100" in f3060["why_not"]
    assert all(f["price"]["usd"] < picks[0]["price"]["usd"] and f["why_not"] for f in r["cheaper_that_fail"])


def test_choose_budget_and_bounds(fixture_catalog: Catalog) -> None:
    r = choose(["llama-3.1-8b"], min_speed=100, budget=500)
    assert not r["picks"] and r["over_budget"]
    for bad in ({"min_speed": 0}, {"context": 0}, {"budget": -1}):
        with pytest.raises(InvalidField):
            choose(["llama-3.1-8b"], **bad)  # type: ignore[arg-type]
    with pytest.raises(InvalidField, match="image/video"):
        choose(["sdxl-base-1.0"])


def test_compare_machines_and_sentences(fixture_catalog: Catalog) -> None:
    assert parse_machine("2x rtx-3060-12gb") == ("rtx-3060-12gb", 2)
    assert parse_machine("RTX 4090") == ("RTX 4090", 1)
    with pytest.raises(InvalidField):
        parse_machine("9x rtx-4090")
    r = compare(["rtx-4090", "2x rtx-3060-12gb"])
    a, b = r["machines"]
    assert a["memory_total_gb"] == 24 and b["memory_total_gb"] == 24 and b["power_w"] == 340
    assert b["price"]["usd"] == 658  # two at the $329 launch price
    assert a["price"]["usd"] == 1800
    assert any("fastest" in s and "NVIDIA GeForce RTX 4090" in s for s in r["summary"])
    with pytest.raises(InvalidField):
        compare(["rtx-4090"])


def test_cost_takes_the_count_a_hardware_name_gives(fixture_catalog: Catalog) -> None:
    one = cost("llama-3.1-8b", "rtx-4090")
    two = cost("llama-3.1-8b", "2x rtx-4090")
    # two cards: twice the purchase price; asked with gpu_count, the same
    assert two["cumulative"][0]["local_usd"] == 2 * one["cumulative"][0]["local_usd"]
    assert cost("llama-3.1-8b", "rtx-4090", gpu_count=2)["cumulative"][0] == two["cumulative"][0]
