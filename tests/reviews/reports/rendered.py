"""Helpers of the rendering tests: a workload answered on a lens, reports of it, a PDF's text."""

import shutil
import subprocess

import pytest

from reviews.models import Answer, Report
from reviews.services import answer_update, question_facts

PDFTOTEXT = shutil.which("pdftotext")
NO_PDFTOTEXT = "pdftotext is absent (apt-get install poppler-utils)"


def pdf_text(content: bytes) -> str:
    """The text of a PDF, as pdftotext reads it (the test skips when pdftotext is absent)."""
    if PDFTOTEXT is None:
        pytest.skip(NO_PDFTOTEXT)
    done = subprocess.run(  # noqa: S603 - pdftotext itself, the PDF on its input
        [PDFTOTEXT, "-enc", "UTF-8", "-", "-"], input=content, capture_output=True, check=True
    )
    return done.stdout.decode("utf-8")


def flat(text: str) -> str:
    """`text` with every run of white space as one space: titles wrap across lines in a PDF."""
    return " ".join(text.split())


def answer_all(workload, *, actor, notes: str = "Notes on {id}.") -> None:
    """Every question of every lens of `workload` answered, each with some of its practices (a
    different number each time; "None of these" for none) and `notes`."""
    answers = Answer.objects.filter(lens_review__workload=workload).select_related("question__version")
    for n, answer in enumerate(answers.order_by("pk")):
        facts = question_facts(answer.question)
        practices = [c for c in facts.choice_ids if c != facts.none_of_these]
        selected = practices[: n % len(practices)] or [facts.none_of_these or practices[0]]
        answer_update(
            answer=answer,
            actor=actor,
            changes={"selected_choices": selected, "notes": notes.format(id=answer.question.question_id)},
            expected_version=None,
        )


def lens_report(workload, *, by, alias: str, milestone: int | None = None) -> Report:
    return Report.objects.create(
        kind=Report.Kind.LENS_REVIEW,
        format=Report.Format.PDF,
        requested_by=by,
        workload=workload,
        lens_alias=alias,
        milestone_number=milestone,
    )


def fresh(report: Report) -> Report:
    """The report as the worker loads it: nothing related cached."""
    return Report.objects.get(pk=report.pk)
