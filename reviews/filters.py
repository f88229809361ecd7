"""The workload filters: one django-filter set that the pages (dashboard, workload list, consolidated
report), the API (the workload list and the risk summary) and a consolidated report's `filters` all
parse with, so that a filter has one name and one meaning everywhere:

    search, environment, lens, tag, owner, ownership, has_high (true, false; absent: all),
    ordering (name, changed, high; each reversed by a leading -: -name)

The set only validates; `reviews.selectors.dashboard.matching_workloads` applies what it gives
(`WorkloadFilters`), in one query whatever the filters. The API's views name it as
`filterset_class`, beside DjangoFilterBackend, so that the schema documents it.

Deprecated in v1: `q` (now `search`) and `sort` (now `ordering`) are still taken, for one release,
where they were taken before (page URLs and a consolidated report's `filters`:
`WorkloadFilterSetWithAliases`); sending a name and its deprecated one together is refused, naming
both. A stored consolidated report keeps the filters it was asked with (`stored_filters`), and those
stored before the rename (`q`, `sort`, `has_high: false` for "any") still read as they meant.
"""

from dataclasses import asdict, dataclass, replace

import django_filters
from django import forms
from django.http import QueryDict

from mlwa.errors import InvalidInput
from reviews.models import Workload
from reviews.selectors.dashboard import MINE, SHARED, SORTS, WorkloadFilters

#: Each deprecated name and the name that replaces it.
DEPRECATED = {"q": "search", "sort": "ordering"}

TEXT_MAX = 200
TRUE, FALSE = "true", "false"
_HAS_HIGH = {TRUE: True, FALSE: False}


def _unused(queryset, name, value):  # pragma: no cover - the selectors apply the filters
    return queryset


def _search(
    help_text: str = "Text in the name, description or tags (any case).",
) -> django_filters.CharFilter:
    return django_filters.CharFilter(method=_unused, max_length=TEXT_MAX, label="Search", help_text=help_text)


def _ordering(
    help_text: str = "name (A-Z), changed (latest change first), high (most high risks first); "
    "a leading - reverses the order (-name: Z-A, -changed: oldest change first, -high: fewest first).",
) -> django_filters.ChoiceFilter:
    return django_filters.ChoiceFilter(
        choices=[(key, label) for key, (label, _order) in SORTS.items()],
        method=_unused,
        label="Sort by",
        empty_label=None,
        help_text=help_text,
    )


class WorkloadFilterSet(django_filters.FilterSet):
    """?search= &environment= &lens= &tag= &owner= &ownership= &has_high= &ordering=: every one
    optional; a value that does not parse is an error naming its parameter."""

    search = _search()
    environment = django_filters.ChoiceFilter(
        choices=Workload.Environment.choices,
        method=_unused,
        label="Environment",
        empty_label="Any environment",
        help_text="Its environment.",
    )
    ownership = django_filters.ChoiceFilter(
        choices=[(MINE, "Mine"), (SHARED, "Shared with me")],
        method=_unused,
        label="Whose",
        empty_label="Any",
        help_text="mine: owned by the caller; shared: shared with the caller (and not owned).",
    )
    lens = django_filters.CharFilter(
        method=_unused, max_length=64, label="Lens", help_text="The alias of a lens applied to it."
    )
    tag = django_filters.CharFilter(
        method=_unused, max_length=TEXT_MAX, label="Tag", help_text="One of its tags, whole (any case)."
    )
    owner = django_filters.CharFilter(
        method=_unused, max_length=150, label="Owner", help_text="Its owner's username."
    )
    # A choice rather than a BooleanFilter, which takes any other word for "not given".
    has_high = django_filters.ChoiceFilter(
        choices=[(TRUE, "With high risks"), (FALSE, "Without high risks")],
        method=_unused,
        label="High risks",
        empty_label="Any",
        help_text="true: only those with high risks; false: only those without; absent: all.",
    )
    ordering = _ordering()

    class Meta:
        model = Workload
        fields: list[str] = []

    def workload_filters(self) -> WorkloadFilters:
        """The values that parse, as the selectors take them (a page shows the others as errors
        and leaves them out; the API refuses them first)."""
        if not self.is_bound:
            return WorkloadFilters()
        self.form.is_valid()  # fills cleaned_data with the values that parse
        data = self.form.cleaned_data
        return WorkloadFilters(
            search=(data.get("search") or data.get("q") or "").strip(),
            environment=data.get("environment") or "",
            ownership=data.get("ownership") or "",
            has_high=_HAS_HIGH.get(data.get("has_high") or ""),
            lens=(data.get("lens") or "").strip(),
            tag=(data.get("tag") or "").strip(),
            owner=(data.get("owner") or "").strip(),
            ordering=data.get("ordering") or data.get("sort") or "name",
        )


class _AliasesForm(forms.Form):
    """Refuses a filter given under both its name and its deprecated name, naming both."""

    def clean(self):
        cleaned = super().clean()
        for old, new in DEPRECATED.items():
            if self.data.get(old) not in (None, "") and self.data.get(new) not in (None, ""):
                message = f"Give “{new}” or its deprecated name “{old}”, not both."
                for name in (old, new):
                    self.add_error(name, message)
        return cleaned


class WorkloadFilterSetWithAliases(WorkloadFilterSet):
    """The filter set with the names deprecated in v1 (`q`, `sort`), where they were taken before:
    page URLs and a consolidated report's `filters`. Pages' old links also said `has_high=on`."""

    q = _search(help_text="Deprecated: use search.")
    sort = _ordering(help_text="Deprecated: use ordering.")

    class Meta(WorkloadFilterSet.Meta):
        form = _AliasesForm

    def __init__(self, data=None, *args, **kwargs):
        #: The names given in their deprecated form: {name: deprecated name}, to name them in errors.
        self.renamed: dict[str, str] = {}
        if data is not None:
            data = data.copy()
            if data.get("has_high") == "on":  # the old dashboard's checkbox
                data["has_high"] = TRUE
            for old, new in DEPRECATED.items():
                # Read under the new name (so that a page shows it in its field), unless both are
                # given: the form then refuses them.
                if data.get(old) not in (None, "") and data.get(new) in (None, ""):
                    value = data[old]
                    del data[old]
                    data[new] = value
                    self.renamed[new] = old
        super().__init__(data, *args, **kwargs)


def page_filters(query, *, lens_choices: list[tuple[str, str]]) -> WorkloadFilterSetWithAliases:
    """The filters of a page's query, with the form the page shows: the lens as a choice among
    `lens_choices` (alias, name); the names deprecated in v1 are read, and shown, as their new ones."""
    filterset = WorkloadFilterSetWithAliases(query, queryset=Workload.objects.none())
    fields = filterset.form.fields
    for field in fields.values():
        field.help_text = ""  # the schema's words; the labels say it on a page
    choices = [("", "Any lens"), *lens_choices]
    asked = filterset.form.data.get("lens")
    if asked and asked not in dict(lens_choices):  # none you may see: it matches nothing, and says so
        choices.append((asked, asked))
    fields["lens"].widget = forms.Select(choices=choices)
    fields["owner"].widget.attrs["placeholder"] = "A username"
    return filterset


def stored_filters(filters: WorkloadFilters) -> dict:
    """`filters` as a consolidated report stores them (and the API shows them): every name, with
    `has_high` true, false or null (any)."""
    return asdict(filters)


@dataclass(frozen=True)
class SortHeader:
    """A sortable column's header: its link (the other filters kept, the order set or reversed),
    and how the column sorts the list now (its `aria-sort`; "" when it does not)."""

    href: str
    aria_sort: str


#: The sortable columns of the workload table, by the order each one sorts in first, and the
#: direction that order reads in: a name from A, the latest change and the most risks first.
SORT_COLUMNS = {"name": "ascending", "changed": "descending", "high": "descending"}
_REVERSED = {"ascending": "descending", "descending": "ascending"}


def sort_headers(filters: WorkloadFilters, *, path: str) -> dict[str, SortHeader]:
    """The header of each sortable column of the page at `path`, by its order's name: a column that
    does not sort the list links to its first order, the one that does to its reverse (`-name` and
    back)."""
    headers = {}
    for key, direction in SORT_COLUMNS.items():
        if filters.ordering == key:
            link, aria_sort = f"-{key}", direction
        elif filters.ordering == f"-{key}":
            link, aria_sort = key, _REVERSED[direction]
        else:
            link, aria_sort = key, ""
        query = as_query(replace(filters, ordering=link))
        headers[key] = SortHeader(href=f"{path}?{query.urlencode()}" if query else path, aria_sort=aria_sort)
    return headers


def as_query(filters: WorkloadFilters) -> QueryDict:
    """The filters chosen, as the query (by their v1 names) of the pages' links and hidden inputs."""
    query = QueryDict(mutable=True)
    for name, value in stored_filters(filters).items():
        if value not in ("", None) and (name, value) != ("ordering", "name"):
            query[name] = str(value).lower() if isinstance(value, bool) else value
    return query


def from_stored(stored: dict) -> WorkloadFilters:
    """The filters a consolidated report stored. Those stored before v1's renames name `q` and `sort`,
    and their `has_high: false` meant "any" (it now means "without")."""
    legacy = "search" not in stored and ("q" in stored or "sort" in stored)
    has_high = stored.get("has_high")
    return WorkloadFilters(
        search=stored.get("search", stored.get("q")) or "",
        environment=stored.get("environment") or "",
        ownership=stored.get("ownership") or "",
        has_high=(True if has_high else None) if legacy else has_high,
        lens=stored.get("lens") or "",
        tag=stored.get("tag") or "",
        owner=stored.get("owner") or "",
        ordering=stored.get("ordering", stored.get("sort")) or "name",
    )


def shown_filters(stored: dict) -> dict:
    """A stored report's filters as the API shows them: every name, and for v1 the deprecated `q`
    and `sort` beside `search` and `ordering`, with the same values; {} for a report without."""
    if not stored:
        return {}
    shown = stored_filters(from_stored(stored))
    shown.update({old: shown[new] for old, new in DEPRECATED.items()})
    return shown


def _both_names(filters: dict) -> dict[str, list[str]]:
    """A filter given by both its names, whatever their values (the schema's rule): both at fault."""
    errors = {}
    for old, new in DEPRECATED.items():
        if old in filters and new in filters:
            both = [f"Give “{new}” or its deprecated name “{old}”, not both."]
            errors[f"filters.{old}"] = errors[f"filters.{new}"] = both
    return errors


def filters_from_json(filters) -> WorkloadFilters:
    """A consolidated report's `filters` (a JSON object; None for none), validated by the filter
    set with its deprecated names. Raises InvalidInput naming `filters.<name>` for each at fault."""
    if filters is None:
        filters = {}
    if not isinstance(filters, dict):
        raise InvalidInput({"filters": "Give the filters as an object, as the dashboard's are."})
    known = WorkloadFilterSetWithAliases.base_filters
    errors: dict[str, list[str]] = {
        f"filters.{name}": ["There is no such filter."] for name in sorted(set(filters) - set(known))
    }
    errors.update(_both_names(filters))
    query = {}
    for name, value in filters.items():
        if name not in known or value is None:
            continue
        if name == "has_high":
            if not isinstance(value, bool):
                errors["filters.has_high"] = ["Give true or false (or null for any)."]
                continue
            value = TRUE if value else FALSE
        elif not isinstance(value, str):
            errors[f"filters.{name}"] = ["Give text."]
            continue
        query[name] = value
    filterset = WorkloadFilterSetWithAliases(query, queryset=Workload.objects.none())
    if not filterset.is_valid():
        for name, messages in filterset.errors.items():
            errors[f"filters.{filterset.renamed.get(name, name)}"] = list(messages)
    if errors:
        raise InvalidInput(errors)
    return filterset.workload_filters()


def filters_schema(*, request: bool = False) -> dict:
    """The OpenAPI schema of a consolidated report's `filters`, made from the filter set: each
    filter's values and description, `has_high` a boolean, the deprecated names marked so."""
    properties = {}
    for name, filter_ in WorkloadFilterSetWithAliases.base_filters.items():
        if name == "has_high":
            schema: dict = {"type": "boolean", "nullable": True}
        elif isinstance(filter_, django_filters.ChoiceFilter):
            schema = {"type": "string", "enum": ["", *(value for value, _label in filter_.extra["choices"])]}
        else:
            schema = {"type": "string", "maxLength": filter_.extra["max_length"]}
        schema["description"] = filter_.extra["help_text"]
        if name in DEPRECATED:
            schema["deprecated"] = True
        properties[name] = schema
    schema = {"type": "object", "properties": properties, "additionalProperties": False}
    if request:
        # A request giving a filter and its deprecated name is refused (filters_from_json): the
        # schema says so as for the renamed fields of a body (mlwa.api.renames), one `not` each. An
        # answer carries both, with the same value.
        schema["allOf"] = [{"not": {"required": [old, new]}} for old, new in DEPRECATED.items()]
    return schema
