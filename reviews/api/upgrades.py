"""/api/v1/workloads/{workload_id}/lens-reviews/{alias}/upgrade/: GET, what upgrading would do (the
page's preview, reviews.selectors.upgrades.upgrade_preview); POST, the owner upgrades a lens review
to a newer published version of its lens (reviews.services.lens_review_upgrade), after a milestone
that keeps the review as it was. Minor versions need no call: publishing one moves the reviews of
its line to it."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from lens.api.serializers import ChangeSerializer
from lens.selectors import lens_visibility
from mlwa.api.params import APPLIED_ALIAS_PARAMETER, WORKLOAD_PARAMETER
from mlwa.api.strict import StrictCharField, StrictSerializer
from mlwa.api.views import ApiView
from mlwa.types import signed_in
from reviews import services
from reviews.access import workload_or_404
from reviews.models import Answer, LensReview
from reviews.permissions import Action
from reviews.selectors.upgrades import upgrade_preview


class UpgradeRequestSerializer(StrictSerializer):
    """The version to upgrade to, checked here; lens_review_upgrade refuses one that is not a newer
    published version of the lens (`unknown_reference`, `refused`)."""

    unknown_field_message = "Not a field of an upgrade."

    version = StrictCharField(
        max_length=32,
        required=False,
        allow_blank=True,
        help_text="The label of a newer published version of the lens; left out or empty: the newest.",
    )

    class Meta:
        ref_name = "LensReviewUpgrade"  # the schema adds "Request"


class UpgradeChangesSerializer(serializers.Serializer):
    """What the upgrade changed in the review."""

    carried = serializers.IntegerField(help_text="Questions in both versions: their answers carried over.")
    added = serializers.IntegerField(help_text="Questions new in the version: unanswered.")
    removed = serializers.IntegerField(
        help_text="Questions the version no longer has: their answers deleted."
    )
    removed_answered = serializers.IntegerField(
        help_text="Of the removed questions, those that were answered."
    )
    answers_changed = serializers.IntegerField(
        help_text="Carried answers whose practices or risk changed (their version went up)."
    )
    risk_changed = serializers.IntegerField(help_text="Of those, the answers whose risk changed.")
    dropped_pillar_notes = serializers.ListField(
        child=serializers.CharField(),
        help_text="Pillars the version no longer has, whose notes were dropped.",
    )

    class Meta:
        ref_name = "LensReviewUpgradeChanges"


class UpgradeResultSerializer(serializers.Serializer):
    """The milestone saved first, the versions before and after, and what changed."""

    milestone = serializers.IntegerField(help_text="The number of the milestone saved before the upgrade.")
    milestone_name = serializers.CharField()
    lens = serializers.CharField(help_text="The lens's alias.")
    from_version = serializers.CharField(help_text="The version the review was on.")
    version = serializers.CharField(help_text="The version the review is on now.")
    kind = serializers.CharField(help_text="MAJOR or MINOR: the new version's kind.")
    changes = UpgradeChangesSerializer()
    message = serializers.CharField(help_text="What changed, in a sentence for people.")

    class Meta:
        ref_name = "LensReviewUpgradeResult"


EXAMPLE_RESULT = {
    "milestone": 3,
    "milestone_name": "Before upgrade to 2",
    "lens": "team-lens",
    "from_version": "1",
    "version": "2",
    "kind": "MAJOR",
    "changes": {
        "carried": 11,
        "added": 2,
        "removed": 1,
        "removed_answered": 1,
        "answers_changed": 3,
        "risk_changed": 2,
        "dropped_pillar_notes": [],
    },
    "message": "11 questions carried over, 2 added, 1 removed (1 of them answered); 3 answers changed, "
    "2 with a new risk.",
}


class RiskChangeSerializer(serializers.Serializer):
    """An answered question whose risk the upgrade changes."""

    question_id = serializers.CharField()
    title = serializers.CharField()
    before = serializers.ChoiceField(choices=Answer.Risk.choices, help_text="The risk now.")
    after = serializers.ChoiceField(
        choices=Answer.Risk.choices, help_text="The risk after the upgrade, by the new version's rules."
    )

    class Meta:
        ref_name = "LensReviewUpgradeRiskChange"


class LostAnswerSerializer(serializers.Serializer):
    """An answered question the new version no longer has: its answer goes (the milestone keeps it)."""

    question_id = serializers.CharField()
    title = serializers.CharField()
    risk = serializers.ChoiceField(choices=Answer.Risk.choices)

    class Meta:
        ref_name = "LensReviewUpgradeLostAnswer"


class DroppedPracticeSerializer(serializers.Serializer):
    """A practice selected or marked not applicable that the new version's question no longer offers."""

    question_id = serializers.CharField()
    choice_id = serializers.CharField()
    title = serializers.CharField()

    class Meta:
        ref_name = "LensReviewUpgradeDroppedPractice"


class UpgradePreviewSerializer(serializers.Serializer):
    """What upgrading the review to the lens's newest version would do, before it is done."""

    lens = serializers.CharField(help_text="The lens's alias.")
    from_version = serializers.CharField(help_text="The version the review is on.")
    version = serializers.CharField(
        allow_null=True, help_text="The newest version, which an upgrade moves to; null: none is newer."
    )
    kind = serializers.CharField(allow_null=True, help_text="MAJOR or MINOR: the newest version's kind.")
    milestone_name = serializers.CharField(
        allow_null=True, help_text="The name of the milestone the upgrade would save first."
    )
    questions_added = serializers.IntegerField(help_text="Questions new in the version: unanswered.")
    questions_removed = serializers.IntegerField(help_text="Questions the version no longer has.")
    risk_changes = RiskChangeSerializer(
        many=True,
        help_text="The answered questions in both versions whose risk changes (answers carried over "
        "and evaluated as the upgrade does it), in the lens's order.",
    )
    lost_answers = LostAnswerSerializer(many=True, help_text="Answered questions that go.")
    dropped_practices = DroppedPracticeSerializer(many=True)
    dropped_pillar_notes = serializers.ListField(
        child=serializers.CharField(), help_text="Pillars the version no longer has, whose notes go."
    )
    changes = ChangeSerializer(
        many=True, help_text="The version difference, as GET /api/v1/lenses/{alias}/diff/ gives it."
    )

    class Meta:
        ref_name = "LensReviewUpgradePreview"


EXAMPLE_PREVIEW = {
    "lens": "team-lens",
    "from_version": "1",
    "version": "2",
    "kind": "MAJOR",
    "milestone_name": "Before upgrade to 2",
    "questions_added": 1,
    "questions_removed": 0,
    "risk_changes": [
        {"question_id": "MLOPS03", "title": "How do you track models?", "before": "NONE", "after": "HIGH"}
    ],
    "lost_answers": [],
    "dropped_practices": [],
    "dropped_pillar_notes": [],
    "changes": [
        {
            "kind": "question",
            "status": "UPDATED",
            "pillar_id": "operationalExcellence",
            "question_id": "MLOPS03",
            "choice_id": None,
            "title": "How do you track models?",
            "fields": ["riskRules"],
            "details": [
                {
                    "field": "riskRules",
                    "label": "Risk rules",
                    "before": ["No risk when MLOPS03_BP01 is selected", "High risk otherwise"],
                    "after": [
                        "No risk when all of MLOPS03_BP01, MLOPS03_BP02 are selected",
                        "High risk otherwise",
                    ],
                }
            ],
        }
    ],
}


def _preview_body(review: LensReview) -> dict:
    preview = upgrade_preview(review)
    target = preview.target
    return {
        "lens": review.lens.alias,
        "from_version": review.lens_version.label,
        "version": target.label if target else None,
        "kind": target.kind if target else None,
        "milestone_name": preview.milestone_name or None,
        "questions_added": preview.questions_added,
        "questions_removed": preview.questions_removed,
        "risk_changes": [change.as_dict() for change in preview.risk_changes],
        "lost_answers": [vars(lost) for lost in preview.lost_answers],
        "dropped_practices": [vars(dropped) for dropped in preview.dropped_practices],
        "dropped_pillar_notes": list(preview.dropped_pillar_notes),
        "changes": [change.as_dict() for change in preview.changes],
    }


class LensReviewUpgradeView(ApiView):
    """GET: what upgrading would do; POST: upgrade the review (owner only)."""

    @staticmethod
    def _offered_reviews(workload_owner_id: int) -> QuerySet[LensReview]:
        # A lens the workload's owner may no longer see offers no version: a 404, as its /lenses/
        # URLs answer them, in the same query (reviews.selectors.upgrades).
        return LensReview.objects.filter(lens_visibility(workload_owner_id, lens="lens"))

    @extend_schema(
        summary="What upgrading a lens review would do (owner)",
        description="The page's preview, before confirming: the lens's newest version (null when the "
        "review is on it), the milestone the upgrade would save first, each answered question whose "
        "risk changes (each answer carried over and evaluated with the new version's rules, as the "
        "upgrade does it), the answers and practices that go, and the version difference with every "
        "changed field before and after. Nothing changes. While the workload's owner may not see the "
        "lens, a 404.",
        parameters=[WORKLOAD_PARAMETER, APPLIED_ALIAS_PARAMETER],
        responses={200: UpgradePreviewSerializer},
        examples=[OpenApiExample("A risk that changes", EXAMPLE_PREVIEW, response_only=True)],
    )
    def get(self, request: Request, workload_id: int, alias: str) -> Response:
        workload, _role = workload_or_404(request, workload_id, Action.EDIT)
        reviews = self._offered_reviews(workload.owner_id).select_related("lens", "lens_version")
        review = get_object_or_404(
            reviews.defer("lens_version__source"), workload=workload, lens__alias=alias
        )
        review.workload = workload  # loaded already; the preview reads its owner and milestones
        return Response(UpgradePreviewSerializer(_preview_body(review)).data)

    @extend_schema(
        summary="Upgrade a lens review to a newer version of its lens (owner)",
        description="Saves a milestone “Before upgrade to <label>” (made unique in the workload), then "
        "carries the answers over by question id and choice id and evaluates each risk again with the "
        "new version's rules: questions the version no longer has lose their answers (the milestone "
        "keeps them), new questions start unanswered. A `version` that is not a newer published "
        "version of the lens is a 400 naming `version`, and nothing changes. While the workload's "
        "owner may not see the lens (its owner stopped sharing it), no version is offered: a 404.",
        parameters=[WORKLOAD_PARAMETER, APPLIED_ALIAS_PARAMETER],
        request=UpgradeRequestSerializer,
        responses={
            200: OpenApiResponse(
                UpgradeResultSerializer, description="Upgraded: the milestone saved first and what changed."
            )
        },
        examples=[
            OpenApiExample("To the newest version", {}, request_only=True),
            OpenApiExample("To a given version", {"version": "2"}, request_only=True),
            OpenApiExample("Upgraded", EXAMPLE_RESULT, response_only=True, status_codes=["200"]),
        ],
    )
    def post(self, request: Request, workload_id: int, alias: str) -> Response:
        workload, _role = workload_or_404(request, workload_id, Action.EDIT)
        reviews = self._offered_reviews(workload.owner_id).only("pk", "workload_id")
        review = get_object_or_404(reviews, workload=workload, lens__alias=alias)
        data = UpgradeRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        milestone, review, summary = services.lens_review_upgrade(
            lens_review=review,
            actor=signed_in(request.user),
            version=data.validated_data.get("version") or None,
        )
        changes = summary.as_dict()
        result = {
            "milestone": milestone.number,
            "milestone_name": milestone.name,
            "lens": summary.lens,
            "from_version": summary.from_version,
            "version": summary.to_version,
            "kind": summary.version_kind,
            "changes": {name: changes[name] for name in UpgradeChangesSerializer().fields},
            "message": summary.sentence(),
        }
        return Response(UpgradeResultSerializer(result).data)


urlpatterns = [
    path(
        "workloads/<int:workload_id>/lens-reviews/<slug:alias>/upgrade/",
        LensReviewUpgradeView.as_view(),
        name="lens-review-upgrade",
    ),
]
