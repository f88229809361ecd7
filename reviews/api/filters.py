"""The workload filters of the API's lists and summaries: django-filter validates the query and
documents it in the schema (views name it as `filterset_class`, beside DjangoFilterBackend);
`reviews.selectors.dashboard.matching_workloads` applies it, as it does for the dashboard, so a
filter means the same on a page and in the API."""

import django_filters
from rest_framework.exceptions import ValidationError

from reviews.models import Workload
from reviews.selectors.dashboard import MINE, SHARED, SORTS, WorkloadFilters


class WorkloadFilterSet(django_filters.FilterSet):
    """?search= &environment= &lens= &tag= &owner= &ownership= &has_high= &ordering="""

    search = django_filters.CharFilter(
        method="_unused", help_text="Text in the name, description or tags (any case)."
    )
    environment = django_filters.ChoiceFilter(choices=Workload.Environment.choices, method="_unused")
    lens = django_filters.CharFilter(method="_unused", help_text="The alias of a lens applied to it.")
    tag = django_filters.CharFilter(method="_unused", help_text="One of its tags, whole (any case).")
    owner = django_filters.CharFilter(method="_unused", help_text="Its owner's username.")
    ownership = django_filters.ChoiceFilter(
        choices=[(MINE, "Owned by the caller"), (SHARED, "Shared with the caller")], method="_unused"
    )
    # A choice rather than a BooleanFilter, which takes any other word for "not given".
    has_high = django_filters.ChoiceFilter(
        choices=[("true", "true"), ("false", "false")],
        method="_unused",
        help_text="true: only those with high risks.",
    )
    ordering = django_filters.ChoiceFilter(
        choices=[(key, label) for key, (label, _order) in SORTS.items()],
        method="_unused",
        help_text="name (A-Z), changed (latest change first), high (most high risks first).",
    )

    class Meta:
        model = Workload
        fields: list[str] = []

    def _unused(self, queryset, name, value):  # pragma: no cover - the selectors apply them
        return queryset

    def workload_filters(self) -> WorkloadFilters:
        """The validated query as the selectors take it."""
        data = self.form.cleaned_data
        return WorkloadFilters(
            q=(data.get("search") or "").strip(),
            environment=data.get("environment") or "",
            ownership=data.get("ownership") or "",
            has_high=data.get("has_high") == "true",
            lens=data.get("lens") or "",
            tag=data.get("tag") or "",
            owner=data.get("owner") or "",
            sort=data.get("ordering") or "name",
        )


def requested_filters(request) -> WorkloadFilters:
    """The workload filters of `request`'s query, validated: a 400 naming each bad parameter."""
    filterset = WorkloadFilterSet(request.query_params, queryset=Workload.objects.none(), request=request)
    if not filterset.is_valid():
        raise ValidationError(filterset.errors)
    return filterset.workload_filters()
