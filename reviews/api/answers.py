"""/api/v1/workloads/{id}/lens-reviews/{alias}/answers/...: a review's answers and their history.

Anyone who sees the workload reads them; the owner and contributors write them (Action.ANSWER), as
in the questionnaire, through reviews.services.answer_update. Each answer has an ETag, its version:
a PATCH with `If-Match` writes only over that version (else 412, with the stored answer), checked
under the answer's row lock; a PATCH without it replaces the fields it names, and `choice_updates`
changes only the choices it names, applied to the answer as stored when the write takes the lock.
"""

import re
from typing import TYPE_CHECKING, Any

import django_filters
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from lens.models import LensVersion
from mlwa.api.conditional import ANY, ENTITY_TAGS_PATTERN, parse_entity_tags
from mlwa.api.errors import PreconditionFailed
from mlwa.api.params import (
    APPLIED_ALIAS_PARAMETER,
    MILESTONE_PARAMETER,
    QUESTION_ID_PATTERN,
    QUESTION_PARAMETER,
    WORKLOAD_PARAMETER,
)
from mlwa.api.renames import RenamedFiltersMixin
from mlwa.api.views import ApiViewSet
from mlwa.types import signed_in
from reviews.access import workload_or_404
from reviews.api.answer_serializers import (
    AnswerChangeSerializer,
    AnswerDetailSerializer,
    AnswerPreconditionFailedSerializer,
    AnswerSerializer,
    AnswerUpdateSerializer,
    answer_detail,
    entity_tag,
)
from reviews.api.milestones import requested_state
from reviews.models import Answer, AnswerChange, AnswerFields
from reviews.permissions import Action
from reviews.selectors.questionnaire import answer_trail, question_choices_of_version
from reviews.selectors.states import AnyLensReview, ReviewState
from reviews.services import StaleAnswer, answer_update

#: The note every change made through the API leaves in the audit trail.
API_NOTE = "API"

#: Question ids, as lens files may write them (LENS_FORMAT.md).
PATH_PARAMETERS = [WORKLOAD_PARAMETER, APPLIED_ALIAS_PARAMETER]
ETAG_HEADER = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[200, 412],
    description='The answer\'s version, quoted ("3"): send it back in If-Match to write over that '
    "version only.",
)
IF_MATCH_HEADER = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    pattern=ENTITY_TAGS_PATTERN,
    description='The ETag read ("3"; W/"3" is taken as the same version): the write is refused with 412 if '
    "the answer changed since, or if the tag is not one of its versions. `*`, or no header, writes "
    "without that check.",
)

_VERSION_TAG = re.compile(r'(?:W/)?"(\d{1,9})"')

#: The version an entity-tag that names none stands for: no answer or item is ever at it, so the
#: write is refused as stale (412), as for any tag this server did not send.
NO_VERSION = -1


def if_match_version(request: Request) -> int | None:
    """The version `If-Match` names; None without the header or with `*`; NO_VERSION for entity-tags
    that name no version (never sent for an answer: 412). A 400 naming `If-Match` for a value that is
    not a list of entity-tags, or a list naming two versions: an answer has one at a time."""
    raw = request.headers.get("If-Match")
    tags = None if raw is None else parse_entity_tags(raw)
    if raw is not None and tags is None:
        raise ValidationError({"If-Match": ['One ETag of this answer, e.g. "3", or *.']})
    if tags is None or tags == [ANY]:
        return None
    versions = {int(match.group(1)) for tag in tags if (match := _VERSION_TAG.fullmatch(tag))}
    if len(versions) > 1:
        raise ValidationError({"If-Match": ['One ETag of this answer, e.g. "3", or *.']})
    return versions.pop() if versions else NO_VERSION


class AnswerPreconditionFailed(PreconditionFailed):
    """412 with the stored answer, which the view adds to the error body as `current`."""

    def __init__(self, current: dict) -> None:
        self.current = current
        super().__init__(
            f"This answer changed since the version If-Match names: it is at version {current['version']}."
        )


def review_answers(lens_review: AnyLensReview, *, descriptions: bool = False) -> QuerySet[Any]:
    """The review's answers (Answer rows of a live review, MilestoneAnswer rows of a frozen one) in
    question order, with their questions, pillars and last writers, in one query; the questions'
    descriptions only if asked for (one answer's page shows it, a list not)."""
    answers = _with_questions(lens_review.answers.all(), descriptions=descriptions)
    return answers.order_by("question__pillar__position", "question__position")


def _with_questions(answers: QuerySet[Any], *, descriptions: bool) -> QuerySet[Any]:
    """`answers` with what AnswerSerializer shows: questions, pillars and last writers."""
    answers = answers.select_related("question__pillar", "updated_by", "restored_by").defer(
        "question__extra", "question__pillar__description", "question__pillar__extra"
    )
    return answers if descriptions else answers.defer("question__description")


class AnswerFilterSet(RenamedFiltersMixin, django_filters.FilterSet):
    """?pillar_id= (or its deprecated name ?pillar=) &risk="""

    renamed = {"pillar": "pillar_id"}

    pillar_id = django_filters.CharFilter(
        field_name="question__pillar__pillar_id", help_text="A pillar's id: only its questions."
    )
    risk = django_filters.ChoiceFilter(
        choices=Answer.Risk.choices, help_text="Only the answers at this risk."
    )

    class Meta:
        # The fields both kinds of answer have: the filters apply to live and frozen answers alike.
        model = AnswerFields
        fields: list[str] = []


if TYPE_CHECKING:  # what the mixin is mixed into, so that it type-checks
    _LookupBase = GenericAPIView
else:
    _LookupBase = object


class ReviewLookup(_LookupBase):
    """The lens review of the URL: the workload (404 for outsiders, 403 for a role that may not take
    the action), then the state read (for a read, `?milestone=N`'s frozen copy if asked for; a write
    always changes the workload as it is now), then the review in it (404 if not applied)."""

    state: ReviewState  # set by find_state

    def lens_review(self, action: Action) -> AnyLensReview:
        self.find_state(action)
        return self.state_review()

    def find_state(self, action: Action) -> None:
        """`self.state`: the workload (404, 403) as the request reads or writes it."""
        workload, _role = workload_or_404(self.request, self.kwargs["workload_id"], action)
        self.state = (
            requested_state(self.request, workload) if action == Action.VIEW else ReviewState(workload)
        )

    def state_review(self) -> AnyLensReview:
        """The state's review of the URL's lens, with its lens and version; 404 if not applied."""
        # Without the version's source document (up to 2 MB), which no read of an answer needs.
        reviews = (
            self.state.lens_reviews().select_related("lens", "lens_version").defer("lens_version__source")
        )
        return get_object_or_404(reviews, lens__alias=self.kwargs["alias"])

    def answer(self, action: Action, *, descriptions: bool = True) -> Answer:
        """The answer to the URL's question, with everything AnswerSerializer shows (and, unless
        `descriptions` is False, its question's description), and `self.review`. Now: one query
        for both (every save takes this path); in a milestone, or to tell a missing review from a
        missing question: one for each."""
        self.find_state(action)
        question_id = self.kwargs["question_id"]
        if self.state.is_current:
            found = (
                _with_questions(Answer.objects.all(), descriptions=descriptions)
                .select_related("lens_review__lens", "lens_review__lens_version")
                .defer("lens_review__lens_version__source")
                .filter(
                    lens_review__workload=self.state.workload,
                    lens_review__lens__alias=self.kwargs["alias"],
                    question__question_id=question_id,
                )
                .order_by()  # one row: Answer's ordering (by pillar and question) costs two joins
            )
            answer = next(iter(found), None)  # a review has one answer per question
            if answer is not None:
                self.review = answer.lens_review
                return answer
        self.review = self.state_review()
        answers = review_answers(self.review, descriptions=descriptions)
        answer = answers.filter(question__question_id=question_id).first()
        if answer is None:
            raise Http404("This lens has no such question.")
        return answer


def _detail(answer: Answer, lens_version: LensVersion) -> dict:
    """The answer with its question and each choice's status (a query for the choices, the first
    time only: `lens_version` is the answer's, with its content hash)."""
    choices = question_choices_of_version(answer.question, content_hash=lens_version.content_hash)
    return answer_detail(answer, choices)  # AnswerDetailSerializer's shape, made directly


READ_PARAMETERS = [*PATH_PARAMETERS, MILESTONE_PARAMETER]


@extend_schema_view(
    list=extend_schema(
        summary="A lens review's answers",
        description="In the lens's order (pillar by pillar), filtered by pillar or risk.",
        parameters=READ_PARAMETERS,
    ),
    retrieve=extend_schema(
        summary="An answer, with its question and ETag",
        description="The answer (its risk, choices, notes, whether it applies) with its question: the "
        "title, the description and each choice's status. As it is now, or as milestone N keeps it "
        "(`?milestone=N`). The `ETag` header is its version, for `If-Match` on a PATCH.",
        parameters=[*READ_PARAMETERS, QUESTION_PARAMETER, ETAG_HEADER],
        responses=AnswerDetailSerializer,
    ),
    partial_update=extend_schema(
        summary="Answer a question (owner, contributor)",
        description="The fields named replace what is stored; `choice_updates` changes the choices it "
        "names. With `If-Match`, only if the answer is still at that version (412 otherwise, with the "
        "stored answer under `current`). Recorded in the answer's history.",
        parameters=[*PATH_PARAMETERS, QUESTION_PARAMETER, IF_MATCH_HEADER, ETAG_HEADER],
        request=AnswerUpdateSerializer,
        responses={
            200: AnswerDetailSerializer,
            412: OpenApiResponse(
                AnswerPreconditionFailedSerializer,
                description="The answer changed since the version If-Match names: nothing was written; "
                "`current` is the stored answer, and the ETag header its version.",
            ),
        },
        examples=[
            OpenApiExample(
                "Select two practices (all of them)",
                {"selected_choices": ["MLSEC01_BP01", "MLSEC01_BP02"]},
                request_only=True,
            ),
            OpenApiExample(
                "Change two choices, leaving the others as stored",
                {
                    "choice_updates": {
                        "MLSEC01_BP01": {"status": "SELECTED"},
                        "MLSEC01_BP02": {
                            "status": "NOT_APPLICABLE",
                            "reason": "OUT_OF_SCOPE",
                            "notes": "No secrets in this pipeline.",
                        },
                    }
                },
                request_only=True,
            ),
            OpenApiExample(
                "The question does not apply",
                {"is_applicable": False, "reason": "BUSINESS_PRIORITIES", "notes": "Batch scoring only."},
                request_only=True,
            ),
        ],
    ),
)
class AnswerViewSet(ReviewLookup, mixins.ListModelMixin, ApiViewSet):
    serializer_class = AnswerSerializer
    queryset = Answer.objects.none()  # every read goes through the review's answers
    filter_backends = [DjangoFilterBackend]
    filterset_class = AnswerFilterSet
    lookup_field = "question_id"
    lookup_value_regex = QUESTION_ID_PATTERN
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):  # the schema is made without a workload
            return Answer.objects.none()
        return review_answers(self.lens_review(Action.VIEW))

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        answer = self.answer(Action.VIEW)
        return Response(
            _detail(answer, self.review.lens_version), headers={"ETag": entity_tag(answer.version)}
        )

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        answer = self.answer(Action.ANSWER)
        expected = if_match_version(request)  # a broken If-Match is told before the body
        data = AnswerUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            saved = answer_update(
                answer=answer,
                actor=signed_in(request.user),
                changes=data.validated_data,
                expected_version=expected,
                note=API_NOTE,
            )
        except StaleAnswer as stale:
            stale.current.question = answer.question  # loaded with its pillar already
            raise AnswerPreconditionFailed(_detail(stale.current, self.review.lens_version)) from None
        saved.question = answer.question
        return Response(_detail(saved, self.review.lens_version), headers={"ETag": entity_tag(saved.version)})

    def handle_exception(self, exc: Exception) -> Response:
        """The 412 of a stale If-Match also carries the stored answer and its ETag (the error
        handler makes the rest of the body)."""
        response = super().handle_exception(exc)
        if isinstance(exc, AnswerPreconditionFailed):
            response.data["current"] = exc.current
            response["ETag"] = entity_tag(exc.current["version"])
        return response


@extend_schema_view(
    list=extend_schema(
        summary="An answer's history, newest first",
        description="Every accepted change (who, when, before and after), and every conflict settled "
        "in favour of the stored answer.",
        parameters=[*READ_PARAMETERS, QUESTION_PARAMETER],
    )
)
class AnswerHistoryViewSet(ReviewLookup, mixins.ListModelMixin, ApiViewSet):
    serializer_class = AnswerChangeSerializer
    queryset = AnswerChange.objects.none()

    def get_queryset(self) -> QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):  # the schema is made without a workload
            return AnswerChange.objects.none()
        answer = self.answer(Action.VIEW, descriptions=False)
        return answer_trail(state=self.state, lens_review=self.review, answer=answer)


ANSWERS = r"workloads/(?P<workload_id>\d+)/lens-reviews/(?P<alias>[-a-zA-Z0-9_]+)/answers"

router = SimpleRouter()
router.register(ANSWERS, AnswerViewSet, basename="answer")
router.register(
    rf"{ANSWERS}/(?P<question_id>{QUESTION_ID_PATTERN})/history",
    AnswerHistoryViewSet,
    basename="answer-history",
)
urlpatterns = router.urls
