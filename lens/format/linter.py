"""The linter: what a lens's risk rules do that its author probably did not mean.

An answer, here, is what a team can submit: a non-empty set of practices (choices marked not
applicable count as selected, so they add nothing new), or "None of these" alone. A question has at
most 15 choices, so it has at most 2^15 answers, and every condition is decided exactly by its truth
table over them: one Python int used as a bitset (`_TruthTables`), built bottom-up from the parsed
condition in one operation per node. Each finding is then a few bitwise operations on those tables,
so the linter's work is linear in the size of the rules, whatever they say: no search, no budget.
`BitsetOperations` counts those operations, so that a test can hold the linter to that bound.
"""

import re

from lens import risk
from lens.format.document import LensDocument, QuestionDoc
from lens.format.problems import Problem, child

_NONE_LIKE_TITLE = re.compile(r"^\W*none( of (these|the above|this))?\W*$", re.IGNORECASE)
_NO_RISK_FROM_FILE = "NO_RISK"


class BitsetOperations:
    """Counts the linter's operations on truth tables (each costs time in proportion to a table's
    length, at most 2^15 bits). `per_rule` holds (the rule's JSON path, its operations); the tables
    a question's rules share (the full table, the practices' tables) count towards the rule that
    needs them first."""

    def __init__(self) -> None:
        self.total = 0
        self.per_rule: list[tuple[str, int]] = []

    def add(self, count: int = 1) -> None:
        self.total += count


class _TruthTables:
    """Truth tables over one question's answers, as ints: bit s of a table is its value for answer s,
    where bit i of s set means that the question's i-th practice is selected.

    Answer 0 selects no practice. With a "None of these" choice it stands for "None of these" alone,
    the one answer where that choice is true; without one it is no answer a team can give, and the
    findings ignore it (`phantom`).
    """

    def __init__(self, practices: list[str], none_of_these: str | None, operations: BitsetOperations) -> None:
        self.practices = {practice: index for index, practice in enumerate(practices)}
        self.none_of_these = none_of_these
        self.answers = 1 << len(practices)  # how many answers: a count, not a table
        self.phantom = 0 if none_of_these is not None else 1  # the table of answer 0 when it is none
        self.operations = operations
        self._full: int | None = None
        self._practice_tables: dict[int, int] = {}

    @property
    def full(self) -> int:
        """The table that is true for every answer."""
        if self._full is None:
            self._full = (1 << self.answers) - 1
            self.operations.add(2)
        return self._full

    def practice(self, index: int) -> int:
        """The table of "practice `index` is selected": the answers whose bit `index` is set.

        Built top-down by halving shifts, never bit by bit: the top practice is the upper half of
        the full table, and each table below comes from the one above it by one shift and one xor
        (runs of 2^(i+1) ones and zeros, xored with themselves shifted by 2^i, give runs of 2^i).
        """
        tables = self._practice_tables
        if index not in tables:
            top = len(self.practices) - 1
            if top not in tables:
                full = self.full
                tables[top] = full ^ (full >> (self.answers >> 1))
                self.operations.add(2)
            below = min(tables)
            while below > index:
                above = tables[below]
                below -= 1
                tables[below] = above ^ (above >> (1 << below))
                self.operations.add(2)
        return tables[index]

    def of(self, node: risk.Node) -> int:
        """The truth table of a condition: one operation per operator, none per choice once the
        choice's table is built. Conditions nest at most risk.MAX_CONDITION_DEPTH deep."""
        match node:
            case risk.Always():
                return self.full
            case risk.Choice(id=choice_id):
                if choice_id == self.none_of_these:
                    return 1  # true for answer 0, "None of these" alone, and no other
                index = self.practices.get(choice_id)
                return 0 if index is None else self.practice(index)
            case risk.Not():
                # A run of negations is one complement or none: only its parity counts.
                negations = 0
                while isinstance(node, risk.Not):
                    node = node.operand
                    negations += 1
                table = self.of(node)
                if negations % 2 == 0:
                    return table
                self.operations.add()
                return self.full ^ table
            case risk.And(operands=operands):
                table = self.of(operands[0])
                for operand in operands[1:]:
                    table &= self.of(operand)
                    self.operations.add()
                return table
            case risk.Or(operands=operands):
                table = self.of(operands[0])
                for operand in operands[1:]:
                    table |= self.of(operand)
                    self.operations.add()
                return table
        raise TypeError(f"not a condition node: {node!r}")


def _none_of_these(question: QuestionDoc) -> str | None:
    return next((choice.id for choice in question.choices if choice.is_none_of_these), None)


def lint_question(
    question: QuestionDoc, path: str, *, operations: BitsetOperations | None = None
) -> list[Problem]:
    """The linter's findings on one question; `path` is the question's JSON path. `operations`, when
    given, counts the bitset operations spent, rule by rule."""
    operations = operations if operations is not None else BitsetOperations()
    findings = []
    none_of_these = _none_of_these(question)
    practices = [choice.id for choice in question.choices if not choice.is_none_of_these]
    rules = [(rule.parsed(), rule.risk) for rule in question.risk_rules]
    rules_path = child(path, "riskRules")

    tables = _TruthTables(practices, none_of_these, operations)
    every_practice = tables.answers if practices else None  # bit_length of a table holding it
    all_practices_outcome = None
    spent = operations.total
    remaining = tables.full  # the answers that no earlier rule matched
    for index, (tree, level) in enumerate(rules):
        # The answers where this rule is the first true one. Being a subset of `remaining`, it also
        # takes them out of it by one xor.
        fires = tables.of(tree) & remaining
        remaining ^= fires
        operations.add(2)
        if fires <= tables.phantom:
            findings.append(
                Problem(
                    child(rules_path, index),
                    "rule_never_fires",
                    f"no answer makes this {level} rule the first that matches, so it never applies",
                )
            )
        # Every practice selected is the highest answer: the rule that fires there has that top bit,
        # which bit_length reads without touching the table.
        if every_practice is not None and fires.bit_length() == every_practice:
            all_practices_outcome = level
        operations.per_rule.append((child(rules_path, index), operations.total - spent))
        spent = operations.total

    if remaining > tables.phantom:
        findings.append(
            Problem(
                rules_path,
                "answer_matches_no_rule",
                "some answers match no rule; they are a high risk",
            )
        )

    if practices and all_practices_outcome != _NO_RISK_FROM_FILE:
        findings.append(
            Problem(
                rules_path,
                "all_practices_still_risky",
                f"selecting every practice gives {all_practices_outcome or 'HIGH_RISK (no rule matches)'}",
            )
        )

    # A choice that a risky rule names un-negated counts against the team, so marking it not
    # applicable (which counts as selecting it) raises the risk: typically a "No" answer. A practice
    # that the no-risk rule asks for is a good practice named in a risky rule only as a partial
    # answer; marking it not applicable counts it as done, which never hurts.
    wanted = set().union(
        *(risk.positive_choice_ids_in(tree) for tree, level in rules if level == _NO_RISK_FROM_FILE)
    )
    flagged: set[str] = set(wanted)
    if none_of_these is not None:
        flagged.add(none_of_these)  # "None of these" cannot be marked not applicable
    for index, (tree, level) in enumerate(rules):
        if level == _NO_RISK_FROM_FILE:
            continue
        for choice_id in sorted(risk.positive_choice_ids_in(tree) - flagged):
            flagged.add(choice_id)
            findings.append(
                Problem(
                    child(child(rules_path, index), "condition"),
                    "not_applicable_raises_risk",
                    f"{choice_id} counts towards {level} here, so marking it not applicable raises the risk",
                )
            )

    for index, choice in enumerate(question.choices):
        if not choice.is_none_of_these and _NONE_LIKE_TITLE.match(choice.title):
            findings.append(
                Problem(
                    child(child(path, "choices"), index),
                    "none_like_choice",
                    f"{choice.title!r} reads like 'None of these' but its id does not end in '_no', "
                    "so it is an ordinary practice",
                )
            )
    return findings


def lint_lens(document: LensDocument, *, operations: BitsetOperations | None = None) -> list[Problem]:
    """The linter's findings on a whole (valid) lens, in document order; `operations`, when given,
    counts the bitset operations spent."""
    operations = operations if operations is not None else BitsetOperations()
    findings = []
    for pillar_index, pillar in enumerate(document.pillars):
        for question_index, question in enumerate(pillar.questions):
            path = f"$.pillars[{pillar_index}].questions[{question_index}]"
            findings.extend(lint_question(question, path, operations=operations))
    return findings
