"""The event log speaks in labels (issue 16): an event's kind, fields and choices as the forms name
them, while the API keeps the stored names and values."""

import pytest

from reviews.models import WorkloadEvent
from reviews.views.workloads import edit_form_seen
from tests.reviews.pages import url

pytestmark = pytest.mark.django_db


@pytest.fixture
def edited(client_for, shared_workload):
    workload = shared_workload.workload
    response = client_for(shared_workload.owner).post(
        url("workload-edit", workload),
        {
            "name": workload.name,
            "environment": "PRODUCTION",
            # Ranks beside the built-in lens's pillars (reviews.forms.properties).
            "pillar_priorities:security": "1",
            "pillar_priorities:reliability": "2",
            "seen": edit_form_seen(workload),
        },
    )
    assert response.status_code == 302
    return workload


def test_the_event_log_names_fields_and_choices_by_their_labels(client_for, shared_workload, edited):
    page = client_for(shared_workload.reader).get(url("workload-events", edited)).content.decode()
    assert "Changed Environment, Pillar priorities." in page
    assert "<td>Environment</td>" in page
    assert "<td>Pillar priorities</td>" in page
    assert '<td class="before">Pre-production</td><td class="after">Production</td>' in page
    assert "PREPRODUCTION" not in page
    assert "pillar priorities" not in page  # the stored summary's field names
    assert "Fields changed" in page  # the kind's label
    assert "Lens applied" in page
    assert "LENS_APPLIED" not in page


def test_the_workload_page_shows_its_latest_events_in_labels_too(client_for, shared_workload, edited):
    page = client_for(shared_workload.owner).get(url("workload", edited)).content.decode()
    assert "<td>Environment</td>" in page


def test_the_api_keeps_the_events_names_and_values(client_for, shared_workload, edited):
    event = edited.events.filter(kind=WorkloadEvent.Kind.UPDATED).get()
    body = client_for(shared_workload.owner).get(f"/api/v1/workloads/{edited.pk}/events/").json()
    shown = next(item for item in body["results"] if item["id"] == event.pk)
    assert shown["kind"] == "UPDATED"
    assert shown["summary"] == "Changed environment, pillar priorities."
    assert shown["data"]["changes"]["environment"] == {"before": "PREPRODUCTION", "after": "PRODUCTION"}
