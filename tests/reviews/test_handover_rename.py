"""Issue 14: handing a workload over to someone who already has a workload of that name is no
oracle. It used to be refused with "bob already has a workload with this name", told to someone who
may not see bob's workloads; now it goes through, renamed "Churn model (from alice)" (then "... 2"
and on), the rename logged like any change of a field, and nothing said of the other workload."""

import pytest
from django.contrib.messages import get_messages

from reviews.models import Share, Workload, WorkloadEvent
from reviews.services import InvalidInput, workload_transfer
from tests import factories
from tests.reviews.pages import url

pytestmark = pytest.mark.django_db

Kind = WorkloadEvent.Kind
NAME_MAX = Workload._meta.get_field("name").max_length


@pytest.fixture
def bobs_churn_model(alice, bob):
    """alice's "Churn model", and bob's private workload of the same name (in another case)."""
    mine = factories.workload(alice, "Churn model", lenses=[])
    factories.workload(bob, "CHURN MODEL", lenses=[], description="Bob's secret plans.")
    return mine


def test_issue_14_a_hand_over_to_someone_with_that_name_goes_through_renamed(alice, bob, bobs_churn_model):
    handed = workload_transfer(workload=bobs_churn_model, actor=alice, new_owner=bob)

    stored = Workload.objects.get(pk=bobs_churn_model.pk)
    assert (stored.owner, stored.name) == (bob, "Churn model (from alice)")
    assert handed.name == stored.name
    assert Share.objects.get(workload=stored, user=alice).role == Share.Role.CONTRIBUTOR
    assert Workload.objects.get(owner=bob, name="CHURN MODEL").description == "Bob's secret plans."


def test_issue_14_the_rename_is_logged_like_any_change_of_a_field(alice, bob, bobs_churn_model):
    workload_transfer(workload=bobs_churn_model, actor=alice, new_owner=bob)

    renamed = WorkloadEvent.objects.get(workload=bobs_churn_model, kind=Kind.UPDATED)
    assert renamed.actor == alice
    assert renamed.summary == "Changed name."
    assert renamed.data == {
        "changes": {"name": {"before": "Churn model", "after": "Churn model (from alice)"}}
    }
    assert WorkloadEvent.objects.filter(workload=bobs_churn_model, kind=Kind.OWNER_CHANGED).count() == 1
    # The log says nothing of bob's other workload.
    for event in WorkloadEvent.objects.filter(workload=bobs_churn_model):
        assert "secret" not in str(event.data) + event.summary


def test_issue_14_a_taken_renamed_name_moves_on_to_the_next_number(alice, bob, bobs_churn_model):
    factories.workload(bob, "churn model (FROM alice)", lenses=[])
    factories.workload(bob, "Churn model (from alice) 2", lenses=[])

    workload_transfer(workload=bobs_churn_model, actor=alice, new_owner=bob)

    assert Workload.objects.get(pk=bobs_churn_model.pk).name == "Churn model (from alice) 3"


def test_a_hand_over_without_a_clash_keeps_the_name_and_logs_no_rename(alice, bob):
    mine = factories.workload(alice, "Churn model", lenses=[])
    factories.workload(bob, "Churn model v2", lenses=[])

    workload_transfer(workload=mine, actor=alice, new_owner=bob)

    assert Workload.objects.get(pk=mine.pk).name == "Churn model"
    assert not WorkloadEvent.objects.filter(workload=mine, kind=Kind.UPDATED).exists()


def test_issue_14_a_renamed_long_name_stays_within_the_field_length(alice, bob):
    long_name = "x" * NAME_MAX
    mine = factories.workload(alice, long_name, lenses=[])
    factories.workload(bob, long_name, lenses=[])
    factories.workload(bob, "x" * (NAME_MAX - len(" (from alice)")) + " (from alice)", lenses=[])

    workload_transfer(workload=mine, actor=alice, new_owner=bob)

    name = Workload.objects.get(pk=mine.pk).name
    assert name == "x" * (NAME_MAX - len(" (from alice) 2")) + " (from alice) 2"
    assert len(name) == NAME_MAX


def test_handover_names_stay_distinct_and_within_the_length_even_for_a_very_long_username():
    from reviews.services.workloads import handover_names  # new in issue 14: the others fail without it

    names = handover_names("Churn model", "u" * 150)
    tried = [next(names) for _ in range(12)]
    assert tried[0] == "Churn model"
    assert len(set(tried)) == len(tried)
    assert all(len(name) <= NAME_MAX for name in tried)
    assert tried[11].endswith(" 11")


# --- in the browser --------------------------------------------------------------------------------------


def test_issue_14_the_hand_over_page_goes_through_and_says_nothing_of_the_other_workload(
    client_for, alice, bob, bobs_churn_model
):
    client = client_for(alice)
    response = client.post(url("workload-transfer", bobs_churn_model), {"username": "bob"})

    assert response.status_code == 302
    said = " ".join(str(message) for message in get_messages(response.wsgi_request))
    assert said == "bob now owns “Churn model (from alice)”; you stay on as a contributor."
    assert "already" not in said
    page = client.get(response["Location"]).content.decode()
    assert "already has a workload" not in page
    assert "secret" not in page
    assert Workload.objects.get(pk=bobs_churn_model.pk).owner == bob


def test_a_name_taken_between_the_check_and_the_save_moves_on_to_the_next(
    alice, bob, bobs_churn_model, monkeypatch
):
    """A workload of the new owner's created under the very name tried, just after it was checked (a
    concurrent write): the database's constraint refuses the save, and the next name is taken."""
    from reviews.services import workloads as service

    real = service._name_taken

    def racing(workload, name):
        taken = real(workload, name)
        if name == "Churn model (from alice)":
            Workload.objects.create(owner=bob, name=name)
        return taken

    monkeypatch.setattr(service, "_name_taken", racing)

    workload_transfer(workload=bobs_churn_model, actor=alice, new_owner=bob)

    assert Workload.objects.get(pk=bobs_churn_model.pk).name == "Churn model (from alice) 2"
    assert Workload.objects.filter(owner=bob).count() == 3


def test_when_every_name_is_taken_the_hand_over_asks_for_a_rename_and_changes_nothing(
    alice, bob, bobs_churn_model, monkeypatch
):
    from reviews.services import workloads as service

    monkeypatch.setattr(service, "HANDOVER_NAMES_MAX", 3)
    factories.workload(bob, "Churn model (from alice)", lenses=[])
    factories.workload(bob, "Churn model (from alice) 2", lenses=[])
    events = WorkloadEvent.objects.count()

    with pytest.raises(InvalidInput) as refused:
        workload_transfer(workload=bobs_churn_model, actor=alice, new_owner=bob)

    assert refused.value.errors == {"owner": ["Rename the workload before handing it over."]}
    stored = Workload.objects.get(pk=bobs_churn_model.pk)
    assert (stored.owner, stored.name) == (alice, "Churn model")
    assert WorkloadEvent.objects.count() == events
