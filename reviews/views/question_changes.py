"""What changed on a question: the live poll of the question page (the rule of what the page
shows is in reviews.views.questionnaire's docstring) and the answer's history."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_safe

from reviews.access import lens_review_or_404, workload_or_404
from reviews.forms.answers import FormErrors, answer_summary, practice_rows
from reviews.permissions import Action, can
from reviews.selectors.questionnaire import (
    answer_changes_described,
    answer_rows,
    answers_changed_since,
    progress_of,
    question_answer,
    question_practices,
)
from reviews.services import answer_state
from reviews.views.questionnaire import answer_context, changes_url, filter_name_of, question_url


@login_required
@require_safe
def changes(request, pk: int, alias: str):
    """What changed in the review since `since` (an ISO timestamp, from the page or the previous
    poll): the changed questions' risks and the counts, and, when the question on screen
    (`question`, shown at `version`) was changed by someone else, the stored answer in every place
    that shows it: its fields too, unless the person is editing them (`editing=1`, which
    questionnaire.js adds), when they are marked stale instead (the module's rule). 204 when
    nothing changed."""
    workload, role = workload_or_404(request, pk)
    review = lens_review_or_404(workload, alias)
    question_id = request.GET.get("question", "")
    since = parse_datetime(request.GET.get("since", "") or "")
    try:
        version = int(request.GET.get("version", ""))
    except ValueError:
        version = None
    if version is None or since is None or since.tzinfo is None:
        return HttpResponseBadRequest(
            "Give question, version and since (an ISO timestamp with its offset).", content_type="text/plain"
        )
    changed = answers_changed_since(lens_review=review, since=since)
    if not changed:
        return HttpResponse(status=204)
    rows = answer_rows(review)
    progress, pillar_progress = progress_of(rows)
    pillar_of = {row.question_pk: row.pillar_pk for row in rows}
    on_screen = next((row for row in changed if row["question__question_id"] == question_id), None)
    filter_name = filter_name_of(request.GET.get("filter"))
    context = {}
    if on_screen is not None and on_screen["version"] > version:
        if on_screen["updated_by_id"] == request.user.pk:
            # Saved from this page (its form has the version already), or from another of theirs.
            version = on_screen["version"]
        else:
            context = _changed_on_screen(request, workload, role, review, question_id, filter_name)
            if not context["stale"]:
                version = context["answer"].version  # now on screen
    query = {"question": question_id, "version": version, "since": changed[-1]["updated_at"].isoformat()}
    pillar_pks = dict.fromkeys(pillar_of.get(row["question_id"]) for row in changed)
    context.update(
        workload=workload,
        review=review,
        changed=changed,
        progress=progress,
        pillars=[(pk, pillar_progress[pk]) for pk in pillar_pks if pk in pillar_progress],
        poll_url=changes_url(workload, review, query, filter_name),
    )
    return render(request, "reviews/questionnaire/_changes.html", context)


def _changed_on_screen(request, workload, role, review, question_id: str, filter_name: str) -> dict:
    """The context of someone else's newer version of the answer on screen: the stored answer for
    the badge and the meta line, and for the fields (or the reader's list) unless the person is
    editing (`stale`); then `load_url` is this poll without `editing`, which loads theirs. One
    query (the answer with who changed it), two more when its fields or list are shown."""
    answer = question_answer(lens_review=review, question_id=question_id)
    editable = can(role, Action.ANSWER)
    stale = editable and request.GET.get("editing") == "1"
    context = {
        **answer_context(workload, review, answer, filter_name),
        "editable": editable,
        "stale": stale,
    }
    if stale:
        load = request.GET.copy()
        del load["editing"]
        context["load_url"] = f"{request.path}?{load.urlencode()}"
    else:
        choices, _resources = question_practices(answer.question)
        state = answer_state(answer)
        context.update(
            practices=practice_rows(choices, state),
            summary=answer_summary(choices, state),
            state=state,
            errors=FormErrors(),
        )
    return context


@login_required
@require_safe
def history(request, pk: int, alias: str, question_id: str):
    """An answer's changes, newest first, each in the practice titles of its lens version."""
    workload, _role = workload_or_404(request, pk)
    review = lens_review_or_404(workload, alias)
    answer = question_answer(lens_review=review, question_id=question_id)
    entries, more = answer_changes_described(answer=answer, lens_review=review)
    context = {
        "workload": workload,
        "review": review,
        "question": answer.question,
        "answer": answer,
        "entries": entries,
        "more": more,
        "question_url": question_url(workload, review, question_id),
    }
    return render(request, "reviews/questionnaire/history.html", context)
