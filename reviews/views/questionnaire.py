"""The questionnaire: one page per question of a lens review, saved as the person goes.

The page posts the whole state of its question on every change (htmx); the answer view writes it
with answer_update and, to an htmx request, answers with out-of-band fragments only (the version,
the status line, the errors, the risk in the navigation and the counts), never with the fields
themselves, so that nothing the person is typing is replaced. A write from an older version is a
409 with both versions side by side; while it is open the form sends nothing (questionnaire.js)
and the first "Keep mine" or "Take theirs" settles it. Without JavaScript the form posts normally
and the view redirects (or renders the whole page with its errors or the conflict).

Live state: the page polls `changes` every 3 s. What the page shows never contradicts itself:

- Everything outside the form shows the stored answer, at the version the line under the form
  names: the risk under the title, that line ("Version N, changed by X on ..."), the question's dot
  in the navigation, and the pillar's and the lens's counts. A save, a conflict and a poll that
  finds someone else's change update all of them together.
- The fields show the stored answer too, unless the person is editing them: unsaved changes, or
  the focus in the form (questionnaire.js tells the poll with `editing=1`). Then someone else's
  change leaves the fields as they are, and the page says so: the notice names the stored version
  and offers to load it, and the risk under the title says whose version it is. The form keeps the
  version it started from, so its next save is a conflict in which the person chooses.
- Otherwise the poll replaces the fields with the stored answer and moves the form's version on,
  so that the next save is not a conflict (a reader's list is replaced the same way).

A milestone's frozen questionnaire (reviews.views.milestones) is built by the same `question_page`,
read-only, without polling or history, its links within the milestone.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_safe
from django_htmx.http import HttpResponseClientRedirect

from mlwa.post_only import post_only
from reviews.access import lens_review_or_404, workload_or_404
from reviews.api.answer_serializers import validated_answer_changes
from reviews.forms.answers import (
    BadAnswerPost,
    Conflict,
    FormErrors,
    answer_summary,
    parse_answer_post,
    place_errors,
    post_fields,
    practice_rows,
)
from reviews.models import CHOICE_NOTES_MAX, NOTES_MAX, Answer
from reviews.permissions import Action, can
from reviews.selectors.lens_overview import question_flow
from reviews.selectors.questionnaire import (
    FILTERS,
    answer_rows,
    progress_of,
    question_answer,
    question_choices,
    question_practices,
    review_outline,
)
from reviews.services import (
    InvalidInput,
    StaleAnswer,
    answer_keep_theirs,
    answer_state,
    answer_update,
)

PAGE = "reviews/questionnaire/question.html"


def filter_name_of(value: str | None) -> str:
    return value if value in FILTERS else ""


def question_url(workload, review, question_id: str, filter_name: str = "") -> str:
    url = reverse("reviews:question", args=[workload.pk, review.lens.alias, question_id])
    return f"{url}?{urlencode({'filter': filter_name})}" if filter_name else url


@login_required
@require_safe
def question(request, pk: int, alias: str, question_id: str):
    workload, role = workload_or_404(request, pk)
    review = lens_review_or_404(workload, alias)
    answer = question_answer(lens_review=review, question_id=question_id)
    return question_page(request, workload, role, review, answer, filter_name_of(request.GET.get("filter")))


def question_page(
    request,
    workload,
    role,
    review,
    answer,
    filter_name,
    *,
    milestone=None,
    state=None,
    errors=None,
    conflict=None,
    status=200,
):
    """The whole question page: the stored answer, or `state` as posted with its errors or conflict.
    With `milestone`, `review` and `answer` are its frozen rows: the page only shows them."""
    outline = review_outline(review, current_pk=answer.question_id, filter_name=filter_name)
    choices, question_resources = question_practices(answer.question)
    state = state if state is not None else answer_state(answer)
    errors = errors or FormErrors()
    poll_url = None  # a milestone does not change: nothing to poll for
    if milestone is None:
        since = outline.since or review.applied_at
        poll_query = {
            "question": answer.question.question_id,
            "version": answer.version,
            "since": since.isoformat(),
        }
        poll_url = changes_url(workload, review, poll_query, filter_name)
    context = {
        **answer_context(workload, review, answer, filter_name, milestone),
        "role": role,
        "editable": milestone is None and can(role, Action.ANSWER),
        "outline": outline,
        "flow": question_flow(outline),
        "question_resources": question_resources,
        "practices": practice_rows(choices, state, errors),
        "summary": answer_summary(choices, state),
        "state": state,
        "errors": errors,
        "conflict": conflict,
        "filters": FILTERS,
        "poll_url": poll_url,
    }
    if conflict is not None:
        # The form keeps the version the person started from: only "Keep mine" writes over theirs.
        context["form_version"] = conflict.expected_version
        context["stale"] = True  # the risk under the title is theirs, not what the form holds
    return render(request, PAGE, context, status=status)


def answer_context(workload, review, answer, filter_name, milestone=None) -> dict:
    """What every answer fragment needs: where it is, and the answer's fixed limits and choices.
    In a milestone, the links stay in the milestone, and lead to its overview for the lens notes."""
    if milestone is None:
        review_url = reverse("reviews:review", args=[workload.pk, review.lens.alias])
        notes_url = reverse("reviews:lens-notes", args=[workload.pk, review.lens.alias])
    else:
        args = [workload.pk, milestone.number]
        review_url = reverse("reviews:milestone-review", args=[*args, review.lens.alias])
        notes_url = reverse("reviews:milestone", args=args) + f"#lens-{review.lens.alias}"
    return {
        "workload": workload,
        "milestone": milestone,
        "review": review,
        "question": answer.question,
        "answer": answer,
        "form_version": answer.version,
        "filter_name": filter_name,
        "filter_query": f"?{urlencode({'filter': filter_name})}" if filter_name else "",
        # The navigation links up to 200 questions: "<questions_url><question id>/", rather than a
        # reverse() for each (question ids are letters, digits and "_": nothing to quote).
        "questions_url": review_url + "questions/",
        "review_url": review_url,  # the lens review's overview: the breadcrumb, "Save and exit", "Finish"
        "notes_url": notes_url,
        "reasons": Answer.Reason.choices,
        "notes_max": NOTES_MAX,
        "choice_notes_max": CHOICE_NOTES_MAX,
    }


def changes_url(workload, review, query: dict, filter_name: str) -> str:
    if filter_name:
        query = {**query, "filter": filter_name}
    return f"{reverse('reviews:changes', args=[workload.pk, review.lens.alias])}?{urlencode(query)}"


@login_required
@post_only("reviews:question", kwargs=("pk", "alias", "question_id"))
def answer(request, pk: int, alias: str, question_id: str):
    workload, role = workload_or_404(request, pk, Action.ANSWER)
    review = lens_review_or_404(workload, alias)
    stored = question_answer(lens_review=review, question_id=question_id)
    filter_name = filter_name_of(request.POST.get("filter"))
    try:
        posted = parse_answer_post(request.POST)
    except BadAnswerPost as error:
        return HttpResponseBadRequest(str(error), content_type="text/plain; charset=utf-8")
    if posted.resolution == "theirs":
        # The stored version stands and the form shows it again; the trail records what was dropped.
        if posted.version < stored.version:
            answer_keep_theirs(
                answer=stored, actor=request.user, discarded=posted.changes, seen_version=posted.version
            )
        if not request.htmx:
            messages.success(request, "Kept the stored answer; your changes were not saved.")
            return redirect(question_url(workload, review, question_id, filter_name))
        return _panel(request, workload, role, review, stored, filter_name)
    note = f"conflict: kept own changes over version {posted.version}" if posted.resolution == "mine" else ""
    try:
        saved = answer_update(
            answer=stored,
            actor=request.user,
            # The API's definition of an answer's input checks the form's too (types, lengths, reasons).
            changes=validated_answer_changes(posted.changes),
            expected_version=posted.version,
            note=note,
        )
    except InvalidInput as error:
        choices = question_choices(stored.question)
        errors = place_errors(error.errors, choices)
        return _refused(request, workload, role, review, stored, filter_name, posted, choices, errors=errors)
    except StaleAnswer as stale:
        choices = question_choices(stored.question)
        conflict = Conflict(
            stored=stale.current,
            expected_version=stale.expected_version,
            mine=answer_summary(choices, posted.changes),
            theirs=answer_summary(choices, answer_state(stale.current)),
            mine_fields=post_fields(posted.changes),
        )
        return _refused(
            request, workload, role, review, stored, filter_name, posted, choices, conflict=conflict
        )
    if request.POST.get("then") == "overview":
        # "Save and exit" (and "Finish"): a submit button of this form, so that what is being typed
        # is saved with it. With htmx it is posted like every save, in the form's queue (hx-sync),
        # so it goes after a save still on its way and from the version that save stored; a plain
        # navigation instead would race it, and lose to a 409 of the person's own save. Once saved,
        # the browser is sent to the overview (HX-Redirect); a refused save (400, 409) stays on
        # the question, with its errors or the conflict, as any save does.
        overview = reverse("reviews:review", args=[workload.pk, review.lens.alias])
        if not request.htmx:
            messages.success(request, "Saved.")
            return redirect(overview)
        return HttpResponseClientRedirect(overview)
    if not request.htmx:
        messages.success(request, "Saved.")
        return redirect(question_url(workload, review, question_id, filter_name))
    return _fragments(
        request, workload, review, saved, filter_name, question_choices(stored.question), saved_now=True
    )


def _refused(
    request, workload, role, review, stored, filter_name, posted, choices, *, errors=None, conflict=None
):
    """A refused save: to htmx, the errors (400) or the conflict (409) as fragments; without
    JavaScript, the whole page with what the person posted."""
    status = 409 if conflict is not None else 400
    if request.htmx:
        return _fragments(
            request,
            workload,
            review,
            stored,
            filter_name,
            choices,
            errors=errors,
            conflict=conflict,
            status=status,
        )
    return question_page(
        request,
        workload,
        role,
        review,
        stored,
        filter_name,
        state=posted.changes,
        errors=errors,
        conflict=conflict,
        status=status,
    )


def _fragments(
    request,
    workload,
    review,
    answer,
    filter_name,
    choices,
    *,
    errors=None,
    conflict=None,
    saved_now=False,
    status=200,
):
    """The answer view's reply to htmx: out-of-band fragments only (the form's target swaps nothing).

    After a save: the new version, "Saved", who changed it, no errors and no conflict, and the
    question's risk in the header and the navigation with its pillar's and the lens's counts. After
    a refusal: the errors, or the conflict with the stored answer (theirs) in those places, said to
    be theirs; the form's version stays, so that nothing is written over theirs until the person
    chooses (questionnaire.js sends nothing from the form meanwhile)."""
    context = {
        **answer_context(workload, review, answer, filter_name),
        "choice_errors": [
            (choice.choice_id, (errors or FormErrors()).of_choice(choice.choice_id)) for choice in choices
        ],
        "errors": errors or FormErrors(),
        "conflict": conflict,
        "saved_now": saved_now,
    }
    if saved_now or conflict is not None:
        progress, pillars = progress_of(answer_rows(review))
        context.update(
            progress=progress,
            pillar_pk=answer.question.pillar_id,
            pillar_progress=pillars.get(answer.question.pillar_id),
        )
    return render(request, "reviews/questionnaire/_answer_oob.html", context, status=status)


def _panel(request, workload, role, review, answer, filter_name):
    """The answer panel alone, from the stored answer ("Take theirs"): it replaces the form. The
    poller moves on to the version now on screen, or it would announce that version as someone
    else's new change; from the stored answer's time on, which at worst repeats updates already
    shown (they are idempotent)."""
    choices, _resources = question_practices(answer.question)
    state = answer_state(answer)
    poll_query = {
        "question": answer.question.question_id,
        "version": answer.version,
        "since": (answer.updated_at or review.applied_at).isoformat(),
    }
    context = {
        "poll_url": changes_url(workload, review, poll_query, filter_name),
        **answer_context(workload, review, answer, filter_name),
        "editable": can(role, Action.ANSWER),
        "practices": practice_rows(choices, state),
        "summary": answer_summary(choices, state),
        "state": state,
        "errors": FormErrors(),
        "status_text": "Their version is loaded.",
    }
    return render(request, "reviews/questionnaire/_take_theirs.html", context)
