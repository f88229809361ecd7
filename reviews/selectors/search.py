"""The site search (the header's box, Ctrl-K, and /search/): the workloads, lenses and questions a
person may see whose name, alias, id or title holds the text, exact matches first.

Bounded whatever the data: at most `limit` of each kind, in five queries at most (workloads, lenses,
and for questions: those that match, the first lens reviews of the person's workloads they are in,
and those of the lenses the person may see but has applied to none), nothing at all for a text under
MIN_LENGTH characters. The text is cleaned first
(`search_text`): control characters out (PostgreSQL refuses a NUL in a string), spaces folded, at most
MAX_LENGTH characters kept. Visibility is the usual door: `Workload.objects.visible_to` and
`Lens.objects.visible_to`, so that an outsider never finds another person's workload or lens, nor a
question through one.
"""

import unicodedata
from dataclasses import dataclass, field

from django.db.models import Case, Exists, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Lower

from lens.models import Lens, LensVersion, Question
from mlwa.types import Reader
from reviews.models import LensReview, Workload

MIN_LENGTH = 2
MAX_LENGTH = 100
#: The largest workload id a text may name (BigAutoField): a longer number is no id, not an error.
_MAX_ID = 2**63 - 1

#: The rank of a match: exact first, then the start of the name, then anywhere in it.
EXACT, PREFIX, ANYWHERE = 0, 1, 2


@dataclass(frozen=True)
class SearchText:
    """What is searched for: `text`, cleaned; `trimmed` when the text given was longer."""

    text: str
    trimmed: bool = False

    @property
    def searchable(self) -> bool:
        return len(self.text) >= MIN_LENGTH


@dataclass(frozen=True)
class QuestionHit:
    """A question found: in a lens applied to one of the person's workloads (`workload_id` and
    `workload_name` set: its page there), or in a lens they may see and have applied to none."""

    question_id: str
    title: str
    lens_alias: str
    lens_name: str
    rank: int
    workload_id: int | None = None
    workload_name: str = ""


@dataclass(frozen=True)
class SearchResults:
    """The hits of each kind, best first, and whether more of a kind matched than `limit`."""

    searched: SearchText
    limit: int
    workloads: list[Workload] = field(default_factory=list)
    lenses: list[Lens] = field(default_factory=list)
    questions: list[QuestionHit] = field(default_factory=list)
    more: frozenset[str] = frozenset()

    @property
    def found(self) -> bool:
        return bool(self.workloads or self.lenses or self.questions)


def search_text(raw: str) -> SearchText:
    """`raw` made safe to search with: control and other unprintable characters (NUL, surrogates,
    format marks) dropped, runs of white space made one space, the ends stripped, at most
    MAX_LENGTH characters kept."""
    kept = "".join(
        " " if char.isspace() else char
        for char in raw
        if char.isspace() or unicodedata.category(char) not in ("Cc", "Cf", "Cs", "Co", "Cn")
    )
    text = " ".join(kept.split())
    return SearchText(text=text[:MAX_LENGTH].rstrip(), trimmed=len(text) > MAX_LENGTH)


def _rank(exact: Q, prefix: Q) -> Case:
    return Case(When(exact, then=Value(EXACT)), When(prefix, then=Value(PREFIX)), default=Value(ANYWHERE))


def _workloads(user: Reader, text: str, limit: int) -> list[Workload]:
    """Visible workloads whose name holds `text`, or whose id it is. One query."""
    named = Q(name__icontains=text)
    exact = Q(name__iexact=text)
    if text.isascii() and text.isdigit() and int(text) <= _MAX_ID:
        named |= Q(pk=int(text))
        exact |= Q(pk=int(text))
    return list(
        Workload.objects.visible_to(user)
        .filter(named)
        .annotate(rank=_rank(exact, Q(name__istartswith=text)))
        .select_related("owner")
        .only("pk", "name", "environment", "owner__username")
        .order_by("rank", Lower("name"), "pk")[: limit + 1]
    )


def _lenses(user: Reader, text: str, limit: int) -> list[Lens]:
    """Visible lenses whose name or alias holds `text`. One query."""
    return list(
        Lens.objects.visible_to(user)
        .filter(Q(name__icontains=text) | Q(alias__icontains=text))
        .annotate(
            rank=_rank(
                Q(alias__iexact=text) | Q(name__iexact=text),
                Q(alias__istartswith=text) | Q(name__istartswith=text),
            )
        )
        .only("pk", "alias", "name")
        .order_by("rank", Lower("name"), "alias")[: limit + 1]
    )


def _question_matches(text: str) -> tuple[Q, Case]:
    """Questions whose id or title holds `text`, and their rank: the id exactly, the id's start,
    anywhere in the id or the title."""
    matches = Q(question_id__icontains=text) | Q(title__icontains=text)
    return matches, _rank(Q(question_id__iexact=text), Q(question_id__istartswith=text))


#: At most this many questions that match are paired with workloads: a word in every title of every
#: lens (say "how") keeps the best ranked of them, in the lens order, rather than thousands.
QUESTIONS_READ = 500


def _applied_questions(visible: QuerySet[Workload], text: str, limit: int) -> list[QuestionHit]:
    """Questions of the lenses applied to the visible workloads, each with one workload it is in,
    best rank first, then by workload name, then in the lens's order. Two queries, neither going
    through every answer of every workload: the questions that match, then the first `limit`
    visible lens reviews on their versions, by their best question's rank and their workload's
    name. The best pairs are among those reviews' (each review answers every question of its
    version), which are paired here."""
    matches, rank = _question_matches(text)
    questions = list(
        Question.objects.filter(matches)
        .annotate(rank=rank)
        .order_by("rank", "version_id", "pillar__position", "position")
        .values_list("question_id", "title", "version_id", "rank", "pillar__position", "position")[
            :QUESTIONS_READ
        ]
    )
    best: dict[int, int] = {}  # version -> the best rank of its questions that match
    for _id, _title, version, question_rank, _pillar, _position in questions:
        best[version] = min(best.get(version, ANYWHERE), question_rank)
    if not best:
        return []
    reviews = (
        LensReview.objects.filter(lens_version__in=best, workload__in=visible.values("pk"))
        .annotate(
            best=Case(
                *(When(lens_version=version, then=Value(rank)) for version, rank in best.items()),
                default=Value(ANYWHERE),
            )
        )
        .order_by("best", Lower("workload__name"), "workload_id")
        .values_list("lens_version_id", "workload_id", "workload__name", "lens__alias", "lens__name")[
            : limit + 1
        ]
    )
    hits = [
        (
            (question_rank, workload_name.lower(), workload_id, pillar, position),
            QuestionHit(question_id, title, alias, name, question_rank, workload_id, workload_name),
        )
        for version, workload_id, workload_name, alias, name in reviews
        for question_id, title, question_version, question_rank, pillar, position in questions
        if question_version == version
    ]
    hits.sort(key=lambda hit: hit[0])
    return [hit for _key, hit in hits[: limit + 1]]


def _unapplied_questions(
    user: Reader, visible: QuerySet[Workload], text: str, limit: int
) -> list[QuestionHit]:
    """Questions of the newest published version of each lens the person may see and has applied
    to none of their workloads: those lead to the lens's page. One query."""
    matches, rank = _question_matches(text)
    newest = (
        LensVersion.objects.filter(lens=OuterRef("version__lens"), status=LensVersion.Status.PUBLISHED)
        .order_by("-published_at", "-pk")
        .values("pk")[:1]
    )
    # Asked of each question that matches, not listed for every visible workload first.
    applied = LensReview.objects.filter(lens=OuterRef("version__lens"), workload__in=visible.values("pk"))
    rows = (
        Question.objects.filter(matches, version__lens__in=Lens.objects.visible_to(user).values("pk"))
        .filter(version=Subquery(newest))
        .exclude(Exists(applied))
        .annotate(rank=rank)
        .order_by("rank", Lower("version__lens__name"), "pillar__position", "position")
        .values_list("question_id", "title", "version__lens__alias", "version__lens__name", "rank")
    )
    return [QuestionHit(*row) for row in rows[: limit + 1]]


def site_search(*, user: Reader, raw: str, limit: int) -> SearchResults:
    """What `raw` finds for `user`: at most `limit` workloads, lenses and questions, best first
    (exact id, name or alias, then its start, then anywhere). Five queries (four when no question
    matches); none for a text too short to search."""
    searched = search_text(raw)
    if not searched.searchable:
        return SearchResults(searched=searched, limit=limit)
    text = searched.text
    visible = Workload.objects.visible_to(user)
    workloads = _workloads(user, text, limit)
    lenses = _lenses(user, text, limit)
    # Those of the lenses applied first within a rank (the sort is stable): where work is done.
    questions = sorted(
        _applied_questions(visible, text, limit) + _unapplied_questions(user, visible, text, limit),
        key=lambda hit: hit.rank,
    )
    counts = {"workloads": len(workloads), "lenses": len(lenses), "questions": len(questions)}
    return SearchResults(
        searched=searched,
        limit=limit,
        workloads=workloads[:limit],
        lenses=lenses[:limit],
        questions=questions[:limit],
        more=frozenset(kind for kind, count in counts.items() if count > limit),
    )
