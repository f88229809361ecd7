"""`/api/v1/people/?search=`: the active users and the teams one may share a workload with, found
by name or username (accounts.selectors.people_search), as the people page's picker finds them.
Names and usernames only, never email addresses; at most 20, the best first; any signed-in caller."""

from typing import Any

from django.contrib.auth.models import Group
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.selectors import PEOPLE_MAX_LENGTH, PEOPLE_MAX_RESULTS, PEOPLE_MIN_LENGTH, Person, people_search
from mlwa.api.views import ApiViewSet


class PersonSerializer(serializers.Serializer):
    """A user or a team, with what a share of a workload takes to name them."""

    kind = serializers.ChoiceField(choices=["USER", "GROUP"], help_text="`USER`, or `GROUP` (a team).")
    user = serializers.SerializerMethodField(help_text="The username (a share's `user`); null for a team.")
    group = serializers.SerializerMethodField(
        help_text="The team's name (a share's `group`); null for a user."
    )
    name = serializers.CharField(
        help_text="The user's full name (empty if they have none), or the team's name."
    )
    label = serializers.CharField(  # type: ignore[assignment]  # a field named as DRF's attribute
        help_text="As the picker shows them: `Alice Martin (alice)`, `ml-team (team)`."
    )

    def get_user(self, person: Person) -> str | None:
        return person.value if person.kind == "USER" else None

    def get_group(self, person: Person) -> str | None:
        return person.value if person.kind == "GROUP" else None


class PeopleQuerySerializer(serializers.Serializer):
    search = serializers.CharField(
        trim_whitespace=False,
        min_length=PEOPLE_MIN_LENGTH,
        max_length=PEOPLE_MAX_LENGTH,
        help_text="Part of a name or username, at least two characters.",
    )


class PeopleViewSet(ApiViewSet):
    """The people search: a list, never one person by id (users are not otherwise listed)."""

    pagination_class = None  # at most PEOPLE_MAX_RESULTS: a picker's list, not a directory
    queryset = Group.objects.none()  # for the schema generator: every read goes through people_search

    @extend_schema(
        summary="Find people and teams to share with",
        description=f"Active users and teams whose name or username holds `search` (case-insensitive; "
        f"a user's first, last or full name), those that start with it first, at most "
        f"{PEOPLE_MAX_RESULTS}. Names and usernames only, never email addresses. A `search` shorter "
        f"than {PEOPLE_MIN_LENGTH} characters is a 400 naming it. Share a workload with one of them "
        "through `POST /api/v1/workloads/{id}/shares/` with its `user` or `group`.",
        parameters=[
            OpenApiParameter(
                "search",
                {"type": "string", "minLength": PEOPLE_MIN_LENGTH, "maxLength": PEOPLE_MAX_LENGTH},
                required=True,
                description=f"Part of a name or username, {PEOPLE_MIN_LENGTH} to "
                f"{PEOPLE_MAX_LENGTH} characters.",
            )
        ],
        responses={200: PersonSerializer(many=True)},
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        query = PeopleQuerySerializer(data={"search": request.query_params.get("search", "")})
        query.is_valid(raise_exception=True)
        # The length is judged as sent (the schema's); runs of spaces then count as one, and a
        # search of spaces finds nobody (people_search).
        found = people_search(text=query.validated_data["search"])
        return Response(PersonSerializer(found, many=True).data)
