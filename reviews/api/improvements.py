"""/api/v1/workloads/{id}/improvements/...: the improvement plan and the tracking of its items.

Anyone who sees the workload reads the plan (all lenses, or one at .../lens-reviews/{alias}/
improvements/), filtered as on the page (reviews.selectors.improvements: the states, and what the
`status` filter means); the owner and contributors track its items (Action.ANSWER) through
reviews.services.improvement_item_update. As for answers, an item's ETag is its version: a PATCH
with `If-Match` writes only over that version (else 412, with the stored item); a `version` field in
the body does the same with a 409 (the page's way); with neither, the write is not checked.
"""

from typing import Any

from django.urls import re_path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from mlwa.api.conditional import ENTITY_TAGS_PATTERN
from mlwa.api.errors import PreconditionFailed
from mlwa.api.params import (
    APPLIED_ALIAS_PARAMETER,
    APPLIED_ALIAS_PATTERN,
    MILESTONE_PARAMETER,
    QUESTION_ID_PATTERN,
    QUESTION_PARAMETER,
    WHOLE_NUMBER_PATTERN,
    WORKLOAD_PARAMETER,
    whole_number,
)
from mlwa.api.renames import deprecated_text, renamed_query
from mlwa.api.views import ApiViewSet
from mlwa.types import signed_in
from reviews.access import lens_review_or_404, workload_or_404
from reviews.api.answer_serializers import entity_tag
from reviews.api.answers import if_match_version
from reviews.api.improvement_lists import ImprovementBulkStatusViewSet, MyImprovementViewSet
from reviews.api.improvement_serializers import (
    ImprovementPreconditionFailedSerializer,
    ImprovementSerializer,
    ImprovementUpdateSerializer,
)
from reviews.api.milestones import requested_state
from reviews.models import Answer, Workload
from reviews.permissions import Action
from reviews.selectors.improvements import (
    STATUS_FILTERS,
    UNASSIGNED,
    PlanFilters,
    improvement_plan,
    with_practices,
)
from reviews.selectors.states import ReviewState
from reviews.services import InvalidInput, StaleItem, improvement_item_update

#: What _filters reads of an owner: a whole number from 1, `unassigned`, or nothing.
OWNER_FILTER_SCHEMA = {"type": "string", "pattern": f"^({UNASSIGNED}|0*{WHOLE_NUMBER_PATTERN})?$"}

FILTER_PARAMETERS = [
    OpenApiParameter("pillar_id", OpenApiTypes.STR, description="A pillar's id: only its questions."),
    OpenApiParameter("pillar", OpenApiTypes.STR, description=deprecated_text("pillar_id")),
    OpenApiParameter(
        "risk", OpenApiTypes.STR, enum=[Answer.Risk.HIGH, Answer.Risk.MEDIUM], description="Only this risk."
    ),
    OpenApiParameter(
        "status",
        OpenApiTypes.STR,
        enum=list(STATUS_FILTERS),
        description="Only the questions in this state: NOT_STARTED (untracked ones too), IN_PROGRESS, "
        "RISK_ACCEPTED; REGRESSED (marked done, at risk again); RESOLVED (tracked, no longer at high or "
        "medium risk); or DONE: every item marked done, resolved or regressed.",
    ),
    OpenApiParameter(
        "owner_id",
        OWNER_FILTER_SCHEMA,
        description=f"A user's id: the items they own; `{UNASSIGNED}`: nobody's.",
    ),
    OpenApiParameter("owner", OWNER_FILTER_SCHEMA, description=deprecated_text("owner_id")),
]
LENS_FILTER = OpenApiParameter("lens", OpenApiTypes.STR, description="A lens's alias: only its questions.")
IF_MATCH_HEADER = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    pattern=ENTITY_TAGS_PATTERN,
    description='The item\'s version, quoted ("3"; "0" for an item nobody tracked yet): the write is '
    "refused with 412 if the item changed since. `*`, or no header, writes without that check.",
)
ETAG_HEADER = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[200, 409, 412],
    description='The item\'s version, quoted ("3"): send it back in If-Match to write over that '
    "version only.",
)
LIST_DESCRIPTION = (
    "The questions at high, then medium risk, ordered by the workload's pillar priorities (pillars it "
    "does not list after, in lens order), then lens, pillar and question order; then the tracked "
    "questions no longer at risk (state RESOLVED). Each with the practices still missing and their "
    "improvement plans (`url` is set only for http(s) links), and its tracking (`version` 0 and status "
    "NOT_STARTED while nobody tracks it)."
)


def _filters(request: Request, *, lens: str = "") -> PlanFilters:
    """The query's filters, each checked: a 400 naming the parameter at fault."""
    query = request.query_params
    errors = {}
    risk, status = query.get("risk", ""), query.get("status", "")
    owner_name = "owner" if "owner" in query else "owner_id"  # as the request names it (renamed_query)
    owner = renamed_query(query, "owner", "owner_id")
    if risk and risk not in (Answer.Risk.HIGH, Answer.Risk.MEDIUM):
        errors["risk"] = ["HIGH or MEDIUM."]
    if status and status not in STATUS_FILTERS:
        errors["status"] = [f"One of: {', '.join(STATUS_FILTERS)}."]
    owner_id = whole_number(owner)  # a user's id: 32 bits (a larger one is a 500 on PostgreSQL)
    if owner and owner != UNASSIGNED and owner_id is None:
        errors[owner_name] = [f"A user's id, or {UNASSIGNED}."]
    if errors:
        raise ValidationError(errors)
    return PlanFilters(
        lens=lens or query.get("lens", ""),
        pillar=renamed_query(query, "pillar", "pillar_id"),
        risk=risk,
        status=status,
        owner=owner_id if owner_id is not None else (owner or None),
    )


class ImprovementViewSet(ApiViewSet):
    """The plan (GET, every lens) and one item's tracking (PATCH)."""

    serializer_class = ImprovementSerializer
    filter_backends: list = []  # the filters are read by _filters, and documented by hand

    def _plan(self, filters: PlanFilters) -> Any:
        workload, _role = workload_or_404(self.request, self.kwargs["workload_id"])
        if filters.lens and "alias" in self.kwargs:
            lens_review_or_404(workload, filters.lens)
        return improvement_plan(requested_state(self.request, workload), filters=filters)

    def _page(self, filters: PlanFilters) -> Response:
        """A page of the plan; the practices of its rows only. Queries: the workload and role,
        (the lens review,) the lens reviews, items, answers; choices and resources."""
        page = self.paginate_queryset(self._plan(filters).rows) or []
        return self.get_paginated_response(ImprovementSerializer(with_practices(page), many=True).data)

    @extend_schema(
        summary="A workload's improvement plan, every lens",
        description=LIST_DESCRIPTION,
        parameters=[WORKLOAD_PARAMETER, MILESTONE_PARAMETER, LENS_FILTER, *FILTER_PARAMETERS],
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._page(_filters(request))

    @extend_schema(
        summary="Track a question's improvement (owner, contributor)",
        description="Sets the tracking fields named (status, owner, due date, note), making the item the "
        "first time. `owner_id` is the id of the workload's owner or of a contributor (directly or through "
        "a group), or null. With `If-Match`, only if the item is still at that version (412 otherwise, "
        "with the stored item under `current`); with a `version` field, the same with 409. Logged in the "
        "workload's events. Answers with the question's row of the plan.",
        parameters=[
            WORKLOAD_PARAMETER,
            APPLIED_ALIAS_PARAMETER,
            QUESTION_PARAMETER,
            IF_MATCH_HEADER,
            ETAG_HEADER,
        ],
        request=ImprovementUpdateSerializer,
        responses={
            200: ImprovementSerializer,
            409: OpenApiResponse(
                ImprovementPreconditionFailedSerializer,
                description="The item changed since the `version` given: nothing was written; `current` "
                "is the stored item.",
            ),
            412: OpenApiResponse(
                ImprovementPreconditionFailedSerializer,
                description="The item changed since the version If-Match names: nothing was written; "
                "`current` is the stored item, and the ETag header its version.",
            ),
        },
        examples=[
            OpenApiExample(
                "Start work on it",
                {
                    "status": "IN_PROGRESS",
                    "owner_id": 7,
                    "due_date": "2031-06-30",
                    "note": "With the data team.",
                },
                request_only=True,
            ),
            OpenApiExample(
                "Accept the risk, checking the version read",
                {"status": "RISK_ACCEPTED", "note": "Batch scoring only.", "version": 2},
                request_only=True,
            ),
        ],
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        workload, _role = workload_or_404(request, self.kwargs["workload_id"], Action.ANSWER)
        alias, question_id = self.kwargs["alias"], self.kwargs["question_id"]
        expected = if_match_version(request)  # a broken If-Match is told before the body
        data = ImprovementUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        owner_name = "owner" if "owner" in request.data else "owner_id"  # as the request names it
        checked_by = "If-Match" if expected is not None else ""
        if "version" in changes:
            version = changes.pop("version")
            if expected is None:
                expected, checked_by = version, "version"
        try:
            improvement_item_update(
                workload=workload,
                lens_alias=alias,
                question_id=question_id,
                actor=signed_in(request.user),
                changes=changes,
                expected_version=expected,
            )
        except InvalidInput as error:
            if {"lens_alias", "question_id"} & set(error.errors):
                raise NotFound("No lens applied to this workload has this question.") from None
            if "owner" in error.errors:  # named as the request named it
                renamed = {owner_name if field == "owner" else field: m for field, m in error.errors.items()}
                raise InvalidInput(renamed, code=error.code) from None
            raise
        except StaleItem:
            raise ItemConflict(self._row(workload, alias, question_id), checked_by) from None
        row = self._row(workload, alias, question_id)
        return Response(row, headers={"ETag": entity_tag(row["version"])})

    def _row(self, workload: Workload, alias: str, question_id: str) -> dict:
        """The question's row of the plan as stored now (NOT_AT_RISK for an untracked question not
        at risk): the lens reviews, items, answers, choices and resources."""
        filters = PlanFilters(lens=alias, question_id=question_id)
        [row] = with_practices(improvement_plan(ReviewState(workload), filters=filters).rows)
        return ImprovementSerializer(row).data

    def handle_exception(self, exc: Exception) -> Response:
        """A stale write's 412 or 409 also carries the stored item (and its ETag)."""
        response = super().handle_exception(exc)
        if isinstance(exc, ItemConflict):
            response.data["current"] = exc.current
            response["ETag"] = entity_tag(exc.current["version"])
        return response


class ItemConflict(PreconditionFailed):
    """A stale write, with the stored item as `current`: 412 when If-Match named the version, 409
    when the body's `version` did (the status StaleItem has elsewhere)."""

    def __init__(self, current: dict, checked_by: str) -> None:
        self.current = current
        if checked_by == "version":
            self.status_code = StaleItem.status  # type: ignore[assignment]  # the stubs fix it at 412
        super().__init__(
            f"This improvement item changed since the version {checked_by} names: it is at version "
            f"{current['version']}.",
            code=None if checked_by == "If-Match" else StaleItem.code,
        )


class LensImprovementViewSet(ImprovementViewSet):
    """The plan of one lens applied to the workload (GET)."""

    @extend_schema(
        summary="A lens review's improvement plan",
        description=LIST_DESCRIPTION.replace("then lens, pillar", "then pillar"),
        parameters=[WORKLOAD_PARAMETER, APPLIED_ALIAS_PARAMETER, MILESTONE_PARAMETER, *FILTER_PARAMETERS],
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._page(_filters(request, lens=self.kwargs["alias"]))


WORKLOAD = r"^workloads/(?P<workload_id>\d+)/"
urlpatterns = [
    re_path(
        WORKLOAD + r"improvements/$", ImprovementViewSet.as_view({"get": "list"}), name="improvement-list"
    ),
    re_path(
        WORKLOAD
        + rf"improvements/(?P<alias>{APPLIED_ALIAS_PATTERN})/(?P<question_id>{QUESTION_ID_PATTERN})/$",
        ImprovementViewSet.as_view({"patch": "partial_update"}),
        name="improvement-detail",
    ),
    re_path(
        WORKLOAD + r"improvements/bulk-status/$",
        ImprovementBulkStatusViewSet.as_view({"post": "bulk_status"}),
        name="improvement-bulk-status",
    ),
    re_path(
        r"^improvements/mine/$", MyImprovementViewSet.as_view({"get": "list"}), name="my-improvement-list"
    ),
    re_path(
        WORKLOAD + rf"lens-reviews/(?P<alias>{APPLIED_ALIAS_PATTERN})/improvements/$",
        LensImprovementViewSet.as_view({"get": "list"}),
        name="lens-review-improvement-list",
    ),
]
