"""The lens upgrade in the browser: the workload page says when a newer version is out (the owner
gets a link), the upgrade page shows the version difference and what will happen, and its POST
upgrades and goes to the comparison of the milestone saved first with the workload now. Who may do
what is in test_access_by_route.py. (The lens is tests/reviews/upgrade_lens.py's.)"""

import re
from html import unescape

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lens.services import lens_import
from reviews.models import LensReview
from reviews.services import lens_review_apply
from tests import factories
from tests.reviews.pages import snapshot, url
from tests.reviews.upgrade_lens import CARRIED, answer_all, answers_of, new_version, version_1, version_2

pytestmark = pytest.mark.django_db


@pytest.fixture
def upgradable(shared_workload):
    """The shared workload with the test lens at version 1, answered, and version 2 published."""
    owner = shared_workload.owner
    lens = factories.imported_lens(owner=owner, document=version_1())
    review = lens_review_apply(
        workload=shared_workload.workload, lens_version=lens.versions.get(), actor=owner
    )
    answer_all(review, owner)
    new_version(lens)
    return shared_workload, lens, review


def upgrade_url(workload, lens) -> str:
    return url("lens-upgrade", workload.pk, lens.alias)


def test_the_workload_page_says_a_newer_version_is_out_and_the_owner_gets_the_link(client_for, upgradable):
    shared, lens, _review = upgradable
    page = url("workload", shared.workload)

    owners = client_for(shared.owner).get(page).content.decode()
    assert "Version 2 is available" in owners
    assert f'href="{upgrade_url(shared.workload, lens)}"' in owners
    assert owners.count("is available") == 1  # not for the built-in lens, on its newest version

    readers = client_for(shared.reader).get(page).content.decode()
    assert "Version 2 is available" in readers
    assert upgrade_url(shared.workload, lens) not in readers


def test_the_page_shows_the_difference_and_what_will_happen(client_for, upgradable):
    shared, lens, _review = upgradable

    response = client_for(shared.owner).get(upgrade_url(shared.workload, lens))

    assert response.status_code == 200
    content = response.content.decode()
    assert "From version 1 to version 2 (major)" in content
    assert "“Before upgrade to 2”" in content
    assert "<code>P1Q2 / P1Q2_BP4</code>" in content
    preview = response.context["preview"]
    changes = {(c.kind, c.question_id, c.choice_id): str(c.status) for c in preview.changes}
    assert changes[("question", "P1Q5", None)] == "NEW"
    assert changes[("question", "P1Q4", None)] == "DELETED"
    assert changes[("question", "P1Q3", None)] == "UPDATED"  # its rules
    assert changes[("choice", "P1Q2", "P1Q2_BP3")] == "DELETED"
    assert [lost.question_id for lost in preview.lost_answers] == ["P1Q4", "P2Q1"]
    assert [(d.question_id, d.choice_id) for d in preview.dropped_practices] == [
        ("P1Q2", "P1Q2_BP3"),
        ("P1Q6", "P1Q6_OLD"),
    ]
    assert preview.dropped_pillar_notes == ("pillar2",)
    assert (preview.questions_added, preview.questions_removed) == (2, 2)
    assert 'name="version" value="2"' in content


RISK_CHANGES = [("P1Q2", "NONE", "MEDIUM"), ("P1Q3", "MEDIUM", "NONE"), ("P1Q6", "HIGH", "UNANSWERED")]


def test_the_page_lists_each_answered_question_whose_risk_changes_as_the_upgrade_then_does(
    client_for, upgradable
):
    shared, lens, review = upgradable
    client = client_for(shared.owner)
    risks_before = dict(review.answers.values_list("question__question_id", "risk"))

    response = client.get(upgrade_url(shared.workload, lens))

    preview = response.context["preview"]
    assert [(c.question_id, c.before, c.after) for c in preview.risk_changes] == RISK_CHANGES
    text = " ".join(re.sub(r"<[^>]+>", "", response.content.decode()).split())
    assert "P1Q2: No risk -> Medium risk How do you handle P1Q2?" in unescape(text)
    assert "P1Q3: Medium risk -> No risk" in unescape(text)
    assert "P1Q6: High risk -> Unanswered" in unescape(text)

    client.post(upgrade_url(shared.workload, lens), {"version": "2"})

    # What the page said is what the upgrade did: each listed risk became the one shown, and every
    # other question in both versions kept its risk.
    risks_after = dict(review.answers.values_list("question__question_id", "risk"))
    assert {q: risks_after[q] for q, _before, _after in RISK_CHANGES} == {q: a for q, _b, a in RISK_CHANGES}
    kept = set(risks_before) & set(risks_after) - {q for q, _b, _a in RISK_CHANGES}
    assert kept == {"P1Q1", "P2Q2"}
    assert all(risks_before[q] == risks_after[q] for q in kept)


def test_an_upgrade_that_changes_no_risk_says_so(client_for, upgradable):
    shared, lens, _review = upgradable
    renamed = version_1()
    renamed["pillars"][0]["questions"][0]["title"] = "How do you really handle P1Q1?"
    new_version(lens, label="3", source=renamed)  # the review is on 1: only a title changes

    response = client_for(shared.owner).get(upgrade_url(shared.workload, lens))

    assert response.context["preview"].risk_changes == ()
    assert "No answered question changes risk." in response.content.decode()


def test_the_lens_text_is_shown_as_text(client_for, upgradable):
    shared, lens, _review = upgradable
    hostile = version_2()
    hostile["pillars"][0]["questions"][3]["title"] = "<script>alert(1)</script>"  # P1Q5, new
    new_version(lens, label="3", source=hostile)

    content = client_for(shared.owner).get(upgrade_url(shared.workload, lens)).content.decode()

    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content


def test_confirming_upgrades_and_shows_the_comparison_with_the_milestone(client_for, upgradable):
    shared, lens, review = upgradable
    client = client_for(shared.owner)

    response = client.post(upgrade_url(shared.workload, lens), {"version": "2"})

    assert response.status_code == 302
    assert response["Location"] == url("compare", shared.workload, base=1, target="current")
    (message,) = [str(m) for m in get_messages(response.wsgi_request)]
    assert message.startswith("Upgraded Upgrade lens from version 1 to 2: 5 questions carried over, 2 added")
    assert "Milestone 1, “Before upgrade to 2”, keeps the review as it was." in message
    assert answers_of(review) == CARRIED
    assert shared.workload.milestones.get().name == "Before upgrade to 2"


def test_the_newest_version_has_nothing_to_upgrade_to(client_for, shared_workload):
    client = client_for(shared_workload.owner)
    page = url("lens-upgrade", shared_workload.workload.pk, shared_workload.review.lens.alias)
    response = client.get(page)
    assert response.status_code == 200
    assert "nothing to upgrade to" in response.content.decode()
    before = snapshot()

    refused = client.post(page, {})

    assert refused.status_code == 400
    assert "is on the newest version" in refused.content.decode()
    assert snapshot() == before


def test_a_version_published_after_the_page_was_shown_is_not_taken_unseen(client_for, upgradable):
    shared, lens, review = upgradable
    client = client_for(shared.owner)
    client.get(upgrade_url(shared.workload, lens))  # shows version 2
    new_version(lens, label="3", source=version_1())

    client.post(upgrade_url(shared.workload, lens), {"version": "2"})

    assert LensReview.objects.get(pk=review.pk).lens_version.label == "2"


def test_a_version_that_is_not_newer_is_refused_and_changes_nothing(client_for, upgradable):
    shared, lens, _review = upgradable
    client = client_for(shared.owner)
    before = snapshot()

    response = client.post(upgrade_url(shared.workload, lens), {"version": "1"})

    assert response.status_code == 400
    assert "not newer than version 1" in response.content.decode()
    assert snapshot() == before
    assert not shared.workload.milestones.exists()


def page_queries(client, owner, questions: int) -> int:
    lens = factories.imported_lens(
        owner=owner, document=factories.lens_document(f"Size {questions}", questions=questions)
    )
    workload = factories.workload(owner, f"Size {questions}", lenses=[lens])
    for answer in workload.lens_reviews.get().answers.select_related("question"):
        factories.answered(answer, actor=owner, selected_choices=[f"{answer.question.question_id}_BP1"])
    bigger = factories.lens_document(f"Size {questions}", pillars=2, questions=questions - 1)
    lens_import(source=bigger, owner=owner, alias=lens.alias)
    new_version(lens, source=bigger)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(upgrade_url(workload, lens))
    assert response.status_code == 200
    assert len(response.context["preview"].lost_answers) == 1
    return len(queries)


def test_the_page_costs_the_same_queries_for_any_lens_size(client_for, shared_workload):
    # session, user, workload + role, the review; the newest version; both versions' content (five
    # queries each: resources, choices, rules, questions, pillars); the new version's questions,
    # choices, rules and pillars as the carry-over reads them (the risk changes); the answers; the
    # milestone names.
    client = client_for(shared_workload.owner)
    assert page_queries(client, shared_workload.owner, 3) == page_queries(client, shared_workload.owner, 12)
