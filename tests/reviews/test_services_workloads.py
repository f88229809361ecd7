"""reviews.services for workloads: create, change, delete, hand over; and the refusals, each naming
its field and changing nothing."""

import pytest
from django.contrib.auth.models import Group

from lens.models import BUILTIN_ALIAS, Lens, LensVersion
from lens.selectors import latest_published_version
from reviews.models import Answer, AnswerChange, LensReview, Share, Workload, WorkloadEvent
from reviews.services import (
    InvalidInput,
    workload_create,
    workload_delete,
    workload_transfer,
    workload_update,
)
from tests.factories import answered, imported_lens, lens_document, workload

Kind = WorkloadEvent.Kind


def builtin_version() -> LensVersion:
    return latest_published_version(Lens.objects.get(alias=BUILTIN_ALIAS))


def kinds(workload: Workload) -> list[str]:
    """The workload's events, oldest first."""
    return list(WorkloadEvent.objects.filter(workload=workload).order_by("pk").values_list("kind", flat=True))


def stored(workload: Workload) -> dict:
    return Workload.objects.filter(pk=workload.pk).values().get()


# --- create -----------------------------------------------------------------------------------------


def test_a_new_workload_has_its_fields_stripped_and_its_lists_cleaned(alice):
    created = workload_create(
        owner=alice,
        fields={
            "name": "  Fraud detection ",
            "description": " Scores card payments.\n",
            "environment": "PRODUCTION",
            "review_owner": " ml-team@example.com ",
            "industry": "Finance",
            # REST v1's one list of regions, split into AWS codes and other names (issue 17).
            "regions": [" eu-west-1", "eu-west-1 ", "", "  ", "us-east-1", "On-premises DC"],
            "architectural_design_url": "https://wiki.example.com/fraud",
            "tags": ["ml", " ml ", "payments"],
            "pillar_priorities": ["security", "reliability", "security"],
        },
    )

    row = stored(created)
    assert (row["owner_id"], row["name"], row["description"]) == (
        alice.pk,
        "Fraud detection",
        "Scores card payments.",
    )
    assert (row["environment"], row["review_owner"]) == ("PRODUCTION", "ml-team@example.com")
    assert (row["aws_regions"], row["non_aws_regions"]) == (["eu-west-1", "us-east-1"], ["On-premises DC"])
    assert row["tags"] == ["ml", "payments"]
    assert row["pillar_priorities"] == ["security", "reliability"]


def test_a_new_workload_is_preproduction_with_empty_fields_by_default(alice):
    row = stored(workload_create(owner=alice, fields={"name": "Churn"}))

    assert (row["environment"], row["description"], row["tags"], row["aws_regions"]) == (
        "PREPRODUCTION",
        "",
        [],
        [],
    )
    assert (row["non_aws_regions"], row["account_ids"], row["applications"], row["industry_type"]) == (
        [],
        [],
        [],
        "",
    )


def test_a_new_workload_gets_the_builtin_lens_with_every_question_unanswered(alice):
    created = workload_create(owner=alice, fields={"name": "Fraud detection"})

    review = created.lens_reviews.get()
    version = builtin_version()
    assert (review.lens.alias, review.lens_version) == (BUILTIN_ALIAS, version)
    answers = review.answers.all()
    assert sorted(answer.question_id for answer in answers) == sorted(
        version.questions.values_list("pk", flat=True)
    )
    assert {(a.risk, a.version, len(a.selected_choices), a.updated_by_id) for a in answers} == {
        ("UNANSWERED", 0, 0, None)
    }
    assert kinds(created) == [Kind.CREATED, Kind.LENS_APPLIED]
    applied = WorkloadEvent.objects.get(workload=created, kind=Kind.LENS_APPLIED)
    assert applied.data == {"lens": BUILTIN_ALIAS, "version": version.label}
    assert applied.actor == alice


def test_a_new_workload_gets_the_lenses_it_is_created_with_and_only_those(alice):
    lens = imported_lens(owner=alice, document=lens_document(pillars=2, questions=3))

    created = workload(alice, lenses=[lens])

    review = created.lens_reviews.get()
    assert review.lens == lens
    assert review.answers.count() == 6
    assert workload(alice, "Bare", lenses=[]).lens_reviews.count() == 0


def test_a_workload_name_is_unique_per_owner_whatever_its_case(alice):
    workload(alice, "Fraud detection")
    count = Workload.objects.count()

    with pytest.raises(InvalidInput) as refused:
        workload_create(owner=alice, fields={"name": " FRAUD Detection "})

    assert list(refused.value.errors) == ["name"]
    assert Workload.objects.count() == count


def test_another_owner_may_use_the_same_name(alice, bob):
    workload(alice, "Fraud detection")

    assert workload(bob, "fraud detection").owner == bob


@pytest.mark.parametrize(
    ("fields", "path"),
    [
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "n" * 101}, "name"),
        ({"name": "Fine", "environment": "STAGING"}, "environment"),
        ({"name": "Fine", "architectural_design_url": "not a url"}, "architectural_design_url"),
        ({"name": "Fine", "architectural_design_url": "javascript:alert(1)"}, "architectural_design_url"),
        ({"name": "Fine", "description": "d" * 2085}, "description"),
        ({"name": "Fine", "notes": "n" * 2085}, "notes"),
        ({"name": "Fine", "industry": None}, "industry"),
        ({"name": "Fine", "review_owner": 42}, "review_owner"),
        ({"name": None}, "name"),
        ({"name": "Fine", "tags": [f"tag{n}" for n in range(51)]}, "tags"),
        ({"name": "Fine", "tags": "ml, payments"}, "tags"),
        ({"name": "Fine", "tags": ["ml", 3]}, "tags"),
        ({"name": "Fine", "tags": ["t" * 129]}, "tags"),
        ({"name": "Fine", "regions": [f"region-{n}" for n in range(51)]}, "regions"),
        ({"name": "Fine", "pillar_priorities": None}, "pillar_priorities"),
        ({"name": "Fine", "owner": "bob"}, "owner"),
        ({"name": "Fine", "colour": "red"}, "colour"),
    ],
    ids=lambda value: None if isinstance(value, dict) else value,
)
def test_a_workload_with_a_bad_field_is_refused_naming_it_and_nothing_is_made(alice, fields, path):
    with pytest.raises(InvalidInput) as refused:
        workload_create(owner=alice, fields=fields)

    assert list(refused.value.errors) == [path]
    assert not Workload.objects.filter(owner=alice).exists()
    assert not WorkloadEvent.objects.exists()


def test_the_longest_texts_and_lists_are_accepted(alice):
    created = workload_create(
        owner=alice,
        fields={
            "name": "n" * 100,
            "description": "d" * 2084,
            "notes": "n" * 2084,
            # 51 values, 50 once duplicates are gone
            "tags": [f"tag{n}" for n in range(50)] + ["tag0"],
            # 50 other regions of 128 characters (REST v1's limits), 100 account ids (AWS's).
            "non_aws_regions": [f"{n:02d}" + "r" * 126 for n in range(50)],
            "account_ids": [f"{n:012d}" for n in range(100)],
        },
    )

    row = stored(created)
    assert (len(row["description"]), len(row["notes"]), len(row["tags"])) == (2084, 2084, 50)
    assert (len(row["non_aws_regions"]), len(row["account_ids"])) == (50, 100)


# --- update -----------------------------------------------------------------------------------------


def test_an_update_records_each_changed_field_before_and_after(alice):
    fraud = workload(alice, "Fraud detection", tags=["ml"], industry="Finance")

    workload_update(
        workload=fraud,
        actor=alice,
        fields={"name": "Card fraud", "tags": ["ml", "cards"], "industry": " Finance ", "notes": ""},
    )

    row = stored(fraud)
    assert (row["name"], row["tags"], row["industry"]) == ("Card fraud", ["ml", "cards"], "Finance")
    event = WorkloadEvent.objects.get(workload=fraud, kind=Kind.UPDATED)
    assert event.data == {
        "changes": {
            "name": {"before": "Fraud detection", "after": "Card fraud"},
            "tags": {"before": ["ml"], "after": ["ml", "cards"]},
        }
    }
    assert (event.actor, event.workload_name, event.summary) == (alice, "Card fraud", "Changed name, tags.")


def test_an_update_that_changes_nothing_records_nothing(alice):
    fraud = workload(alice, "Fraud detection", tags=["ml"])
    events = WorkloadEvent.objects.count()

    workload_update(workload=fraud, actor=alice, fields={"name": " Fraud detection", "tags": ["ml", " ml"]})

    assert WorkloadEvent.objects.count() == events


def test_a_workload_may_be_renamed_to_its_own_name_in_another_case(alice):
    fraud = workload(alice, "Fraud detection")

    workload_update(workload=fraud, actor=alice, fields={"name": "FRAUD DETECTION"})

    assert stored(fraud)["name"] == "FRAUD DETECTION"


def test_a_workload_cannot_take_the_name_of_another_of_its_owner_and_nothing_changes(alice):
    workload(alice, "Churn")
    fraud = workload(alice, "Fraud detection")
    before, events = stored(fraud), WorkloadEvent.objects.count()

    with pytest.raises(InvalidInput) as refused:
        workload_update(workload=fraud, actor=alice, fields={"name": "churn", "industry": "Retail"})

    assert list(refused.value.errors) == ["name"]
    assert stored(fraud) == before
    assert WorkloadEvent.objects.count() == events


@pytest.mark.parametrize(
    ("fields", "path"),
    [
        ({"environment": "TEST"}, "environment"),
        ({"architectural_design_url": "ftp:/broken"}, "architectural_design_url"),
        ({"created_at": "2020-01-01"}, "created_at"),
        ({"tags": [f"tag{n}" for n in range(51)]}, "tags"),
        ({"notes": "n" * 2085}, "notes"),
    ],
    ids=["environment", "url", "not-a-field", "too-many-tags", "notes"],
)
def test_an_invalid_update_names_the_field_and_changes_nothing(alice, fields, path):
    fraud = workload(alice, "Fraud detection")
    before, events = stored(fraud), WorkloadEvent.objects.count()

    with pytest.raises(InvalidInput) as refused:
        workload_update(workload=fraud, actor=alice, fields={"industry": "Retail", **fields})

    assert list(refused.value.errors) == [path]
    assert stored(fraud) == before
    assert WorkloadEvent.objects.count() == events


# --- delete -----------------------------------------------------------------------------------------


def test_deleting_a_workload_deletes_its_reviews_answers_changes_and_shares_and_logs_it(shared_workload):
    fraud = shared_workload.workload
    answer = answered(
        shared_workload.answer("MLSEC01"), actor=shared_workload.owner, selected_choices=["MLSEC01_no"]
    )
    other = workload(shared_workload.owner, "Churn")

    workload_delete(workload=fraud, actor=shared_workload.owner)

    assert not Workload.objects.filter(pk=fraud.pk).exists()
    assert not LensReview.objects.filter(workload_id=fraud.pk).exists()
    assert not Answer.objects.filter(pk=answer.pk).exists()
    assert not AnswerChange.objects.filter(answer_id=answer.pk).exists()
    assert not Share.objects.filter(workload_id=fraud.pk).exists()
    deleted = WorkloadEvent.objects.get(kind=Kind.DELETED)
    assert (deleted.workload, deleted.workload_name, deleted.actor) == (
        None,
        "Fraud detection",
        shared_workload.owner,
    )
    # Its earlier events stay too, for the record; another workload keeps everything.
    assert WorkloadEvent.objects.filter(workload=None, workload_name="Fraud detection").count() == 5
    assert other.lens_reviews.get().answers.count() == builtin_version().questions.count()


# --- transfer -----------------------------------------------------------------------------------------


def test_handing_a_workload_over_makes_the_previous_owner_a_contributor(shared_workload, alice):
    fraud = shared_workload.workload

    workload_transfer(workload=fraud, actor=shared_workload.owner, new_owner=alice)

    assert Workload.objects.get(pk=fraud.pk).owner == alice
    assert Share.objects.get(workload=fraud, user=shared_workload.owner).role == Share.Role.CONTRIBUTOR
    event = WorkloadEvent.objects.get(workload=fraud, kind=Kind.OWNER_CHANGED)
    assert event.data == {"before": "owner", "after": "alice"}
    assert event.actor == shared_workload.owner


def test_the_new_owner_loses_the_share_they_had_and_group_shares_stay(shared_workload):
    fraud = shared_workload.workload

    workload_transfer(workload=fraud, actor=shared_workload.owner, new_owner=shared_workload.reader)

    assert not Share.objects.filter(workload=fraud, user=shared_workload.reader).exists()
    assert Share.objects.filter(workload=fraud, group__name="ml-team", role="CONTRIBUTOR").exists()


def test_handing_a_workload_back_and_forth_leaves_one_share_for_the_previous_owner_only(
    shared_workload, alice
):
    fraud = shared_workload.workload

    for giver, taker in (
        (shared_workload.owner, alice),
        (alice, shared_workload.owner),
        (shared_workload.owner, alice),
    ):
        fraud.refresh_from_db()
        workload_transfer(workload=fraud, actor=giver, new_owner=taker)

    personal = Share.objects.filter(workload=fraud, user__isnull=False).values_list("user__username", "role")
    assert sorted(personal) == [("owner", "CONTRIBUTOR"), ("reader", "READER")]
    assert WorkloadEvent.objects.filter(workload=fraud, kind=Kind.OWNER_CHANGED).count() == 3


@pytest.mark.parametrize("who", ["inactive", "owner", "group", "none"])
def test_a_workload_cannot_be_handed_to_an_inactive_user_its_owner_or_no_user(shared_workload, alice, who):
    fraud = shared_workload.workload
    alice.is_active = False
    alice.save()
    new_owner = {
        "inactive": alice,
        "owner": shared_workload.owner,
        "group": Group.objects.get(name="ml-team"),
        "none": None,
    }[who]
    shares, events = list(Share.objects.filter(workload=fraud).values()), WorkloadEvent.objects.count()

    with pytest.raises(InvalidInput) as refused:
        workload_transfer(workload=fraud, actor=shared_workload.owner, new_owner=new_owner)

    assert list(refused.value.errors) == ["owner"]
    assert Workload.objects.get(pk=fraud.pk).owner == shared_workload.owner
    assert list(Share.objects.filter(workload=fraud).values()) == shares
    assert WorkloadEvent.objects.count() == events


# A hand-over to someone with a workload of that name renames it (issue 14): test_handover_rename.py.
