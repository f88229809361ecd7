"""The risk-by-pillar chart is well-formed SVG, proportional, accessible and escapes every name."""

import xml.etree.ElementTree as ET

import pytest
from django.utils.safestring import SafeString
from hypothesis import given
from hypothesis import strategies as st

from reviews.charts import MIN_WIDTH, NAME_LIMIT, SEGMENTS, PillarRisk, risk_by_pillar_svg

SVG = "{http://www.w3.org/2000/svg}"
NASTY = '<script>alert(1)</script> & "q" \' ]]>'
COLOURS = [colour for _field, _label, colour in SEGMENTS]


def risk(name="Security", pillar_id="security", counts=(3, 1, 5, 0, 2)) -> PillarRisk:
    return PillarRisk(pillar_id, name, *counts)


def parse(markup: str) -> ET.Element:
    root = ET.fromstring(markup)  # noqa: S314 - our own output, parsed to check it
    assert root.tag == f"{SVG}svg"
    return root


def classes(element: ET.Element) -> set[str]:
    return set(element.get("class", "").split())


def rows_of(root: ET.Element) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if "risk-chart-row" in classes(g)]


def segments_of(row: ET.Element) -> list[ET.Element]:
    return [rect for rect in row.iter(f"{SVG}rect") if "risk-chart-segment" in classes(rect)]


def track_of(row: ET.Element) -> ET.Element:
    (track,) = [rect for rect in row.iter(f"{SVG}rect") if "risk-chart-track" in classes(rect)]
    return track


def label_of(row: ET.Element) -> tuple[str, str]:
    """(the visible label, its tooltip)."""
    (label,) = [g for g in row.iter(f"{SVG}g") if "risk-chart-label" in classes(g)]
    return label.find(f"{SVG}text").text, label.find(f"{SVG}title").text


def ids_of(root: ET.Element) -> set[str]:
    return {element.get("id") for element in root.iter() if element.get("id")}


def test_is_safe_svg_with_accessible_name_and_description():
    markup = risk_by_pillar_svg([risk()], title="Fraud detection: risk by pillar")
    assert isinstance(markup, SafeString)
    root = parse(markup)
    assert root.get("role") == "img"
    title_id, desc_id = root.get("aria-labelledby").split()
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert (title.get("id"), desc.get("id")) == (title_id, desc_id)
    assert title.text == "Fraud detection: risk by pillar"
    assert desc.text == "Security: 3 high risk, 1 medium risk, 5 no risk, 2 unanswered (11 questions)."


def test_size_follows_the_number_of_rows():
    one = parse(risk_by_pillar_svg([risk()], width=500))
    three = parse(risk_by_pillar_svg([risk(), risk(), risk()], width=500))
    assert one.get("width") == three.get("width") == "500"
    assert float(three.get("height")) > float(one.get("height"))
    for root in (one, three):
        assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"


def test_one_bar_per_pillar_in_order_with_proportional_segments():
    rows = [risk(), risk("Reliability", "reliability", (0, 0, 1, 0, 0))]
    root = parse(risk_by_pillar_svg(rows))
    security, reliability = rows_of(root)
    assert [r.get("data-pillar") for r in (security, reliability)] == ["security", "reliability"]

    bar_width = float(track_of(security).get("width"))
    segments = segments_of(security)
    # Not applicable is 0, so it is not drawn.
    assert [s.get("fill") for s in segments] == ["#c62828", "#ef8f00", "#2e7d32", "#e0e0e0"]
    for segment, count in zip(segments, (3, 1, 5, 2), strict=True):
        assert float(segment.get("width")) == pytest.approx(count / 11 * bar_width, abs=0.01)
    # Segments abut: each starts where the one before ends, the first where the bar starts.
    x = float(track_of(security).get("x"))
    for segment in segments:
        assert float(segment.get("x")) == pytest.approx(x, abs=0.01)
        x += float(segment.get("width"))
    assert [s.find(f"{SVG}title").text for s in segments] == [
        "Security: 3 high risk",
        "Security: 1 medium risk",
        "Security: 5 no risk",
        "Security: 2 unanswered",
    ]
    (totals,) = [t for t in security.iter(f"{SVG}text") if "risk-chart-total" in classes(t)]
    assert totals.text == "11"

    (whole,) = segments_of(reliability)
    assert float(whole.get("width")) == bar_width


def test_widths_have_at_most_two_decimals():
    root = parse(risk_by_pillar_svg([risk(counts=(1, 1, 1, 0, 0))]))
    for segment in segments_of(rows_of(root)[0]):
        for attribute in ("x", "width"):
            _, _, decimals = segment.get(attribute).partition(".")
            assert len(decimals) <= 2


def test_pillar_without_questions_draws_an_empty_track():
    root = parse(risk_by_pillar_svg([risk(counts=(0, 0, 0, 0, 0))]))
    (row,) = rows_of(root)
    assert segments_of(row) == []
    track_of(row)
    assert root.find(f"{SVG}desc").text == "Security: no questions."


def test_legend_names_every_kind_of_answer_in_its_colour():
    root = parse(risk_by_pillar_svg([risk()]))
    (legend,) = [g for g in root.iter(f"{SVG}g") if "risk-chart-legend" in classes(g)]
    items = [g for g in legend if "risk-chart-legend-item" in classes(g)]
    assert [item.find(f"{SVG}text").text for item in items] == [
        "High risk",
        "Medium risk",
        "No risk",
        "Not applicable",
        "Unanswered",
    ]
    assert [item.find(f"{SVG}rect").get("fill") for item in items] == COLOURS


def test_hostile_names_are_escaped_and_round_trip():
    rows = [risk(NASTY, pillar_id='"><script>x</script>'), risk("<b>&'q'", pillar_id="b")]
    markup = risk_by_pillar_svg(rows, title=NASTY)
    assert "<script" not in markup
    assert "<b>" not in markup
    root = parse(markup)
    assert not [element for element in root.iter() if element.tag.endswith(("script", "b"))]
    assert root.find(f"{SVG}title").text == NASTY
    long_one, short_one = rows_of(root)
    assert long_one.get("data-pillar") == '"><script>x</script>'
    assert label_of(long_one) == (NASTY[: NAME_LIMIT - 1].rstrip() + "\u2026", NASTY)
    assert label_of(short_one) == ("<b>&'q'", "<b>&'q'")
    assert segments_of(long_one)[0].find(f"{SVG}title").text == f"{NASTY}: 3 high risk"
    assert root.find(f"{SVG}desc").text.startswith(f"{NASTY}: 3 high risk")


def test_characters_xml_forbids_are_dropped():
    root = parse(risk_by_pillar_svg([risk("Sec\x00ur\x1bity\ufffe")], title="Risk\x0c"))
    assert label_of(rows_of(root)[0]) == ("Security", "Security")
    assert root.find(f"{SVG}title").text == "Risk"


def test_long_names_are_cut_with_the_full_name_as_tooltip():
    name = "Operational excellence and sustainability of machine learning workloads"
    root = parse(risk_by_pillar_svg([risk(name)]))
    shown, tooltip = label_of(rows_of(root)[0])
    assert len(shown) <= NAME_LIMIT
    assert shown.endswith("\u2026")
    assert name.startswith(shown[:-1])
    assert tooltip == name
    assert segments_of(rows_of(root)[0])[0].find(f"{SVG}title").text == f"{name}: 3 high risk"


def test_a_name_at_the_limit_is_not_cut():
    name = "x" * NAME_LIMIT
    assert label_of(rows_of(parse(risk_by_pillar_svg([risk(name)])))[0]) == (name, name)


def test_no_rows_says_no_answers_yet():
    root = parse(risk_by_pillar_svg([]))
    assert "No answers yet" in "".join(root.itertext())
    assert root.find(f"{SVG}desc").text == "No answers yet."
    assert root.get("role") == "img"
    assert float(root.get("height")) < float(parse(risk_by_pillar_svg([risk()])).get("height"))


@pytest.mark.parametrize("rows", [[], [risk()]])
def test_two_charts_on_a_page_have_disjoint_ids(rows):
    first = parse(risk_by_pillar_svg(rows, id_prefix="workload-1"))
    second = parse(risk_by_pillar_svg(rows, id_prefix="workload 2"))
    assert ids_of(first)
    assert ids_of(first).isdisjoint(ids_of(second))
    for root in (first, second):
        assert set(root.get("aria-labelledby").split()) <= ids_of(root)


@pytest.mark.parametrize(
    ("id_prefix", "expected"),
    [
        ("My chart!", "my-chart"),
        ('"><x', "x"),
        ("", "risk-chart"),
        ("2024", "risk-chart-2024"),
    ],
)
def test_id_prefix_is_slugified(id_prefix, expected):
    root = parse(risk_by_pillar_svg([risk()], id_prefix=id_prefix))
    assert ids_of(root) == {f"{expected}-title", f"{expected}-desc"}


def test_no_inline_styles_scripts_event_handlers_or_external_resources():
    markup = risk_by_pillar_svg([risk()])
    for forbidden in ("style=", "<style", "<script", "href", "url("):
        assert forbidden not in markup
    handlers = [name for element in parse(markup).iter() for name in element.attrib if name.startswith("on")]
    assert handlers == []


def test_negative_counts_are_refused():
    with pytest.raises(ValueError, match="medium"):
        risk(counts=(0, -1, 0, 0, 0))


def test_too_narrow_is_refused():
    with pytest.raises(ValueError, match="width"):
        risk_by_pillar_svg([risk()], width=MIN_WIDTH - 1)


# Any text, surrogates and control characters included: names come from imported files.
any_text = st.text(st.characters(codec=None, exclude_categories=()), max_size=60)
pillars = st.builds(
    PillarRisk,
    pillar_id=any_text,
    name=any_text,
    high=st.integers(0, 100_000),
    medium=st.integers(0, 100_000),
    none=st.integers(0, 100_000),
    not_applicable=st.integers(0, 100_000),
    unanswered=st.integers(0, 100_000),
)


@given(
    rows=st.lists(pillars, max_size=8),
    title=any_text,
    width=st.integers(MIN_WIDTH, 2000),
    id_prefix=any_text,
)
def test_any_input_gives_well_formed_svg_with_full_bars(rows, title, width, id_prefix):
    root = parse(risk_by_pillar_svg(rows, title=title, width=width, id_prefix=id_prefix))
    assert root.get("width") == str(width)
    bars = rows_of(root)
    assert len(bars) == len(rows)
    for row, bar in zip(rows, bars, strict=True):
        segments = segments_of(bar)
        assert len(segments) == sum(1 for field, _label, _colour in SEGMENTS if getattr(row, field))
        if row.total:
            drawn = sum(float(segment.get("width")) for segment in segments)
            assert drawn == pytest.approx(float(track_of(bar).get("width")), abs=0.01 * len(segments))
