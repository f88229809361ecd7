"""A lens's warnings as a reviewer reads them: one line per kind of problem, with a count and a
sentence in plain words, its occurrences (with the question they are in) one click away.

The official ML lens gives the same warning 35 times; listed one per row it made a page 33,800 px
tall, and its JSON paths mean nothing to someone judging whether to use the lens.
"""

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

#: For each warning's code, what it means for a review, in words a reviewer understands: the subject
#: for one and for several, then what follows from it.
PLAIN_WORDS = {
    "rule_never_fires": (
        "risk rule never applies",
        "risk rules never apply",
        "an earlier rule of the same question always decides first. Answers are still rated; these "
        "rules only make the file longer.",
    ),
    "not_applicable_raises_risk": (
        "choice raises",
        "choices raise",
        "the question's risk when marked not applicable, because a risk rule counts it against the team "
        "(typically a “No” answer).",
    ),
    "answer_matches_no_rule": (
        "question has",
        "questions have",
        "answers that no risk rule covers; such an answer is rated high risk.",
    ),
    "all_practices_still_risky": (
        "question stays",
        "questions stay",
        "at risk even when every practice is selected.",
    ),
    "none_like_choice": (
        "choice reads",
        "choices read",
        "like “None of these” but counts as an ordinary practice.",
    ),
    "no_default_rule": (
        "question has",
        "questions have",
        "no default risk rule; an answer that matches no rule is rated high risk.",
    ),
    "default_not_last": (
        "question has",
        "questions have",
        "a default risk rule before others, which then never apply.",
    ),
    "url_empty": (
        "helpful resource or improvement plan has",
        "helpful resources or improvement plans have",
        "no link; the text is shown without one.",
    ),
    "url_not_http": ("link is", "links are", "not a web address (http or https); it is shown as text."),
    "url_has_spaces": ("link contains", "links contain", "spaces; it is kept as written and may not open."),
    "unknown_key": (
        "field is",
        "fields are",
        "not part of the lens format; MLWA keeps it and exports it again.",
    ),
    "too_long_for_aws": (
        "text is",
        "texts are",
        "longer than the AWS Well-Architected Tool accepts; exporting for AWS will refuse it.",
    ),
    "id_too_long_for_aws": ("id is", "ids are", "longer than the AWS Well-Architected Tool accepts."),
}


def plain_words(code: str, count: int) -> str:
    """What `count` warnings of `code` mean, after their count ("risk rules never apply: ..."); empty
    for a code without plain words (the page shows the warning's own message)."""
    if code not in PLAIN_WORDS:
        return ""
    one, several, meaning = PLAIN_WORDS[code]
    subject = one if count == 1 else several
    return f"{subject}: {meaning}" if code == "rule_never_fires" else f"{subject} {meaning}"


_QUESTION_PATH = re.compile(r"^\$\.pillars\[(\d+)\]\.questions\[(\d+)\]")
_PILLAR_PATH = re.compile(r"^\$\.pillars\[(\d+)\]")


@dataclass
class ProblemGroup:
    """The problems of one code: how many, what they mean, and each one where it is."""

    code: str
    items: list[dict[str, str]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.items)

    @property
    def summary(self) -> str:
        return plain_words(self.code, self.count)


def _where(path: str, questions: Mapping[tuple[int, int], str], pillars: Mapping[int, str]) -> str:
    if (match := _QUESTION_PATH.match(path)) and (key := (int(match[1]), int(match[2]))) in questions:
        return f"question {questions[key]}"
    if (match := _PILLAR_PATH.match(path)) and int(match[1]) in pillars:
        return f"pillar {pillars[int(match[1])]}"
    return ""


def _as_dict(problem: Any) -> dict[str, str]:
    if isinstance(problem, Mapping):
        return {key: str(problem.get(key, "")) for key in ("path", "code", "message")}
    return {"path": problem.path, "code": problem.code, "message": problem.message}


def group_problems(problems: Iterable[Any], pillars: Sequence[Any] = ()) -> list[ProblemGroup]:
    """The problems (Problem objects or their dicts) grouped by code, most frequent first. With the
    version's `pillars` (rows with their questions prefetched, in file order), each occurrence names
    the question it is in; no query is made."""
    questions: dict[tuple[int, int], str] = {}
    pillar_ids: dict[int, str] = {}
    for pillar_index, pillar in enumerate(pillars):
        pillar_ids[pillar_index] = pillar.pillar_id
        for question_index, question in enumerate(pillar.questions.all()):
            questions[(pillar_index, question_index)] = question.question_id
    groups: dict[str, ProblemGroup] = {}
    for problem in problems:
        item = _as_dict(problem)
        group = groups.get(item["code"])
        if group is None:
            group = groups[item["code"]] = ProblemGroup(code=item["code"])
        item["where"] = _where(item["path"], questions, pillar_ids)
        group.items.append(item)
    return sorted(groups.values(), key=lambda group: -group.count)
