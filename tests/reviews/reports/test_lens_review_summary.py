"""The front of the lens review PDF (issue 17), read back with pdftotext: a cover with the risk
figures, an executive summary (counts per pillar, the top high risks with their first improvement
step and tracked owner, the change since the previous milestone, the trend from two milestones on),
the workload's properties, the unanswered questions listed once, and plan columns that never
overlap (the Due date ran into the Note)."""

import re
import subprocess
from datetime import date

import pytest

from reviews.models import Answer, Workload
from reviews.reports.rendering import render
from reviews.services import answer_update, improvement_item_update
from reviews.services.milestones import milestone_create
from tests.factories import imported_lens, lens_document, workload
from tests.reviews.reports.rendered import NO_PDFTOTEXT, PDFTOTEXT, flat, fresh, lens_report, pdf_text

pytestmark = pytest.mark.django_db
LONG_NOTE = "Waiting for the platform team to agree on the rollout window and the budget for it."


def _ignore(_percent):
    pass


def _answer(wl: Workload, question_id: str, actor, selected: list[str]) -> None:
    answer = Answer.objects.select_related("question").get(
        lens_review__workload=wl, question__question_id=question_id
    )
    answer_update(answer=answer, actor=actor, changes={"selected_choices": selected}, expected_version=None)


@pytest.fixture
def lens(alice):
    return imported_lens(owner=alice, document=lens_document("Small lens", pillars=3, questions=2))


@pytest.fixture
def reviewed(alice, lens) -> Workload:
    """Milestone 1: P1Q1 high. Milestone 2: P2Q1 high too. Now: P1Q2 medium as well; P2Q2 and all
    of pillar 3 unanswered. P1Q1 tracked by alice, due 2031-03-01, with a long note."""
    wl = workload(
        alice,
        "Fraud detection",
        lenses=[lens],
        environment="PRODUCTION",
        review_owner="Platform team",
        industry="Financial services",
        industry_type="Financial Services",
        regions=["eu-west-1", "On premises"],
        account_ids=["123456789012"],
        architectural_design_url="https://example.com/design",
        pillar_priorities=["pillar2", "pillar1"],
    )
    _answer(wl, "P1Q1", alice, ["P1Q1_no"])
    milestone_create(workload=wl, actor=alice, name="First look")
    _answer(wl, "P2Q1", alice, ["P2Q1_no"])
    milestone_create(workload=wl, actor=alice, name="Before launch")
    _answer(wl, "P1Q2", alice, ["P1Q2_BP1"])
    improvement_item_update(
        workload=wl,
        lens_alias=lens.alias,
        question_id="P1Q1",
        actor=alice,
        changes={"status": "IN_PROGRESS", "owner": alice.pk, "due_date": date(2031, 3, 1), "note": LONG_NOTE},
        expected_version=None,
    )
    return wl


@pytest.fixture
def pdf(alice, lens, reviewed) -> bytes:
    return render(fresh(lens_report(reviewed, by=alice, alias=lens.alias)), lambda _percent: None).content


def test_the_cover_gives_the_risk_figures(pdf):
    cover = flat(pdf_text(pdf).split("\f")[0])
    assert "AWS Well-Architected · lens review Fraud detection Small lens" in cover
    assert "2 high risks 1 medium risk 3 of 6 questions answered" in cover


def test_the_executive_summary_names_the_top_high_risks_with_their_first_step_and_owner(pdf):
    text = flat(pdf_text(pdf))
    summary = text[text.index("Executive summary", text.index("Contents") + 20) :]
    # Counts per pillar: high, medium, no risk, not applicable, unanswered.
    assert "Pillar 1 1 1 0 0 0 Pillar 2 1 0 0 0 1 Pillar 3 0 0 0 0 2" in summary
    top = summary[summary.index("Top high risks") : summary.index("Change since")]
    # P1Q1 first (plan order), its first missing practice, its owner, state and due date.
    assert re.search(
        r"P1Q1 How do you handle P1Q1\?.*Practice P1Q1_BP1.*alice.*In progress.*2031-03-01", top
    ), top
    assert re.search(r"P2Q1 How do you handle P2Q1\?.*Practice P2Q1_BP1.*nobody.*Not started", top), top


def test_the_executive_summary_says_the_change_since_the_previous_milestone_and_shows_the_trend(pdf):
    text = flat(pdf_text(pdf))
    assert "Change since milestone 2: Before launch" in text
    assert "High risks 2 2 no change" in text
    assert "Medium risks 0 1 +1" in text
    assert "Questions answered 2 3 +1" in text
    assert "Risk trend of the workload" in text  # two milestones: the trend is drawn


def test_a_milestone_report_compares_with_the_milestone_before_it(alice, lens, reviewed):
    text = flat(
        pdf_text(
            render(fresh(lens_report(reviewed, by=alice, alias=lens.alias, milestone=2)), _ignore).content
        )
    )
    assert "Change since milestone 1: First look" in text
    assert "High risks 1 2 +1" in text
    first = flat(
        pdf_text(
            render(fresh(lens_report(reviewed, by=alice, alias=lens.alias, milestone=1)), _ignore).content
        )
    )
    assert "Change since" not in first  # nothing before milestone 1


def test_the_pdf_holds_the_workload_properties(pdf):
    text = flat(pdf_text(pdf))
    properties = text[text.rindex("Workload properties") :]  # the section, not the contents' line
    assert "Environment Production" in properties
    assert "Review owner Platform team" in properties
    assert "Industry Financial services" in properties
    assert "Industry type Financial Services" in properties
    assert "AWS regions eu-west-1" in properties
    assert "Other regions On premises" in properties
    assert "AWS account ids 123456789012" in properties
    assert "Architectural design https://example.com/design" in properties
    assert "Pillar priorities Pillar 2, Pillar 1" in properties  # names, not ids


def test_unanswered_questions_are_listed_once_and_an_unanswered_pillar_gets_no_section(pdf):
    pages = pdf_text(pdf).split("\f")
    text = flat(" ".join(pages))
    for question_id in ("P2Q2", "P3Q1", "P3Q2"):
        assert text.count(f"How do you handle {question_id}?") == 1, question_id
    assert "Unanswered questions" in text
    assert "1 question of this pillar is not answered yet" in text  # pillar 2, pointing to the list
    # No page is given to pillar 3: its name is only in the summary tables and the unanswered list.
    assert not any(flat(page).startswith("Pillar 3") for page in pages)


def test_the_plans_due_date_and_note_never_overlap(pdf):
    """pdftotext -bbox gives each word's box: the due date ends left of where its note starts."""
    if PDFTOTEXT is None:
        pytest.skip(NO_PDFTOTEXT)
    boxes = subprocess.run(  # noqa: S603 - pdftotext itself, the PDF on its input
        [PDFTOTEXT, "-bbox", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    words = re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>', boxes
    )
    dates = [(float(x0), float(y0), float(x1)) for x0, y0, x1, word in words if word == "2031-03-01"]
    notes = [(float(x0), float(y0)) for x0, y0, _x1, word in words if word == "Waiting"]
    assert dates
    assert notes
    for date_x0, date_y, date_x1 in dates:
        same_row = [x0 for x0, y0 in notes if abs(y0 - date_y) < 2]
        for note_x0 in same_row:
            assert date_x1 < note_x0, (date_x0, date_x1, note_x0)
    assert any(abs(y0 - date_y) < 2 for _x0, date_y, _x1 in dates for _nx, y0 in notes)
