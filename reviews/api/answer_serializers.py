"""What /api/v1/workloads/{id}/lens-reviews/{alias}/answers/ reads and writes: answers, their
questions' choices with a status each, the partial update (whole fields and choice updates), and the
audit trail.

Each choice set lives in one component only (as in lens.api.serializers): drf-spectacular names an
enum after its field, and one set under one name in two components is a collision the schema check
refuses. So a choice's status is an enum in the update (AnswerChoiceUpdate) and plain text, with its
values in the description, where the API answers with it. Risk and reason are named once for all in
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].
"""

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from mlwa.api.renames import RenamedFieldsMixin
from mlwa.api.schema import ErrorSerializer
from mlwa.api.strict import StrictBooleanField, StrictCharField, StrictChoiceField, StrictSerializer
from reviews.api.restored import restored_marks
from reviews.api.validation import validated_input
from reviews.models import CHOICE_NOTES_MAX, NOTES_MAX, Answer, AnswerChange, MilestoneAnswer
from reviews.services.answers import CHOICE_STATUSES, NOT_APPLICABLE, SELECTED, UNSELECTED


def entity_tag(version: int) -> str:
    """The ETag of an answer at `version`: its version, quoted (a strong validator)."""
    return f'"{version}"'


class NotApplicableChoiceSerializer(serializers.Serializer):
    """Why a practice does not apply to this workload."""

    reason = serializers.ChoiceField(choices=Answer.Reason.choices)
    notes = serializers.CharField(allow_blank=True, max_length=CHOICE_NOTES_MAX)

    class Meta:
        ref_name = "AnswerNotApplicableChoice"


class AnswerSerializer(RenamedFieldsMixin, serializers.Serializer):
    """One answer of a lens review: the practices followed, those that do not apply, and its risk."""

    renamed = {"pillar": "pillar_id"}

    question_id = serializers.CharField(source="question.question_id")
    title = serializers.CharField(source="question.title", help_text="The question's title.")
    pillar_id = serializers.CharField(source="question.pillar.pillar_id", help_text="The pillar's id.")
    selected_choices = serializers.ListField(
        child=serializers.CharField(), help_text="The ids of the choices selected, in the lens's order."
    )
    not_applicable_choices = serializers.DictField(
        child=NotApplicableChoiceSerializer(), help_text="Choice id → why it does not apply."
    )
    is_applicable = serializers.BooleanField(help_text="False: the whole question does not apply.")
    reason = serializers.ChoiceField(
        choices=Answer.Reason.choices,
        allow_blank=True,
        help_text="Why the question does not apply; empty while it applies.",
    )
    notes = serializers.CharField(allow_blank=True)
    risk = serializers.ChoiceField(choices=Answer.Risk.choices, help_text="Computed from the lens's rules.")
    version = serializers.IntegerField(
        help_text='Accepted writes so far (0: never answered); the ETag is this, quoted: "3".'
    )
    updated_by = serializers.CharField(
        source="updated_by_username", allow_null=True, default=None, help_text="Who wrote it last."
    )
    updated_at = serializers.DateTimeField(allow_null=True)
    restored_by, restored_at = restored_marks("updated_by", cleared_by_a_write=True)

    class Meta:
        ref_name = "Answer"


class AnswerChoiceSerializer(serializers.Serializer):
    """A choice of the question, and its status in this answer."""

    id = serializers.CharField(source="choice.choice_id")
    title = serializers.CharField(source="choice.title")
    status = serializers.CharField(help_text=f"{SELECTED}, {UNSELECTED} or {NOT_APPLICABLE}.")

    class Meta:
        ref_name = "AnswerChoice"


class AnswerQuestionSerializer(serializers.Serializer):
    """The question answered, with its choices in the lens's order."""

    title = serializers.CharField()
    description = serializers.CharField()
    choices = AnswerChoiceSerializer(many=True)

    class Meta:
        ref_name = "AnswerQuestion"


class AnswerDetailSerializer(AnswerSerializer):
    """An answer with its question: the title, the description and each choice's status."""

    question = serializers.SerializerMethodField()

    class Meta:
        ref_name = "AnswerDetail"

    @extend_schema_field(AnswerQuestionSerializer)
    def get_question(self, answer: Answer | MilestoneAnswer) -> dict:
        choices = self.context["choices"]
        selected, not_applicable = set(answer.selected_choices), answer.not_applicable_choices
        rows = [
            {
                "choice": choice,
                "status": SELECTED
                if choice.choice_id in selected
                else NOT_APPLICABLE
                if choice.choice_id in not_applicable
                else UNSELECTED,
            }
            for choice in choices
        ]
        question = answer.question
        return AnswerQuestionSerializer(
            {"title": question.title, "description": question.description, "choices": rows}
        ).data


#: Formats `updated_at` as AnswerSerializer does (ISO 8601 in the current time zone, UTC as Z).
_DATE_TIME = serializers.DateTimeField()


def _choice(value: Any) -> Any:
    """A choice as a ChoiceField shows it: its value as text ("" and None as they are)."""
    return value if value in ("", None) else str(value)


def answer_detail(answer: Answer | MilestoneAnswer, choices: Any) -> dict:
    """What AnswerDetailSerializer(answer, context={"choices": choices}).data gives, made directly:
    every answer read and save of the API answers with it, and the serializer (its fields copied
    for each instance, nested twice) cost more CPU than the rest of the response. The serializer
    stays the documented shape; tests/api/test_answers_detail.py checks that the two agree."""
    question = answer.question
    selected, not_applicable = set(answer.selected_choices), answer.not_applicable_choices
    return {
        "question_id": question.question_id,
        "title": question.title,
        "pillar_id": question.pillar.pillar_id,
        "pillar": question.pillar.pillar_id,  # deprecated in v1: the same as `pillar_id`
        "selected_choices": [str(choice_id) for choice_id in answer.selected_choices],
        "not_applicable_choices": {
            str(choice_id): {"reason": _choice(details["reason"]), "notes": str(details["notes"])}
            for choice_id, details in not_applicable.items()
        },
        "is_applicable": bool(answer.is_applicable),
        "reason": _choice(answer.reason),
        "notes": str(answer.notes),
        "risk": _choice(answer.risk),
        "version": int(answer.version),
        "updated_by": None if (name := answer.updated_by_username) is None else str(name),
        "updated_at": None if answer.updated_at is None else _DATE_TIME.to_representation(answer.updated_at),
        "restored_by": None if (restorer := answer.restored_by_username) is None else str(restorer),
        "restored_at": None
        if answer.restored_at is None
        else _DATE_TIME.to_representation(answer.restored_at),
        "question": {
            "title": str(question.title),
            "description": str(question.description),
            "choices": [
                {
                    "id": str(choice.choice_id),
                    "title": str(choice.title),
                    "status": SELECTED
                    if choice.choice_id in selected
                    else NOT_APPLICABLE
                    if choice.choice_id in not_applicable
                    else UNSELECTED,
                }
                for choice in choices
            ],
        },
    }


class ChoiceUpdateSerializer(StrictSerializer):
    """A choice set to a status; only NOT_APPLICABLE takes a reason and notes (left out, null or
    empty: as stored for a choice that did not apply already, else NONE and no notes)."""

    unknown_field_message = "Not a key of a choice update (status, reason, notes)."

    status = StrictChoiceField(choices=CHOICE_STATUSES)
    reason = StrictChoiceField(
        choices=Answer.Reason.choices, required=False, allow_null=True, allow_blank=True
    )
    notes = StrictCharField(required=False, allow_null=True, allow_blank=True, max_length=CHOICE_NOTES_MAX)

    class Meta:
        ref_name = "AnswerChoiceUpdate"


class NotApplicableChoiceUpdateSerializer(StrictSerializer):
    """Why a practice does not apply, as a write gives it: the reason (left out, null or empty:
    NONE) and notes (left out or null: none)."""

    unknown_field_message = 'Not a key of a practice that does not apply ("reason", "notes").'

    reason = StrictChoiceField(
        choices=Answer.Reason.choices, required=False, allow_null=True, allow_blank=True
    )
    notes = StrictCharField(required=False, allow_null=True, allow_blank=True, max_length=CHOICE_NOTES_MAX)

    class Meta:
        ref_name = "AnswerNotApplicableChoice"  # the schema adds "Request"

    def validate(self, attrs: dict) -> dict:
        return {"reason": attrs.get("reason") or Answer.Reason.NONE, "notes": attrs.get("notes") or ""}


class AnswerUpdateSerializer(StrictSerializer):
    """A partial update: the fields named replace what is stored, the others stay. `choice_updates`
    changes only the choices it names, applied to the answer as stored at the moment of the write
    (after `selected_choices` and `not_applicable_choices`, when the same request names them too).

    It checks the shape (types, lengths, enums, no other field); reviews.services.answer_update
    takes the validated values and checks them against the question (unknown choice ids, "None of
    these" alone, a reason only for a question that does not apply)."""

    unknown_field_message = "Not a field of an answer."

    selected_choices = serializers.ListField(
        child=StrictCharField(),
        required=False,
        help_text='The choices selected, all of them. "None of these" (`<question>_no`) goes alone.',
    )
    not_applicable_choices = serializers.DictField(
        child=NotApplicableChoiceUpdateSerializer(),
        required=False,
        help_text="The practices that do not apply, all of them: choice id → reason and notes.",
    )
    choice_updates = serializers.DictField(
        child=ChoiceUpdateSerializer(),
        required=False,
        help_text="Choice id → its new status (AWS: ChoiceUpdates); the choices not named stay.",
    )
    is_applicable = StrictBooleanField(required=False)
    reason = StrictChoiceField(
        choices=Answer.Reason.choices,
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text="Only with is_applicable false (true clears it); empty or null: none.",
    )
    notes = StrictCharField(required=False, allow_blank=True, max_length=NOTES_MAX)

    class Meta:
        ref_name = "AnswerUpdate"

    def validate(self, attrs: dict) -> dict:
        if "reason" in attrs:
            attrs["reason"] = attrs["reason"] or ""
        return attrs


def validated_answer_changes(data: Any) -> dict:
    """`data` (a write's body) as AnswerUpdateSerializer validates it, for reviews.services.
    answer_update; InvalidInput (`invalid`) naming each input at fault when it breaks the shape."""
    return validated_input(AnswerUpdateSerializer, data)


class AnswerPreconditionFailedSerializer(ErrorSerializer):
    """412: the answer changed since the version If-Match names; `current` is the stored answer
    (its ETag in the response's header), so that the client can merge and retry."""

    current = AnswerDetailSerializer()

    class Meta:
        ref_name = "AnswerPreconditionFailed"


class AnswerChangeSerializer(serializers.ModelSerializer):
    """One entry of an answer's audit trail: an accepted change, or a conflict settled in favour of
    the stored answer (KEPT_THEIRS: `before` is the writer's discarded version)."""

    changed_by = serializers.CharField(source="changed_by_username", allow_null=True, default=None)
    restored_by, restored_at = restored_marks("changed_by")
    before = serializers.DictField(help_text="The answer's stored fields and risk before.")
    after = serializers.DictField(help_text="The answer's stored fields and risk after.")

    class Meta:
        model = AnswerChange
        ref_name = "AnswerChange"
        fields = [
            "kind",
            "version",
            "changed_by",
            "changed_at",
            "before",
            "after",
            "note",
            "restored_by",
            "restored_at",
        ]
        read_only_fields = fields
