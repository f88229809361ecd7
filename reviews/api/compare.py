"""Comparing milestones (/api/v1/workloads/{id}/milestones/compare/) and the risk trend
(/api/v1/workloads/{id}/trend/): reads for everyone who sees the workload.

The comparison takes the states as the comparison page does (reviews.selectors.compare_states):
`?base=N&target=M|current`, with the same defaults, a 400 naming `base` or `target` for a value that
is not a milestone number, and a 404 for a number the workload has no milestone for. Mounted before
the milestones' routes, though `compare` could never be a milestone's number there.
"""

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from mlwa.api.params import WHOLE_NUMBER_PATTERN, WORKLOAD_PARAMETER
from mlwa.api.schema import error_response
from mlwa.api.views import ApiView
from reviews.access import workload_or_404
from reviews.api.counts import RiskCountsSerializer
from reviews.models import AnswerFields
from reviews.selectors.compare import LensStatus, Status, workload_comparison
from reviews.selectors.compare_states import compared_states
from reviews.selectors.states import milestones_of
from reviews.selectors.trend import workload_trend

# --- the shape ----------------------------------------------------------------------------------------


class DeltaSerializer(serializers.Serializer):
    """A count before and after: more risks is worse, so a positive change is a regression."""

    before = serializers.IntegerField(help_text="In the base state.")
    after = serializers.IntegerField(help_text="In the target state.")
    change = serializers.IntegerField(help_text="`after` less `before`.")

    class Meta:
        ref_name = "CountChange"


class StateSerializer(serializers.Serializer):
    """One of the two states compared: a milestone, or the workload as it is now (all null)."""

    milestone = serializers.IntegerField(
        source="milestone.number", allow_null=True, default=None, help_text="Its number; null for now."
    )
    name = serializers.CharField(
        source="milestone.name",
        allow_null=True,
        default=None,
        help_text="The milestone's name; null for now.",
    )
    created_at = serializers.DateTimeField(
        source="milestone.created_at",
        allow_null=True,
        default=None,
        help_text="When the milestone was saved; null for now.",
    )

    class Meta:
        ref_name = "ComparedState"


class PillarComparisonSerializer(serializers.Serializer):
    pillar_id = serializers.CharField(help_text="The pillar's id in the lens: pillars match by it.")
    name = serializers.CharField(help_text="The target's name for it (the base's if only the base has it).")
    high = DeltaSerializer(help_text="Its questions at high risk.")
    medium = DeltaSerializer(help_text="Its questions at medium risk.")
    counts_before = RiskCountsSerializer(help_text="Its risk counts in the base state.")
    counts_after = RiskCountsSerializer(help_text="Its risk counts in the target state.")

    class Meta:
        ref_name = "PillarComparison"


class PracticeSerializer(serializers.Serializer):
    choice_id = serializers.CharField(help_text="The choice's id in the question.")
    title = serializers.CharField(help_text="The practice, in the words of the lens version it is in.")

    class Meta:
        ref_name = "ComparedPractice"


RISKS = AnswerFields.Risk.choices


class QuestionComparisonSerializer(serializers.Serializer):
    question_id = serializers.CharField(help_text="The question's id: questions match by it across versions.")
    title = serializers.CharField(help_text="The target's title (the base's for a removed question).")
    pillar_id = serializers.CharField(
        help_text="The pillar it is in (the target's, for a question that moved)."
    )
    status = serializers.ChoiceField(
        choices=[status.value for status in Status],
        help_text="`improved` or `regressed` when its risk ranks lower or higher (high > medium > any other: "
        "unanswered and not applicable are no risk), `unchanged` when it ranks the same, `added` or "
        "`removed` when only the target or only the base has it.",
    )
    risk_before = serializers.ChoiceField(
        choices=RISKS, allow_null=True, help_text="Null for an added question."
    )
    risk_after = serializers.ChoiceField(
        choices=RISKS, allow_null=True, help_text="Null for a removed question."
    )
    changed = serializers.BooleanField(
        help_text="Whether anything the answer's history records changed: its presence, risk, practices, "
        '"None of these", not-applicable marks (with reasons and notes) or notes.'
    )
    practices_added = PracticeSerializer(
        many=True, help_text='Selected in the target only, in its order ("None of these" is not a practice).'
    )
    practices_removed = PracticeSerializer(many=True, help_text="Selected in the base only, in its order.")
    not_applicable_changed = serializers.BooleanField(
        help_text="Whether the question's or a practice's not-applicable mark, reason or notes changed."
    )
    none_of_these_before = serializers.BooleanField(
        help_text='Whether "None of these" is ticked in the base (false for an added question).'
    )
    none_of_these_after = serializers.BooleanField(
        help_text='Whether "None of these" is ticked in the target (false for a removed question).'
    )
    notes_changed = serializers.BooleanField()
    notes_before = serializers.CharField(allow_blank=True)
    notes_after = serializers.CharField(allow_blank=True)

    class Meta:
        ref_name = "QuestionComparison"


class LensComparisonSerializer(serializers.Serializer):
    lens = serializers.CharField(source="alias", help_text="The lens's alias: lenses match by it.")
    name = serializers.CharField(help_text="The lens's name in the target's version (the base's if removed).")
    status = serializers.ChoiceField(
        choices=[status.value for status in LensStatus],
        help_text="`kept` when both states review it, `added` or `removed` when only one does.",
    )
    version_before = serializers.CharField(
        allow_null=True, help_text="The base's version label; null if added."
    )
    version_after = serializers.CharField(
        allow_null=True, help_text="The target's version label; null if removed."
    )
    upgraded = serializers.BooleanField(help_text="Whether the two states review it on different versions.")
    high = DeltaSerializer(help_text="Its pillars' high counts added up.")
    medium = DeltaSerializer(help_text="Its pillars' medium counts added up.")
    counts_before = RiskCountsSerializer(help_text="Its pillars' counts in the base state, added up.")
    counts_after = RiskCountsSerializer(help_text="Its pillars' counts in the target state, added up.")
    pillars = PillarComparisonSerializer(
        many=True, help_text="The target's, in order, then the base's others."
    )
    questions = QuestionComparisonSerializer(
        many=True,
        help_text="The target's, in order, each removed question after its pillar's; with `changed=1`, "
        "only those where something changed.",
    )

    class Meta:
        ref_name = "LensComparison"


class ComparisonSerializer(serializers.Serializer):
    """Two states of a workload compared, lens by lens and question by question."""

    base = StateSerializer(help_text="Before.")
    target = StateSerializer(help_text="After.")
    high = DeltaSerializer(help_text="High risks of every lens added up.")
    medium = DeltaSerializer(help_text="Medium risks of every lens added up.")
    counts_before = RiskCountsSerializer(help_text="Every lens's counts in the base state, added up.")
    counts_after = RiskCountsSerializer(help_text="Every lens's counts in the target state, added up.")
    changed = serializers.IntegerField(
        source="changed_count",
        help_text="How many questions changed, in every lens, whatever `changed` says.",
    )
    lenses = LensComparisonSerializer(
        many=True, help_text="The target's, in the order applied, then the base's others."
    )

    class Meta:
        ref_name = "Comparison"


class TrendPointSerializer(serializers.Serializer):
    label = serializers.CharField(source="name", help_text="The milestone's name, or `Now`.")  # type: ignore[assignment]  # a declared serializer field; the stubs see Field's attribute
    milestone = serializers.IntegerField(allow_null=True, help_text="The milestone's number; null for now.")
    date = serializers.DateTimeField(
        source="at", help_text="When the milestone was saved, or the time of the read."
    )

    class Meta:
        ref_name = "TrendPoint"


class TrendPillarSerializer(serializers.Serializer):
    pillar_id = serializers.CharField()
    name = serializers.CharField(help_text="As the newest state that has the pillar names it.")
    lens = serializers.CharField(
        allow_null=True,
        help_text="The lens alias of a lens's own pillar; null for a standard pillar (added up across "
        "lenses).",
    )
    high = serializers.ListField(child=serializers.IntegerField(), help_text="One count per point, in order.")
    medium = serializers.ListField(
        child=serializers.IntegerField(), help_text="One count per point, in order."
    )

    class Meta:
        ref_name = "TrendPillar"


class TrendSerializer(serializers.Serializer):
    """A workload's high and medium risks per pillar at each milestone, oldest first, and now."""

    points = TrendPointSerializer(
        source="moments", many=True, help_text="The milestones, oldest first, then now."
    )
    pillars = TrendPillarSerializer(many=True, help_text="Standard pillars, then each lens's own.")

    class Meta:
        ref_name = "Trend"


# --- the views ------------------------------------------------------------------------------------------

COMPARE_PARAMETERS = [
    WORKLOAD_PARAMETER,
    OpenApiParameter(
        "base",
        OpenApiTypes.INT,
        description="The milestone compared from. Default: the newest milestone before `target` (the "
        "second newest when neither is given, the newest when `target` is `current`).",
    ),
    OpenApiParameter(
        "target",
        # What compared_states reads: a milestone number from 1, `current`, or nothing.
        {"type": "string", "pattern": rf"^\s*(current|0*{WHOLE_NUMBER_PATTERN})?\s*$"},
        description="The milestone compared to, or `current` for the workload as it is now. Default: the "
        "newest milestone when neither is given and there are two or more, else `current`.",
    ),
    OpenApiParameter(
        "changed",
        OpenApiTypes.BOOL,
        description="`1` or `true`: only the questions where something changed (the counts stay whole).",
    ),
]


#: `?changed=`'s values, and whether each asks for the changed questions only.
CHANGED_VALUES = {"": False, "false": False, "0": False, "true": True, "1": True}


@extend_schema(
    summary="Compare two milestones, or a milestone and now",
    description="Per lens (matched by alias) and pillar (by id): the high and medium risks before, after "
    "and the change; per question (by id, across lens versions): the risk before and after, a status, "
    "the practices added and removed, and whether the not-applicable marks and notes changed.",
    parameters=COMPARE_PARAMETERS,
    responses={
        200: ComparisonSerializer,
        400: error_response(
            "`base` or `target` is not a milestone number (`target` may be `current`), or no base can be "
            "defaulted: the workload has no milestone (before `target`)."
        ),
        404: error_response("No such workload for the caller, or no milestone of that number in it."),
    },
)
class ComparisonView(ApiView):
    """GET: the comparison of `?base=` and `?target=`."""

    def get(self, request: Request, workload_id: int) -> Response:
        workload, _role = workload_or_404(request, workload_id)
        # Every parameter's form before what the milestones say of `base` and `target`.
        changed = request.query_params.get("changed", "").lower()
        if changed not in CHANGED_VALUES:
            raise ValidationError({"changed": ["`true` or `false` (`1` or `0`)."]})
        # Queries: the workload and role, its milestones, then the comparison's four or five.
        base, target = compared_states(
            workload=workload,
            milestones=list(milestones_of(workload)),
            base=request.query_params.get("base"),
            target=request.query_params.get("target"),
        )
        comparison = workload_comparison(base=base, target=target)
        if CHANGED_VALUES[changed]:
            comparison = comparison.only_changed()
        return Response(ComparisonSerializer(comparison).data)


@extend_schema(
    summary="A workload's risk trend: high and medium risks per pillar over its milestones",
    description="One point per milestone, oldest first, then now; per pillar a count per point. Standard "
    "pillars add up across lenses; a lens's own pillars are one series each. A pillar that a state "
    "does not have counts 0 there.",
    parameters=[WORKLOAD_PARAMETER],
    responses={200: TrendSerializer},
)
class TrendView(ApiView):
    """GET: the trend's series."""

    def get(self, request: Request, workload_id: int) -> Response:
        workload, _role = workload_or_404(request, workload_id)
        return Response(TrendSerializer(workload_trend(workload=workload)).data)


urlpatterns = [
    path(
        "workloads/<int:workload_id>/milestones/compare/",
        ComparisonView.as_view(),
        name="workload-milestones-compare",
    ),
    path("workloads/<int:workload_id>/trend/", TrendView.as_view(), name="workload-trend"),
]
