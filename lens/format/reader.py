"""Read a lens document: decode, parse, validate, and build a LensDocument.

Every rule of LENS_FORMAT.md's table is checked here; a refusal collects every problem before it is
raised, so that an author fixes a file in one round. Only the exceptions this module means to catch
are caught: JSON syntax, text decoding, and condition syntax.
"""

import json
import math
import re
from typing import Any

from lens import risk
from lens.format.document import (
    SCHEMA_VERSION,
    AdditionalResources,
    ChoiceDoc,
    LensDocument,
    PillarDoc,
    QuestionDoc,
    ResourceDoc,
    RiskRuleDoc,
)
from lens.format.problems import LensRefused, Problem, child

MAX_CHARACTERS = 500_000
MAX_PILLARS, MAX_QUESTIONS, MAX_CHOICES, MAX_RULES = 10, 20, 15, 3
MAX_ADDITIONAL_ENTRIES, MAX_ADDITIONAL_CONTENT = 2, 5
NAME_MAX, NAME_AWS_MAX = 128, 128
DESCRIPTION_MAX, DESCRIPTION_AWS_MAX = 2048, 1024
TITLE_AWS_MAX = 128
ID_AWS_MAX = 64  # for pillar and choice ids
ID_PATTERN = re.compile(r"[A-Za-z0-9_]{3,128}")
ADDITIONAL_TYPES = ("HELPFUL_RESOURCE", "IMPROVEMENT_PLAN")

LENS_KEYS = ("schemaVersion", "name", "description", "pillars")
PILLAR_KEYS = ("id", "name", "description", "questions")
QUESTION_KEYS = ("id", "title", "description", "helpfulResource", "choices", "riskRules")
CHOICE_KEYS = ("id", "title", "helpfulResource", "improvementPlan", "additionalResources")
RULE_KEYS = ("condition", "risk")
RESOURCE_KEYS = ("displayText", "url")
ADDITIONAL_KEYS = ("type", "content")


class _NotANumber:
    """Stands for a NaN, Infinity or -Infinity literal, which JSON does not allow, until the
    validator reports it at its path."""

    def __init__(self, literal: str):
        self.literal = literal

    def __repr__(self) -> str:
        return self.literal


def _parse_constant(literal: str) -> _NotANumber:
    return _NotANumber(literal)


def _describe(value: Any) -> str:
    if isinstance(value, _NotANumber):
        return value.literal
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


class _Reader:
    def __init__(self) -> None:
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []

    # -- recording ----------------------------------------------------------------------------

    def refuse(self, path: str, code: str, message: str) -> None:
        self.errors.append(Problem(path, code, message))

    def warn(self, path: str, code: str, message: str) -> None:
        self.warnings.append(Problem(path, code, message))

    # -- small checks -------------------------------------------------------------------------

    def obj(self, value: Any, path: str) -> dict | None:
        if isinstance(value, dict):
            return value
        self.refuse(path, "not_an_object", f"must be an object, not {_describe(value)}")
        return None

    def text(self, parent: dict, key: str, path: str, *, required: bool = True) -> str | None:
        """A text field: a non-empty string when present (and it must be present if required)."""
        if key not in parent:
            if required:
                self.refuse(path, "missing", f"'{key}' is required")
            return None
        value = parent[key]
        where = child(path, key)
        if not isinstance(value, str):
            self.refuse(where, "not_text", f"must be a non-empty string, not {_describe(value)}")
            return None
        if not value.strip():
            self.refuse(where, "empty", "must not be empty")
            return None
        return value

    def array(self, parent: dict, key: str, path: str, low: int, high: int, noun: str) -> list:
        if key not in parent:
            self.refuse(path, "missing", f"'{key}' is required")
            return []
        value = parent[key]
        where = child(path, key)
        if not isinstance(value, list):
            self.refuse(where, "not_an_array", f"must be an array, not {_describe(value)}")
            return []
        if not low <= len(value) <= high:
            self.refuse(where, "count", f"must hold {low} to {high} {noun}, not {len(value)}")
        return value

    def identifier(self, parent: dict, path: str, *, aws_max: int | None) -> str | None:
        value = self.text(parent, "id", path)
        if value is None:
            return None
        where = child(path, "id")
        if not ID_PATTERN.fullmatch(value):
            self.refuse(where, "bad_id", f"{value!r} is not 3-128 characters of letters, digits and '_'")
            return None
        if aws_max and len(value) > aws_max:
            self.warn(where, "id_too_long_for_aws", f"is {len(value)} characters; AWS accepts {aws_max}")
        return value

    def length_warning(self, value: str | None, path: str, limit: int, what: str) -> None:
        if value is not None and len(value) > limit:
            self.warn(path, "too_long_for_aws", f"{what} is {len(value)} characters; AWS accepts {limit}")

    def extras(self, value: dict, known: tuple[str, ...], path: str) -> dict[str, Any]:
        """The keys the format does not define: warned, and kept to be exported again."""
        found = {}
        for key, item in value.items():
            if key in known:
                continue
            self.warn(child(path, key), "unknown_key", f"'{key}' is not part of the lens format; it is kept")
            self.no_invalid_numbers(item, child(path, key))
            found[key] = item
        return found

    def no_invalid_numbers(self, value: Any, path: str) -> None:
        """NaN and Infinity are not JSON: refused wherever they are."""
        if isinstance(value, _NotANumber):
            self.refuse(path, "not_json", f"{value.literal} is not a JSON value")
        elif isinstance(value, float) and not math.isfinite(value):
            self.refuse(path, "not_json", "is not a finite number")
        elif isinstance(value, dict):
            for key, item in value.items():
                self.no_invalid_numbers(item, child(path, key))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                self.no_invalid_numbers(item, child(path, index))

    # -- levels -------------------------------------------------------------------------------

    def no_nul_characters(self, value: Any, path: str) -> None:
        """A NUL character cannot be stored in a database text (PostgreSQL refuses it): refused
        wherever it is, keys included."""
        if isinstance(value, str):
            if "\x00" in value:
                self.refuse(path, "nul_character", "holds a NUL character (\\u0000), which cannot be stored")
        elif isinstance(value, dict):
            for key, item in value.items():
                if "\x00" in key:
                    self.refuse(path, "nul_character", "a key holds a NUL character (\\u0000)")
                else:
                    self.no_nul_characters(item, child(path, key))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                self.no_nul_characters(item, child(path, index))

    def lens(self, value: Any) -> LensDocument | None:
        data = self.obj(value, "$")
        if data is None:
            return None
        self.no_nul_characters(data, "$")
        if "schemaVersion" not in data:
            self.refuse("$", "missing", "'schemaVersion' is required")
        elif data["schemaVersion"] != SCHEMA_VERSION:
            self.refuse(
                "$.schemaVersion",
                "schema_version",
                f"must be {SCHEMA_VERSION!r}, not {data['schemaVersion']!r}",
            )
        name = self.text(data, "name", "$")
        self.length_warning(name, "$.name", NAME_AWS_MAX, "The name")
        description = self.text(data, "description", "$")
        if description is not None and len(description) > DESCRIPTION_MAX:
            self.refuse(
                "$.description", "too_long", f"is {len(description)} characters; at most {DESCRIPTION_MAX}"
            )
        else:
            self.length_warning(description, "$.description", DESCRIPTION_AWS_MAX, "The description")
        extra = self.extras(data, LENS_KEYS, "$")
        pillars = []
        seen_pillars: dict[str, str] = {}
        seen_questions: dict[str, str] = {}
        for index, item in enumerate(self.array(data, "pillars", "$", 1, MAX_PILLARS, "pillars")):
            pillar = self.pillar(item, child("$.pillars", index), seen_pillars, seen_questions)
            if pillar is not None:
                pillars.append(pillar)
        if self.errors:
            return None
        return LensDocument(name=name, description=description, pillars=pillars, extra=extra)

    def pillar(self, value, path, seen_pillars, seen_questions) -> PillarDoc | None:
        data = self.obj(value, path)
        if data is None:
            return None
        pillar_id = self.identifier(data, path, aws_max=ID_AWS_MAX)
        if pillar_id is not None:
            if pillar_id in seen_pillars:
                self.refuse(
                    child(path, "id"),
                    "duplicate_id",
                    f"pillar id {pillar_id!r} is already used at {seen_pillars[pillar_id]}",
                )
            else:
                seen_pillars[pillar_id] = child(path, "id")
        name = self.text(data, "name", path)
        self.length_warning(name, child(path, "name"), TITLE_AWS_MAX, "The pillar name")
        description = None
        if "description" in data:
            description = data["description"]
            if not isinstance(description, str):
                self.refuse(
                    child(path, "description"), "not_text", f"must be a string, not {_describe(description)}"
                )
        extra = self.extras(data, PILLAR_KEYS, path)
        questions = []
        items = self.array(data, "questions", path, 1, MAX_QUESTIONS, "questions")
        for index, item in enumerate(items):
            question = self.question(item, child(child(path, "questions"), index), seen_questions)
            if question is not None:
                questions.append(question)
        return PillarDoc(id=pillar_id, name=name, description=description, questions=questions, extra=extra)

    def question(self, value, path, seen_questions) -> QuestionDoc | None:
        data = self.obj(value, path)
        if data is None:
            return None
        question_id = self.identifier(data, path, aws_max=None)
        if question_id is not None:
            if question_id in seen_questions:
                self.refuse(
                    child(path, "id"),
                    "duplicate_id",
                    f"question id {question_id!r} is already used at {seen_questions[question_id]}",
                )
            else:
                seen_questions[question_id] = child(path, "id")
        title = self.text(data, "title", path)
        self.length_warning(title, child(path, "title"), TITLE_AWS_MAX, "The question title")
        description = self.text(data, "description", path)
        helpful = None
        if "helpfulResource" in data:
            helpful = self.resource(data["helpfulResource"], child(path, "helpfulResource"), needs_text=False)
        extra = self.extras(data, QUESTION_KEYS, path)

        choices = []
        choice_paths: dict[str, str] = {}
        none_of_these: list[str] = []
        items = self.array(data, "choices", path, 1, MAX_CHOICES, "choices")
        for index, item in enumerate(items):
            where = child(child(path, "choices"), index)
            choice = self.choice(item, where)
            if choice is None or choice.id is None:
                continue
            if choice.id in choice_paths:
                self.refuse(
                    child(where, "id"),
                    "duplicate_id",
                    f"choice id {choice.id!r} is already used at {choice_paths[choice.id]}",
                )
                continue
            choice_paths[choice.id] = child(where, "id")
            if choice.is_none_of_these:
                none_of_these.append(choice.id)
                if len(none_of_these) == 2:
                    self.refuse(
                        child(where, "id"),
                        "two_none_of_these",
                        f"a question has at most one '_no' choice; {none_of_these[0]!r} is one already",
                    )
            choices.append(choice)

        rules = self.risk_rules(data, path, set(choice_paths))
        return QuestionDoc(
            id=question_id,
            title=title,
            description=description,
            helpful_resource=helpful,
            choices=choices,
            risk_rules=rules,
            extra=extra,
        )

    def choice(self, value, path) -> ChoiceDoc | None:
        data = self.obj(value, path)
        if data is None:
            return None
        choice_id = self.identifier(data, path, aws_max=ID_AWS_MAX)
        title = self.text(data, "title", path)
        self.length_warning(title, child(path, "title"), TITLE_AWS_MAX, "The choice title")
        helpful = None
        if "helpfulResource" in data:
            helpful = self.resource(data["helpfulResource"], child(path, "helpfulResource"), needs_text=False)
        plan = None
        if "improvementPlan" in data:
            plan = self.resource(data["improvementPlan"], child(path, "improvementPlan"), needs_text=True)
        elif choice_id is not None and not choice_id.endswith("_no"):
            self.refuse(
                path,
                "missing_improvement_plan",
                "every choice but the '_no' one needs an 'improvementPlan' with 'displayText'",
            )
        additional = None
        if "additionalResources" in data:
            additional = self.additional_resources(
                data["additionalResources"], child(path, "additionalResources")
            )
        extra = self.extras(data, CHOICE_KEYS, path)
        return ChoiceDoc(
            id=choice_id,
            title=title,
            helpful_resource=helpful,
            improvement_plan=plan,
            additional_resources=additional,
            extra=extra,
        )

    def resource(self, value, path, *, needs_text: bool) -> ResourceDoc | None:
        data = self.obj(value, path)
        if data is None:
            return None
        url = None
        if "url" in data:
            url = data["url"]
            if not isinstance(url, str):
                self.refuse(child(path, "url"), "not_text", f"must be a string, not {_describe(url)}")
                url = None
            else:
                self.check_url(url, child(path, "url"))
        display_text = self.text(data, "displayText", path, required=needs_text or "url" in data)
        extra = self.extras(data, RESOURCE_KEYS, path)
        return ResourceDoc(display_text=display_text, url=url, extra=extra)

    def check_url(self, url: str, path: str) -> None:
        stripped = url.strip()
        if not stripped:
            self.warn(path, "url_empty", "the url is empty; the text is shown without a link")
        elif not stripped.lower().startswith(("http://", "https://")):
            self.warn(path, "url_not_http", "only http(s) URLs become links; this one is kept as text")
        elif re.search(r"\s", stripped):
            self.warn(path, "url_has_spaces", "the url holds spaces; it is kept as written")

    def additional_resources(self, value, path) -> list[AdditionalResources]:
        if not isinstance(value, list):
            self.refuse(path, "not_an_array", f"must be an array, not {_describe(value)}")
            return []
        if len(value) > MAX_ADDITIONAL_ENTRIES:
            self.refuse(
                path, "count", f"must hold at most {MAX_ADDITIONAL_ENTRIES} entries, not {len(value)}"
            )
        entries = []
        types_seen = set()
        for index, item in enumerate(value):
            where = child(path, index)
            data = self.obj(item, where)
            if data is None:
                continue
            kind = data.get("type")
            if not isinstance(kind, str) or kind not in ADDITIONAL_TYPES:
                self.refuse(
                    child(where, "type") if "type" in data else where,
                    "bad_type",
                    f"'type' must be one of {', '.join(ADDITIONAL_TYPES)}",
                )
            elif kind in types_seen:
                self.refuse(
                    child(where, "type"), "duplicate_type", f"a second {kind} entry; one of each type"
                )
            else:
                types_seen.add(kind)
            content = []
            items = self.array(data, "content", where, 1, MAX_ADDITIONAL_CONTENT, "resources")
            for position, resource in enumerate(items):
                parsed = self.resource(resource, child(child(where, "content"), position), needs_text=True)
                if parsed is not None:
                    content.append(parsed)
            extra = self.extras(data, ADDITIONAL_KEYS, where)
            entries.append(AdditionalResources(type=kind, content=content, extra=extra))
        return entries

    def risk_rules(self, data: dict, path: str, choice_ids: set[str]) -> list[RiskRuleDoc]:
        rules = []
        levels_seen: dict[str, int] = {}
        defaults: list[int] = []
        items = self.array(data, "riskRules", path, 1, MAX_RULES, "rules")
        for index, item in enumerate(items):
            where = child(child(path, "riskRules"), index)
            rule = self.obj(item, where)
            if rule is None:
                continue
            level = rule.get("risk")
            if not isinstance(level, str) or level not in risk.RISK_FROM_FILE:
                self.refuse(
                    child(where, "risk") if "risk" in rule else where,
                    "bad_risk",
                    f"'risk' must be one of {', '.join(risk.RISK_FROM_FILE)}",
                )
            elif level in levels_seen:
                self.refuse(
                    child(where, "risk"), "duplicate_risk", f"rule {levels_seen[level]} already gives {level}"
                )
            else:
                levels_seen[level] = index
            condition = self.text(rule, "condition", where)
            if condition is not None:
                try:
                    tree = risk.parse_condition(condition)
                except risk.ConditionError as error:
                    self.refuse(
                        child(where, "condition"),
                        "bad_condition",
                        f"{error.message} at character {error.position + 1}",
                    )
                else:
                    if isinstance(tree, risk.Always):
                        defaults.append(index)
                    unknown = sorted(risk.choice_ids_in(tree) - choice_ids)
                    if unknown and choice_ids:
                        self.refuse(
                            child(where, "condition"),
                            "unknown_choice",
                            f"names {', '.join(unknown)}, not a choice of this question",
                        )
            extra = self.extras(rule, RULE_KEYS, where)
            rules.append(RiskRuleDoc(condition=condition, risk=level, extra=extra))
        if items and isinstance(items, list):
            rules_path = child(path, "riskRules")
            if not defaults:
                self.warn(
                    rules_path,
                    "no_default_rule",
                    "no 'default' rule: an answer that matches no rule is a high risk",
                )
            elif len(defaults) > 1 or defaults[0] != len(items) - 1:
                self.warn(
                    child(rules_path, defaults[0]),
                    "default_not_last",
                    "the 'default' rule should be the only one and the last; rules after it never apply",
                )
        return rules


def _decode(source: str | bytes) -> str:
    if isinstance(source, bytes):
        try:
            source = source.decode("utf-8")
        except UnicodeDecodeError as error:
            raise LensRefused(
                [Problem("$", "not_utf8", f"the file is not UTF-8 text (byte {error.start + 1})")]
            ) from None
    return source.removeprefix("\ufeff")


def read_lens(source: str | bytes | dict) -> tuple[LensDocument, list[Problem]]:
    """Validate a lens document (its text, its bytes or its parsed JSON) and return it with the
    warnings. Raises LensRefused listing every problem when it breaks a rule of the format."""
    if isinstance(source, dict | list):
        value = source
    else:
        text = _decode(source)
        if len(text) > MAX_CHARACTERS:
            raise LensRefused(
                [Problem("$", "too_large", f"{len(text):,} characters; a lens is at most {MAX_CHARACTERS:,}")]
            )
        try:
            value = json.loads(text, parse_constant=_parse_constant)
        except json.JSONDecodeError as error:
            raise LensRefused(
                [
                    Problem(
                        "$", "not_json", f"not JSON: {error.msg} at line {error.lineno} column {error.colno}"
                    )
                ]
            ) from None
    reader = _Reader()
    document = reader.lens(value)
    if reader.errors:
        raise LensRefused(reader.errors)
    return document, reader.warnings
