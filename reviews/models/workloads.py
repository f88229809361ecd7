"""Workload reviews: what is reviewed, who may see or change it, the lenses applied, the answers.

A Workload is owned by one user and shared with users or groups (Share) as contributor or reader.
Each lens applied to it is a LensReview of one published LensVersion, with one Answer per question,
created with the review, so that every summary is a plain aggregate over stored risks (and, for the
largest summaries, a read of PillarRiskCounts, which database triggers keep). Every change to an
answer is kept in AnswerChange; everything else that happens to a workload in WorkloadEvent.
Writes go through reviews.services; reads through reviews.selectors.

The fields of an answer and of a set of risk counts are declared once (AnswerFields, RiskCounts) and
shared with the frozen copies a milestone keeps (reviews.models.milestones).
"""

from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from reviews.properties import split_regions

if TYPE_CHECKING:
    from mlwa.types import Reader

#: Notes on a workload, a lens review, a pillar or an answer (the AWS Well-Architected Tool's limit).
NOTES_MAX = 2084
#: Notes on a practice marked not applicable (AWS: 250).
CHOICE_NOTES_MAX = 250
#: A person's name kept instead of a user (a restored backup's people): a username's length.
PERSON_NAME_MAX = 150


def person_name(user, name: str | None) -> str | None:
    """Who did something: the user's username, else the name kept in their place (a workload
    restored from a backup keeps people as names), else None (a deleted user). `user` must be
    loaded already (select_related), or this costs a query."""
    return user.get_username() if user is not None else name


def restored_text(name: str | None, restored_by: str | None, restored_at) -> str:
    """Who did something, in words: "alice", "a deleted user", and for a row a restore wrote
    (reviews.backup) "alice, restored from a backup by eve" (the name is the document's, eve the
    user who restored it; "restored from a backup" alone once eve's account is gone)."""
    who = name or "a deleted user"
    if restored_at is None:
        return who
    return f"{who}, restored from a backup" + (f" by {restored_by}" if restored_by else "")


class Restored(models.Model):
    """Marks a row that a restore wrote (reviews.backup) with who restored it and when: its people
    are the document's names, which this instance cannot vouch for. Both null for a row made here;
    an answer written again after the restore is no longer restored (reviews.services.answers)."""

    restored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    restored_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def restored_by_username(self) -> str | None:
        """Who restored it (None: not restored, or that user is deleted). A query unless
        `restored_by` is loaded (select_related), and only for a restored row."""
        return self.restored_by.get_username() if self.restored_by is not None else None


class WorkloadQuerySet(models.QuerySet):
    """Workloads, narrowed to what one user may see or do: the one door every list and every
    lookup of a workload goes through (reviews.access for a request)."""

    def visible_to(self, user: "Reader", action: str = "view") -> "WorkloadQuerySet":
        """The workloads in this queryset that `user` may take `action` on (reviews.permissions.Action):
        the rule is reviews.selectors.visibility's, in SQL, so a list never leaks a row."""
        # Imported here: the rule is a read, and the selectors import these models.
        from reviews.selectors.visibility import visible_workloads

        # A filter of this queryset is one of its class: the selector keeps it.
        return cast("WorkloadQuerySet", visible_workloads(self, user=user, action=action))

    def with_role(self, user: "Reader") -> "WorkloadQuerySet":
        """This queryset annotated with what reviews.selectors.visibility.role_of needs to name
        `user`'s role on each workload."""
        from reviews.selectors.visibility import annotate_role

        return cast("WorkloadQuerySet", annotate_role(self, user=user))


class Workload(models.Model):
    """What is reviewed: an ML system, described by its owner, with the lenses applied to it."""

    # Not columns: annotated or set on the workloads that selectors hand out (reviews.selectors).
    role: Any
    answered: int

    class Environment(models.TextChoices):
        PRODUCTION = "PRODUCTION", _("Production")
        PREPRODUCTION = "PREPRODUCTION", _("Pre-production")

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="owned_workloads")
    name = models.CharField(max_length=100)
    description = models.TextField(max_length=NOTES_MAX, blank=True)
    environment = models.CharField(max_length=16, choices=Environment, default=Environment.PREPRODUCTION)
    review_owner = models.CharField(
        max_length=255, blank=True, help_text=_("Who is responsible for the review (a name or an address).")
    )
    industry = models.CharField(max_length=100, blank=True)
    # The fields below are AWS's workload properties; their rules are reviews.properties'.
    industry_type = models.CharField(max_length=100, blank=True, help_text=_("One of AWS's industry types."))
    aws_regions = models.JSONField(default=list, blank=True, help_text=_("AWS region codes, in order."))
    non_aws_regions = models.JSONField(default=list, blank=True, help_text=_("Other regions, by name."))
    account_ids = models.JSONField(default=list, blank=True, help_text=_("AWS account ids (12 digits)."))
    applications = models.JSONField(default=list, blank=True, help_text=_("AWS application ARNs."))
    architectural_design_url = models.URLField(max_length=2048, blank=True)
    tags = models.JSONField(default=list, blank=True, help_text=_("Short labels to find workloads by."))
    notes = models.TextField(max_length=NOTES_MAX, blank=True)
    pillar_priorities = models.JSONField(
        default=list, blank=True, help_text=_("Pillar ids, most important first.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Set only inside the transaction that deletes the workload (the pre_delete receiver in
    # reviews.models.milestones), because the database refuses to delete a milestone of a workload
    # that is not being deleted (reviews migration 0005).
    is_being_deleted = models.BooleanField(default=False, editable=False)
    # The backup document this workload was restored from (reviews.backup), so that restoring the
    # same document twice is refused; None for a workload made here, or restored as a copy.
    restored_from_document = models.UUIDField(null=True, blank=True, editable=False)

    objects = WorkloadQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        permissions = [("view_all_workloads", "Can see every workload (read only)")]
        constraints = [
            models.UniqueConstraint("owner", Lower("name"), name="workload_name_unique_per_owner"),
            models.UniqueConstraint(
                fields=["restored_from_document"],
                condition=Q(restored_from_document__isnull=False),
                name="workload_restored_once_per_document",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def regions(self) -> list[str]:
        """Every region, AWS codes first: the one list a workload had before AWS's split (REST v1
        keeps it). Set, it is split again (reviews.properties.split_regions)."""
        return [*self.aws_regions, *self.non_aws_regions]

    @regions.setter
    def regions(self, value: list[str]) -> None:
        self.aws_regions, self.non_aws_regions = split_regions(value)


class Share(models.Model):
    """A workload shared with one user or one group, as contributor (answers) or reader."""

    class Role(models.TextChoices):
        CONTRIBUTOR = "CONTRIBUTOR", _("Contributor")
        READER = "READER", _("Reader")

    workload = models.ForeignKey(Workload, models.CASCADE, related_name="shares")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, null=True, blank=True, related_name="workload_shares"
    )
    group = models.ForeignKey(
        "auth.Group", models.CASCADE, null=True, blank=True, related_name="workload_shares"
    )
    role = models.CharField(max_length=16, choices=Role)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False, group__isnull=True)
                | Q(user__isnull=True, group__isnull=False),
                name="share_user_or_group",
            ),
            models.UniqueConstraint(
                fields=["workload", "user"], condition=Q(user__isnull=False), name="share_once_per_user"
            ),
            models.UniqueConstraint(
                fields=["workload", "group"], condition=Q(group__isnull=False), name="share_once_per_group"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.workload} → {self.user or self.group} ({self.get_role_display()})"

    @property
    def grantee(self):
        return self.user or self.group


class LensReview(models.Model):
    """One lens version applied to a workload: one per lens, with the lens's and the pillars' notes."""

    workload = models.ForeignKey(Workload, models.CASCADE, related_name="lens_reviews")
    # The lens as well as the version: one review per lens, whichever version it is on.
    lens = models.ForeignKey("lens.Lens", models.PROTECT, related_name="+")
    # PROTECT: a version that a review uses cannot be deleted (lens.services answers LensInUse).
    lens_version = models.ForeignKey("lens.LensVersion", models.PROTECT, related_name="+")
    notes = models.TextField(max_length=NOTES_MAX, blank=True)
    pillar_notes = models.JSONField(default=dict, blank=True, help_text=_("Notes by pillar id."))
    applied_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["applied_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["workload", "lens"], name="lensreview_one_per_lens"),
        ]

    def __str__(self) -> str:
        return f"{self.workload} · {self.lens_version}"


class AnswerFields(Restored):
    """What an answer holds, live (Answer) or frozen in a milestone (MilestoneAnswer): the practices
    followed, those that do not apply, whether the question applies, notes, and the risk that
    follows, stored when the answer is written (reviews.services.answer_update).

    `version` counts accepted writes (0: never answered); a write from an older version is refused.
    """

    class Reason(models.TextChoices):
        """Why a practice, or a whole question, does not apply (the AWS tool's list)."""

        OUT_OF_SCOPE = "OUT_OF_SCOPE", _("Out of scope")
        BUSINESS_PRIORITIES = "BUSINESS_PRIORITIES", _("Business priorities")
        ARCHITECTURE_CONSTRAINTS = "ARCHITECTURE_CONSTRAINTS", _("Architecture constraints")
        OTHER = "OTHER", _("Other")
        NONE = "NONE", _("None")

    class Risk(models.TextChoices):
        """The stored risk: lens.risk.Risk's values (it computes them), with labels."""

        UNANSWERED = "UNANSWERED", _("Unanswered")
        NOT_APPLICABLE = "NOT_APPLICABLE", _("Not applicable")
        NONE = "NONE", _("No risk")
        MEDIUM = "MEDIUM", _("Medium risk")
        HIGH = "HIGH", _("High risk")

    question = models.ForeignKey("lens.Question", models.PROTECT, related_name="+")
    selected_choices = models.JSONField(default=list, blank=True, help_text=_("Choice ids, in lens order."))
    not_applicable_choices = models.JSONField(
        default=dict, blank=True, help_text=_('Choice id → {"reason": ..., "notes": ...}.')
    )
    is_applicable = models.BooleanField(default=True)
    reason = models.CharField(
        max_length=32, choices=Reason, blank=True, help_text=_("Why the question does not apply.")
    )
    notes = models.TextField(max_length=NOTES_MAX, blank=True)
    risk = models.CharField(max_length=16, choices=Risk, default=Risk.UNANSWERED)
    version = models.PositiveIntegerField(default=0)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Who, as a name, when there is no user to point at (restored from a backup). Nullable without
    # a default so that adding it is a plain ALTER TABLE on SQLite, which keeps the tables' triggers.
    updated_by_name = models.CharField(max_length=PERSON_NAME_MAX, null=True, blank=True)  # noqa: DJ001
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["question__pillar__position", "question__position"]

    @property
    def is_answered(self) -> bool:
        return self.risk != self.Risk.UNANSWERED

    @property
    def updated_by_username(self) -> str | None:
        """Who wrote it last (person_name)."""
        return person_name(self.updated_by, self.updated_by_name)

    @property
    def updated_by_text(self) -> str:
        """Who wrote it last, in words (restored_text)."""
        return restored_text(self.updated_by_username, self.restored_by_username, self.restored_at)

    @classmethod
    def reason_label(cls, reason: str) -> str:
        """The words for a stored reason (the value itself if it is not one of ours)."""
        try:
            return str(cls.Reason(reason).label)
        except ValueError:
            return reason


class Answer(AnswerFields):
    """A lens review's answer to one question, as it is now (AnswerFields says what it holds)."""

    lens_review = models.ForeignKey(LensReview, models.CASCADE, related_name="answers")

    class Meta(AnswerFields.Meta):
        constraints = [
            models.UniqueConstraint(fields=["lens_review", "question"], name="answer_one_per_question"),
        ]
        # Risk counts per review and per workload look answers up by review, then by risk. (An index
        # on risk alone led SQLite to scan every answer at a risk once per workload.)
        indexes = [models.Index(fields=["lens_review", "risk"], name="answer_review_risk")]

    def __str__(self) -> str:
        return f"{self.lens_review} · {self.question_id}: {self.risk}"


class RiskCounts(models.Model):
    """How many questions are at each risk: of a pillar in a review (PillarRiskCounts, and its
    frozen copy), or of a whole workload in a milestone."""

    high = models.PositiveIntegerField(default=0)
    medium = models.PositiveIntegerField(default=0)
    none = models.PositiveIntegerField(default=0)
    not_applicable = models.PositiveIntegerField(default=0)
    unanswered = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class PillarRiskCounts(RiskCounts):
    """How many of a lens review's questions in one pillar are at each risk.

    Kept by database triggers on the answers table (reviews migration 0003), whatever code writes
    answers: a new answer counts in, a changed risk moves from one count to another, a deleted answer
    counts out. Nothing else writes these rows. Summaries over thousands of workloads read one row
    per pillar here instead of counting every answer (reviews.selectors.summaries).
    """

    lens_review = models.ForeignKey(LensReview, models.CASCADE, related_name="pillar_counts")
    pillar = models.ForeignKey("lens.Pillar", models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            # The triggers' upsert relies on it (ON CONFLICT (lens_review_id, pillar_id)).
            models.UniqueConstraint(fields=["lens_review", "pillar"], name="pillarriskcounts_one_per_pillar"),
        ]
        verbose_name_plural = "pillar risk counts"

    def __str__(self) -> str:
        return f"{self.lens_review_id} · {self.pillar_id}: {self.high} high, {self.medium} medium"


class AnswerChange(Restored):
    """The audit trail of an answer: every accepted change (who, when, before, after), and every
    conflict settled in favour of the stored answer (the writer's discarded version as `before`)."""

    class Kind(models.TextChoices):
        CHANGED = "CHANGED", _("Changed")
        KEPT_THEIRS = "KEPT_THEIRS", _("Conflict: kept the stored answer")

    answer = models.ForeignKey(Answer, models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=16, choices=Kind, default=Kind.CHANGED)
    version = models.PositiveIntegerField(help_text=_("The answer's version after this change."))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_by_name = models.CharField(max_length=PERSON_NAME_MAX, null=True, blank=True)  # noqa: DJ001
    changed_at = models.DateTimeField()
    before = models.JSONField()
    after = models.JSONField()
    note = models.CharField(
        max_length=255, blank=True, help_text=_("How it came about, e.g. a conflict resolved in its favour.")
    )
    # The lens version the answer was on when it changed, whose practice titles the history shows.
    # None for a change recorded before it was kept (and not derivable from the workload's upgrade
    # events when migrated), restored from a backup, or whose version is deleted since: the history
    # derives it from the upgrade events, else shows today's titles as such.
    lens_version = models.ForeignKey(
        "lens.LensVersion", models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-changed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["answer", "version"], condition=Q(kind="CHANGED"), name="answerchange_one_per_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.answer_id} v{self.version} {self.kind}"

    @property
    def changed_by_username(self) -> str | None:
        """Who made the change (person_name)."""
        return person_name(self.changed_by, self.changed_by_name)

    @property
    def changed_by_text(self) -> str:
        """Who made the change, in words (restored_text)."""
        return restored_text(self.changed_by_username, self.restored_by_username, self.restored_at)


class WorkloadEvent(Restored):
    """The workload's log of everything but answers: fields, people, lenses, ownership and so on.

    Kept when the workload is deleted (the deletion itself is an event), so `workload` may be None
    and `workload_name` says which one it was.
    """

    class Kind(models.TextChoices):
        CREATED = "CREATED", _("Created")
        UPDATED = "UPDATED", _("Fields changed")
        DELETED = "DELETED", _("Deleted")
        OWNER_CHANGED = "OWNER_CHANGED", _("Ownership handed over")
        SHARED = "SHARED", _("Shared")
        ROLE_CHANGED = "ROLE_CHANGED", _("Role changed")
        UNSHARED = "UNSHARED", _("Share revoked")
        LENS_APPLIED = "LENS_APPLIED", _("Lens applied")
        LENS_REMOVED = "LENS_REMOVED", _("Lens removed")
        LENS_NOTES = "LENS_NOTES", _("Lens notes changed")
        LENS_UPGRADED = "LENS_UPGRADED", _("Lens upgraded")
        MILESTONE_SAVED = "MILESTONE_SAVED", _("Milestone saved")
        IMPROVEMENT_TRACKED = "IMPROVEMENT_TRACKED", _("Improvement item changed")
        EXPORTED = "EXPORTED", _("Backed up")
        RESTORED = "RESTORED", _("Restored from backup")

    workload = models.ForeignKey(Workload, models.SET_NULL, null=True, blank=True, related_name="events")
    workload_name = models.CharField(max_length=100)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_name = models.CharField(max_length=PERSON_NAME_MAX, null=True, blank=True)  # noqa: DJ001
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    kind = models.CharField(max_length=32, choices=Kind)
    summary = models.TextField(help_text=_("What happened, in a sentence."))
    data = models.JSONField(default=dict, blank=True, help_text=_("Details: fields before and after, ..."))

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.workload_name}: {self.summary}"

    @property
    def actor_username(self) -> str | None:
        """Who did it (person_name)."""
        return person_name(self.actor, self.actor_name)

    @property
    def actor_text(self) -> str:
        """Who did it, in words (restored_text)."""
        return restored_text(self.actor_username, self.restored_by_username, self.restored_at)
