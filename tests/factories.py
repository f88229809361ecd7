"""Test data: users, groups and workloads (factory_boy factories), valid lens documents (the linter
has nothing to say about them), and lenses imported (and published) from them.

Rows with invariants of their own (a workload's lens reviews and answers, a lens's versions) are made
through the services, as the application makes them, never written field by field.
"""

from typing import Any

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission

from lens.models import Lens
from lens.services import lens_import, lens_publish


class UserFactory(factory.django.DjangoModelFactory):
    """A user, `alice` made as UserFactory(username="alice"): address `alice@example.com`, password
    `alice-password`. `permissions` (codenames) are granted directly, `groups` joined."""

    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")

    @factory.post_generation
    def password(user, create, extracted, **kwargs):  # noqa: N805 - factory_boy passes the object
        user.set_password(extracted or f"{user.username}-password")
        if create:
            user.save(update_fields=["password"])

    @factory.post_generation
    def groups(user, create, extracted, **kwargs):  # noqa: N805
        if create and extracted:
            user.groups.add(*extracted)

    @factory.post_generation
    def permissions(user, create, extracted, **kwargs):  # noqa: N805
        if create and extracted:
            user.user_permissions.add(*Permission.objects.filter(codename__in=extracted))


class GroupFactory(factory.django.DjangoModelFactory):
    """A group (a team); `permissions` (codenames) are granted to it."""

    class Meta:
        model = Group
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"team-{n}")

    @factory.post_generation
    def permissions(group, create, extracted, **kwargs):  # noqa: N805
        if create and extracted:
            group.permissions.add(*Permission.objects.filter(codename__in=extracted))


def practice(choice_id: str, title: str | None = None) -> dict[str, Any]:
    """A best-practice choice with its helpful resource and improvement plan."""
    return {
        "id": choice_id,
        "title": title or f"Practice {choice_id}",
        "helpfulResource": {"displayText": f"Why {choice_id} matters."},
        "improvementPlan": {
            "displayText": f"How to start doing {choice_id}.",
            "url": "https://example.com/plan",
        },
    }


def question(question_id: str, practices: int = 3) -> dict[str, Any]:
    """A question with `practices` practices (`<id>_BP1`...) and "None of these" (`<id>_no`): every
    practice gives no risk, the first one alone a medium risk, anything else a high risk."""
    ids = [f"{question_id}_BP{n}" for n in range(1, practices + 1)]
    return {
        "id": question_id,
        "title": f"How do you handle {question_id}?",
        "description": f"What the team does about {question_id}.",
        "helpfulResource": {"displayText": "Why it matters.", "url": "https://example.com/why"},
        "choices": [practice(choice_id) for choice_id in ids]
        + [{"id": f"{question_id}_no", "title": "None of these"}],
        "riskRules": [
            {"condition": " && ".join(ids), "risk": "NO_RISK"},
            {"condition": ids[0], "risk": "MEDIUM_RISK"},
            {"condition": "default", "risk": "HIGH_RISK"},
        ],
    }


def lens_document(
    name: str = "Test lens", *, pillars: int = 1, questions: int = 2, practices: int = 3
) -> dict[str, Any]:
    """A lens of `pillars` pillars (`pillar1`...) of `questions` questions each (`P1Q1`...), each with
    `practices` practices and "None of these"."""
    return {
        "schemaVersion": "2021-11-01",
        "name": name,
        "description": f"{name}, made for a test.",
        "pillars": [
            {
                "id": f"pillar{p}",
                "name": f"Pillar {p}",
                "description": f"What pillar {p} is about.",
                "questions": [question(f"P{p}Q{q}", practices) for q in range(1, questions + 1)],
            }
            for p in range(1, pillars + 1)
        ],
    }


def imported_lens(*, owner, document: dict | None = None, publish: str | None = "1") -> Lens:
    """A lens imported by `owner` (None: the instance's) and, unless `publish` is None, published
    under that label as a major version."""
    result = lens_import(source=document or lens_document(), owner=owner, created_by=owner)
    if publish is not None:
        lens_publish(lens=result.lens, label=publish, major=True)
    return result.lens


class WorkloadFactory(factory.django.DjangoModelFactory):
    """A workload made through reviews.services.workload_create (its lens reviews and answers with
    it): the newest published version of each of `lenses` applied (None: the built-in lens), and
    the other fields as given."""

    class Meta:
        model = "reviews.Workload"

    owner = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Workload {n}")

    @classmethod
    def _create(cls, model_class, *args, owner, lenses: list[Lens] | None = None, **fields: Any):
        from lens.selectors import latest_published_version
        from reviews.services import workload_create

        versions = None if lenses is None else [latest_published_version(lens) for lens in lenses]
        return workload_create(owner=owner, fields=fields, lens_versions=versions)


def workload(owner, name: str = "Fraud detection", *, lenses: list[Lens] | None = None, **fields: Any):
    """WorkloadFactory for `owner`, named (the shorthand most tests use)."""
    return WorkloadFactory(owner=owner, name=name, lenses=lenses, **fields)


def answered(answer, *, actor, expected_version: int | None = None, **changes: Any):
    """`answer` after `changes`, validated as the API and the page validate them, are written through
    reviews.services.answer_update (the version check skipped unless `expected_version` is given)."""
    from reviews.api.answer_serializers import validated_answer_changes
    from reviews.services import answer_update

    return answer_update(
        answer=answer,
        actor=actor,
        changes=validated_answer_changes(changes),
        expected_version=expected_version,
    )
