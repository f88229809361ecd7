"""The world the page sweep renders (tests/sweep/pages.py): realistic data with hostile text.

Two workloads of one owner: the main one with the built-in ML lens answered in part, an imported lens
with two published versions and a draft (so the diff, upgrade and publish pages show something),
lens and pillar notes, improvement items, two milestones, a reader's share, a team's share, done
reports and the events all of that writes; a second, plainer workload so that lists have rows.

The hostile text is what breaks a narrow layout: a 100-character name without a space (the longest
name a workload takes), 120-character words and long URLs in the description and notes, many long
tags. Everything is stored through the services, as the pages store it."""

from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.db import transaction

from accounts.services import token_create
from lens.models import BUILTIN_ALIAS, Lens
from lens.selectors import latest_published_version
from lens.services import lens_import, lens_publish
from notifications.consumer import NOTIFICATIONS
from notifications.outbox import outbox_sweep
from reviews.models import Answer, ImprovementItem, LensReview, Report, Share, Workload
from reviews.reports.events import report_ready_record
from reviews.reports.services import report_store
from reviews.services import improvement_item_update, lens_review_notes, share_grant, workload_create
from reviews.services.milestones import milestone_create
from tests.factories import answered, lens_document

#: A word as long as a workload name may be (100 characters), which no space breaks.
LONG_NAME = "Fraud-detection-model-serving-pipeline-" + "x" * 61
#: 120 characters without a space, and a URL longer than any phone.
LONG_WORD = "Supercalifragilistic-" * 5 + "y" * 15
LONG_URL = (
    "https://example.com/architecture/" + "/".join(["deeply-nested-folder-name"] * 8) + "?q=" + "z" * 60
)
LONG_TEXT = (
    f"The model is retrained weekly. {LONG_WORD} See {LONG_URL} for the diagrams.\n"
    "Second paragraph: the feature store feeds both training and inference."
)
TAGS = [f"tag-{n}-{'t' * 100}" for n in range(6)] + ["team:fraud", "tier:1"]
PASSWORD = "sweep-password"  # noqa: S105 - a test user's
IN_LENS_ORDER = ("question__pillar__position", "question__position")


@dataclass
class World:
    """What the sweep's URLs take: the people, the main workload and the ids of what it holds."""

    owner: object
    reader: object
    workload: Workload
    lens: Lens
    builtin_review: LensReview
    review: LensReview
    reader_share_pk: int
    token_pk: int
    report_pks: list[int]

    def arguments(self) -> dict:
        """Every keyword argument a page route takes, by name (tests/sweep/pages.py picks those a
        route needs): the built-in lens's review and its first question, milestone 1, the reader's
        share, the first report, the owner's API token."""
        first = self.builtin_review.answers.order_by(*IN_LENS_ORDER).select_related("question").first()
        return {
            "pk": self.workload.pk,
            "alias": BUILTIN_ALIAS,
            "question_id": first.question.question_id,
            "number": 1,
            "share_pk": self.reader_share_pk,
            "report_pk": self.report_pks[0],
        }


def _hostile_lens_document(version: int) -> dict:
    """An imported lens of 2 pillars x 3 questions with long words in its texts; version 2 drops a
    question and retitles another (and changes its rules), so that the diff has something to show."""
    document = lens_document(f"Data platform lens {LONG_WORD[:40]}", pillars=2, questions=3, practices=4)
    first = document["pillars"][0]["questions"][0]
    first["title"] = f"How do you version {LONG_WORD}?"
    first["helpfulResource"]["url"] = LONG_URL
    if version > 1:
        document["pillars"][1]["questions"].pop()
        first["title"] = f"How do you version and sign {LONG_WORD}?"
        # A rule changed too: the diff shows rules before and after, the upgrade a risk that changes.
        first["riskRules"][0]["condition"] = "P1Q1_BP1"
    return document


def _answer_some(review: LensReview, actor, how_many: int) -> None:
    """The first `how_many` questions answered: ticks of every kind of risk, notes with long words,
    one question not applicable."""
    answers = list(review.answers.select_related("question").order_by(*IN_LENS_ORDER)[:how_many])
    for index, answer in enumerate(answers):
        choices = list(answer.question.choices.order_by("position").values_list("choice_id", flat=True))
        if index == 1:
            answered(answer, actor=actor, is_applicable=False, reason="OTHER", notes=LONG_TEXT)
        else:
            answered(answer, actor=actor, selected_choices=choices[: 1 + index % 3], notes=LONG_TEXT)


def _report(owner, workload: Workload | None, kind: str) -> int:
    """A done report, its file stored (a CSV: the sweep reads its status page, not the file)."""
    report = Report.objects.create(kind=kind, format="CSV", requested_by=owner, workload=workload)
    path, size = report_store(report, b"Lens,Question\r\n")
    Report.objects.filter(pk=report.pk).update(
        status=Report.Status.DONE, progress=100, file_path=path, file_name=path, file_size=size
    )
    return report.pk


@transaction.atomic
def build_world(django_user_model) -> World:
    """Store the world (see the module's docstring). MLWA_REPORTS_DIR must point somewhere writable."""
    owner = django_user_model.objects.create_user(
        "sweep-owner", password=PASSWORD, first_name="Ada", last_name=LONG_WORD[:60], email="ada@example.com"
    )
    reader = django_user_model.objects.create_user("sweep-reader", password=PASSWORD, first_name="Rui")
    team = Group.objects.create(name=f"Platform team {LONG_WORD[:60]}")
    token, _key = token_create(user=owner, name=f"CI token {LONG_WORD[:60]}")

    lens = lens_import(source=_hostile_lens_document(1), owner=owner, created_by=owner).lens
    first_version = lens_publish(lens=lens, label="2024.1", major=True, actor=owner)
    builtin = latest_published_version(Lens.objects.get(alias=BUILTIN_ALIAS))
    fields = {
        "name": LONG_NAME,
        "description": LONG_TEXT,
        "review_owner": f"ada.{LONG_WORD}@example.com",
        "industry": "Financial services",
        "regions": ["eu-west-1", "us-east-1"],
        "tags": TAGS,
        "notes": LONG_TEXT,
    }
    workload = workload_create(owner=owner, fields=fields, lens_versions=[builtin, first_version])
    workload_create(owner=owner, fields={"name": "Churn prediction", "tags": ["team:growth"]})
    builtin_review = workload.lens_reviews.get(lens_version=builtin)
    review = workload.lens_reviews.get(lens_version=first_version)
    # Shared without the imported lens, the owner warned of it (issue 17): the reader and the team
    # see the workload, not that lens, as before.
    seen = [lens.pk]
    share = share_grant(workload=workload, actor=owner, role=Share.Role.READER, user=reader, lenses_seen=seen)
    share_grant(workload=workload, actor=owner, role=Share.Role.CONTRIBUTOR, group=team, lenses_seen=seen)

    _answer_some(builtin_review, owner, 6)
    _answer_some(review, owner, 4)
    pillars = dict.fromkeys(first_version.pillars.values_list("pillar_id", flat=True), LONG_TEXT)
    lens_review_notes(lens_review=review, actor=owner, notes=LONG_TEXT, pillar_notes=pillars)
    lens_review_notes(lens_review=builtin_review, actor=owner, notes=LONG_TEXT)
    milestone_create(workload=workload, actor=owner, name=f"Before launch {LONG_WORD[:60]}")
    for answer in builtin_review.answers.filter(risk__in=[Answer.Risk.HIGH, Answer.Risk.MEDIUM])[:2]:
        improvement_item_update(
            workload=workload,
            lens_alias=BUILTIN_ALIAS,
            question_id=answer.question.question_id,
            actor=owner,
            changes={"status": ImprovementItem.Status.IN_PROGRESS, "owner": owner.pk, "note": LONG_TEXT},
            expected_version=0,
        )
    _answer_some(builtin_review, owner, 9)
    milestone_create(workload=workload, actor=owner, name="After launch")

    # A newer major version (for the diff and the upgrade page) and a draft (for the publish page).
    lens_import(source=_hostile_lens_document(2), owner=owner, alias=lens.alias, created_by=owner)
    lens_publish(lens=lens, label="2025.1", major=True, actor=owner)
    lens_import(source=_hostile_lens_document(3), owner=owner, alias=lens.alias, created_by=owner)

    reports = [
        _report(owner, workload, Report.Kind.IMPROVEMENT_PLAN),
        _report(owner, None, Report.Kind.CONSOLIDATED),
    ]
    # The notifications of all the above (issue 17): the reader's share, the owner's reports ready.
    for pk in reports:
        report_ready_record(Report.objects.get(pk=pk))
    outbox_sweep(consumer=NOTIFICATIONS)
    return World(
        owner=owner,
        reader=reader,
        workload=workload,
        lens=lens,
        builtin_review=builtin_review,
        review=review,
        reader_share_pk=share.pk,
        token_pk=token.pk,
        report_pks=reports,
    )
