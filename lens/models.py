"""Lenses and their versions: the questions a review asks, the practices it offers, the risk rules.

A Lens is a name and an owner; its content lives in LensVersions. A lens has at most one draft, which
an import creates or replaces, and any number of published versions, which never change: answers and
milestones point at them. The content rows (Pillar, Question, Choice, RiskRule, Resource) keep the
lens file's ids as stable keys and its order in `position`; each keeps `extra`, the undocumented keys
of its object in the file, so that an export gives back what was imported.

A published version's content is frozen below the views: model methods refuse, and database
triggers (migration 0002) refuse any INSERT, UPDATE or DELETE of a published version's rows. Deleting
a version through the ORM (alone, or with its lens, by instance or by queryset) first marks it
RETIRING, the one change the triggers allow, inside the deleting transaction (`_retire_before_delete`).
"""

from collections.abc import Collection
from typing import TYPE_CHECKING, Any, Self, cast

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.signals import pre_delete
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from lens.rule_text import rule_words

if TYPE_CHECKING:
    from mlwa.types import Reader

BUILTIN_ALIAS = "ml-lens-2021"


class PublishedVersionIsFrozen(Exception):
    """A write to a published lens version, which nothing may change."""


class LensQuerySet(models.QuerySet):
    """Lenses, narrowed to what one user may see or manage: the one door every list and every
    lookup of a lens goes through (lens.access for a request)."""

    def visible_to(self, user: "Reader", action: str = "view") -> "LensQuerySet":
        """The lenses in this queryset that `user` may `action` ("view": see, apply and export;
        "manage": publish, share and delete): the rule is lens.selectors.visible_lenses's, in SQL."""
        # Imported here: the rule is a read, and the selectors import these models.
        from lens.selectors import visible_lenses

        # A filter of this queryset is one of its class: the selector keeps it.
        return cast("LensQuerySet", visible_lenses(self, user=user, action=action))


class Lens(models.Model):
    """A lens: alias (unique in the instance), name, owner (None: the instance's), and sharing."""

    # Not columns: set on the lenses that views and selectors hand out (lens.api.access.summarised).
    version: "LensVersion | None"
    pillars: list
    published: list["LensVersion"]
    latest_version: "LensVersion | None"
    manageable: bool

    alias = models.SlugField(max_length=64, unique=True)
    name = models.TextField()
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="lenses",
        help_text=_("Empty for the instance's lenses, which everyone may see and administrators manage."),
    )
    shared_with_everyone = models.BooleanField(default=False)
    catalog_file = models.CharField(
        max_length=255,
        blank=True,
        default="",
        help_text=_("The lens catalog's file this lens was added from (MLWA_LENS_CATALOG); empty if none."),
    )
    shared_with_users = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    shared_with_groups = models.ManyToManyField("auth.Group", blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LensQuerySet.as_manager()

    class Meta:
        ordering = ["name", "alias"]
        verbose_name_plural = "lenses"
        permissions = [("manage_instance_lenses", "Can publish, share and delete the instance's lenses")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_builtin(self) -> bool:
        return self.alias == BUILTIN_ALIAS


class LensVersion(models.Model):
    """One version of a lens's content: a draft, or a published version that never changes."""

    class Status(models.TextChoices):
        DRAFT = "DRAFT", _("Draft")
        PUBLISHED = "PUBLISHED", _("Published")
        # Transient: set only inside the transaction that deletes a published version, because the
        # freeze triggers refuse to delete the content of a version that is still PUBLISHED.
        RETIRING = "RETIRING", _("Being deleted")

    class Kind(models.TextChoices):
        MAJOR = "MAJOR", _("Major")
        MINOR = "MINOR", _("Minor")

    lens = models.ForeignKey(Lens, models.CASCADE, related_name="versions")
    status = models.CharField(max_length=16, choices=Status, default=Status.DRAFT)
    label = models.CharField(max_length=32, blank=True, help_text=_("Set when the version is published."))
    kind = models.CharField(max_length=8, choices=Kind, blank=True)
    name = models.TextField(help_text=_("The lens name as this version's file gives it."))
    description = models.TextField()
    schema_version = models.CharField(max_length=16)
    source = models.JSONField(
        help_text=_("The document as imported, kept for reference; exports use the rows.")
    )
    extra = models.JSONField(default=dict, blank=True, help_text=_("Undocumented top-level keys."))
    warnings = models.JSONField(default=list, blank=True)
    content_hash = models.CharField(max_length=64, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["lens", "-published_at", "-pk"]
        get_latest_by = "published_at"
        constraints = [
            models.UniqueConstraint(
                fields=["lens"], condition=Q(status="DRAFT"), name="lensversion_one_draft_per_lens"
            ),
            models.UniqueConstraint(
                fields=["lens", "label"], condition=Q(status="PUBLISHED"), name="lensversion_label_unique"
            ),
            models.CheckConstraint(
                condition=Q(status="DRAFT", label="", kind="", published_at__isnull=True)
                | (
                    Q(status__in=["PUBLISHED", "RETIRING"], published_at__isnull=False)
                    & ~Q(label="")
                    & ~Q(kind="")
                ),
                name="lensversion_published_has_label_and_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lens.alias} {self.label or 'draft'}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if getattr(self, "_loaded_status", None) == self.Status.PUBLISHED:
            raise PublishedVersionIsFrozen(f"{self} is published and cannot change")
        super().save(*args, **kwargs)
        self._loaded_status: str | None = self.status

    @classmethod
    def from_db(cls, db: str | None, field_names: Collection[str], values: Collection[Any]) -> Self:
        instance = super().from_db(db, field_names, values)
        instance._loaded_status = instance.__dict__.get("status")
        return instance

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class LensContent(models.Model):
    """Common to the rows of a version's content: the version (on every row, so that a version's
    content loads in one query a table and the freeze triggers need no joins), order in the file,
    and undocumented keys."""

    version_id: int  # the version foreign key of each concrete subclass

    position = models.PositiveSmallIntegerField()
    extra = models.JSONField(default=dict, blank=True)

    class Meta:
        abstract = True
        ordering = ["position"]

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The database triggers refuse this too; this says it clearly, at the cost of one query.
        if LensVersion.objects.filter(pk=self.version_id, status=LensVersion.Status.PUBLISHED).exists():
            raise PublishedVersionIsFrozen(f"version {self.version_id} is published and cannot change")
        super().save(*args, **kwargs)


class Pillar(LensContent):
    """A pillar of a lens version. Standard ids (`security`, ...) add up across lenses."""

    version = models.ForeignKey(LensVersion, models.CASCADE, related_name="pillars")
    pillar_id = models.CharField(max_length=128)
    name = models.TextField()
    description = models.TextField(null=True, blank=True)  # noqa: DJ001 - None: the file has none

    class Meta(LensContent.Meta):
        constraints = [
            models.UniqueConstraint(fields=["version", "pillar_id"], name="pillar_id_unique_in_version"),
        ]

    def __str__(self) -> str:
        return self.name


class Question(LensContent):
    """A question of a lens version; `question_id` is unique in the whole version."""

    version = models.ForeignKey(LensVersion, models.CASCADE, related_name="questions")
    pillar = models.ForeignKey(Pillar, models.CASCADE, related_name="questions")
    question_id = models.CharField(max_length=128)
    title = models.TextField()
    description = models.TextField()

    class Meta(LensContent.Meta):
        ordering = ["pillar__position", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "question_id"], name="question_id_unique_in_version"),
        ]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.title}"


class Choice(LensContent):
    """A best practice a team can select, or the question's exclusive "None of these" (`_no`)."""

    #: Not a column: its resources, set by reviews.selectors.questionnaire.
    resource_list: list["Resource"]

    version = models.ForeignKey(LensVersion, models.CASCADE, related_name="choices")
    question = models.ForeignKey(Question, models.CASCADE, related_name="choices")
    choice_id = models.CharField(max_length=128)
    title = models.TextField()
    has_additional_resources = models.BooleanField(
        default=False, help_text=_("Whether the file had an additionalResources array (even an empty one).")
    )

    class Meta(LensContent.Meta):
        constraints = [
            models.UniqueConstraint(fields=["question", "choice_id"], name="choice_id_unique_in_question"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_none_of_these(self) -> bool:
        return self.choice_id.endswith("_no")


class RiskRule(LensContent):
    """One rule of a question: a condition over its choices (text as written) and the risk it gives."""

    class Level(models.TextChoices):
        NO_RISK = "NO_RISK", _("No risk")
        MEDIUM_RISK = "MEDIUM_RISK", _("Medium risk")
        HIGH_RISK = "HIGH_RISK", _("High risk")

    version = models.ForeignKey(LensVersion, models.CASCADE, related_name="risk_rules")
    question = models.ForeignKey(Question, models.CASCADE, related_name="risk_rules")
    condition = models.TextField()
    risk = models.CharField(max_length=16, choices=Level)

    class Meta(LensContent.Meta):
        constraints = [
            models.UniqueConstraint(fields=["question", "position"], name="riskrule_position_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.condition} -> {self.risk}"

    def in_words(self) -> str:
        """The rule as a reviewer reads it ("High risk when none of BP01, BP02 is selected"; a
        `default` rule: "... otherwise"): lens.rule_text."""
        return rule_words(self.condition, self.risk, first=self.position == 0)


class Resource(LensContent):
    """A helpful resource or improvement plan of a question or a choice.

    `slot` says where it sits in the file: the object's own `helpfulResource` or `improvementPlan`,
    or an item of one of a choice's `additionalResources` entries (`entry` is the entry's index,
    `position` the item's index in its content). The undocumented keys of an additionalResources
    entry itself are kept in `entry_extra` of the entry's first item.
    """

    class Slot(models.TextChoices):
        HELPFUL_RESOURCE = "HELPFUL_RESOURCE", _("Helpful resource")
        IMPROVEMENT_PLAN = "IMPROVEMENT_PLAN", _("Improvement plan")
        ADDITIONAL_HELPFUL_RESOURCE = "ADDITIONAL_HELPFUL_RESOURCE", _("Additional helpful resource")
        ADDITIONAL_IMPROVEMENT_PLAN = "ADDITIONAL_IMPROVEMENT_PLAN", _("Additional improvement plan")

    version = models.ForeignKey(LensVersion, models.CASCADE, related_name="resources")
    question = models.ForeignKey(Question, models.CASCADE, related_name="resources")
    choice = models.ForeignKey(Choice, models.CASCADE, null=True, blank=True, related_name="resources")
    slot = models.CharField(max_length=32, choices=Slot)
    entry = models.PositiveSmallIntegerField(null=True, blank=True)
    display_text = models.TextField(null=True, blank=True)  # noqa: DJ001 - None: no displayText key
    # None: the file has no url key, which differs from an empty url when exported again.
    url = models.TextField(  # noqa: DJ001
        null=True, blank=True, help_text=_("As written; only http(s) URLs become links.")
    )
    entry_extra = models.JSONField(default=dict, blank=True)

    class Meta(LensContent.Meta):
        ordering = ["entry", "position"]

    def __str__(self) -> str:
        return self.display_text or self.url or ""

    @property
    def link(self) -> str | None:
        """The URL if it is safe to show as a link (http or https), else None."""
        url = (self.url or "").strip()
        return url if url.lower().startswith(("http://", "https://")) and " " not in url else None


@receiver(pre_delete, sender=LensVersion, dispatch_uid="lens.retire_before_delete")
def _retire_before_delete(sender: object, instance: LensVersion, **kwargs: Any) -> None:
    """Let the ORM delete a published version's content: Django sends this inside the deleting
    transaction, before any row goes. A version that a review still uses (PROTECT) is refused
    before this runs, so nothing in use is ever retired."""
    if instance.status == LensVersion.Status.PUBLISHED:
        LensVersion.objects.filter(pk=instance.pk).update(status=LensVersion.Status.RETIRING)
