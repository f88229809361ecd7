"""What /api/v1/workloads/{id}/improvements/ reads and writes: the plan's rows (questions at risk,
the practices missing with their improvement plans, the tracking) and the tracking update.

A row's `status` (the stored one) and `state` (derived: reviews.selectors.improvements) are plain
text with their values in the help text, and the update's `status` is the one enum of the set, so
that drf-spectacular names one component per set (as in reviews.api.answer_serializers).
"""

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from mlwa.api.renames import RenamedFieldsMixin
from mlwa.api.schema import ErrorSerializer
from mlwa.api.strict import (
    ID_MAX,
    VERSION_MAX,
    StrictCharField,
    StrictChoiceField,
    StrictDateField,
    StrictIntegerField,
    StrictListField,
    StrictSerializer,
)
from reviews.models import NOTES_MAX, Answer, ImprovementItem
from reviews.selectors.improvements import STATE_LABELS, PlanRow
from reviews.services.improvements import BULK_MAX

STATUSES = ", ".join(ImprovementItem.Status.values)


class ImprovementResourceSerializer(serializers.Serializer):
    """An improvement plan (or the question's own resource): its text, and its link if http(s)."""

    kind = serializers.CharField(
        source="slot",
        help_text="IMPROVEMENT_PLAN or ADDITIONAL_IMPROVEMENT_PLAN (a practice's); HELPFUL_RESOURCE... "
        "(the question's own).",
    )
    text = serializers.CharField(source="display_text", allow_null=True)
    url = serializers.CharField(
        source="link", allow_null=True, help_text="Only an http(s) URL; null for anything else or none."
    )

    class Meta:
        ref_name = "ImprovementResource"


class MissingPracticeSerializer(serializers.Serializer):
    """A practice the team does not follow yet: neither selected nor marked not applicable."""

    id = serializers.CharField(source="choice_id")
    title = serializers.CharField()
    improvement_plan = ImprovementResourceSerializer(source="resources", many=True)

    class Meta:
        ref_name = "ImprovementMissingPractice"


class ImprovementSerializer(RenamedFieldsMixin, serializers.Serializer):
    """A question of the plan: where it is, its risk, what is missing, and its tracking."""

    renamed = {"pillar": "pillar_id", "owner": "owner_id"}

    lens = serializers.CharField(source="lens_alias", help_text="The lens's alias.")
    lens_name = serializers.CharField()
    pillar_id = serializers.CharField(help_text="The pillar's id.")
    pillar_name = serializers.CharField()
    question_id = serializers.CharField()
    title = serializers.CharField(help_text="The question's title.")
    risk = serializers.ChoiceField(choices=Answer.Risk.choices, help_text="The question's risk now.")
    state = serializers.CharField(
        help_text="Derived from the risk and the status: " + ", ".join(STATE_LABELS) + "."
    )
    status = serializers.CharField(help_text=f"The tracking status stored: {STATUSES}.")
    owner_id = serializers.IntegerField(allow_null=True, help_text="The owner's user id.")
    owner_username = serializers.SerializerMethodField()
    due_date = serializers.DateField(allow_null=True)
    note = serializers.CharField(allow_blank=True)
    version = serializers.IntegerField(
        help_text="Accepted tracking writes (0: never tracked); the ETag, quoted."
    )
    updated_by = serializers.SerializerMethodField()
    updated_at = serializers.SerializerMethodField()
    missing_practices = MissingPracticeSerializer(source="missing", many=True)
    question_resources = ImprovementResourceSerializer(many=True, help_text="The question's own resources.")

    class Meta:
        ref_name = "Improvement"

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_owner_username(self, row: PlanRow) -> str | None:
        return row.owner_username

    @extend_schema_field(serializers.CharField(allow_null=True, help_text="Who tracked it last."))
    def get_updated_by(self, row: PlanRow) -> str | None:
        item = row.item
        return item.updated_by_username if item else None

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_updated_at(self, row: PlanRow) -> str | None:
        item = row.item
        return (
            serializers.DateTimeField().to_representation(item.updated_at)
            if item and item.updated_at
            else None
        )


class ImprovementUpdateSerializer(RenamedFieldsMixin, StrictSerializer):
    """The tracking fields to change; those left out stay. Checked here (types, the status's enum,
    the note's length, a date, no other field); reviews.services.improvement_item_update takes the
    validated values and refuses an owner who may not own the item (`unknown_reference`)."""

    renamed = {"owner": "owner_id"}
    unknown_field_message = "Not a field of an improvement item."

    status = StrictChoiceField(choices=ImprovementItem.Status.choices, required=False)
    owner_id = StrictIntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=ID_MAX,
        help_text="The user id of the workload's owner or of a contributor; null: nobody.",
    )
    due_date = StrictDateField(required=False, allow_null=True, help_text="YYYY-MM-DD; null: none.")
    note = StrictCharField(required=False, allow_blank=True, max_length=NOTES_MAX)
    version = StrictIntegerField(
        required=False,
        min_value=0,
        max_value=VERSION_MAX,
        help_text="The item's version read (0 if nobody tracked it): refused with 409 if it changed since.",
    )

    class Meta:
        ref_name = "ImprovementUpdate"

    def validate(self, attrs: dict) -> dict:
        """The owner under the service's name for it, `owner`, whichever name the request gave."""
        if "owner_id" in attrs:
            attrs["owner"] = attrs.pop("owner_id")
        return attrs


class ImprovementPreconditionFailedSerializer(ErrorSerializer):
    """409 or 412: the item changed since the version given; `current` is the stored item."""

    current = ImprovementSerializer()

    class Meta:
        ref_name = "ImprovementPreconditionFailed"


class BulkStatusItemSerializer(StrictSerializer):
    """An item of a bulk status change, as the caller read it: its question and version."""

    unknown_field_message = "Not a field of a bulk change's item."

    lens = StrictCharField(max_length=64, help_text="The lens's alias.")
    question_id = StrictCharField(max_length=128)
    version = StrictIntegerField(
        min_value=0,
        max_value=VERSION_MAX,
        help_text="The item's version read (0 if nobody tracked it): left alone if it changed since.",
    )

    class Meta:
        ref_name = "ImprovementBulkStatusItem"


class BulkStatusSerializer(StrictSerializer):
    """A bulk status change: one status for every item named, each at the version read."""

    unknown_field_message = "Not a field of a bulk status change."

    status = StrictChoiceField(choices=ImprovementItem.Status.choices)
    items = StrictListField(
        child=BulkStatusItemSerializer(),
        min_length=1,
        max_length=BULK_MAX,
        help_text=f"The items to change, each once (at most {BULK_MAX}).",
    )

    class Meta:
        ref_name = "ImprovementBulkStatus"


class BulkItemRefSerializer(serializers.Serializer):
    """An item a bulk change wrote (or found already at the status): its question and version now."""

    lens = serializers.CharField(source="lens_alias")
    question_id = serializers.CharField()
    version = serializers.IntegerField()
    status = serializers.CharField()

    class Meta:
        ref_name = "ImprovementBulkItem"


class BulkStaleSerializer(serializers.Serializer):
    """An item a bulk change left alone: it changed since the version the caller read."""

    lens = serializers.CharField(source="ref.lens_alias")
    question_id = serializers.CharField(source="ref.question_id")
    version = serializers.IntegerField(source="ref.version", help_text="The version sent.")
    current_version = serializers.IntegerField(source="current.version")
    current_status = serializers.CharField(source="current.status")
    updated_by = serializers.CharField(
        source="current.updated_by_username", allow_null=True, help_text="Who changed it last."
    )

    class Meta:
        ref_name = "ImprovementBulkStale"


class BulkOutcomeSerializer(serializers.Serializer):
    """What a bulk status change did: the items written, those already at the status, and those
    that changed since they were read (left alone)."""

    written = BulkItemRefSerializer(many=True)
    unchanged = BulkItemRefSerializer(many=True)
    stale = BulkStaleSerializer(many=True)

    class Meta:
        ref_name = "ImprovementBulkOutcome"

    def to_representation(self, instance: Any) -> Any:
        stale = [{"ref": ref, "current": current} for ref, current in instance.stale]
        return super().to_representation(
            {"written": instance.written, "unchanged": instance.unchanged, "stale": stale}
        )


class MyImprovementSerializer(serializers.Serializer):
    """An improvement item assigned to the caller (reviews.selectors.my_improvements)."""

    workload_id = serializers.IntegerField()
    workload_name = serializers.CharField(source="workload.name")
    lens = serializers.CharField(source="lens_alias", help_text="The lens's alias.")
    question_id = serializers.CharField()
    title = serializers.CharField(
        source="question_title", allow_null=True, help_text="Null when the lens applied lacks the question."
    )
    risk = serializers.ChoiceField(
        choices=Answer.Risk.choices, allow_null=True, help_text="The question's risk now (null: as title)."
    )
    status = serializers.CharField(help_text=f"The tracking status stored: {STATUSES}.")
    due_date = serializers.DateField(allow_null=True)
    overdue = serializers.BooleanField(help_text="Due before today, neither done nor risk-accepted.")
    note = serializers.CharField(allow_blank=True)
    version = serializers.IntegerField()

    class Meta:
        ref_name = "MyImprovement"
