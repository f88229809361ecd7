"""/api/v1/workloads/{id}/improvements/bulk-status/ and /api/v1/improvements/mine/: the plan's
bulk status change and the caller's own items, as the plan page and 'My improvement items' have
them (reviews.services.improvement_items_set_status, reviews.selectors.my_improvements).

A bulk change names each item with the version read: an item changed since is left alone and
listed under `stale`; every other one is written (200 either way: the response says which).
"""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from mlwa.api.params import WORKLOAD_PARAMETER
from mlwa.api.views import ApiViewSet
from mlwa.types import signed_in
from reviews.access import workload_or_404
from reviews.api.improvement_serializers import (
    BulkOutcomeSerializer,
    BulkStatusSerializer,
    MyImprovementSerializer,
)
from reviews.models import ImprovementItem
from reviews.permissions import Action
from reviews.selectors.my_improvements import my_improvement_items, with_questions
from reviews.services.improvements import ItemRef, improvement_items_set_status


class ImprovementBulkStatusViewSet(ApiViewSet):
    """POST: one status for many items of a workload's plan, each at the version read. It changes
    items and creates nothing (200): no Idempotency-Key, and sending it again leaves alone, as
    stale, every item it wrote the first time."""

    serializer_class = BulkStatusSerializer
    filter_backends: list = []
    pagination_class = None

    @extend_schema(
        operation_id="workloads_improvements_bulk_status_create",
        summary="Change the status of many improvement items (owner, contributor)",
        description="Sets `status` on each item named, each only if it is still at the `version` given "
        "(0 for a question nobody tracked yet): the items changed since are left alone and listed under "
        "`stale` with their stored version; every other one is written (`written`), or was at the status "
        "already (`unchanged`). Each item is written in a transaction of its own and logged in the "
        "workload's events, as a PATCH of the item would be. An item whose question no lens applied to "
        "the workload has, or named twice, refuses the whole request (400 naming `items`).",
        parameters=[WORKLOAD_PARAMETER],
        request=BulkStatusSerializer,
        responses={200: BulkOutcomeSerializer},
        examples=[
            OpenApiExample(
                "Mark two items done",
                {
                    "status": "DONE",
                    "items": [
                        {"lens": "machine-learning", "question_id": "MLOPS01", "version": 2},
                        {"lens": "machine-learning", "question_id": "MLSEC03", "version": 0},
                    ],
                },
                request_only=True,
            ),
        ],
    )
    def bulk_status(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        workload, _role = workload_or_404(request, self.kwargs["workload_id"], Action.ANSWER)
        data = BulkStatusSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        refs = [
            ItemRef(item["lens"], item["question_id"], item["version"])
            for item in data.validated_data["items"]
        ]
        outcome = improvement_items_set_status(
            workload=workload, actor=signed_in(request.user), status=data.validated_data["status"], items=refs
        )
        return Response(BulkOutcomeSerializer(outcome).data)


class MyImprovementViewSet(ApiViewSet):
    """GET: the caller's improvement items, across the workloads they may see."""

    serializer_class = MyImprovementSerializer
    filter_backends: list = []

    def get_queryset(self) -> QuerySet[ImprovementItem]:
        return my_improvement_items(user=signed_in(self.request.user))

    @extend_schema(
        summary="My improvement items",
        description="Every improvement item assigned to the caller, in the workloads they may see: overdue "
        "ones first (due before today, neither done nor risk-accepted), then by due date (none last), then "
        "workload name and question. As 'My improvement items' in the browser.",
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = with_questions(self.paginate_queryset(self.get_queryset()) or [])
        return self.get_paginated_response(MyImprovementSerializer(page, many=True).data)
