"""The reports' files (reviews.reports.rendering, issue 6): what a lens review PDF holds, text as
text, milestones frozen, the improvement plan as PDF and CSV, the consolidated report as PDF and
JSON, and queries that do not grow with the lens or the number of workloads."""

import csv
import io

import orjson
import pytest

from lens.models import Lens
from reviews.models import Answer, PillarRiskCounts, Report, Workload
from reviews.reports.rendering import NothingToReport, UnknownReport, render
from reviews.services import answer_update, improvement_item_update
from reviews.services.milestones import milestone_create
from tests.factories import imported_lens, lens_document, workload
from tests.reviews.reports.rendered import answer_all, flat, fresh, lens_report, pdf_text

pytestmark = pytest.mark.django_db
HOSTILE = "<script>alert(1)</script> and <b>bold</b> & co"


def _ignore(_percent):
    pass


def _answer(wl: Workload, question_id: str, *, actor, **changes) -> Answer:
    answer = Answer.objects.select_related("question").get(
        lens_review__workload=wl, question__question_id=question_id
    )
    return answer_update(answer=answer, actor=actor, changes=changes, expected_version=None)


@pytest.fixture
def lens(alice) -> Lens:
    return imported_lens(owner=alice, document=lens_document("Small lens", pillars=2, questions=2))


@pytest.fixture
def reviewed(alice, lens) -> Workload:
    """P1Q1 medium with hostile notes, P1Q2 no risk, P2Q1 high with a practice not applicable,
    P2Q2 not applicable as a whole."""
    wl = workload(alice, "Fraud detection", lenses=[lens])
    _answer(wl, "P1Q1", actor=alice, selected_choices=["P1Q1_BP1"], notes=HOSTILE)
    _answer(wl, "P1Q2", actor=alice, selected_choices=["P1Q2_BP1", "P1Q2_BP2", "P1Q2_BP3"])
    _answer(
        wl,
        "P2Q1",
        actor=alice,
        selected_choices=["P2Q1_BP3"],
        not_applicable_choices={"P2Q1_BP2": {"reason": "OUT_OF_SCOPE", "notes": "Batch only."}},
    )
    _answer(wl, "P2Q2", actor=alice, is_applicable=False, reason="BUSINESS_PRIORITIES")
    return wl


def test_a_lens_review_pdf_holds_the_workload_every_question_and_the_risk_counts(alice, lens, reviewed):
    rendered = render(fresh(lens_report(reviewed, by=alice, alias=lens.alias)), _ignore)
    assert rendered.content.startswith(b"%PDF")
    assert rendered.content_type == "application/pdf"
    assert rendered.file_name == f"fraud-detection-{lens.alias}-review.pdf"
    text = flat(pdf_text(rendered.content))
    assert "Fraud detection" in text
    for question_id in ("P1Q1", "P1Q2", "P2Q1", "P2Q2"):
        assert f"How do you handle {question_id}?" in text
    counts = dict.fromkeys(("high", "medium", "none", "not_applicable", "unanswered"), 0)
    for row in PillarRiskCounts.objects.filter(lens_review__workload=reviewed):
        for name in counts:
            counts[name] += getattr(row, name)
    assert counts == {"high": 1, "medium": 1, "none": 1, "not_applicable": 1, "unanswered": 0}
    assert (
        f"{counts['high']} high risk · {counts['medium']} medium risk · {counts['none']} no risk · "
        f"{counts['not_applicable']} not applicable · {counts['unanswered']} unanswered"
    ) in text
    assert "Current state" in text
    assert "alice" in text
    assert "Small lens" in text
    assert "Contents" in text
    assert "Page 2 of" in text


def test_the_pdf_shows_practices_missing_with_their_plans_and_marks_not_applicable(alice, lens, reviewed):
    text = flat(pdf_text(render(lens_report(reviewed, by=alice, alias=lens.alias), _ignore).content))
    assert "Practices followed • Practice P1Q1_BP1 Practices missing • Practice P1Q1_BP2" in text
    assert "How to start doing P1Q1_BP2." in text
    assert "Practice P2Q1_BP2 (Out of scope): Batch only." in text
    assert "The question does not apply: Business priorities." in text
    assert "Improvement plan" in text
    assert "Not started" in text


def test_lens_and_user_text_shows_as_text(alice):
    document = lens_document("Lens <i>of</i> tags")
    document["pillars"][0]["name"] = "Pillar <b>one</b>"
    document["pillars"][0]["questions"][0]["title"] = "Do you <script>x()</script> handle it?"
    hostile = imported_lens(owner=alice, document=document)
    wl = workload(alice, "Scoring <em>v2</em>", lenses=[hostile])
    _answer(wl, "P1Q1", actor=alice, selected_choices=["P1Q1_BP1"], notes=HOSTILE)
    text = flat(pdf_text(render(lens_report(wl, by=alice, alias=hostile.alias), _ignore).content))
    assert HOSTILE in text
    assert "Scoring <em>v2</em>" in text
    assert "Lens <i>of</i> tags" in text
    assert "Pillar <b>one</b>" in text
    assert "Do you <script>x()</script> handle it?" in text


def test_a_milestone_report_shows_the_answers_as_the_milestone_froze_them(alice, lens, reviewed):
    milestone_create(workload=reviewed, actor=alice, name="Before <launch>")
    _answer(reviewed, "P1Q1", actor=alice, notes="Changed after the milestone.")
    frozen = render(fresh(lens_report(reviewed, by=alice, alias=lens.alias, milestone=1)), _ignore)
    assert frozen.file_name == f"fraud-detection-{lens.alias}-milestone-1-review.pdf"
    text = flat(pdf_text(frozen.content))
    assert "Milestone 1: Before <launch>" in text
    assert HOSTILE in text
    assert "Changed after the milestone." not in text
    assert "Risk trend" not in text  # one milestone makes no trend (issue 17: two or more do)
    now = flat(pdf_text(render(lens_report(reviewed, by=alice, alias=lens.alias), _ignore).content))
    assert "Changed after the milestone." in now
    assert HOSTILE not in now


def test_a_report_on_a_lens_no_longer_applied_or_of_an_unknown_kind_fails(alice, reviewed):
    with pytest.raises(NothingToReport):
        render(lens_report(reviewed, by=alice, alias="not-applied"), _ignore)
    odd = Report(
        kind=Report.Kind.LENS_REVIEW, format=Report.Format.CSV, requested_by=alice, workload=reviewed
    )
    with pytest.raises(UnknownReport):
        render(odd, _ignore)


def test_progress_goes_up_to_95_as_it_renders(alice, lens, reviewed):
    seen = []
    render(lens_report(reviewed, by=alice, alias=lens.alias), seen.append)
    assert seen == sorted(seen)
    assert seen[0] <= 10
    assert seen[-1] == 95
    assert len(seen) >= 5  # loaded, each pillar, before the layout, before writing, written


def _plan_report(wl, by, file_format) -> Report:
    return Report.objects.create(
        kind=Report.Kind.IMPROVEMENT_PLAN, format=file_format, requested_by=by, workload=wl
    )


def test_the_improvement_plan_pdf_lists_the_risky_questions_with_their_tracking(alice, lens, reviewed):
    improvement_item_update(
        workload=reviewed,
        lens_alias=lens.alias,
        question_id="P2Q1",
        actor=alice,
        changes={"status": "IN_PROGRESS", "note": "Owner <b>agreed</b>."},
        expected_version=None,
    )
    rendered = render(fresh(_plan_report(reviewed, alice, Report.Format.PDF)), _ignore)
    assert rendered.content.startswith(b"%PDF")
    assert rendered.file_name == "fraud-detection-improvement-plan.pdf"
    text = flat(pdf_text(rendered.content))
    assert text.index("How do you handle P2Q1?") < text.index("How do you handle P1Q1?")  # high first
    assert "In progress" in text
    assert "Not started" in text
    assert "Owner<b>agreed</b>." in text.replace(" ", "")  # a narrow column wraps it anywhere
    assert "How do you handle P1Q2?" not in text  # no risk, not tracked
    assert "How to start doing P1Q1_BP2." in text


def test_the_improvement_plan_csv_neutralises_formulas(alice, lens, reviewed):
    improvement_item_update(
        workload=reviewed,
        lens_alias=lens.alias,
        question_id="P1Q1",
        actor=alice,
        changes={"note": '=HYPERLINK("http://evil.example")'},
        expected_version=None,
    )
    rendered = render(fresh(_plan_report(reviewed, alice, Report.Format.CSV)), _ignore)
    assert rendered.content_type.startswith("text/csv")
    assert rendered.file_name == "fraud-detection-improvement-plan.csv"
    rows = list(csv.DictReader(io.StringIO(rendered.content.decode("utf-8"))))
    assert [row["question_id"] for row in rows] == ["P2Q1", "P1Q1"]
    assert rows[1]["note"] == '\'=HYPERLINK("http://evil.example")'


def _consolidated(by, file_format, filters=None) -> Report:
    return Report.objects.create(
        kind=Report.Kind.CONSOLIDATED, format=file_format, requested_by=by, filters=filters or {}
    )


def test_the_consolidated_json_has_the_risk_summary_shape_over_what_the_reader_may_see(
    alice, bob, lens, reviewed
):
    workload(alice, "Churn model", lenses=[lens])
    workload(bob, "Bob's secret", lenses=[lens])
    rendered = render(fresh(_consolidated(alice, Report.Format.JSON)), _ignore)
    assert rendered.content_type == "application/json"
    assert rendered.file_name.endswith(".json")
    summary = orjson.loads(rendered.content)
    assert set(summary) == {"count", "truncated", "limit", "counts", "totals", "workloads"}
    assert [w["name"] for w in summary["workloads"]] == ["Churn model", "Fraud detection"]
    fraud = summary["workloads"][1]
    assert fraud["totals"]["high"] == 1
    assert fraud["totals"]["questions"] == 4
    assert [p["pillar_id"] for p in fraud["lenses"][0]["pillars"]] == ["pillar1", "pillar2"]
    narrowed = orjson.loads(render(_consolidated(alice, Report.Format.JSON, {"q": "fraud"}), _ignore).content)
    assert [w["name"] for w in narrowed["workloads"]] == ["Fraud detection"]


def test_the_consolidated_pdf_lists_the_matching_workloads_with_their_counts(alice, bob, lens, reviewed):
    workload(bob, "Bob's secret", lenses=[lens])
    rendered = render(fresh(_consolidated(alice, Report.Format.PDF, {"has_high": True})), _ignore)
    assert rendered.content.startswith(b"%PDF")
    text = flat(pdf_text(rendered.content))
    assert "Fraud detection" in text
    assert "Bob's secret" not in text
    assert "1 workload" in text
    assert "Has high risks yes" in text
    assert "Pillar 1" in text
    assert "Pillar 2" in text


# --- queries ----------------------------------------------------------------------------------------


def _reviewed_of_size(owner, *, pillars: int, questions: int, name: str) -> tuple[Workload, Lens]:
    sized = imported_lens(owner=owner, document=lens_document(name, pillars=pillars, questions=questions))
    wl = workload(owner, name, lenses=[sized])
    answer_all(wl, actor=owner)
    milestone_create(workload=wl, actor=owner, name="First")
    improvement_item_update(
        workload=wl, lens_alias=sized.alias, question_id="P1Q1", actor=owner,
        changes={"status": "IN_PROGRESS"}, expected_version=None,
    )  # fmt: skip
    return wl, sized


@pytest.mark.parametrize("size", [(1, 2), (3, 5)], ids=["small", "large"])
def test_a_lens_review_report_costs_the_same_queries_for_any_lens(alice, django_assert_num_queries, size):
    wl, sized = _reviewed_of_size(alice, pillars=size[0], questions=size[1], name=f"Sized {size}")
    for milestone, queries in ((None, 12), (1, 13)):
        report = fresh(lens_report(wl, by=alice, alias=sized.alias, milestone=milestone))
        # workload, who asked, [milestone], lens review, questions, answers, improvement plans,
        # choices, plan items, plan answers, trend milestones, trend counts, the previous
        # milestone's counts (issue 17)
        with django_assert_num_queries(queries):
            render(report, _ignore)


@pytest.mark.parametrize("size", [(1, 2), (3, 5)], ids=["small", "large"])
def test_an_improvement_plan_costs_the_same_queries_for_any_plan(alice, django_assert_num_queries, size):
    wl, _sized = _reviewed_of_size(alice, pillars=size[0], questions=size[1], name=f"Sized {size}")
    # workload, (for the PDF) who asked, lens reviews, items, answers, choices, resources
    for file_format, queries in ((Report.Format.PDF, 7), (Report.Format.CSV, 6)):
        report = fresh(_plan_report(wl, alice, file_format))
        with django_assert_num_queries(queries):
            render(report, _ignore)


@pytest.mark.parametrize("workloads", [1, 4])
def test_a_consolidated_report_costs_the_same_queries_for_any_number_of_workloads(
    alice, django_assert_num_queries, workloads
):
    for n in range(workloads):
        _reviewed_of_size(alice, pillars=2, questions=2, name=f"Workload {n}")
    report = fresh(_consolidated(alice, Report.Format.PDF))
    # who asked, the summary's workloads, lens reviews, pillars and counts, the pillar chart
    with django_assert_num_queries(6):
        render(report, _ignore)
    report = fresh(_consolidated(alice, Report.Format.JSON))
    with django_assert_num_queries(5):
        render(report, _ignore)


# --- the shared ML Lens -----------------------------------------------------------------------------


def test_the_ml_lens_report_holds_every_question_title(alice, shared_lenses):
    ml_lens = next((path for path in shared_lenses if path.name == "machine-learning-lens.json"), None)
    if ml_lens is None:
        pytest.skip("machine-learning-lens.json is not among the shared lenses")
    document = orjson.loads(ml_lens.read_bytes())
    lens = imported_lens(owner=alice, document=document)
    wl = workload(alice, "ML platform", lenses=[lens])
    answer_all(wl, actor=alice)
    text = flat(pdf_text(render(fresh(lens_report(wl, by=alice, alias=lens.alias)), _ignore).content))
    titles = [flat(q["title"]) for pillar in document["pillars"] for q in pillar["questions"]]
    assert len(titles) == 35
    assert [title for title in titles if title not in text] == []
