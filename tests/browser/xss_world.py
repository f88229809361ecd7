"""The data of tests/browser/test_xss.py: a workload whose every text a user or a lens can set holds
an XSS payload, stored through the services as the pages and the API store them.

The owner's and a reader's names, a group's name and an API token's name are payloads too; the
workload carries the built-in lens and an imported lens made of payloads (xss_lens_document), with
answers, notes, not-applicable notes, lens and pillar notes, an improvement item, two milestones and a
newer major version of the lens (so the diff and upgrade pages show both)."""

from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.db import transaction

from accounts.services import token_create
from lens.models import BUILTIN_ALIAS, Lens, LensVersion
from lens.selectors import latest_published_version
from lens.services import lens_import, lens_publish
from notifications.consumer import NOTIFICATIONS
from notifications.outbox import outbox_sweep
from reviews.models import Answer, ImprovementItem, LensReview, Share, Workload
from reviews.services import (
    InvalidInput,
    answer_update,
    improvement_item_update,
    lens_review_notes,
    share_grant,
    workload_create,
    workload_update,
)
from reviews.services.milestones import milestone_create
from tests.browser import xss_payloads as x

#: The workload's fields as the form sets them (architectural_design_url apart: see below).
WORKLOAD_FIELDS = {
    "name": x.NAME_100,
    "description": x.EVERYTHING,
    "review_owner": x.short(x.ATTRIBUTE, x.SCRIPT, x.IMG, x.TEMPLATE, limit=255),
    "industry": x.short(x.IMG, x.TEMPLATE, limit=100),
    "regions": [x.short(x.SCRIPT, limit=128), x.short(x.SVG, x.TEMPLATE, limit=128)],
    "tags": [x.short(x.IMG, limit=128), x.short(x.HTMX, limit=128), x.short(x.CSV_FORMULA, limit=128)],
    "notes": x.EVERYTHING,
}
#: Answers as the questionnaire lists them.
IN_LENS_ORDER = ("question__pillar__position", "question__position")
#: Milestone names (100 characters at most), the first starting like a spreadsheet formula.
MILESTONES = (x.short(x.FORMULA_FIRST, limit=100), x.short(x.SVG, x.IMG, limit=100))
#: Notes on a practice not applicable: 250 characters at most.
CHOICE_NOTES = x.short(x.FORMULA_FIRST, x.IMG, limit=250)
#: A label is 1-32 characters.
LABELS = ("\"><svg onload=alert('label')>", "'><b onclick=alert(2)>2</b>")


@dataclass
class World:
    """What the test visits: the owner and their password, the workload, the payload lens and the
    objects whose ids the page routes take."""

    owner: object
    password: str
    reader: object
    reader_password: str
    workload: Workload
    lens: Lens
    review: LensReview
    builtin_review: LensReview
    token_pk: int
    reader_share_pk: int
    import_warnings: list[dict]


def _person(django_user_model, username: str, password: str):
    return django_user_model.objects.create_user(
        username,
        password=password,
        first_name=x.short(x.SCRIPT, x.IMG, limit=150),
        last_name=x.short(x.SVG, x.ATTRIBUTE, x.TEMPLATE, limit=150),
        email="xss@example.com",
    )


def _answer(answer: Answer, actor, **changes) -> Answer:
    return answer_update(answer=answer, actor=actor, changes=changes, expected_version=None)


def _answer_everything(review: LensReview, actor, round_: int) -> None:
    """Each question of `review` answered with payload notes: the first with a practice marked not
    applicable (its notes a payload), the second not applicable as a whole, the rest "None of these"
    (high risk, so the improvement plan lists them)."""
    answers = list(review.answers.select_related("question").order_by(*IN_LENS_ORDER))
    notes = f"round {round_} {x.EVERYTHING}"
    for index, answer in enumerate(answers):
        choices = list(answer.question.choices.order_by("position").values_list("choice_id", flat=True))
        none_of_these = next((c for c in choices if c.endswith("_no")), None)
        if index == 0:
            _answer(
                answer,
                actor,
                selected_choices=[choices[0]],
                not_applicable_choices={
                    choices[1]: {
                        "reason": Answer.Reason.OTHER,
                        "notes": x.short(x.FORMULA_FIRST, x.IMG, limit=250),
                    }
                },
                notes=notes,
            )
        elif index == 1:
            _answer(answer, actor, is_applicable=False, reason=Answer.Reason.OTHER, notes=notes)
        elif none_of_these and index < 4:
            _answer(answer, actor, selected_choices=[none_of_these], notes=notes)


@transaction.atomic
def build_world(django_user_model) -> World:
    """Store the payloads everywhere (see the module's docstring)."""
    password = "xss-owner-password"  # noqa: S105 - a test user's
    owner = _person(django_user_model, "xss-owner", password)
    reader_password = "xss-reader-password"  # noqa: S105 - a test user's
    reader = _person(django_user_model, "xss-reader", reader_password)
    team = Group.objects.create(name=x.short(x.IMG, x.SCRIPT, limit=150))
    token, _key = token_create(user=owner, name=x.short(x.IMG, x.TEMPLATE, limit=100))

    imported = lens_import(source=x.xss_lens_document(), owner=owner, created_by=owner)
    lens = imported.lens
    version = lens_publish(lens=lens, label=LABELS[0], major=True, actor=owner)
    builtin = latest_published_version(Lens.objects.get(alias=BUILTIN_ALIAS))

    workload = workload_create(owner=owner, fields=WORKLOAD_FIELDS, lens_versions=[builtin, version])
    # A URL field refuses javascript: URLs...
    try:
        workload_update(workload=workload, actor=owner, fields={"architectural_design_url": x.JS_URL})
    except InvalidInput:
        pass
    else:
        raise AssertionError("the workload's design URL took a javascript: URL")
    # ...but one stored otherwise (an older version, a restored backup) must still not become a link.
    Workload.objects.filter(pk=workload.pk).update(architectural_design_url=x.JS_URL_MIXED)
    workload.refresh_from_db()

    review = workload.lens_reviews.get(lens_version=version)
    builtin_review = workload.lens_reviews.get(lens_version=builtin)
    # Shared without the imported lens, the owner warned of it (issue 17), as before that warning.
    seen = [lens.pk]
    share = share_grant(workload=workload, actor=owner, role=Share.Role.READER, user=reader, lenses_seen=seen)
    share_grant(workload=workload, actor=owner, role=Share.Role.CONTRIBUTOR, group=team, lenses_seen=seen)

    _answer_everything(review, owner, 1)
    first_builtin = builtin_review.answers.order_by(*IN_LENS_ORDER).first()
    _answer(first_builtin, owner, notes=x.EVERYTHING)
    pillars = dict.fromkeys(version.pillars.values_list("pillar_id", flat=True), x.EVERYTHING)
    lens_review_notes(lens_review=review, actor=owner, notes=x.EVERYTHING, pillar_notes=pillars)
    lens_review_notes(lens_review=builtin_review, actor=owner, notes=x.EVERYTHING)
    first = review.answers.select_related("question").order_by(*IN_LENS_ORDER)
    improvement_item_update(
        workload=workload,
        lens_alias=lens.alias,
        question_id=first.first().question.question_id,
        actor=owner,
        changes={"status": ImprovementItem.Status.IN_PROGRESS, "owner": owner.pk, "note": x.EVERYTHING},
        expected_version=0,
    )
    high = first.filter(risk=Answer.Risk.HIGH).first()
    improvement_item_update(
        workload=workload,
        lens_alias=lens.alias,
        question_id=high.question.question_id,
        actor=owner,
        changes={"status": ImprovementItem.Status.RISK_ACCEPTED, "note": x.FORMULA_FIRST},
        expected_version=0,
    )
    milestone_create(workload=workload, actor=owner, name=MILESTONES[0])
    _answer_everything(review, owner, 2)
    milestone_create(workload=workload, actor=owner, name=MILESTONES[1])

    # A newer major version, for the lens diff and the review's upgrade page.
    lens_import(source=x.xss_lens_document(version=2), owner=owner, alias=lens.alias, created_by=owner)
    lens_publish(lens=lens, label=LABELS[1], major=True, actor=owner)
    assert LensVersion.objects.filter(lens=lens, status=LensVersion.Status.PUBLISHED).count() == 2
    # And a draft, for the publish page.
    lens_import(source=x.xss_lens_document(version=3), owner=owner, alias=lens.alias, created_by=owner)
    # The notifications of all the above (issue 17): the reader's share names the workload.
    outbox_sweep(consumer=NOTIFICATIONS)

    return World(
        owner=owner,
        password=password,
        reader=reader,
        reader_password=reader_password,
        workload=workload,
        lens=lens,
        review=review,
        builtin_review=builtin_review,
        token_pk=token.pk,
        reader_share_pk=share.pk,
        import_warnings=[dict(w) for w in imported.version.warnings],
    )
