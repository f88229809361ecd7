"""A milestone cannot be changed, nor deleted apart from its workload, through any service, page or
API call (issue 5, "Must show"): with a milestone saved, every write there is runs, then the frozen
rows of all four tables are read back byte for byte as the database holds them. Below the code, the
database refuses any change itself (migration reviews 0005; more cases in test_services_milestones.py).
"""

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from lens.models import BUILTIN_ALIAS, LensVersion
from lens.services import LensInUse, lens_delete
from reviews.models import (
    Answer,
    Milestone,
    MilestoneAnswer,
    MilestoneLensReview,
    MilestonePillarRiskCounts,
    Share,
)
from reviews.services import (
    answer_keep_theirs,
    answer_update,
    lens_review_apply,
    lens_review_notes,
    lens_review_remove,
    share_change_role,
    share_grant,
    share_revoke,
    workload_delete,
    workload_transfer,
    workload_update,
)
from reviews.services.milestones import milestone_create
from reviews.views.lens_notes import notes_form_seen
from reviews.views.workloads import edit_form_seen
from tests import factories
from tests.api.conftest import token_client
from tests.reviews.answering import HTMX, form
from tests.reviews.pages import url

pytestmark = pytest.mark.django_db

FROZEN_MODELS = (Milestone, MilestoneLensReview, MilestoneAnswer, MilestonePillarRiskCounts)


def frozen_rows(milestone: Milestone) -> dict[str, list[dict]]:
    """Every row of the milestone in the four frozen tables, every column, as the database returns
    it (no model field conversion): what "byte for byte unchanged" compares."""
    rows = {}
    with connection.cursor() as cursor:
        for model in FROZEN_MODELS:
            table = model._meta.db_table
            column = "id" if model is Milestone else "milestone_id"
            cursor.execute(f"SELECT * FROM {table} WHERE {column} = %s ORDER BY id", [milestone.pk])  # noqa: S608
            names = [column[0] for column in cursor.description]
            rows[table] = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    return rows


@pytest.fixture
def team_lens(shared_workload):
    """The owner's own lens, shared with nobody, applied to the workload beside the built-in one."""
    lens = factories.imported_lens(
        owner=shared_workload.owner, document=factories.lens_document("Team lens", pillars=2, questions=2)
    )
    lens_review_apply(
        workload=shared_workload.workload, lens_version=lens.versions.get(), actor=shared_workload.owner
    )
    return lens


def builtin_answer(shared, question_id: str) -> Answer:
    return Answer.objects.select_related("question").get(
        lens_review__workload=shared.workload,
        lens_review__lens__alias=BUILTIN_ALIAS,
        question__question_id=question_id,
    )


@pytest.fixture
def frozen(shared_workload, team_lens):
    """Milestone 1 of a workload with two lenses, answered every way an answer can be (selected,
    not applicable with a reason, a question that does not apply, notes), with lens and pillar notes,
    by the owner and the contributor."""
    owner, contributor = shared_workload.owner, shared_workload.contributor
    answer_update(
        answer=builtin_answer(shared_workload, "MLSEC01"),
        actor=owner,
        changes={
            "selected_choices": ["MLSEC01_BP01"],
            "not_applicable_choices": {"MLSEC01_BP02": {"reason": "OUT_OF_SCOPE", "notes": "No keys."}},
            "notes": "Half done.",
        },
        expected_version=0,
    )
    answer_update(
        answer=builtin_answer(shared_workload, "MLOPS01"),
        actor=contributor,
        changes={"is_applicable": False, "reason": "BUSINESS_PRIORITIES", "notes": "Batch only."},
        expected_version=0,
    )
    team_answer = Answer.objects.filter(lens_review__lens=team_lens).order_by("pk").first()
    answer_update(answer=team_answer, actor=owner, changes={"selected_choices": []}, expected_version=None)
    review = shared_workload.workload.lens_reviews.get(lens__alias=BUILTIN_ALIAS)
    lens_review_notes(
        lens_review=review, actor=owner, notes="Reviewed.", pillar_notes={"security": "Keys rotate."}
    )
    workload_update(workload=shared_workload.workload, actor=owner, fields={"industry": "Banking"})
    milestone = milestone_create(workload=shared_workload.workload, actor=owner, name="Before launch")
    return shared_workload, milestone


def test_the_fixture_freezes_every_kind_of_row(frozen):
    _shared, milestone = frozen
    rows = frozen_rows(milestone)
    assert [len(rows[model._meta.db_table]) for model in FROZEN_MODELS[:2]] == [1, 2]
    assert len(rows[MilestoneAnswer._meta.db_table]) == 14 + 4
    assert len(rows[MilestonePillarRiskCounts._meta.db_table]) >= 3


# --- every write, through the services, the pages and the API ---------------------------------------


def test_no_service_changes_a_milestone(frozen, team_lens, django_user_model):
    shared, milestone = frozen
    before = frozen_rows(milestone)
    owner = shared.owner
    answer = builtin_answer(shared, "MLSEC01")

    answer_update(
        answer=answer,
        actor=owner,
        changes={"selected_choices": ["MLSEC01_BP01", "MLSEC01_BP02"], "not_applicable_choices": {}},
        expected_version=1,
    )
    answer_keep_theirs(answer=answer, actor=shared.contributor, discarded={"notes": "Mine."}, seen_version=1)
    answer_update(
        answer=builtin_answer(shared, "MLOPS01"),
        actor=owner,
        changes={"is_applicable": True},
        expected_version=None,
    )
    review = shared.workload.lens_reviews.get(lens__alias=BUILTIN_ALIAS)
    lens_review_notes(lens_review=review, actor=owner, notes="Changed.", pillar_notes={"security": ""})
    workload_update(workload=shared.workload, actor=owner, fields={"name": "Renamed", "industry": "Retail"})
    share = share_grant(
        workload=shared.workload,
        actor=owner,
        user=shared.outsider,
        role=Share.Role.READER,
        lenses_seen=[team_lens.pk],
    )
    share_change_role(share=share, actor=owner, role=Share.Role.CONTRIBUTOR)
    share_revoke(share=share, actor=owner)
    lens_review_remove(lens_review=shared.workload.lens_reviews.get(lens=team_lens), actor=owner)
    lens_review_apply(workload=shared.workload, lens_version=team_lens.versions.get(), actor=owner)
    milestone_create(workload=shared.workload, actor=owner, name="After")
    workload_transfer(workload=shared.workload, actor=owner, new_owner=shared.reader)

    assert frozen_rows(milestone) == before
    assert Milestone.objects.filter(workload=shared.workload).count() == 2


def test_no_page_changes_a_milestone(frozen, team_lens, client_for):
    shared, milestone = frozen
    before = frozen_rows(milestone)
    workload = shared.workload
    client = client_for(shared.owner)

    responses = [
        client.post(
            reverse("reviews:answer", args=[workload.pk, BUILTIN_ALIAS, "MLSEC01"]),
            form(version=1, selected=["MLSEC01_BP01", "MLSEC01_BP02"], notes="All done."),
            headers=HTMX,
        ),
        client.post(
            url("lens-notes", workload, BUILTIN_ALIAS),
            {
                "notes": "Changed.",
                "pillar_notes.security": "",
                "seen": notes_form_seen(workload.lens_reviews.get(lens__alias=BUILTIN_ALIAS)),
            },
        ),
        client.post(
            url("workload-edit", workload),
            {"name": "Renamed", "environment": "PRODUCTION", "seen": edit_form_seen(workload)},
        ),
        client.post(url("lens-remove", workload, team_lens.alias)),
        client.post(url("lens-remove", workload, BUILTIN_ALIAS)),
        client.post(url("workload-transfer", workload), {"username": "reader"}),
    ]

    assert [response.status_code for response in responses] == [200, 302, 302, 302, 302, 302]
    assert not workload.lens_reviews.exists()
    assert frozen_rows(milestone) == before


def test_no_api_call_changes_a_milestone(frozen, team_lens):
    shared, milestone = frozen
    before = frozen_rows(milestone)
    base = f"/api/v1/workloads/{shared.workload.pk}"
    client = token_client(shared.owner)

    statuses = [
        client.patch(
            f"{base}/lens-reviews/{BUILTIN_ALIAS}/answers/MLSEC01/",
            {"choice_updates": {"MLSEC01_BP02": {"status": "SELECTED"}}},
            format="json",
        ).status_code,
        client.patch(
            f"{base}/lens-reviews/{BUILTIN_ALIAS}/",
            {"notes": "Changed.", "pillar_notes": {"security": "Changed."}},
            format="json",
        ).status_code,
        client.patch(f"{base}/", {"name": "Renamed", "tags": ["changed"]}, format="json").status_code,
        client.delete(f"{base}/lens-reviews/{team_lens.alias}/").status_code,
        client.post(f"{base}/milestones/", {"name": "After"}, format="json").status_code,
        client.put(f"{base}/milestones/1/", {"name": "Renamed"}, format="json").status_code,
        client.patch(f"{base}/milestones/1/", {"name": "Renamed"}, format="json").status_code,
        client.delete(f"{base}/milestones/1/").status_code,
        client.delete(f"{base}/lens-reviews/{BUILTIN_ALIAS}/").status_code,
        client.post(f"{base}/transfer/", {"owner": "reader"}, format="json").status_code,
    ]

    assert statuses == [200, 200, 200, 204, 201, 405, 405, 405, 204, 200]
    assert frozen_rows(milestone) == before


# --- deleting: only with the workload ----------------------------------------------------------------


@pytest.mark.parametrize("how", ["service", "page", "api"])
def test_deleting_the_workload_deletes_its_milestones(frozen, client_for, how):
    shared, milestone = frozen
    milestone_create(workload=shared.workload, actor=shared.owner, name="Second")
    if how == "service":
        workload_delete(workload=shared.workload, actor=shared.owner)
    elif how == "page":
        assert client_for(shared.owner).post(url("workload-delete", shared.workload)).status_code == 302
    else:
        response = token_client(shared.owner).delete(f"/api/v1/workloads/{shared.workload.pk}/")
        assert response.status_code == 204

    assert all(not rows for rows in frozen_rows(milestone).values())
    assert not any(model.objects.exists() for model in FROZEN_MODELS)


def test_a_lens_version_that_only_a_milestone_uses_cannot_be_deleted(frozen, team_lens):
    shared, milestone = frozen
    lens_review_remove(lens_review=shared.workload.lens_reviews.get(lens=team_lens), actor=shared.owner)
    before = frozen_rows(milestone)

    with pytest.raises(LensInUse):
        lens_delete(lens=team_lens)
    response = token_client(shared.owner).delete(f"/api/v1/lenses/{team_lens.alias}/")

    assert response.status_code == 409, response.content
    assert response.json()["code"] == "in_use"
    assert LensVersion.objects.filter(lens=team_lens).exists()
    assert frozen_rows(milestone) == before


def test_once_the_workload_is_gone_its_lens_can_be_deleted(frozen, team_lens):
    shared, _milestone = frozen
    workload_delete(workload=shared.workload, actor=shared.owner)

    lens_delete(lens=team_lens)

    assert not LensVersion.objects.filter(lens_id=team_lens.pk).exists()


# --- deleting a user: SET_NULL is the one change let through ------------------------------------------


def test_deleting_the_user_who_saved_a_milestone_or_last_changed_a_frozen_answer_clears_only_their_name(
    shared_workload,
):
    shared = shared_workload
    answer_update(
        answer=builtin_answer(shared, "MLSEC01"),
        actor=shared.contributor,
        changes={"selected_choices": ["MLSEC01_BP01"], "notes": "Theirs."},
        expected_version=0,
    )
    milestone = milestone_create(workload=shared.workload, actor=shared.owner, name="Before launch")
    before = frozen_rows(milestone)
    # The owner hands the workload over first: a user who owns a workload cannot be deleted.
    workload_transfer(workload=shared.workload, actor=shared.owner, new_owner=shared.reader)

    shared.owner.delete()
    shared.contributor.delete()

    after = frozen_rows(milestone)
    assert Milestone.objects.get(pk=milestone.pk).created_by is None
    assert not MilestoneAnswer.objects.filter(milestone=milestone, updated_by__isnull=False).exists()
    assert MilestoneAnswer.objects.get(milestone=milestone, notes="Theirs.").version == 1
    # Every other column of every frozen row is as it was.
    assert cleared(before, "created_by_id", "updated_by_id") == cleared(
        after, "created_by_id", "updated_by_id"
    )
    assert after != before


def cleared(rows: dict[str, list[dict]], *columns: str) -> dict[str, list[dict]]:
    """`rows` without the values of `columns`."""
    return {
        table: [{name: value for name, value in row.items() if name not in columns} for row in table_rows]
        for table, table_rows in rows.items()
    }


# --- the database refuses any change itself ----------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        lambda m: Milestone.objects.filter(pk=m.pk).update(workload_fields={}),
        lambda m: Milestone.objects.filter(pk=m.pk).update(sealed=False),
        lambda m: Milestone.objects.filter(pk=m.pk).update(number=9),
        lambda m: Milestone.objects.filter(pk=m.pk).update(high=5),
        lambda m: MilestoneAnswer.objects.filter(milestone=m).update(risk="HIGH"),
        lambda m: MilestoneAnswer.objects.filter(milestone=m).update(selected_choices=[]),
        lambda m: MilestoneAnswer.objects.filter(milestone=m).update(version=0),
        lambda m: MilestoneLensReview.objects.filter(milestone=m).update(pillar_notes={}),
        lambda m: MilestoneLensReview.objects.filter(milestone=m).update(
            lens_version=LensVersion.objects.exclude(pk=m.lens_reviews.first().lens_version_id).first()
        ),
        lambda m: MilestonePillarRiskCounts.objects.filter(milestone=m).update(unanswered=0),
        lambda m: MilestonePillarRiskCounts.objects.filter(milestone=m).delete(),
        lambda m: MilestoneLensReview.objects.filter(milestone=m).delete(),
        lambda m: MilestoneAnswer.objects.filter(milestone=m).first().delete(),
        lambda m: Milestone.objects.get(pk=m.pk).delete(),
        lambda m: MilestoneLensReview.objects.create(
            milestone=m,
            lens=m.lens_reviews.first().lens,
            lens_version=m.lens_reviews.first().lens_version,
            applied_at=m.created_at,
        ),
        lambda m: MilestonePillarRiskCounts.objects.bulk_create(
            [
                MilestonePillarRiskCounts(
                    milestone=m, lens_review=m.lens_reviews.first(), pillar=m.pillar_counts.first().pillar
                )
            ]
        ),
        lambda m: MilestoneAnswer.objects.bulk_create([_copy(m.answers.first())]),
        lambda m: _save_changed(m.answers.first()),
        lambda m: _raw("UPDATE reviews_milestoneanswer SET notes = 'x' WHERE milestone_id = %s", m),
        lambda m: _raw("DELETE FROM reviews_milestone WHERE id = %s", m),
    ],
)
def test_the_database_refuses_any_change_to_a_milestone(frozen, change):
    _shared, milestone = frozen
    before = frozen_rows(milestone)

    with pytest.raises(IntegrityError, match="milestones cannot change"), transaction.atomic():
        change(milestone)

    assert frozen_rows(milestone) == before


def _copy(answer: MilestoneAnswer) -> MilestoneAnswer:
    """A new frozen answer like `answer` (the trigger runs before the unique constraint)."""
    answer.pk = None
    answer.notes = "Added later."
    return answer


def _save_changed(answer: MilestoneAnswer) -> None:
    answer.notes = "Changed through save()."
    answer.save()


def _raw(sql: str, milestone: Milestone) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, [milestone.pk])


def test_a_new_milestone_may_be_saved_beside_a_sealed_one(frozen):
    shared, milestone = frozen
    before = frozen_rows(milestone)

    second = milestone_create(workload=shared.workload, actor=shared.owner, name="Second")

    assert second.number == 2
    assert frozen_rows(milestone) == before
