"""The workload filters of the API's lists and summaries: reviews.filters.WorkloadFilterSet (the one
the pages and the reports use too), validated from the query; views name it as `filterset_class`,
beside DjangoFilterBackend, so that the schema documents it."""

from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

from reviews.filters import WorkloadFilterSet
from reviews.models import Workload
from reviews.selectors.dashboard import WorkloadFilters


def requested_filters(request: Request) -> WorkloadFilters:
    """The workload filters of `request`'s query, validated: a 400 naming each bad parameter."""
    filterset = WorkloadFilterSet(request.query_params, queryset=Workload.objects.none(), request=request)
    if not filterset.is_valid():
        raise ValidationError(filterset.errors)
    return filterset.workload_filters()
