"""Catalog pages quote the engine live ({{est ...}} directives), and every directive in every page answers."""

from __future__ import annotations

from runlocal.service.knowledge import ESTIMATE, ESTIMATE_FAILED, render_estimates, render_page
from runlocal.service.resolve import catalog


def test_a_directive_becomes_the_engines_figure() -> None:
    out = render_estimates("{{est model=qwen3-8b hardware=rtx-4090 : speed.decode_tokens_per_s|num}} tok/s, "
                           "{{est model=qwen3-8b hardware=M4+Max+128GB : memory.total_bytes|gb}}")
    assert "{{" not in out and ESTIMATE_FAILED not in out and " tok/s, " in out
    assert render_estimates("{{est model=no-such hardware=rtx-4090 : fits}}") == ESTIMATE_FAILED


def test_every_page_renders_every_directive() -> None:
    bad = []
    for pid in catalog().pages:
        text = render_page(pid)["text"]
        if ESTIMATE_FAILED in text or ESTIMATE.search(text) or "{{" in text:
            bad.append(pid)
    assert not bad, bad
