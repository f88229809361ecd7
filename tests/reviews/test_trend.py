"""The risk trend: its numbers (reviews.selectors.trend), its chart (reviews.charts.risk_trend_svg),
the trend page, and the trend on the workload page."""

import re
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.safestring import SafeString

from lens.models import BUILTIN_ALIAS
from reviews.charts import TREND_MIN_WIDTH, PillarTrend, TrendPoint, risk_trend_svg
from reviews.charts.trend import LINE_COLOURS, _axis
from reviews.models import Answer
from reviews.selectors.trend import workload_trend
from reviews.services import lens_review_apply
from reviews.services.milestones import milestone_create
from tests import factories
from tests.reviews.pages import url

SVG = "{http://www.w3.org/2000/svg}"
NASTY = '<script>alert(1)</script> & "q" \' ]]>'
NUMBER = re.compile(r"-?\d+(\.\d+)?")


def answer(shared, question_id: str, choices: list[str]) -> None:
    found = Answer.objects.get(
        lens_review__workload=shared.workload,
        lens_review__lens__alias=BUILTIN_ALIAS,
        question__question_id=question_id,
    )
    factories.answered(found, actor=shared.owner, selected_choices=choices)


def save(shared, name: str):
    return milestone_create(workload=shared.workload, actor=shared.owner, name=name)


def queries_of(function) -> int:
    with CaptureQueriesContext(connection) as captured:
        function()
    return len(captured)


# --- the numbers --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_each_pillar_has_its_counts_at_every_milestone_then_now(shared_workload):
    answer(shared_workload, "MLOPS01", ["MLOPS01_no"])  # high
    answer(shared_workload, "MLSEC01", ["MLSEC01_BP01"])  # medium
    save(shared_workload, "Baseline")
    answer(shared_workload, "MLOPS01", ["MLOPS01_BP01"])  # medium
    answer(shared_workload, "MLOPS02", ["MLOPS02_no"])  # high
    save(shared_workload, "Launch")
    answer(shared_workload, "MLSEC01", ["MLSEC01_BP01", "MLSEC01_BP02"])  # no risk

    trend = workload_trend(workload=shared_workload.workload)
    assert [(m.milestone, m.label, m.title) for m in trend.moments] == [
        (1, "#1", "Milestone 1 · Baseline"),
        (2, "#2", "Milestone 2 · Launch"),
        (None, "Now", "Now"),
    ]
    pillars = {p.pillar_id: p for p in trend.pillars}
    assert list(pillars) == [
        "operationalExcellence",
        "security",
        "reliability",
        "performance",
        "costOptimization",
    ]
    operations, security = pillars["operationalExcellence"], pillars["security"]
    assert (operations.name, operations.lens, operations.high, operations.medium) == (
        "Operational excellence",
        None,
        (1, 1, 1),
        (0, 1, 1),
    )
    assert (security.high, security.medium) == ((0, 0, 0), (1, 1, 0))
    assert trend.milestone_count == 2
    assert trend.rows()[0][1][0] == (1, 0)  # operational excellence at milestone 1


@pytest.mark.django_db
def test_standard_pillars_add_up_across_lenses_and_a_lens_own_pillars_do_not(shared_workload):
    owner = shared_workload.owner
    document = factories.lens_document("Second", pillars=2, questions=1)
    document["pillars"][0]["id"] = "security"
    document["pillars"][0]["name"] = "Security, as the second lens says"
    lens = factories.imported_lens(owner=owner, document=document)
    review = lens_review_apply(
        workload=shared_workload.workload, lens_version=lens.versions.get(), actor=owner
    )
    answer(shared_workload, "MLSEC01", ["MLSEC01_no"])
    for found in review.answers.select_related("question"):
        factories.answered(found, actor=owner, selected_choices=[f"{found.question.question_id}_no"])
    save(shared_workload, "Both lenses")

    trend = workload_trend(workload=shared_workload.workload)
    pillars = {(p.lens, p.pillar_id): p for p in trend.pillars}
    security = pillars[None, "security"]
    assert security.high == (2, 2)  # one from each lens
    assert security.name == "Security"  # the first lens's, applied first
    own = pillars[lens.alias, "pillar2"]
    assert (own.name, own.high) == ("Pillar 2", (1, 1))
    assert list(pillars)[-1] == (lens.alias, "pillar2")  # a lens's own pillars after the standard ones


@pytest.mark.django_db
def test_the_trend_costs_the_same_queries_however_many_milestones(shared_workload, django_assert_num_queries):
    workload = shared_workload.workload
    with django_assert_num_queries(2):  # no milestone: the milestones, the current counts
        workload_trend(workload=workload)
    save(shared_workload, "One")
    few = queries_of(lambda: workload_trend(workload=workload))
    for number in range(6):
        answer(shared_workload, "MLOPS01", ["MLOPS01_no"] if number % 2 else ["MLOPS01_BP01"])
        save(shared_workload, f"More {number}")
    many = queries_of(lambda: workload_trend(workload=workload))
    assert few == many == 2  # the milestones with their frozen counts, the current counts


# --- the chart ------------------------------------------------------------------------------------


def parse(markup: str) -> ET.Element:
    root = ET.fromstring(markup)  # noqa: S314 - our own output, parsed to check it
    assert root.tag == f"{SVG}svg"
    return root


def points(count: int) -> list[TrendPoint]:
    return [TrendPoint(f"#{n}", f"Milestone {n} · Name {n}") for n in range(1, count)] + [
        TrendPoint("Now", "Now")
    ]


def pillar(name="Security", pillar_id="security", high=(3, 2, 1), medium=(1, 1, 0)) -> PillarTrend:
    return PillarTrend(pillar_id, name, tuple(high), tuple(medium))


def classes(element: ET.Element) -> set[str]:
    return set(element.get("class", "").split())


def series_of(root: ET.Element) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if "risk-trend-series" in classes(g)]


def test_the_chart_is_accessible_svg_without_style_attributes():
    markup = risk_trend_svg(
        points(3), [pillar(), pillar("Reliability", "reliability")], title="Fraud: risk trend"
    )
    assert isinstance(markup, SafeString)
    root = parse(markup)
    assert root.get("role") == "img"
    assert "risk-trend" in classes(root)
    title_id, desc_id = root.get("aria-labelledby").split()
    assert root.find(f"{SVG}title").get("id") == title_id
    assert root.find(f"{SVG}title").text == "Fraud: risk trend"
    desc = root.find(f"{SVG}desc")
    assert desc.get("id") == desc_id
    assert desc.text == (
        "High and medium risks per pillar at Milestone 1 · Name 1, Milestone 2 · Name 2, Now. "
        "Security: high 3, 2, 1; medium 1, 1, 0. Reliability: high 3, 2, 1; medium 1, 1, 0."
    )
    for element in root.iter():
        assert "style" not in element.attrib, element.tag
        assert element.tag != f"{SVG}script"
        assert not any(name.startswith("on") for name in element.attrib), element.tag


def test_a_panel_for_high_and_one_for_medium_with_a_line_per_pillar():
    root = parse(risk_trend_svg(points(3), [pillar(), pillar("Reliability", "reliability")]))
    panels = [g for g in root.iter(f"{SVG}g") if "risk-trend-panel" in classes(g)]
    assert [sorted(classes(p) - {"risk-trend-panel"}) for p in panels] == [
        ["risk-trend-high"],
        ["risk-trend-medium"],
    ]
    series = series_of(root)
    assert [s.get("data-pillar") for s in series] == ["security", "reliability"] * 2
    first = series[0]
    assert first.find(f"{SVG}polyline").get("stroke") == LINE_COLOURS[0]
    markers = first.findall(f"{SVG}circle")
    assert [m.find(f"{SVG}title").text for m in markers] == [
        "Security at Milestone 1 · Name 1: 3 high",
        "Security at Milestone 2 · Name 2: 2 high",
        "Security at Now: 1 high",
    ]
    # Higher counts are drawn higher: y grows downwards.
    ys = [float(m.get("cy")) for m in markers]
    assert ys[0] < ys[1] < ys[2]
    legend = [g for g in root.iter(f"{SVG}g") if "risk-chart-legend-item" in classes(g)]
    assert [g.find(f"{SVG}text").text for g in legend] == ["Security", "Reliability"]


def test_numbers_have_at_most_two_decimals():
    markup = risk_trend_svg(
        points(7), [pillar(high=(3, 1, 4, 1, 5, 9, 2), medium=(2, 7, 1, 8, 2, 8, 1))], width=613
    )
    for element in parse(markup).iter():
        for name in ("x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "width", "height", "points"):
            for number in NUMBER.finditer(element.get(name, "")):
                assert len((number.group(1) or "")[1:]) <= 2, (name, element.get(name))


def test_hostile_names_are_escaped_and_the_result_stays_xml():
    markup = risk_trend_svg(
        [TrendPoint(NASTY, NASTY + "\x00\x1f"), TrendPoint("Now", "Now")],
        [pillar(NASTY + "\x0b", NASTY, high=(1, 2), medium=(0, 0))],
        title=NASTY,
        id_prefix=NASTY,
    )
    assert "<script>" not in markup
    root = parse(markup)
    assert root.find(f"{SVG}title").text == NASTY
    assert NASTY in root.find(f"{SVG}desc").text
    assert series_of(root)[0].get("data-pillar") == NASTY
    for element in root.iter():
        assert re.fullmatch(r"[a-z][a-z0-9-]*", element.get("id", "a")), element.get("id")


def test_one_point_draws_markers_without_a_line():
    root = parse(risk_trend_svg(points(1), [pillar(high=(2,), medium=(1,))]))
    (high, medium) = series_of(root)
    assert high.find(f"{SVG}polyline") is None
    assert len(high.findall(f"{SVG}circle")) == 1


def test_labels_are_thinned_out_to_fit_and_now_is_always_written():
    root = parse(risk_trend_svg(points(40), [pillar(high=[1] * 40, medium=[0] * 40)], width=400))
    labels = [g for g in root.iter(f"{SVG}g") if "risk-trend-label" in classes(g)]
    texts = [g.find(f"{SVG}text").text for g in labels[: len(labels) // 2]]  # the high panel's
    assert 2 <= len(texts) < 20
    assert texts[-1] == "Now"
    assert [g.find(f"{SVG}title").text for g in labels][-1] == "Now"


def test_past_eight_pillars_the_colours_come_round_dashed():
    many = [pillar(f"Pillar {n}", f"p{n}") for n in range(10)]
    lines = [s.find(f"{SVG}polyline") for s in series_of(parse(risk_trend_svg(points(3), many)))[:10]]
    assert lines[8].get("stroke") == lines[0].get("stroke")
    assert [line.get("stroke-dasharray") for line in lines].count(None) == 8
    assert lines[9].get("stroke-dasharray")


@pytest.mark.parametrize(
    ("peak", "axis"), [(0, (1, 1)), (3, (3, 1)), (4, (4, 1)), (7, (8, 2)), (19, (20, 5)), (23, (30, 10))]
)
def test_the_count_axis_has_at_most_four_round_steps(peak, axis):
    assert _axis(peak) == axis


def test_without_pillars_the_chart_says_so():
    root = parse(risk_trend_svg(points(2), []))
    assert root.find(f"{SVG}desc").text == "No pillars to show."


@pytest.mark.parametrize(
    "call",
    [
        lambda: risk_trend_svg(points(2), [pillar()]),  # three counts for two points
        lambda: risk_trend_svg([], []),
        lambda: risk_trend_svg(points(3), [pillar()], width=TREND_MIN_WIDTH - 1),
        lambda: PillarTrend("x", "X", (1, 2), (1,)),
        lambda: PillarTrend("x", "X", (1, -2), (1, 1)),
    ],
)
def test_impossible_data_is_refused(call):
    with pytest.raises(ValueError, match="must|needs|at least one"):
        call()


# --- the pages ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_trend_page_shows_the_chart_and_the_numbers(client, shared_workload):
    answer(shared_workload, "MLOPS01", ["MLOPS01_no"])
    save(shared_workload, "<b>Baseline</b>")
    client.force_login(shared_workload.reader)
    response = client.get(url("trend", shared_workload.workload))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="risk-chart risk-trend"' in html
    assert "<b>Baseline</b>" not in html
    assert "Milestone 1 · &lt;b&gt;Baseline&lt;/b&gt;" in html
    table = html[html.index('<table class="table table-compact trend-table">') :]
    assert '<th scope="colgroup" colspan="2" class="number">Operational excellence</th>' in table
    assert '<td class="number">1</td>' in table


@pytest.mark.django_db
def test_the_trend_page_without_milestones_shows_now(client, shared_workload):
    client.force_login(shared_workload.owner)
    html = client.get(url("trend", shared_workload.workload)).content.decode()
    assert "No milestone yet" in html
    assert "risk-trend" in html


@pytest.mark.django_db
def test_an_outsider_gets_a_404(client, shared_workload):
    client.force_login(shared_workload.outsider)
    assert client.get(url("trend", shared_workload.workload)).status_code == 404


@pytest.mark.django_db
def test_the_trend_page_costs_the_same_queries_however_many_milestones(client, shared_workload):
    save(shared_workload, "One")
    client.force_login(shared_workload.reader)

    def load():
        assert client.get(url("trend", shared_workload.workload)).status_code == 200

    load()  # the session's first use
    few = queries_of(load)
    for number in range(6):
        answer(shared_workload, "MLOPS02", ["MLOPS02_no"] if number % 2 else ["MLOPS02_BP02"])
        save(shared_workload, f"More {number}")
    many = queries_of(load)
    assert few == many == 5  # session, user, workload and role; the trend's two


@pytest.mark.django_db
def test_the_workload_page_shows_the_trend_once_there_is_a_milestone(client, shared_workload):
    client.force_login(shared_workload.contributor)
    page = url("workload", shared_workload.workload)
    assert 'class="panel trend-panel"' not in client.get(page).content.decode()
    save(shared_workload, "One")

    def load():
        response = client.get(page)
        assert response.status_code == 200
        return response.content.decode()

    html = load()
    assert 'class="panel trend-panel"' in html
    assert 'id="workload-trend-title"' in html
    assert url("trend", shared_workload.workload) in html
    assert url("compare", shared_workload.workload) in html
    few = queries_of(load)
    for number in range(5):
        save(shared_workload, f"More {number}")
    assert queries_of(load) == few


@pytest.mark.django_db
def test_a_milestone_saved_without_lenses_is_a_point_with_nothing_counted(people):
    owner = people["owner"]
    workload = factories.workload(owner, lenses=[])
    milestone_create(workload=workload, actor=owner, name="Empty")
    lens = factories.imported_lens(owner=owner)
    review = lens_review_apply(workload=workload, lens_version=lens.versions.get(), actor=owner)
    factories.answered(
        review.answers.get(question__question_id="P1Q1"), actor=owner, selected_choices=["P1Q1_no"]
    )
    trend = workload_trend(workload=workload)
    assert [m.label for m in trend.moments] == ["#1", "Now"]
    (own,) = trend.pillars
    assert (own.lens, own.pillar_id, own.high, own.medium) == (lens.alias, "pillar1", (0, 1), (0, 0))


def test_equal_lines_stay_visible_side_by_side_with_dots_and_rings():
    """Issue 17: pillars with the same counts (all zero, most often) were drawn on one another, and
    only the last one showed. Each line is now a little apart from the next, and every other
    pillar's markers are rings."""
    equal = [pillar(f"Pillar {n}", f"p{n}", high=(0, 0, 0), medium=(0, 0, 0)) for n in range(3)]
    series = series_of(parse(risk_trend_svg(points(3), equal)))[:3]  # the high panel's
    heights = [
        {float(point.split(",")[1]) for point in s.find(f"{SVG}polyline").get("points").split()}
        for s in series
    ]
    assert all(len(h) == 1 for h in heights)  # each line flat, as its counts are
    (a,), (b,), (c,) = heights
    assert a < b < c  # in the pillars' order
    assert min(b - a, c - b) >= 2  # and apart
    fills = [s.find(f"{SVG}circle").get("fill") for s in series]
    assert fills == [LINE_COLOURS[0], "#ffffff", LINE_COLOURS[2]]
    assert [s.find(f"{SVG}circle").get("stroke") for s in series] == list(LINE_COLOURS[:3])


def test_many_equal_lines_spread_no_wider_than_a_few_pixels():
    many = [pillar(f"Pillar {n}", f"p{n}", high=(1, 1), medium=(1, 1)) for n in range(12)]
    series = series_of(parse(risk_trend_svg(points(2), many)))[:12]
    ys = [float(s.find(f"{SVG}circle").get("cy")) for s in series]
    assert max(ys) - min(ys) <= 12
    assert len(set(ys)) == 12
