"""Buyer guides are computed: each pick sits in its price tier, is the best there by the stated rule, and its
"buy if" / "skip if" come from the engine's answers."""

from __future__ import annotations

import pytest

from runlocal.errors import NotFound
from runlocal.service.guides import GUIDES, guide, guide_index


@pytest.mark.parametrize("gid", sorted(GUIDES))
def test_every_guide_is_consistent(gid: str) -> None:
    g = guide(gid)
    spec = GUIDES[gid]
    bounds = {label: (lo, hi) for label, lo, hi in spec.tiers}
    assert len(g["bottom_line"]) == len(g["tiers"])
    for t in g["tiers"]:
        lo, hi = bounds[t["tier"]]
        p = t["pick"]
        assert lo <= p["price"]["usd"] < hi and p["price"]["date"]
        assert p["largest_well_name"] in p["buy_if"]
        assert any(r["model"] == p["largest_well"] and r["ladder"] == "runs-well" for r in p["runs"])
        for a in t["also"]:  # nothing else in the tier runs a larger model well
            assert a["price"]["usd"] >= lo
        if spec.used:
            assert p["price"]["condition"] == "used"


def test_best_gpu_has_picks_and_an_index() -> None:
    assert guide("best-gpu")["tiers"]
    assert {g["id"] for g in guide_index()} == set(GUIDES)
    with pytest.raises(NotFound):
        guide("best-toaster")
