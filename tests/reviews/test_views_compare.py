"""The comparison page (reviews.views.compare): two states of a workload side by side. What the
comparison says: test_compare.py."""

import pytest

from reviews.services import lens_review_apply
from reviews.services.milestones import milestone_create
from tests import factories
from tests.reviews.comparing import answer_all, changed_since_milestone, grow, queries_of, save
from tests.reviews.pages import url

pytestmark = pytest.mark.django_db


@pytest.fixture
def changed(shared_workload):
    """The shared workload answered as BEFORE, saved as milestone 1, then changed as AFTER."""
    return changed_since_milestone(shared_workload)


def page(client, shared, role="reader", **query):
    client.force_login(getattr(shared, role))
    return client.get(url("compare", shared.workload, **query))


def test_the_page_shows_pillars_and_questions_side_by_side(client, changed):
    shared, _first = changed
    response = page(client, shared)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Milestone 1 · Before" in html
    assert "Now" in html
    assert 'class="badge compare-status compare-improved">Improved' in html
    assert 'class="badge compare-status compare-regressed">Regressed' in html
    assert '<span class="change change-better">-1</span>' in html  # security's high risks
    assert "<ins>Data scientists, software engi" in html
    assert "Notes changed" in html
    assert "Not-applicable marks changed" in html
    assert 'data-question="MLOPS03"' in html  # unchanged, shown without the filter
    assert response.context["changed_count"] == 7
    assert '<option value="1" selected>Milestone 1 · Before</option>' in html
    assert '<option value="current" selected>Now (as it is)</option>' in html


def test_only_what_changed_hides_the_rest(client, changed):
    shared, _first = changed
    response = page(client, shared, changed="1")
    html = response.content.decode()
    assert 'data-question="MLOPS03"' not in html
    assert 'data-question="MLOPS01"' in html
    assert 'name="changed" value="1" checked' in html


def test_user_text_is_shown_as_text(client, shared_workload):
    script = "<script>alert(1)</script>"
    answer_all(shared_workload, {"MLOPS01": {"notes": "Before " + script}})
    milestone_create(workload=shared_workload.workload, actor=shared_workload.owner, name=script)
    answer_all(shared_workload, {"MLOPS01": {"notes": "After " + script}})
    html = page(client, shared_workload).content.decode()
    assert script not in html
    assert "Before &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Milestone 1 · &lt;script&gt;" in html


def test_hostile_lens_text_is_shown_as_text(client, shared_workload):
    script = "<script>alert(1)</script>"
    document = factories.lens_document("Hostile")
    document["pillars"][0]["name"] = f"Pillar {script}"
    document["pillars"][0]["questions"][0]["title"] = f"Question {script}"
    document["pillars"][0]["questions"][0]["choices"][0]["title"] = f"Practice {script}"
    owner = shared_workload.owner
    lens = factories.imported_lens(owner=owner, document=document)
    review = lens_review_apply(
        workload=shared_workload.workload, lens_version=lens.versions.get(), actor=owner
    )
    save(shared_workload, "Before")
    factories.answered(
        review.answers.get(question__question_id="P1Q1"), actor=owner, selected_choices=["P1Q1_BP1"]
    )
    html = page(client, shared_workload).content.decode()
    assert script not in html
    for text in ("Pillar", "Question", "Practice"):
        assert f"{text} &lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize(
    ("query", "field"), [({"base": "first"}, "Before"), ({"base": "1", "target": "later"}, "After")]
)
def test_a_bad_state_is_a_400_naming_the_field(client, changed, query, field):
    shared, _first = changed
    response = page(client, shared, **query)
    assert response.status_code == 400
    html = response.content.decode()
    assert f"{field}: A milestone number" in html
    assert 'aria-invalid="true"' in html


def test_a_milestone_that_does_not_exist_is_a_404(client, changed):
    shared, _first = changed
    assert page(client, shared, base="7").status_code == 404


def test_without_milestones_the_page_says_how_to_start(client, shared_workload):
    response = page(client, shared_workload)
    assert response.status_code == 200
    assert "No milestone yet" in response.content.decode()


def test_an_outsider_gets_a_404(client, changed):
    shared, _first = changed
    assert page(client, shared, role="outsider").status_code == 404


def test_the_page_costs_the_same_queries_however_large(client, changed):
    shared, _first = changed
    page(client, shared)  # logs in

    def load():
        assert client.get(url("compare", shared.workload, base=1)).status_code == 200

    small = queries_of(load)
    grow(shared, milestones=5)
    answer_all(shared, {"MLOPS03": {"selected_choices": ["MLOPS03_no"]}})
    large = queries_of(load)
    # session, user, workload and role, milestones; the comparison's five
    assert small == large == 9
