"""Write a LensDocument as JSON values, in the lens format's key order, undocumented keys after.

`write_lens` gives back everything that was imported, undocumented keys included. `write_lens_for_aws`
drops them and refuses, listing each value, when something breaks a limit of the AWS tool, rather than
cutting text silently.
"""

from typing import Any

from lens.format.document import AdditionalResources, ChoiceDoc, LensDocument, QuestionDoc, ResourceDoc
from lens.format.limits import DESCRIPTION_AWS_MAX, ID_AWS_MAX, NAME_AWS_MAX, TITLE_AWS_MAX
from lens.format.problems import LensRefused, Problem, child


class AwsLimitsExceeded(LensRefused):
    """The lens holds values that the AWS tool would refuse; `problems` lists each one."""


def _with_extra(value: dict[str, Any], extra: dict[str, Any], keep_extra: bool) -> dict[str, Any]:
    if keep_extra:
        value.update(extra)
    return value


def _resource(resource: ResourceDoc, keep_extra: bool) -> dict[str, Any]:
    value: dict[str, Any] = {}
    if resource.display_text is not None:
        value["displayText"] = resource.display_text
    if resource.url is not None:
        value["url"] = resource.url
    return _with_extra(value, resource.extra, keep_extra)


def _additional(entry: AdditionalResources, keep_extra: bool) -> dict[str, Any]:
    value = {"type": entry.type, "content": [_resource(item, keep_extra) for item in entry.content]}
    return _with_extra(value, entry.extra, keep_extra)


def write_choice(choice: ChoiceDoc, *, keep_extra: bool = True) -> dict[str, Any]:
    """A choice as JSON values."""
    value: dict[str, Any] = {"id": choice.id, "title": choice.title}
    if choice.helpful_resource is not None:
        value["helpfulResource"] = _resource(choice.helpful_resource, keep_extra)
    if choice.improvement_plan is not None:
        value["improvementPlan"] = _resource(choice.improvement_plan, keep_extra)
    if choice.additional_resources is not None:
        value["additionalResources"] = [
            _additional(entry, keep_extra) for entry in choice.additional_resources
        ]
    return _with_extra(value, choice.extra, keep_extra)


def write_question(question: QuestionDoc, *, keep_extra: bool = True) -> dict[str, Any]:
    """A question, its choices and its rules as JSON values."""
    value: dict[str, Any] = {"id": question.id, "title": question.title, "description": question.description}
    if question.helpful_resource is not None:
        value["helpfulResource"] = _resource(question.helpful_resource, keep_extra)
    value["choices"] = [write_choice(choice, keep_extra=keep_extra) for choice in question.choices]
    value["riskRules"] = [
        _with_extra({"condition": rule.condition, "risk": rule.risk}, rule.extra, keep_extra)
        for rule in question.risk_rules
    ]
    return _with_extra(value, question.extra, keep_extra)


def write_lens(document: LensDocument, *, keep_extra: bool = True) -> dict[str, Any]:
    """The document as JSON values, ready for json.dumps."""
    pillars = []
    for pillar in document.pillars:
        value: dict[str, Any] = {"id": pillar.id, "name": pillar.name}
        if pillar.description is not None:
            value["description"] = pillar.description
        value["questions"] = [
            write_question(question, keep_extra=keep_extra) for question in pillar.questions
        ]
        pillars.append(_with_extra(value, pillar.extra, keep_extra))
    value = {
        "schemaVersion": document.schema_version,
        "name": document.name,
        "description": document.description,
        "pillars": pillars,
    }
    return _with_extra(value, document.extra, keep_extra)


def aws_limit_problems(document: LensDocument) -> list[Problem]:
    """Every value that the AWS tool's API would refuse, at its JSON path."""
    problems = []

    def check(value: str | None, path: str, limit: int, what: str) -> None:
        if value is not None and len(value) > limit:
            problems.append(
                Problem(path, "aws_limit", f"{what} is {len(value)} characters; AWS accepts at most {limit}")
            )

    check(document.name, "$.name", NAME_AWS_MAX, "the lens name")
    check(document.description, "$.description", DESCRIPTION_AWS_MAX, "the lens description")
    for p, pillar in enumerate(document.pillars):
        pillar_path = child("$.pillars", p)
        check(pillar.id, child(pillar_path, "id"), ID_AWS_MAX, "the pillar id")
        check(pillar.name, child(pillar_path, "name"), TITLE_AWS_MAX, "the pillar name")
        for q, question in enumerate(pillar.questions):
            question_path = child(child(pillar_path, "questions"), q)
            check(question.title, child(question_path, "title"), TITLE_AWS_MAX, "the question title")
            for c, choice in enumerate(question.choices):
                choice_path = child(child(question_path, "choices"), c)
                check(choice.id, child(choice_path, "id"), ID_AWS_MAX, "the choice id")
                check(choice.title, child(choice_path, "title"), TITLE_AWS_MAX, "the choice title")
    return problems


def write_lens_for_aws(document: LensDocument) -> dict[str, Any]:
    """The document as the AWS tool accepts it: undocumented keys dropped. Raises AwsLimitsExceeded
    listing each value over the tool's limits."""
    problems = aws_limit_problems(document)
    if problems:
        raise AwsLimitsExceeded(problems)
    return write_lens(document, keep_extra=False)
