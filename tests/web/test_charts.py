"""web/charts.py: well-formed, accessible, escaped, bounded and deterministic SVG strings."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runlocal.web.charts import (
    MAX_BARS,
    MAX_HLINES,
    MAX_PARTS,
    MAX_POINTS,
    MAX_SCATTER,
    MAX_SERIES,
    PALETTE,
    Series,
    bar_chart,
    format_gb,
    line_chart,
    memory_bar,
    scatter,
)

NS = "{http://www.w3.org/2000/svg}"
G = 10**9
HOSTILE = "<script>alert(1)</script> \"&' x"
BAD = [math.nan, math.inf, -math.inf]


def _tree(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{NS}svg"
    return root


def _all(root: ET.Element, tag: str) -> list[ET.Element]:
    return list(root.iter(f"{NS}{tag}"))


def _texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in _all(root, "text")]


def _desc(root: ET.Element) -> str:
    return root.find(f"{NS}desc").text or ""  # type: ignore[union-attr]


def _memory(parts: list[tuple[str, int]] | None = None, usable: int = 24 * G, **kw: object) -> str:
    parts = parts if parts is not None else [("weights", 4_700_000_000), ("KV cache", 600_000_000),
                                             ("compute", 300_000_000), ("overhead", 500_000_000)]
    return memory_bar(parts, usable, title=str(kw.pop("title", "Llama 3 8B on RTX 4090")), **kw)  # type: ignore[arg-type]


def _lines(**kw: object) -> str:
    series = [Series("Q4_K_M", tuple((2.0**k, 4.9 + 1.2e-4 * 2**k) for k in range(11, 18))),
              Series("Q8_0", tuple((2.0**k, 8.5 + 1.2e-4 * 2**k) for k in range(11, 18)))]
    args: dict[str, object] = {"title": "Memory against context", "x_label": "context (tokens)",
                               "y_label": "memory (GB)", "hlines": [("RTX 4060 8 GB", 8.0), ("RTX 4090 24 GB", 24.0)],
                               "log_x": True}
    args.update(kw)
    return line_chart(args.pop("series", series), **args)  # type: ignore[arg-type]


def _bars(rows: list[tuple[str, float, str]] | None = None, **kw: object) -> str:
    rows = rows if rows is not None else [("RTX 4090", 42, "measured"), ("M2 Max", 30.5, "estimated"),
                                          ("RTX 3060", 0, "does not fit")]
    return bar_chart(rows, title=str(kw.pop("title", "Speed")), unit="tok/s", **kw)  # type: ignore[arg-type]


def _scatter(points: list[tuple[str, float, float]] | None = None, **kw: object) -> str:
    points = points if points is not None else [("RTX 4090", 1600, 42), ("RTX 3060", 300, 18), ("M2 Max", 2500, 30)]
    args: dict[str, object] = {"title": "Price against speed", "x_label": "price ($)", "y_label": "tok/s"}
    args.update(kw)
    return scatter(points, **args)  # type: ignore[arg-type]


ALL_CHARTS = [_memory, _lines, _bars, _scatter]


# ---------------------------------------------------------------- format_gb


@pytest.mark.parametrize(("n", "unit", "want"), [
    (4_700_000_000, "GB", "4.7 GB"), (512_000_000, "GB", "512 MB"), (0, "GB", "0 GB"), (24 * G, "GB", "24 GB"),
    (22_500_000_000, "GB", "22.5 GB"), (2**30, "GiB", "1 GiB"), (512 * 2**20, "GiB", "512 MiB"), (0, "GiB", "0 GiB"),
    (999_999_999, "GB", "1 GB"), (5_000_000, "GB", "5 MB"), (1, "GB", "<0.1 MB"),
])
def test_format_gb(n: int, unit: str, want: str) -> None:
    assert format_gb(n, unit) == want


@pytest.mark.parametrize("bad", [-1, math.nan, math.inf, True, "1"])
def test_format_gb_refuses_bad_numbers(bad: object) -> None:
    with pytest.raises(ValueError):
        format_gb(bad)  # type: ignore[arg-type]


def test_format_gb_refuses_unknown_units() -> None:
    with pytest.raises(ValueError):
        format_gb(1, "TB")


# ---------------------------------------------------------------- common properties


@pytest.mark.parametrize("make", ALL_CHARTS)
def test_root_is_accessible_and_responsive(make: object) -> None:
    svg = make()  # type: ignore[operator]
    root = _tree(svg)
    assert root.get("role") == "img" and root.get("width") == "100%" and root.get("height") is None
    assert root.get("viewBox", "").startswith("0 0 640 ")
    title, desc = root.find(f"{NS}title"), root.find(f"{NS}desc")
    assert title is not None and desc is not None and title.text and desc.text
    assert root.get("aria-labelledby") == title.get("id")
    assert root.get("aria-describedby") == desc.get("id")
    for t in _all(root, "text"):
        assert t.get("fill") == "currentColor" and t.get("font-size", "").endswith("px")
    for el in root.iter():
        if any(c in (el.get("class") or "").split() for c in [f"s{i}" for i in range(8)]):
            assert {el.get("fill"), el.get("stroke")} & set(PALETTE), el.attrib


@pytest.mark.parametrize("make", ALL_CHARTS)
def test_same_input_gives_the_same_string(make: object) -> None:
    assert make() == make()  # type: ignore[operator]


@pytest.mark.parametrize("make", ALL_CHARTS)
def test_coordinates_have_at_most_one_decimal(make: object) -> None:
    root = _tree(make())  # type: ignore[operator]
    for el in root.iter():
        for attr in ("x", "y", "x1", "x2", "y1", "y2", "cx", "cy", "width", "height"):
            v = el.get(attr)
            if v is not None and not v.endswith("%"):
                assert len(v.partition(".")[2]) <= 1, (el.tag, attr, v)


def test_hostile_labels_are_escaped_everywhere() -> None:
    svgs = [
        memory_bar([(HOSTILE, G)], 2 * G, title=HOSTILE),
        line_chart([Series(HOSTILE, ((1.0, 2.0), (2.0, 3.0)))], title=HOSTILE, x_label=HOSTILE, y_label=HOSTILE,
                   hlines=[(HOSTILE, 2.5)]),
        bar_chart([(HOSTILE, 1.0, HOSTILE), (HOSTILE, 0.0, HOSTILE)], title=HOSTILE, unit=HOSTILE),
        scatter([(HOSTILE, 1.0, 2.0)], title=HOSTILE, x_label=HOSTILE, y_label=HOSTILE, target_y=1.5,
                target_label=HOSTILE),
    ]
    for svg in svgs:
        assert "<script" not in svg and "&lt;script&gt;" in svg and "&quot;&amp;&#x27;" in svg
        root = _tree(svg)
        assert not [el for el in root.iter() if el.tag.endswith("script")]
        assert root.find(f"{NS}title").text == HOSTILE  # type: ignore[union-attr]
        assert HOSTILE in _desc(root)


def test_characters_xml_forbids_are_dropped() -> None:
    root = _tree(bar_chart([("a\x00b\x1bc", 1.0, "")], title="t\x0b", unit="u"))
    assert "abc" in _texts(root)


def test_chart_id_can_be_chosen_and_is_checked() -> None:
    root = _tree(_memory(chart_id="mem-1"))
    assert root.get("aria-labelledby") == "mem-1-title"
    with pytest.raises(ValueError):
        _memory(chart_id='x" onload="alert(1)')


def test_different_charts_get_different_ids() -> None:
    a, b = _tree(_memory()), _tree(_memory(usable=8 * G))
    assert a.get("aria-labelledby") != b.get("aria-labelledby")


# ---------------------------------------------------------------- memory_bar


def test_memory_bar_states_the_data_in_words() -> None:
    root = _tree(_memory())
    desc = _desc(root)
    assert desc.startswith("weights 4.7 GB, KV cache 600 MB, compute 300 MB, overhead 500 MB")
    assert "total 6.1 GB of 24 GB usable" in desc and "fits with 17.9 GB free" in desc
    assert "usable 24 GB" in _texts(root)
    assert root.find(f"{NS}title").text == "Llama 3 8B on RTX 4090"  # type: ignore[union-attr]


def test_memory_bar_marks_overflow_only_when_total_exceeds_usable() -> None:
    fits = _tree(_memory())
    assert not [r for r in _all(fits, "rect") if r.get("class") == "overflow"]
    assert not [t for t in _texts(fits) if "does not fit" in t]
    over = _tree(_memory([("weights", 20 * G), ("KV cache", 4 * G), ("compute", 1_100_000_000),
                          ("overhead", 500_000_000)], usable=22_500_000_000))
    marks = [r for r in _all(over, "rect") if r.get("class") == "overflow"]
    assert len(marks) == 1 and marks[0].get("fill", "").startswith("url(#")
    assert "does not fit: 3.1 GB over" in _texts(over) and "usable 22.5 GB" in _texts(over)
    assert "does not fit: 3.1 GB over" in _desc(over)
    exact = _tree(_memory([("weights", 8 * G)], usable=8 * G))
    assert not [r for r in _all(exact, "rect") if r.get("class") == "overflow"]


def test_memory_bar_scale_and_part_classes() -> None:
    root = _tree(_memory([("weights", 10 * G), ("KV cache", 10 * G)], usable=10 * G))
    bars = [r for r in _all(root, "rect") if (r.get("class") or "").startswith("part ")]
    assert [b.get("class") for b in bars] == ["part part-weights", "part part-kv"]
    # the scale ends at max(usable, total) * 1.05 over 608 units from x=16
    assert float(bars[1].get("x", "")) + float(bars[1].get("width", "")) == pytest.approx(16 + 608 / 1.05, abs=0.2)
    marker = [ln for ln in _all(root, "line") if ln.get("class") == "usable-marker"][0]
    assert float(marker.get("x1", "")) == pytest.approx(16 + 608 / 2.1, abs=0.2)


def test_memory_bar_zero_parts_are_listed_but_not_drawn() -> None:
    root = _tree(_memory([("weights", 4 * G), ("draft model", 0)]))
    drawn = [r for r in _all(root, "rect") if (r.get("class") or "").startswith("part ") and "free" not in r.get(
        "class", "")]
    assert len(drawn) == 1
    assert "draft model 0 GB" in _texts(root) and "draft model 0 GB" in _desc(root)
    free = [r for r in _all(root, "rect") if r.get("class") == "part part-free"]
    assert len(free) == 1


def test_memory_bar_gib() -> None:
    root = _tree(_memory([("weights", 2**30)], usable=4 * 2**30, unit="GiB"))
    assert "usable 4 GiB" in _texts(root) and "weights 1 GiB" in _desc(root)


@pytest.mark.parametrize("bad", BAD)
def test_memory_bar_refuses_non_finite(bad: float) -> None:
    with pytest.raises(ValueError):
        _memory([("weights", bad)])  # type: ignore[list-item]
    with pytest.raises(ValueError):
        _memory(usable=bad)  # type: ignore[arg-type]


def test_memory_bar_refuses_bad_sizes_and_too_many_parts() -> None:
    for kw in ({"parts": [("w", -1)]}, {"usable": 0}, {"usable": -5}, {"unit": "TB"},
               {"parts": [("w", 10**18)] * 2}):
        with pytest.raises(ValueError):
            _memory(**kw)  # type: ignore[arg-type]
    _tree(_memory([("p", G)] * MAX_PARTS))
    with pytest.raises(ValueError):
        _memory([("p", G)] * (MAX_PARTS + 1))


# ---------------------------------------------------------------- line_chart


def test_line_chart_log_x_ticks_are_powers_of_two() -> None:
    root = _tree(_lines())
    ticks = [t for t in _all(root, "text") if t.get("class") == "tick"]
    xs = [t.text for t in ticks if t.get("text-anchor") == "middle"]
    assert xs == ["2K", "4K", "8K", "16K", "32K", "64K", "128K"]
    ys = [float(t.text or "") for t in ticks if t.get("text-anchor") == "end"]
    assert ys == [0, 5, 10, 15, 20, 25]


def test_line_chart_log_x_thins_wide_ranges_to_powers_of_two() -> None:
    root = _tree(_lines(series=[Series("a", ((1.0, 1.0), (2.0**40, 2.0)))], x_format=lambda v: f"{math.log2(v):g}"))
    exps = [float(t.text or "") for t in _all(root, "text") if t.get("class") == "tick" and t.get(
        "text-anchor") == "middle"]
    assert 2 <= len(exps) <= 9 and all(e.is_integer() for e in exps) and exps[0] <= 0 and exps[-1] >= 40


def test_line_chart_linear_ticks_step_1_2_5() -> None:
    root = _tree(_lines(series=[Series("a", ((0.0, 0.0), (7.3, 0.37)))], log_x=False, hlines=()))
    ticks = [t for t in _all(root, "text") if t.get("class") == "tick"]
    xs = [float(t.text or "") for t in ticks if t.get("text-anchor") == "middle"]
    ys = [float(t.text or "") for t in ticks if t.get("text-anchor") == "end"]
    for vals in (xs, ys):
        steps = {round(b - a, 9) for a, b in zip(vals, vals[1:], strict=False)}
        assert len(steps) == 1
        step = steps.pop()
        mantissa = step / 10 ** math.floor(math.log10(step))
        assert round(mantissa, 6) in (1, 2, 5)
    assert xs[0] <= 0 and xs[-1] >= 7.3 and ys[-1] >= 0.37


def test_line_chart_draws_series_legend_hlines_and_desc() -> None:
    root = _tree(_lines())
    lines = _all(root, "polyline")
    assert [p.get("class") for p in lines] == ["line s0", "line s1"]
    assert [p.get("stroke") for p in lines] == list(PALETTE[:2])
    assert len(_all(root, "circle")) == 14
    texts = _texts(root)
    assert {"Q4_K_M", "Q8_0", "RTX 4060 8 GB", "RTX 4090 24 GB", "context (tokens)", "memory (GB)"} <= set(texts)
    assert len([ln for ln in _all(root, "line") if ln.get("class") == "hline"]) == 2
    desc = _desc(root)
    assert "(log scale)" in desc and "5.15 at 2K" in desc and "RTX 4090 24 GB at 24" in desc


def test_line_chart_hline_labels_do_not_overlap() -> None:
    root = _tree(_lines(hlines=[("a", 24.0), ("b", 24.0), ("c", 23.9)]))
    ys = sorted(float(t.get("y", "")) for t in _all(root, "text") if t.get("class") == "hline-label")
    assert all(b - a >= 12.9 for a, b in zip(ys, ys[1:], strict=False))


def test_line_chart_formats() -> None:
    root = _tree(_lines(x_format=lambda v: f"{v:.0f} tok", y_format=lambda v: f"{v:.1f} GB"))
    assert "2048 tok" in _texts(root) and "10.0 GB" in _texts(root)
    assert "5.1 GB at 2048 tok" in _desc(root)


def test_line_chart_summarises_long_series() -> None:
    root = _tree(_lines(series=[Series("a", tuple((float(i), float(i)) for i in range(1, 101)))], log_x=False))
    assert "a: 100 points, x from 1 to 100, y from 1 to 100" in _desc(root)


@pytest.mark.parametrize("series", [[], [Series("empty", ())]])
def test_line_chart_without_points_says_no_data(series: list[Series]) -> None:
    root = _tree(_lines(series=series))
    assert "no data" in _texts(root) and _desc(root) == "No data."
    assert not _all(root, "polyline")


@pytest.mark.parametrize("bad", BAD)
def test_line_chart_refuses_non_finite(bad: float) -> None:
    for kw in ({"series": [Series("a", ((1.0, bad),))]}, {"series": [Series("a", ((bad, 1.0),))]},
               {"hlines": [("card", bad)]}):
        with pytest.raises(ValueError):
            _lines(**kw)


def test_line_chart_refuses_non_positive_x_on_log_axis() -> None:
    with pytest.raises(ValueError):
        _lines(series=[Series("a", ((0.0, 1.0),))])
    _tree(_lines(series=[Series("a", ((0.0, 1.0), (-3.0, 2.0)))], log_x=False))


def test_line_chart_bounds() -> None:
    full = [Series(f"s{i}", tuple((float(j + 1), float(j)) for j in range(MAX_POINTS))) for i in range(MAX_SERIES)]
    root = _tree(_lines(series=full, hlines=[("h", 1.0)] * MAX_HLINES))
    assert len(_all(root, "polyline")) == MAX_SERIES
    for kw in ({"series": [*full, full[0]]}, {"series": [Series("a", ((1.0, 1.0),) * (MAX_POINTS + 1))]},
               {"hlines": [("h", 1.0)] * (MAX_HLINES + 1)}):
        with pytest.raises(ValueError):
            _lines(**kw)


# ---------------------------------------------------------------- bar_chart


def test_bar_chart_one_rect_per_row_with_value_and_note() -> None:
    root = _tree(_bars())
    rects = _all(root, "rect")
    assert len(rects) == 3
    assert [r.get("width") for r in rects] == ["300", "217.9", "0"]
    texts = _texts(root)
    assert "42 tok/smeasured" in texts and "30.5 tok/sestimated" in texts
    assert "does not fit" in texts and not [t for t in texts if t.startswith("0 tok/s")]
    assert _desc(root) == "RTX 4090: 42 tok/s (measured); M2 Max: 30.5 tok/s (estimated); RTX 3060: does not fit."
    notes = [t for t in root.iter(f"{NS}tspan") if t.get("class") == "note"]
    assert {n.text for n in notes} == {"measured", "estimated"}


def test_bar_chart_rects_equal_rows_for_many_rows_and_zero_without_note() -> None:
    rows = [(f"gpu {i}", float(i), "") for i in range(MAX_BARS)]
    root = _tree(_bars(rows))
    assert len(_all(root, "rect")) == MAX_BARS
    assert "0 tok/s" in _texts(root)


def test_bar_chart_max_value_scales_and_clamps() -> None:
    root = _tree(_bars([("a", 50, ""), ("b", 200, "")], max_value=100))
    assert [r.get("width") for r in _all(root, "rect")] == ["150", "300"]


@pytest.mark.parametrize("bad", [*BAD, -1.0])
def test_bar_chart_refuses_bad_values(bad: float) -> None:
    with pytest.raises(ValueError):
        _bars([("a", bad, "")])


@pytest.mark.parametrize("bad", [*BAD, 0.0, -1.0])
def test_bar_chart_refuses_bad_max_value(bad: float) -> None:
    with pytest.raises(ValueError):
        _bars(max_value=bad)


def test_bar_chart_bounds_and_empty() -> None:
    with pytest.raises(ValueError):
        _bars([("a", 1.0, "")] * (MAX_BARS + 1))
    root = _tree(_bars([]))
    assert "no data" in _texts(root) and not _all(root, "rect")


# ---------------------------------------------------------------- scatter


def test_scatter_labels_points_and_target() -> None:
    root = _tree(_scatter(target_y=20, target_label="reading speed"))
    assert len(_all(root, "circle")) == 3
    labels = [t.text for t in _all(root, "text") if t.get("class") == "point-label"]
    assert labels == ["RTX 4090", "RTX 3060", "M2 Max"]
    assert len([ln for ln in _all(root, "line") if ln.get("class") == "target"]) == 1
    assert "reading speed" in _texts(root)
    desc = _desc(root)
    assert "RTX 4090: price ($) 1600, tok/s 42" in desc and "Target reading speed: tok/s 20." in desc


def test_scatter_label_sits_next_to_its_point() -> None:
    root = _tree(_scatter())
    for c, t in zip(_all(root, "circle"), [t for t in _all(root, "text") if t.get("class") == "point-label"],
                    strict=True):
        assert abs(float(c.get("cx", "")) - float(t.get("x", ""))) == pytest.approx(7)
        assert abs(float(c.get("cy", "")) - float(t.get("y", ""))) <= 5


def test_scatter_without_target_has_no_target_line() -> None:
    root = _tree(_scatter())
    assert not [ln for ln in _all(root, "line") if ln.get("class") == "target"]


@pytest.mark.parametrize("bad", BAD)
def test_scatter_refuses_non_finite(bad: float) -> None:
    for kw in ({"points": [("a", bad, 1.0)]}, {"points": [("a", 1.0, bad)]}, {"target_y": bad}):
        with pytest.raises(ValueError):
            _scatter(**kw)  # type: ignore[arg-type]


def test_scatter_bounds_and_empty() -> None:
    _tree(_scatter([("p", float(i), float(i)) for i in range(MAX_SCATTER)]))
    with pytest.raises(ValueError):
        _scatter([("p", 1.0, 1.0)] * (MAX_SCATTER + 1))
    root = _tree(_scatter([]))
    assert "no data" in _texts(root)


# ---------------------------------------------------------------- properties

labels = st.text(max_size=40)
finite = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False)
positive = st.floats(min_value=1e-6, max_value=1e12, allow_nan=False, allow_infinity=False)
sizes = st.integers(min_value=0, max_value=10**15)
FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(st.lists(st.tuples(labels, sizes), max_size=8), st.integers(min_value=1, max_value=10**15), labels,
       st.sampled_from(["GB", "GiB"]))
def test_memory_bar_is_always_well_formed(parts: list[tuple[str, int]], usable: int, title: str, unit: str) -> None:
    svg = memory_bar(parts, usable, title=title, unit=unit)
    root = _tree(svg)
    assert svg == memory_bar(parts, usable, title=title, unit=unit)
    assert ("does not fit" in _desc(root)) == (sum(b for _, b in parts) > usable)


@FAST
@given(st.lists(st.tuples(labels, st.lists(st.tuples(positive, finite), max_size=12)), max_size=5),
       st.lists(st.tuples(labels, finite), max_size=4), st.booleans(), labels)
def test_line_chart_is_always_well_formed(raw: list[tuple[str, list[tuple[float, float]]]],
                                          hlines: list[tuple[str, float]], log_x: bool, title: str) -> None:
    series = [Series(name, tuple(pts)) for name, pts in raw]
    _tree(line_chart(series, title=title, x_label=title, y_label=title, hlines=hlines, log_x=log_x))


@FAST
@given(st.lists(st.tuples(labels, st.floats(min_value=0, max_value=1e12), labels), max_size=12), labels,
       st.one_of(st.none(), positive))
def test_bar_chart_is_always_well_formed(rows: list[tuple[str, float, str]], unit: str, top: float | None) -> None:
    root = _tree(bar_chart(rows, title=unit, unit=unit, max_value=top))
    assert len(_all(root, "rect")) == len(rows)


@FAST
@given(st.lists(st.tuples(labels, finite, finite), max_size=12), st.one_of(st.none(), finite), labels)
def test_scatter_is_always_well_formed(points: list[tuple[str, float, float]], target: float | None,
                                       label: str) -> None:
    _tree(scatter(points, title=label, x_label=label, y_label=label, target_y=target, target_label=label))


def test_scatter_draws_the_y_equals_x_diagonal_when_asked() -> None:
    from runlocal.web.charts import scatter

    pts = [("a", 50.0, 60.0), ("b", 150.0, 140.0)]
    assert 'class="diagonal"' in scatter(pts, title="t", x_label="measured", y_label="estimated", diagonal=True)
    assert 'class="diagonal"' not in scatter(pts, title="t", x_label="measured", y_label="estimated")


def test_bar_chart_labels_end_inside_the_chart() -> None:
    # a long value-and-note after a full bar: the bars shorten so the text stays inside the viewBox (phones)
    rows = [("RTX 4090", 1234.5, "partly in system RAM"), ("M2 Max", 30.5, "estimated")]
    root = _tree(_bars(rows))
    widest = max(float(r.get("width")) for r in _all(root, "rect"))
    tail = 7 * len("1234 tok/s") + 6 * len("partly in system RAM") + 6  # the value as the chart prints it
    assert 168 + widest + 6 + tail <= 640
    assert widest >= 120
