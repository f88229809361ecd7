"""PATCH /api/v1/workloads/{id}/lens-reviews/{alias}/: a review's notes and its pillars' notes, and
the refusals that change nothing (who may change them: tests/api/test_lens_reviews.py)."""

import pytest

from reviews.models import WorkloadEvent
from tests.api.test_lens_reviews import refused, review_state, review_url

pytestmark = pytest.mark.django_db


def test_notes_are_changed_for_the_pillars_named_and_an_empty_text_clears_one(api_for, shared_workload):
    client = api_for(shared_workload.contributor)
    url = review_url(shared_workload.workload)
    client.patch(url, {"pillar_notes": {"security": "Keys.", "reliability": "Retries."}}, format="json")

    response = client.patch(url, {"pillar_notes": {"security": ""}}, format="json")

    assert response.status_code == 200
    assert response.json()["pillar_notes"] == {"reliability": "Retries."}
    assert response.json()["notes"] == ""
    assert WorkloadEvent.objects.filter(kind=WorkloadEvent.Kind.LENS_NOTES).count() == 2


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"notes": "x" * 2085}, "notes", "invalid"),
        ({"notes": 7}, "notes", "invalid"),
        ({"pillar_notes": {"security": "x" * 2085}}, "pillar_notes.security", "invalid"),
        ({"pillar_notes": {"security": 7}}, "pillar_notes.security", "invalid"),
        ({"pillar_notes": ["security"]}, "pillar_notes", "invalid"),
        ({"colour": "red"}, "colour", "invalid"),
        ({"pillar_notes": {"nowhere": "x"}}, "pillar_notes.nowhere", "unknown_reference"),
        (
            {"pillar_notes": {"Security": "ids are case-sensitive"}},
            "pillar_notes.Security",
            "unknown_reference",
        ),
    ],
)
def test_bad_notes_are_400_naming_the_path_and_change_nothing(api_for, shared_workload, body, field, code):
    before = review_state()

    refused(
        api_for(shared_workload.owner).patch(review_url(shared_workload.workload), body, format="json"),
        field,
        code,
    )

    assert review_state() == before


def test_a_body_that_is_not_an_object_is_400(api_for, shared_workload):
    response = api_for(shared_workload.owner).patch(
        review_url(shared_workload.workload), ["notes"], format="json"
    )
    assert response.status_code == 400
