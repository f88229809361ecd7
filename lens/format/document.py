"""A lens document in memory: what the reader produces, the database stores and the writer writes.

Each level keeps `extra`, the keys the format does not define, in the order they came, so that an
export gives back what was imported.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lens import risk

if TYPE_CHECKING:
    from lens.risk import Node

SCHEMA_VERSION = "2021-11-01"
NONE_OF_THESE_SUFFIX = "_no"


@dataclass
class ResourceDoc:
    """A helpful resource or improvement plan: text, and a link when `url` is http(s)."""

    display_text: str | None
    url: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class AdditionalResources:
    """One entry of a choice's `additionalResources`: a type and 1-5 resources."""

    type: str
    content: list[ResourceDoc]
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class ChoiceDoc:
    id: str
    title: str
    helpful_resource: ResourceDoc | None = None
    improvement_plan: ResourceDoc | None = None
    additional_resources: list[AdditionalResources] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def is_none_of_these(self) -> bool:
        return self.id.endswith(NONE_OF_THESE_SUFFIX)


@dataclass
class RiskRuleDoc:
    condition: str
    risk: str  # as in the file: NO_RISK, MEDIUM_RISK, HIGH_RISK
    extra: dict[str, Any] = field(default_factory=dict)
    #: The condition's tree, when the reader parsed it already (the linter and the risk engine reuse
    #: it rather than parse the text again); not part of the document's value.
    tree: "Node | None" = field(default=None, compare=False, repr=False)

    def parsed(self) -> "Node":
        """The condition's tree (parsed now if the reader did not keep it)."""
        return self.tree if self.tree is not None else risk.parse_condition(self.condition)


@dataclass
class QuestionDoc:
    id: str
    title: str
    description: str
    choices: list[ChoiceDoc]
    risk_rules: list[RiskRuleDoc]
    helpful_resource: ResourceDoc | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class PillarDoc:
    id: str
    name: str
    questions: list[QuestionDoc]
    description: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class LensDocument:
    name: str
    description: str
    pillars: list[PillarDoc]
    schema_version: str = SCHEMA_VERSION
    extra: dict[str, Any] = field(default_factory=dict)

    def questions(self) -> Iterator[tuple[PillarDoc, QuestionDoc]]:
        """Every (pillar, question) in document order."""
        for pillar in self.pillars:
            for question in pillar.questions:
                yield pillar, question

    def question_rules(self) -> dict[str, risk.QuestionRules]:
        """Each question's risk rules, compiled, by question id."""
        return {
            question.id: risk.QuestionRules(
                [choice.id for choice in question.choices],
                [(rule.parsed(), risk.RISK_FROM_FILE[rule.risk]) for rule in question.risk_rules],
            )
            for _, question in self.questions()
        }
