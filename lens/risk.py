"""The risk engine: a question's rules turn the practices a team follows into a risk.

Conditions are parsed once into a small tree (`parse_condition`), never evaluated as code. For speed,
`QuestionRules` compiles each tree into closures over an integer bit mask of the question's choices
(bit i set: choice i is selected or marked not applicable), so one evaluation is a few integer
operations however the condition is written. Semantics, from LENS_FORMAT.md:

- rules are tried in order; the first true one gives the risk; `default` is always true;
- no matching rule gives HIGH;
- a choice marked not applicable counts as selected (a practice that does not apply is not held
  against the team);
- nothing selected and nothing marked: UNANSWERED; the question marked not applicable: NOT_APPLICABLE.
"""

import enum
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass


class Risk(enum.StrEnum):
    """The risk of one answered (or unanswered) question."""

    UNANSWERED = "UNANSWERED"
    NOT_APPLICABLE = "NOT_APPLICABLE"
    NONE = "NONE"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"


#: The lens file's risk names and what they mean here.
RISK_FROM_FILE = {"NO_RISK": Risk.NONE, "MEDIUM_RISK": Risk.MEDIUM, "HIGH_RISK": Risk.HIGH}

DEFAULT = "default"

#: How deep a condition may nest, negations and parentheses counted together: the 38 real lenses we
#: know nest at most 2 deep, and the limit keeps every walk of a tree far from Python's recursion limit.
MAX_CONDITION_DEPTH = 32


# --- the tree -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Choice:
    """True when the choice with this id is selected (or marked not applicable)."""

    id: str


@dataclass(frozen=True, slots=True)
class Not:
    operand: "Node"


@dataclass(frozen=True, slots=True)
class And:
    operands: tuple["Node", ...]


@dataclass(frozen=True, slots=True)
class Or:
    operands: tuple["Node", ...]


@dataclass(frozen=True, slots=True)
class Always:
    """The `default` condition."""


Node = Choice | Not | And | Or | Always


class ConditionError(ValueError):
    """A condition that does not parse; `position` is the offset of the fault in the text, `code` a
    stable name for the fault (`bad_condition`, or `condition_too_deep`)."""

    def __init__(self, message: str, position: int, code: str = "bad_condition") -> None:
        super().__init__(message)
        self.message = message
        self.position = position
        self.code = code


# A run of `!` is one token (a run of negations costs one step, not one per `!`).
_TOKEN = re.compile(r"\s*(?:(?P<op>&&|\|\||!+|\(|\))|(?P<id>[A-Za-z0-9_]+)|(?P<bad>\S))")
_IDENTIFIER = re.compile(r"[A-Za-z0-9_]+")


def _tokens(text: str) -> list[tuple[str, str, int]]:
    """(kind, text, offset) of each token: `op`, or `id`. Consecutive matches cover the text, since
    each starts with the whitespace before its token."""
    tokens = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "bad"  # every alternative of _TOKEN is a named group
        start = match.start(kind)
        if kind == "bad":
            raise ConditionError(f"unexpected character {text[start]!r}", start)
        tokens.append((kind, match.group(kind), start))
    return tokens


class _Group:
    """An open level of the parse: the whole condition, or one '(' not yet closed. It holds the
    finished `&&` chains of its `||`, the operands of the current `&&` chain, and how many `!` wait
    for the next operand."""

    __slots__ = ("ors", "ands", "nots")

    def __init__(self) -> None:
        self.ors: list[Node] = []
        self.ands: list[Node] = []
        self.nots = 0

    def node(self) -> Node:
        """The group's condition, once it is complete: a single operand stands alone."""
        self.ors.append(self.ands[0] if len(self.ands) == 1 else And(tuple(self.ands)))
        return self.ors[0] if len(self.ors) == 1 else Or(tuple(self.ors))


def _parse(text: str) -> Node:  # noqa: C901 - one loop over the tokens is the grammar in one place
    """or := and ('||' and)*; and := unary ('&&' unary)*; unary := '!' unary | '(' or ')' | CHOICE_ID.

    One pass over the tokens with a stack of open groups, never a recursion: its cost is linear in
    the text. `depth` counts the `!` and `(` around the current token; past MAX_CONDITION_DEPTH the
    condition is refused, so that no walk of a tree ever comes near Python's recursion limit. Tokens
    are found without their offsets, which only a fault needs (`at`)."""
    found = _TOKEN.findall(text)  # (operator, id, bad character) of each token
    if any(bad for _, _, bad in found):
        _tokens(text)  # raises at the first bad character, with its offset

    def at(index: int) -> int:
        return _tokens(text)[index][2]

    if not found:
        raise ConditionError("the condition is empty", 0)
    end = len(text.rstrip())
    groups = [_Group()]
    depth = 0
    expect_operand = True
    for index, (operator, identifier, _) in enumerate(found):
        group = groups[-1]
        if expect_operand:
            if operator[:1] == "!" or operator == "(":
                count = len(operator)  # the `!` of a run, or the one `(`
                depth += count
                if depth > MAX_CONDITION_DEPTH:
                    raise ConditionError(
                        f"the condition nests deeper than {MAX_CONDITION_DEPTH} "
                        "(negations and parentheses counted together)",
                        at(index) + count - (depth - MAX_CONDITION_DEPTH),  # the first `!` too many
                        code="condition_too_deep",
                    )
                if operator == "(":
                    groups.append(_Group())
                else:
                    group.nots += count
                continue
            if operator:
                raise ConditionError(f"unexpected {operator!r}", at(index))
            if identifier == DEFAULT:
                raise ConditionError("'default' must stand alone", at(index))
            node: Node = Choice(identifier)
        elif operator == "&&":
            expect_operand = True
            continue
        elif operator == "||":
            group.ors.append(group.ands[0] if len(group.ands) == 1 else And(tuple(group.ands)))
            group.ands = []
            expect_operand = True
            continue
        elif len(groups) == 1:
            unexpected = "!" if operator[:1] == "!" else operator or identifier  # a run's first `!`
            raise ConditionError(f"unexpected {unexpected!r}", at(index))
        elif operator != ")":
            raise ConditionError("a '(' is not closed", at(index))
        else:
            node = groups.pop().node()
            depth -= 1
            group = groups[-1]
        # An operand is complete: the `!` before it apply. Only their parity matters (`!!a` is `a`,
        # `!(!a)` too), so negations never stack up in the tree.
        if group.nots % 2:
            node = node.operand if isinstance(node, Not) else Not(node)
        depth -= group.nots
        group.nots = 0
        group.ands.append(node)
        expect_operand = False
    if expect_operand:
        raise ConditionError("the condition ends too early", end)
    if len(groups) > 1:
        raise ConditionError("a '(' is not closed", end)
    return groups[0].node()


def parse_condition(text: str) -> Node:
    """The tree of a rule's condition. Raises ConditionError with the position of the fault, also for
    a condition nested deeper than MAX_CONDITION_DEPTH."""
    if text.strip() == DEFAULT:
        return Always()
    return _parse(text)


def choice_ids_named(condition: str) -> set[str]:
    """Every choice id that a condition's text names (a condition that parses: its identifiers are
    exactly its words), found without walking its tree."""
    return set(_IDENTIFIER.findall(condition)) - {DEFAULT}


def choice_ids_in(node: Node) -> set[str]:
    """Every choice id that a condition names."""
    return {choice_id for choice_id, _ in _leaves(node)}


def positive_choice_ids_in(node: Node) -> set[str]:
    """The choice ids that appear un-negated (under an even number of `!`)."""
    return {choice_id for choice_id, negated in _leaves(node) if not negated}


def _leaves(node: Node) -> set[tuple[str, bool]]:
    """(choice id, under an odd number of `!`) of every leaf: one walk with a stack, no recursion."""
    found = set()
    stack = [(node, False)]
    while stack:
        node, negated = stack.pop()
        if isinstance(node, Choice):
            found.add((node.id, negated))
        elif isinstance(node, Not):
            stack.append((node.operand, not negated))
        elif isinstance(node, And | Or):
            stack.extend((operand, negated) for operand in node.operands)
    return found


# --- compiled evaluation ------------------------------------------------------------------------

Test = Callable[[int], bool]


def _always(mask: int) -> bool:
    return True


def _compile(node: Node, bits: dict[str, int]) -> Test:
    """A closure that tells whether `node` holds for a mask. Leaves are folded into masks, so
    `A && B && !C` is `mask & AB == AB and not mask & C`."""
    match node:
        case Always():
            return _always
        case Choice(id=choice_id):
            bit = bits[choice_id]
            return lambda mask: mask & bit != 0
        case Not(operand=Not(operand=inner)):
            return _compile(inner, bits)
        case Not(operand=Choice(id=choice_id)):
            bit = bits[choice_id]
            return lambda mask: mask & bit == 0
        case Not(operand=operand):
            test = _compile(operand, bits)
            return lambda mask: not test(mask)
        case And(operands=operands):
            need, forbid, rest = _fold(operands, bits)
            return _compile_and(need, forbid, tuple(_compile(op, bits) for op in rest))
        case Or(operands=operands):
            any_of, not_all_of, rest = _fold(operands, bits)
            return _compile_or(any_of, not_all_of, tuple(_compile(op, bits) for op in rest))
    raise TypeError(f"not a condition node: {node!r}")


def _fold(operands: Iterable[Node], bits: dict[str, int]) -> tuple[int, int, list[Node]]:
    """Split operands into the bits of plain choices, of negated choices, and everything else."""
    positive = negative = 0
    rest: list[Node] = []
    for operand in operands:
        match operand:
            case Choice(id=choice_id):
                positive |= bits[choice_id]
            case Not(operand=Choice(id=choice_id)):
                negative |= bits[choice_id]
            case _:
                rest.append(operand)
    return positive, negative, rest


def _compile_and(need: int, forbid: int, rest: tuple[Test, ...]) -> Test:
    if not rest:
        if not forbid:
            return lambda mask: mask & need == need
        return lambda mask: mask & need == need and not mask & forbid

    def test(mask: int) -> bool:
        if mask & need != need or mask & forbid:
            return False
        for part in rest:  # noqa: SIM110 - a plain loop is faster than all() over a generator
            if not part(mask):
                return False
        return True

    return test


def _compile_or(any_of: int, not_all_of: int, rest: tuple[Test, ...]) -> Test:
    if not rest:
        if not not_all_of:
            return lambda mask: mask & any_of != 0
        return lambda mask: mask & any_of != 0 or mask & not_all_of != not_all_of

    def test(mask: int) -> bool:
        if mask & any_of or mask & not_all_of != not_all_of:
            return True
        for part in rest:  # noqa: SIM110 - a plain loop is faster than any() over a generator
            if part(mask):
                return True
        return False

    return test


class UnknownChoiceError(ValueError):
    """A selection names a choice that the question does not have."""


class QuestionRules:
    """One question's risk rules, compiled for evaluation.

    `choice_ids` are the question's choices in order; `rules` are (condition, risk) pairs in order,
    each condition either its text or its parsed tree.
    """

    __slots__ = ("choice_ids", "bits", "rules", "_tests")

    def __init__(self, choice_ids: Sequence[str], rules: Sequence[tuple[str | Node, Risk]]) -> None:
        self.choice_ids = tuple(choice_ids)
        self.bits = {choice_id: 1 << index for index, choice_id in enumerate(self.choice_ids)}
        self.rules = tuple(
            (parse_condition(condition) if isinstance(condition, str) else condition, Risk(risk))
            for condition, risk in rules
        )
        self._tests = tuple((_compile(tree, self.bits), risk) for tree, risk in self.rules)

    def evaluate(
        self,
        selected: Iterable[str] = (),
        not_applicable: Iterable[str] = (),
        *,
        question_applicable: bool = True,
    ) -> Risk:
        """The risk of an answer: the choices selected, those marked not applicable, and whether
        the question applies at all. Raises UnknownChoiceError for an id the question lacks."""
        if not question_applicable:
            return Risk.NOT_APPLICABLE
        # The hot path of every save and of `lens risk`: one loop, no helper calls.
        bits = self.bits
        mask = 0
        try:
            for choice_id in selected:
                mask |= bits[choice_id]
            for choice_id in not_applicable:
                mask |= bits[choice_id]
        except KeyError as unknown:
            raise UnknownChoiceError(unknown.args[0]) from None
        if not mask:
            return Risk.UNANSWERED
        for test, risk in self._tests:
            if test(mask):
                return risk
        return Risk.HIGH


def evaluate(
    rules: QuestionRules,
    selected: Iterable[str] = (),
    not_applicable: Iterable[str] = (),
    *,
    question_applicable: bool = True,
) -> Risk:
    """The risk of one answer under a question's compiled rules (see QuestionRules.evaluate)."""
    return rules.evaluate(selected, not_applicable, question_applicable=question_applicable)
