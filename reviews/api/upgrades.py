"""POST /api/v1/workloads/{workload_id}/lens-reviews/{alias}/upgrade/: the owner upgrades a lens
review to a newer published version of its lens (reviews.services.lens_review_upgrade), after a
milestone that keeps the review as it was. Minor versions need no call: publishing one moves the
reviews of its line to it."""

from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from lens.selectors import lens_visibility
from mlwa.api.params import APPLIED_ALIAS_PARAMETER, WORKLOAD_PARAMETER
from mlwa.api.strict import StrictCharField, StrictSerializer
from mlwa.api.views import ApiView
from mlwa.types import signed_in
from reviews import services
from reviews.access import workload_or_404
from reviews.models import LensReview
from reviews.permissions import Action


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


class LensReviewUpgradeView(ApiView):
    """POST: upgrade the review (owner only)."""

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
        # A lens the workload's owner may no longer see offers no version: a 404, as its /lenses/
        # URLs answer them, in the same query (reviews.selectors.upgrades).
        reviews = LensReview.objects.only("pk", "workload_id").filter(
            lens_visibility(workload.owner_id, lens="lens")
        )
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
