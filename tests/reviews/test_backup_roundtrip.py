"""Issue 7, Must show: the demo workload backed up and restored into an empty database compares
equal, milestones included."""

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection

from lens.models import BUILTIN_ALIAS, Lens, LensVersion
from reviews.backup import workload_restore
from reviews.demo import demo_workload
from reviews.models import Answer, Share, Workload, WorkloadEvent
from reviews.services import share_grant
from tests.factories import GroupFactory, UserFactory
from tests.reviews.backups import backup_of, custom_lens_workload, normalised, recounted, stored_counts
from tests.reviews.backups_forged import milestone_counts_agree


def _empty_the_database() -> None:
    """Flush every table, as on a new instance: `migrate`'s post_migrate loads the built-in lens
    again. Published versions and milestones are marked as their deletion marks them, or the
    triggers would refuse the flush on SQLite (conftest's retire_published_lens_versions)."""
    LensVersion.objects.filter(status=LensVersion.Status.PUBLISHED).update(status=LensVersion.Status.RETIRING)
    Workload.objects.update(is_being_deleted=True)
    call_command("flush", interactive=False, verbosity=0)


def _round_trip():
    alice = UserFactory(username="alice")
    bob = UserFactory(username="bob")
    workload = demo_workload(owner=alice)
    share_grant(workload=workload, actor=alice, user=bob, role=Share.Role.READER)
    share_grant(workload=workload, actor=alice, group=GroupFactory(name="ml-team"), role="CONTRIBUTOR")
    expected = normalised(workload)
    document = backup_of(workload, alice)

    _empty_the_database()
    assert not Workload.objects.exists()
    assert not User.objects.exists()
    assert not WorkloadEvent.objects.exists()
    assert list(Lens.objects.values_list("alias", flat=True)) == [BUILTIN_ALIAS]
    versions_before = LensVersion.objects.count()

    carol = UserFactory(username="carol")
    result = workload_restore(document=document, user=carol)
    return expected, document, result, carol, versions_before


def _check(expected, document, result, carol, versions_before):
    restored = result.workload
    assert normalised(restored) == expected
    # The documented differences: the owner, the shares (dropped and listed), one more event.
    assert restored.owner == carol
    assert restored.name == document["workload"]["name"]
    assert not restored.shares.exists()
    assert result.dropped_shares == [
        {"user": "bob", "role": "READER"},
        {"group": "ml-team", "role": "CONTRIBUTOR"},
    ]
    event = restored.events.get(kind=WorkloadEvent.Kind.RESTORED)
    assert (event.actor, event.data["document_id"]) == (carol, document["document_id"])
    # The built-in lens is matched by its content hash: no lens version is made.
    assert result.lenses_created == []
    assert LensVersion.objects.count() == versions_before
    # People are names, linked to no user of this instance (alice does not exist here).
    assert {e.actor_name for e in restored.events.exclude(kind=WorkloadEvent.Kind.RESTORED)} == {"alice"}
    assert stored_counts(restored) == recounted(restored)
    assert [m.number for m in restored.milestones.all()] == [1, 2]
    # Issue 14: a backup made by MLWA agrees with what its answers compute; what it wrote is marked.
    assert result.warnings == []
    assert milestone_counts_agree(restored)
    assert set(restored.milestones.values_list("restored_by", flat=True)) == {carol.pk}
    assert set(
        Answer.objects.filter(lens_review__workload=restored).values_list("restored_by", flat=True)
    ) == {carol.pk}


@pytest.mark.usefixtures("retire_published_lens_versions")
def test_the_demo_workload_restored_into_an_empty_database_compares_equal(transactional_db):
    _check(*_round_trip())


@pytest.mark.postgres
@pytest.mark.usefixtures("retire_published_lens_versions")
def test_the_demo_workload_restored_into_an_empty_postgresql_database_compares_equal(transactional_db):
    assert connection.vendor == "postgresql"
    _check(*_round_trip())


@pytest.mark.usefixtures("retire_published_lens_versions")
def test_a_custom_lens_restored_on_a_new_instance_is_imported_with_its_versions(transactional_db):
    alice = UserFactory(username="alice")
    workload, _lens = custom_lens_workload(alice)
    expected = normalised(workload)
    document = backup_of(workload, alice)
    _empty_the_database()
    dave = UserFactory(username="dave")

    result = workload_restore(document=document, user=dave)

    [alias] = result.lenses_created
    lens = Lens.objects.get(alias=alias)
    assert lens.owner == dave
    assert list(lens.versions.order_by("published_at").values_list("label", flat=True)) == ["1", "2"]
    assert (
        normalised(result.workload, lens_aliases={alias: document["lens_versions"][0]["lens_alias"]})
        == expected
    )
    assert stored_counts(result.workload) == recounted(result.workload)
