"""What /api/v1/lenses/ reads and writes: lenses, their versions and content, imports, differences
and sharing.

Each choice set (a version's status and kind, a rule's risk, a change's kind and status) lives in
one component only: drf-spectacular names an enum after its field, and the same set under one name in
two components is a naming collision, which the schema check refuses.
"""

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from lens.diff import Status
from lens.format.limits import ADDITIONAL_TYPES
from lens.models import Choice, Lens, LensVersion, Question, Resource, RiskRule
from lens.services import ALIAS_MAX
from mlwa import error_codes
from mlwa.api.schema import ErrorSerializer
from mlwa.api.strict import DomainRefusal, StrictBooleanField, StrictCharField, StrictSerializer


class NullIfBlankChoiceField(serializers.ChoiceField):
    """A choice the model stores as "" when it does not apply (a draft's kind): null in the API."""

    def to_representation(self, value: str) -> str | None:  # type: ignore[override]  # null, which the stubs do not allow
        return super().to_representation(value) if value else None


class ProblemSerializer(serializers.Serializer):
    """A warning or refusal about a lens document, at its JSON path."""

    path = serializers.CharField(help_text="A JSONPath into the document: `$.pillars[0].questions[1]`.")
    code = serializers.CharField(help_text="A stable name: `too_long_for_aws`, `no_default_rule`...")
    message = serializers.CharField()

    class Meta:
        ref_name = "LensProblem"


class VersionSerializer(serializers.ModelSerializer):
    """A version of a lens: the draft (label `draft`) or a published version, which never changes."""

    label = serializers.SerializerMethodField(help_text="The published label, or `draft` for the draft.")  # type: ignore[assignment]  # a declared serializer field; the stubs see Field's attribute
    status = serializers.ChoiceField(
        choices=[LensVersion.Status.DRAFT, LensVersion.Status.PUBLISHED], read_only=True
    )
    kind = NullIfBlankChoiceField(
        choices=LensVersion.Kind.choices,
        allow_null=True,
        read_only=True,
        help_text="Major or minor; null for the draft.",
    )
    warnings = ProblemSerializer(many=True, read_only=True, help_text="What the import noticed.")

    class Meta:
        model = LensVersion
        ref_name = "LensVersion"
        fields = [
            "label",
            "status",
            "kind",
            "published_at",
            "created_at",
            "name",
            "description",
            "schema_version",
            "content_hash",
            "warnings",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "content_hash": {"help_text": "SHA-256 of the content: equal content, equal hash."},
            "name": {"help_text": "The lens name as this version gives it."},
        }

    def get_label(self, version: LensVersion) -> str:
        return version.label or "draft"


class LensSerializer(serializers.ModelSerializer):
    """A lens of the library, with its newest published version and what the caller may do."""

    owner = serializers.CharField(
        source="owner.username",
        allow_null=True,
        default=None,
        read_only=True,
        help_text="The owner's username; null for the instance's lenses.",
    )
    builtin = serializers.BooleanField(source="is_builtin", read_only=True)
    latest_version = VersionSerializer(
        allow_null=True, read_only=True, help_text="The newest published version; null before the first."
    )
    manageable = serializers.BooleanField(
        read_only=True, help_text="Whether the caller may publish, share and delete it."
    )

    class Meta:
        model = Lens
        ref_name = "Lens"
        fields = [
            "alias",
            "name",
            "description",
            "owner",
            "builtin",
            "shared_with_everyone",
            "manageable",
            "latest_version",
        ]
        read_only_fields = fields


class ResourceSerializer(serializers.Serializer):
    """A helpful resource or improvement plan, as the lens file gives it."""

    display_text = serializers.CharField(allow_null=True)
    url = serializers.CharField(allow_null=True, help_text="As written; only http(s) URLs are links.")

    class Meta:
        ref_name = "LensResource"


class AdditionalResourcesSerializer(serializers.Serializer):
    """One entry of a choice's additional resources: a type and its resources."""

    type = serializers.ChoiceField(choices=ADDITIONAL_TYPES)
    content = ResourceSerializer(many=True)

    class Meta:
        ref_name = "LensAdditionalResources"


def _resource(resources: Iterable[Resource], slot: str) -> dict | None:
    row = next((resource for resource in resources if resource.slot == slot), None)
    return ResourceSerializer(row).data if row is not None else None


_ADDITIONAL_TYPE: dict[str, str] = {
    Resource.Slot.ADDITIONAL_HELPFUL_RESOURCE: "HELPFUL_RESOURCE",
    Resource.Slot.ADDITIONAL_IMPROVEMENT_PLAN: "IMPROVEMENT_PLAN",
}


class ChoiceSerializer(serializers.Serializer):
    """A best practice, or the question's exclusive "None of these" (an id ending in `_no`)."""

    id = serializers.CharField(source="choice_id")
    title = serializers.CharField()
    none_of_these = serializers.BooleanField(source="is_none_of_these")
    helpful_resource = serializers.SerializerMethodField()
    improvement_plan = serializers.SerializerMethodField()
    additional_resources = serializers.SerializerMethodField(
        help_text="In the file's order; null when the file has no `additionalResources`."
    )

    class Meta:
        ref_name = "LensChoice"

    @extend_schema_field(ResourceSerializer(allow_null=True))
    def get_helpful_resource(self, choice: Choice) -> dict | None:
        return _resource(choice.resources.all(), Resource.Slot.HELPFUL_RESOURCE)

    @extend_schema_field(ResourceSerializer(allow_null=True))
    def get_improvement_plan(self, choice: Choice) -> dict | None:
        return _resource(choice.resources.all(), Resource.Slot.IMPROVEMENT_PLAN)

    @extend_schema_field(AdditionalResourcesSerializer(many=True, allow_null=True))
    def get_additional_resources(self, choice: Choice) -> list | None:
        if not choice.has_additional_resources:
            return None
        entries: dict[int, dict] = {}
        for resource in choice.resources.all():  # prefetched in the entries' order
            if resource.entry is not None:
                entry = entries.setdefault(
                    resource.entry, {"type": _ADDITIONAL_TYPE[resource.slot], "content": []}
                )
                entry["content"].append(ResourceSerializer(resource).data)
        return list(entries.values())


class RiskRuleSerializer(serializers.Serializer):
    condition = serializers.CharField(help_text="Over the question's choice ids, as written in the file.")
    risk = serializers.ChoiceField(choices=RiskRule.Level.choices)

    class Meta:
        ref_name = "LensRiskRule"


class QuestionSerializer(serializers.Serializer):
    id = serializers.CharField(source="question_id")
    title = serializers.CharField()
    description = serializers.CharField()
    helpful_resource = serializers.SerializerMethodField()
    choices = ChoiceSerializer(many=True, source="choices.all")
    risk_rules = RiskRuleSerializer(many=True, source="risk_rules.all", help_text="The first that holds.")

    class Meta:
        ref_name = "LensQuestion"

    @extend_schema_field(ResourceSerializer(allow_null=True))
    def get_helpful_resource(self, question: Question) -> dict | None:
        return _resource(question.own_resources, Resource.Slot.HELPFUL_RESOURCE)  # type: ignore[attr-defined]  # to_attr


class PillarSerializer(serializers.Serializer):
    id = serializers.CharField(source="pillar_id")
    name = serializers.CharField()
    description = serializers.CharField(allow_null=True)
    questions = QuestionSerializer(many=True, source="questions.all")

    class Meta:
        ref_name = "LensPillar"


class LensDetailSerializer(LensSerializer):
    """A lens with one version's content: its pillars, questions, choices and risk rules."""

    version = VersionSerializer(
        allow_null=True,
        read_only=True,
        help_text="The version asked for; null when a lens the caller may not manage has none published.",
    )
    pillars = PillarSerializer(many=True, read_only=True, help_text="The version's content, in order.")

    class Meta(LensSerializer.Meta):
        ref_name = "LensDetail"
        fields = [*LensSerializer.Meta.fields, "version", "pillars"]
        read_only_fields = fields


class ImportedSerializer(serializers.Serializer):
    """An imported lens: the lens, its new draft, and what the import noticed."""

    lens = LensSerializer()
    version = VersionSerializer(help_text="The draft the import made (or replaced).")
    warnings = ProblemSerializer(many=True)

    class Meta:
        ref_name = "LensImported"


class UploadSerializer(serializers.Serializer):
    """A lens file uploaded as a form (multipart/form-data)."""

    file = serializers.FileField(help_text="The lens file (JSON, UTF-8).")
    alias = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=ALIAS_MAX,
        help_text="The alias of one of your lenses to replace its draft; empty: a new lens.",
    )

    class Meta:
        ref_name = "LensUpload"


class RefusalSerializer(ErrorSerializer):
    """A lens document refused: `fields` by JSON path, and every problem in document order."""

    problems = ProblemSerializer(many=True, required=False)

    class Meta:
        ref_name = "LensRefusal"


class PublishSerializer(StrictSerializer):
    """The version to publish, checked here; lens_publish refuses a label taken or reserved, and a
    lens without a draft (domain codes)."""

    unknown_field_message = "Not a field of a version to publish (label, major)."

    label = StrictCharField(  # type: ignore[assignment]  # a field named as DRF's attribute
        help_text="1-32 characters, unique in the lens; not `draft`."
    )
    major = StrictBooleanField(
        default=False,
        help_text="A major version is offered to workloads as an upgrade; a minor one moves the "
        "reviews of the previous version to it.",
    )

    class Meta:
        ref_name = "LensPublish"


class FieldChangeSerializer(serializers.Serializer):
    """One changed field of an UPDATED element, before and after, as lines of text for people."""

    field = serializers.CharField(help_text="The file's key name, as in `fields`.")
    label = serializers.CharField(  # type: ignore[assignment]  # a declared field; the stubs see Field's attribute
        help_text="The field's name for people, e.g. `Risk rules`."
    )
    before = serializers.ListField(
        child=serializers.CharField(),
        help_text="The value before, as lines: text as written, a resource as `text (url)`, each "
        "risk rule as a condition in words (`High risk when none of BP01, BP02 is selected`). Empty "
        "when the field was not there.",
    )
    after = serializers.ListField(child=serializers.CharField(), help_text="The value after, likewise.")

    class Meta:
        ref_name = "LensFieldChange"


class ChangeSerializer(serializers.Serializer):
    """A pillar, question or choice that differs between two versions, matched by id."""

    kind = serializers.ChoiceField(choices=["pillar", "question", "choice"])
    status = serializers.ChoiceField(choices=[status.value for status in Status])
    pillar_id = serializers.CharField()
    question_id = serializers.CharField(allow_null=True)
    choice_id = serializers.CharField(allow_null=True)
    title = serializers.CharField()
    fields = serializers.ListField(  # type: ignore[assignment]  # a declared serializer field; the stubs see Field's attribute
        child=serializers.CharField(), help_text="What changed in an UPDATED element (file key names)."
    )
    details = FieldChangeSerializer(
        many=True, help_text="Each of `fields` before and after, in `fields`' order; empty unless UPDATED."
    )

    class Meta:
        ref_name = "LensChange"


class DiffSerializer(serializers.Serializer):
    from_version = VersionSerializer(allow_null=True, help_text="Null when there is nothing before.")
    to_version = VersionSerializer(allow_null=True)
    changes = ChangeSerializer(many=True, help_text="In the newer version's order, deletions last.")

    class Meta:
        ref_name = "LensDiff"


def _named(model: Any, key: str, field: str, names: list[str], noun: str, unknown: dict) -> list:
    """The rows of `model` whose `key` is each of `names`, once each; each unknown name goes into
    `unknown` at its path (`users.0`)."""
    found = {getattr(row, key): row for row in model.objects.filter(**{f"{key}__in": names})}
    unknown.update(
        {
            f"{field}.{index}": [f"No {noun} is named {name!r}."]
            for index, name in enumerate(names)
            if name not in found
        }
    )
    return list(dict.fromkeys(found[name] for name in names if name in found))


class SharesSerializer(StrictSerializer):
    """Who may see a lens besides its owner; a PUT replaces all of it. Reads and takes names
    (checked here as text); `shared_with` turns them into the users and groups they name."""

    unknown_field_message = "Not a field of a lens's shares (everyone, users, groups)."

    everyone = StrictBooleanField(help_text="Every user of the instance.")
    users = serializers.ListField(child=StrictCharField(), help_text="Usernames.")
    groups = serializers.ListField(child=StrictCharField(), help_text="Group names.")

    class Meta:
        ref_name = "LensShares"


def shared_with(validated: dict) -> dict:
    """SharesSerializer's validated names as the users and groups they name: a 400
    `unknown_reference` naming each name that names nobody."""
    unknown: dict[str, list[str]] = {}
    user_model = get_user_model()
    users = _named(user_model, user_model.USERNAME_FIELD, "users", validated["users"], "user", unknown)
    groups = _named(Group, "name", "groups", validated["groups"], "group", unknown)
    if unknown:
        raise DomainRefusal(unknown, error_codes.UNKNOWN_REFERENCE)
    return {"everyone": validated["everyone"], "users": users, "groups": groups}
