"""Posting answers as the questionnaire's form does, for the questionnaire tests."""

from html.parser import HTMLParser

from django.test.html import Element, parse_html
from django.urls import reverse

from lens.models import BUILTIN_ALIAS
from reviews.models import AnswerChange

HTMX = {"HX-Request": "true"}


def answer_url(workload, question_id="MLOPS01"):
    return reverse("reviews:answer", args=[workload.pk, BUILTIN_ALIAS, question_id])


def question_url(workload, question_id="MLOPS01"):
    return reverse("reviews:question", args=[workload.pk, BUILTIN_ALIAS, question_id])


def form(version=0, **fields):
    """The whole state of a question, as the form posts it: nothing selected, applicable, no notes."""
    return {"version": version, "selected": [], "is_applicable": "true", "reason": "", "notes": "", **fields}


def post(client, workload, data, *, question_id="MLOPS01", htmx=True):
    return client.post(answer_url(workload, question_id), data, headers=HTMX if htmx else {})


VOID = {"input", "br", "img", "meta", "link", "hr"}


def top_level_elements(html: str) -> list[tuple[str, dict]]:
    """The elements at the top of an HTML fragment, with their attributes."""
    found, depth = [], 0

    class Parser(HTMLParser):
        def handle_starttag(self, tag, attrs):
            nonlocal depth
            if depth == 0:
                found.append((tag, dict(attrs)))
            if tag not in VOID:
                depth += 1

        def handle_endtag(self, tag):
            nonlocal depth
            depth -= 1

    Parser().feed(html)
    return found


def assert_unchanged(shared, question_id="MLOPS01"):
    answer = shared.answer(question_id)
    assert (answer.version, answer.risk, answer.selected_choices, answer.notes) == (0, "UNANSWERED", [], "")
    assert not AnswerChange.objects.filter(answer=answer).exists()


def oob_parts(html: str) -> dict[str, Element]:
    """The top-level elements of an htmx reply, by id (Django's HTML parser: attributes sorted,
    whitespace normalised), so that a test reads one fragment at a time."""
    root = parse_html(html)
    children = root.children if root.name is None else [root]
    return {dict(child.attributes).get("id", ""): child for child in children if isinstance(child, Element)}


def text_of(node) -> str:
    """The text of a parsed element, its whitespace collapsed."""
    if isinstance(node, str):
        return node
    return " ".join(" ".join(text_of(child) for child in node.children).split())
