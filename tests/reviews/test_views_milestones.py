"""The milestone pages: the list where the owner saves one, a milestone's overview, its read-only
questionnaire (the frozen answers, whatever happened to the live ones since) and the workload page's
panel. Text shown as text, and queries that do not grow with milestones, lenses or answers:
test_views_milestones_text_and_queries.py."""

import re

import pytest
from django.contrib.messages import get_messages

from lens.models import BUILTIN_ALIAS
from reviews.models import MILESTONE_NAME_MAX, Milestone, WorkloadEvent
from reviews.selectors.milestones import PANEL_MILESTONES
from reviews.services import lens_review_notes, workload_create, workload_update
from reviews.services.lens_reviews import lens_review_remove
from reviews.services.milestones import milestone_create
from tests.reviews.milestone_pages import milestone, question_url, save
from tests.reviews.pages import url, without_shortcuts_help
from tests.reviews.stored import database_state

pytestmark = pytest.mark.django_db

SEERS = ("owner", "contributor", "reader", "auditor")


def main_of(response) -> str:
    """The page's <main>, without the header's logout form."""
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


# The list, and saving


@pytest.mark.parametrize("role", SEERS)
def test_everyone_who_may_see_the_workload_sees_its_milestones_newest_first(
    client_for, shared_workload, role
):
    save(shared_workload, "MLOPS01", selected_choices=["MLOPS01_no"])  # high
    milestone(shared_workload, "First")
    save(shared_workload, "MLOPS02", selected_choices=["MLOPS02_BP01"])  # medium
    milestone(shared_workload, "Second")
    response = client_for(getattr(shared_workload, role)).get(url("milestones", shared_workload.workload))
    assert response.status_code == 200
    assert [m.name for m in response.context["milestones"]] == ["Second", "First"]
    html = main_of(response)
    assert html.index("Second") < html.index("First")
    assert url("milestone", shared_workload.workload, 2) in html
    assert f"{url('compare', shared_workload.workload)}?base=1&amp;target=current" in html
    assert re.search(r'risk-high">1</span>.*?risk-medium">1</span>', html, re.S)  # milestone 2's totals
    assert ">owner</td>" in html
    # Only the owner gets the form.
    assert ('name="name"' in html) == (role == "owner")


def test_an_outsider_gets_a_404_on_every_milestone_page(client_for, shared_workload):
    milestone(shared_workload)
    client = client_for(shared_workload.outsider)
    workload = shared_workload.workload
    for page in (
        url("milestones", workload),
        url("milestone", workload, 1),
        url("milestone-review", workload, 1, BUILTIN_ALIAS),
        question_url(shared_workload, 1),
    ):
        assert client.get(page).status_code == 404
    before = database_state()
    assert client.post(url("milestones", workload), {"name": "Mine"}).status_code == 404
    assert database_state() == before


def test_the_owner_saves_a_milestone_and_lands_on_it(client_for, shared_workload):
    client = client_for(shared_workload.owner)
    response = client.post(url("milestones", shared_workload.workload), {"name": "  Before launch "})
    assert response.status_code == 302
    assert response["Location"] == url("milestone", shared_workload.workload, 1)
    saved = Milestone.objects.get(workload=shared_workload.workload)
    assert (saved.number, saved.name, saved.created_by) == (1, "Before launch", shared_workload.owner)
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Saved milestone 1, “Before launch”."]
    assert WorkloadEvent.objects.filter(kind=WorkloadEvent.Kind.MILESTONE_SAVED).count() == 1
    second = client.post(url("milestones", shared_workload.workload), {"name": "After launch"})
    assert second["Location"] == url("milestone", shared_workload.workload, 2)


@pytest.mark.parametrize("role", ["contributor", "reader", "auditor"])
def test_only_the_owner_may_save_a_milestone(client_for, shared_workload, role):
    before = database_state()
    response = client_for(getattr(shared_workload, role)).post(
        url("milestones", shared_workload.workload), {"name": "Mine"}
    )
    assert response.status_code == 403
    assert database_state() == before


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("before LAUNCH", "This workload has a milestone with this name already."),
        ("   ", "Give the milestone a name."),
        ("x" * (MILESTONE_NAME_MAX + 1), f"at most {MILESTONE_NAME_MAX} characters"),
    ],
    ids=["taken", "blank", "too-long"],
)
def test_a_refused_name_is_a_400_that_names_the_field_keeps_the_input_and_changes_nothing(
    client_for, shared_workload, name, message
):
    milestone(shared_workload, "Before launch")
    before = database_state()
    response = client_for(shared_workload.owner).post(
        url("milestones", shared_workload.workload), {"name": name}
    )
    assert response.status_code == 400
    assert database_state() == before
    form = response.context["form"]
    assert list(form.errors) == ["name"]
    assert message in form.errors["name"][0]
    html = main_of(response)
    assert 'class="field field-invalid"' in html
    if name.strip():
        assert f'value="{name}"' in html  # what they typed, to correct it
    assert [m.name for m in response.context["milestones"]] == ["Before launch"]


# A milestone's overview


def test_the_overview_shows_the_workload_and_its_lenses_as_they_were(client_for, shared_workload):
    workload = shared_workload.workload
    workload_update(
        workload=workload,
        actor=shared_workload.owner,
        fields={
            "industry": "Banking",
            "regions": ["eu-west-1"],
            "architectural_design_url": "https://x.example/d",
        },
    )
    save(shared_workload, "MLOPS01", selected_choices=["MLOPS01_no"])  # high
    lens_review_notes(
        lens_review=shared_workload.review,
        actor=shared_workload.owner,
        notes="Lens notes then",
        pillar_notes={"operationalExcellence": "Pillar notes then"},
    )
    milestone(shared_workload)
    workload_update(
        workload=workload, actor=shared_workload.owner, fields={"name": "Renamed", "industry": "Retail"}
    )
    response = client_for(shared_workload.reader).get(url("milestone", workload, 1))
    assert response.status_code == 200
    html = main_of(response)
    assert "Milestone 1: Before launch</strong>, saved" in html
    assert "by owner" in html
    assert "read only" in html
    assert f'href="{url("workload", workload)}">Back to the current workload' in html
    assert "Fraud detection <span" in html  # the name it had
    assert "Banking" in html
    assert "Retail" not in html
    assert 'href="https://x.example/d"' in html
    assert url("milestone-review", workload, 1, BUILTIN_ALIAS) in html
    lens = response.context["lenses"][0]
    assert (lens.counts.high, lens.counts.answered, lens.counts.total) == (1, 1, 14)
    assert f"version {shared_workload.review.lens_version.label}" in html
    assert 'id="lens-ml-lens-2021"' in html
    assert "Lens notes then" in html
    assert "Pillar notes then" in html
    for control in ("<form", "<input", "<textarea", "<select", "<button"):
        assert control not in html


def test_a_lens_removed_since_stays_in_the_milestone(client_for, shared_workload):
    save(shared_workload, "MLOPS01", selected_choices=["MLOPS01_BP01"], notes="Kept")
    milestone(shared_workload)
    lens_review_remove(lens_review=shared_workload.review, actor=shared_workload.owner)
    client = client_for(shared_workload.contributor)
    assert BUILTIN_ALIAS in main_of(client.get(url("milestone", shared_workload.workload, 1)))
    page = client.get(question_url(shared_workload, 1))
    assert page.status_code == 200
    assert "Kept" in main_of(page)


def test_an_unknown_milestone_lens_or_question_is_a_404(client_for, shared_workload):
    milestone(shared_workload)
    client = client_for(shared_workload.owner)
    workload = shared_workload.workload
    assert client.get(url("milestone", workload, 2)).status_code == 404
    assert client.get(url("milestone-review", workload, 2, BUILTIN_ALIAS)).status_code == 404
    assert client.get(url("milestone-review", workload, 1, "no-such-lens")).status_code == 404
    assert client.get(question_url(shared_workload, 1, "NOPE01")).status_code == 404
    # Another workload's milestone 1 is not this one's.
    other = workload_create(owner=shared_workload.owner, fields={"name": "Other"})
    milestone_create(workload=other, actor=shared_workload.owner, name="Theirs")
    assert client.get(url("milestone", workload, 1)).context["milestone"].name == "Before launch"


# The milestone's questionnaire


def test_the_milestone_keeps_the_answers_it_froze_while_the_live_ones_change(client_for, shared_workload):
    save(
        shared_workload, "MLOPS01", selected_choices=["MLOPS01_BP01", "MLOPS01_BP02"], notes="Then"
    )  # medium
    milestone(shared_workload)
    save(shared_workload, "MLOPS01", selected_choices=["MLOPS01_no"], notes="Now")  # high
    client = client_for(shared_workload.owner)

    frozen = client.get(question_url(shared_workload, 1))
    assert frozen.status_code == 200
    html = main_of(frozen)
    assert frozen.context["answer"].risk == "MEDIUM"
    assert re.search(r'id="question-risk"[^>]*>.*?risk-medium', html, re.S)
    selected = re.findall(r'state-selected">Selected</span>\s*<span class="practice-title">([^<]*)', html)
    assert len(selected) == 2
    assert "Then" in html
    assert "Now" not in html
    question_pk = frozen.context["answer"].question_id
    assert f'id="nav-risk-{question_pk}" class="risk-dot risk-medium"' in html
    assert "1 of 14 questions answered" in html

    live = main_of(client.get(url("question", shared_workload.workload, BUILTIN_ALIAS, "MLOPS01")))
    assert f'id="nav-risk-{question_pk}" class="risk-dot risk-high"' in live
    assert "Now" in live


@pytest.mark.parametrize("role", SEERS)
def test_the_milestone_questionnaire_has_a_banner_and_no_control_polling_or_history(
    client_for, shared_workload, role
):
    save(shared_workload, "MLOPS01", selected_choices=["MLOPS01_BP01"])
    milestone(shared_workload)
    response = client_for(getattr(shared_workload, role)).get(question_url(shared_workload, 1))
    assert response.status_code == 200
    html = main_of(response)
    assert "Milestone 1: Before launch</strong>" in html
    assert "read only" in html
    assert f'href="{url("workload", shared_workload.workload)}">Back to the current workload' in html
    html = without_shortcuts_help(html)  # for everyone, and no answer control
    for control in ("<form", "<input", "<select", "<textarea", "<button", "hx-"):
        assert control not in html
    assert "/history/" not in html
    assert url("changes", shared_workload.workload, BUILTIN_ALIAS) not in response.content.decode()


def test_the_milestone_questionnaires_links_stay_in_the_milestone(client_for, shared_workload):
    save(shared_workload, "MLOPS03", selected_choices=["MLOPS03_BP01"])
    milestone(shared_workload)
    response = client_for(shared_workload.reader).get(
        question_url(shared_workload, 1, "MLOPS02") + "?filter=unanswered"
    )
    html = main_of(response)
    inside = url("milestone-review", shared_workload.workload, 1, BUILTIN_ALIAS) + "questions/"
    assert re.search(rf'id="link-previous"[^>]*href="{inside}MLOPS01/\?filter=unanswered"', html)
    assert re.search(rf'id="link-next"[^>]*href="{inside}MLSEC01/\?filter=unanswered"', html)
    assert f'href="{inside}MLOPS02/?filter=high"' in html  # the filters
    assert f'href="{url("milestone", shared_workload.workload, 1)}#lens-{BUILTIN_ALIAS}">Lens notes' in html
    live = url("review", shared_workload.workload, BUILTIN_ALIAS)
    assert live not in html
    assert [q.question_id for q in response.context["outline"].questions if q.shown][:3] == [
        "MLOPS01",
        "MLOPS02",
        "MLSEC01",
    ]


# The workload page's panel


def test_the_workload_page_shows_the_newest_milestones_and_the_owner_the_form(client_for, shared_workload):
    workload = shared_workload.workload
    reader = client_for(shared_workload.reader).get(url("workload", workload))
    assert "No milestone is saved yet" in main_of(reader)
    for n in range(PANEL_MILESTONES + 2):
        milestone(shared_workload, f"M{n}")
    reader = client_for(shared_workload.reader).get(url("workload", workload))
    assert [m.number for m in reader.context["milestones"]] == [7, 6, 5, 4, 3]
    assert reader.context["milestone_count"] == PANEL_MILESTONES + 2
    html = main_of(reader)
    assert f'href="{url("milestones", workload)}">All milestones (7)' in html
    assert f'action="{url("milestones", workload)}"' not in html
    owner = main_of(client_for(shared_workload.owner).get(url("workload", workload)))
    assert f'action="{url("milestones", workload)}"' in owner
    assert 'name="name"' in owner
