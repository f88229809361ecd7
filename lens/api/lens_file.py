"""The lens file itself (the AWS custom-lens format), for the schema of the import body and of the
export: what a client sends and gets back.

The reader, not these serializers, validates an import, so that every problem has its JSON path;
keys the format does not define are allowed, kept and exported again. Enumerated values are plain
text here, as the enums' sets belong to the components of lens.api.serializers (one component each).
Field names are the file's keys.
"""

from rest_framework import serializers


class FileResourceSerializer(serializers.Serializer):
    displayText = serializers.CharField(required=False)
    url = serializers.CharField(required=False)

    class Meta:
        ref_name = "LensFileResource"


class FileAdditionalResourcesSerializer(serializers.Serializer):
    type = serializers.CharField(help_text="`HELPFUL_RESOURCE` or `IMPROVEMENT_PLAN`.")
    content = FileResourceSerializer(many=True, help_text="1-5 resources.")

    class Meta:
        ref_name = "LensFileAdditionalResources"


class FileChoiceSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="Unique in the question; `<question id>_no` is None of these.")
    title = serializers.CharField()
    helpfulResource = FileResourceSerializer(required=False)
    improvementPlan = FileResourceSerializer(required=False)
    additionalResources = FileAdditionalResourcesSerializer(many=True, required=False)

    class Meta:
        ref_name = "LensFileChoice"


class FileRiskRuleSerializer(serializers.Serializer):
    condition = serializers.CharField(help_text="`default`, or choice ids with `&&`, `||`, `!`, brackets.")
    risk = serializers.CharField(help_text="`NO_RISK`, `MEDIUM_RISK` or `HIGH_RISK`.")

    class Meta:
        ref_name = "LensFileRiskRule"


class FileQuestionSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="Unique in the lens.")
    title = serializers.CharField()
    description = serializers.CharField()
    helpfulResource = FileResourceSerializer(required=False)
    choices = FileChoiceSerializer(many=True)
    riskRules = FileRiskRuleSerializer(many=True)

    class Meta:
        ref_name = "LensFileQuestion"


class FilePillarSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField(required=False)
    questions = FileQuestionSerializer(many=True)

    class Meta:
        ref_name = "LensFilePillar"


class LensFileSerializer(serializers.Serializer):
    """A lens file as the AWS Well-Architected Tool reads it (schemaVersion 2021-11-01); the rules
    and limits are in LENS_FORMAT.md. Undocumented keys are kept."""

    schemaVersion = serializers.CharField(help_text="`2021-11-01`.")
    name = serializers.CharField()
    description = serializers.CharField()
    pillars = FilePillarSerializer(many=True, help_text="1-10 pillars.")

    class Meta:
        ref_name = "LensFile"
