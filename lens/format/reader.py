"""Read a lens document: decode, parse, validate, and build a LensDocument.

Every rule of LENS_FORMAT.md's table is checked here; a refusal collects every problem before it is
raised, so that an author fixes a file in one round. Only the exceptions this module means to catch
are caught: JSON syntax and depth, text decoding, and condition syntax.
"""

import json
import re
from typing import Any, cast

from lens import risk
from lens.format.checks import Checks, RepeatedKeys, describe, keep_repeated_keys, parse_constant
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
from lens.format.limits import (
    ADDITIONAL_KEYS,
    ADDITIONAL_TYPES,
    CHOICE_KEYS,
    DESCRIPTION_AWS_MAX,
    DESCRIPTION_MAX,
    ID_AWS_MAX,
    LENS_KEYS,
    MAX_ADDITIONAL_CONTENT,
    MAX_ADDITIONAL_ENTRIES,
    MAX_CHARACTERS,
    MAX_CHOICES,
    MAX_PILLARS,
    MAX_QUESTIONS,
    MAX_RULES,
    NAME_AWS_MAX,
    PILLAR_KEYS,
    QUESTION_KEYS,
    RESOURCE_KEYS,
    RULE_KEYS,
    TITLE_AWS_MAX,
)
from lens.format.problems import LensRefused, Problem, child
from mlwa import jsonlimits
from mlwa.jsonlimits import MAX_JSON_DEPTH


class _Reader(Checks):
    """Validates a parsed document level by level and builds the LensDocument."""

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
        return LensDocument(name=_kept(name), description=_kept(description), pillars=pillars, extra=extra)

    def pillar(
        self, value: Any, path: str, seen_pillars: dict[str, str], seen_questions: dict[str, str]
    ) -> PillarDoc | None:
        data = self.obj(value, path)
        if data is None:
            return None
        pillar_id = self.identifier(data, path, aws_max=ID_AWS_MAX)
        self.unique_id(pillar_id, seen_pillars, path, "pillar")
        name = self.text(data, "name", path)
        self.length_warning(name, child(path, "name"), TITLE_AWS_MAX, "The pillar name")
        description = None
        if "description" in data:
            description = data["description"]
            if not isinstance(description, str):
                self.refuse(
                    child(path, "description"), "not_text", f"must be a string, not {describe(description)}"
                )
        extra = self.extras(data, PILLAR_KEYS, path)
        questions = []
        items = self.array(data, "questions", path, 1, MAX_QUESTIONS, "questions")
        for index, item in enumerate(items):
            question = self.question(item, child(child(path, "questions"), index), seen_questions)
            if question is not None:
                questions.append(question)
        return PillarDoc(
            id=_kept(pillar_id), name=_kept(name), description=description, questions=questions, extra=extra
        )

    def question(self, value: Any, path: str, seen_questions: dict[str, str]) -> QuestionDoc | None:
        data = self.obj(value, path)
        if data is None:
            return None
        question_id = self.identifier(data, path, aws_max=None)
        self.unique_id(question_id, seen_questions, path, "question")
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
            if not self.unique_id(choice.id, choice_paths, where, "choice"):
                continue
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
            id=_kept(question_id),
            title=_kept(title),
            description=_kept(description),
            helpful_resource=helpful,
            choices=choices,
            risk_rules=rules,
            extra=extra,
        )

    def choice(self, value: Any, path: str) -> ChoiceDoc | None:
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
            id=_kept(choice_id),
            title=_kept(title),
            helpful_resource=helpful,
            improvement_plan=plan,
            additional_resources=additional,
            extra=extra,
        )

    def resource(self, value: Any, path: str, *, needs_text: bool) -> ResourceDoc | None:
        data = self.obj(value, path)
        if data is None:
            return None
        url = None
        if "url" in data:
            url = data["url"]
            if not isinstance(url, str):
                self.refuse(child(path, "url"), "not_text", f"must be a string, not {describe(url)}")
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

    def additional_resources(self, value: Any, path: str) -> list[AdditionalResources]:
        if not isinstance(value, list):
            self.refuse(path, "not_an_array", f"must be an array, not {describe(value)}")
            return []
        if len(value) > MAX_ADDITIONAL_ENTRIES:
            self.refuse(
                path, "count", f"must hold at most {MAX_ADDITIONAL_ENTRIES} entries, not {len(value)}"
            )
        entries = []
        types_seen: dict[str, int] = {}
        for index, item in enumerate(value):
            where = child(path, index)
            data = self.obj(item, where)
            if data is None:
                continue
            kind = self.one_of_once(data, "type", where, ADDITIONAL_TYPES, types_seen, index, "entry")
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
            level = self.one_of_once(
                rule, "risk", where, tuple(risk.RISK_FROM_FILE), levels_seen, index, "rule"
            )
            condition = self.text(rule, "condition", where)
            tree = None
            if condition is not None:
                try:
                    tree = risk.parse_condition(condition)
                except risk.ConditionError as error:
                    self.refuse(
                        child(where, "condition"),
                        error.code,
                        f"{error.message} at character {error.position + 1}",
                    )
                else:
                    if isinstance(tree, risk.Always):
                        defaults.append(index)
                    unknown = sorted(risk.choice_ids_named(condition) - choice_ids)
                    if unknown and choice_ids:
                        self.refuse(
                            child(where, "condition"),
                            "unknown_choice",
                            f"names {', '.join(unknown)}, not a choice of this question",
                        )
            extra = self.extras(rule, RULE_KEYS, where)
            rules.append(RiskRuleDoc(condition=_kept(condition), risk=level, extra=extra, tree=tree))
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
    warnings. Raises LensRefused listing every problem when it breaks a rule of the format.

    Every reader of a lens goes through here: the API and browser imports, `manage.py lens`, and the
    lenses inside a backup. Text is refused past MAX_JSON_DEPTH levels (mlwa.jsonlimits) before it is
    parsed, and a key repeated in an object is refused at its path; a parsed value is held to the same
    depth, and its repeated keys are refused when it was parsed with `keep_repeated_keys`."""
    parsed_elsewhere = isinstance(source, dict | list)
    repeats: list[RepeatedKeys] = []
    if isinstance(source, dict | list):
        value = source
    else:
        text = _decode(source)
        if len(text) > MAX_CHARACTERS:
            raise LensRefused(
                [Problem("$", "too_large", f"{len(text):,} characters; a lens is at most {MAX_CHARACTERS:,}")]
            )

        def pairs_hook(pairs: list) -> dict:
            value = keep_repeated_keys(pairs)
            if isinstance(value, RepeatedKeys):
                repeats.append(value)
            return value

        try:
            value = jsonlimits.loads(text, parse_constant=parse_constant, object_pairs_hook=pairs_hook)
        except jsonlimits.JSONTooDeep as error:
            raise LensRefused(
                [
                    Problem(
                        error.path,
                        "too_deep",
                        f"nested deeper than {error.max_depth} levels; a lens nests at most that",
                    )
                ]
            ) from None
        except json.JSONDecodeError as error:
            raise LensRefused(
                [
                    Problem(
                        "$", "not_json", f"not JSON: {error.msg} at line {error.lineno} column {error.colno}"
                    )
                ]
            ) from None
    reader = _Reader()
    # Parsed text is within the depth limit already: only its repeated keys, if any, need the walk.
    if (parsed_elsewhere or repeats) and not reader.nesting(value, "$", MAX_JSON_DEPTH):
        raise LensRefused(reader.errors)
    document = reader.lens(value)
    if reader.errors or document is None:  # None comes with errors
        raise LensRefused(reader.errors)
    return document, reader.warnings


def _kept(value: str | None) -> str:
    """A value the reader requires: when it is missing (None) the reader has refused it, and the
    document it goes into is dropped with the refusal (`lens` returns None), never used."""
    return cast(str, value)
