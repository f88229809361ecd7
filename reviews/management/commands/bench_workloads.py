"""`manage.py bench_workloads --count N [--owner USER]`: N workloads with the built-in lens applied
and every question answered, made in bulk for benchmarks (bench/api_bench.py).

Made with bulk_create rather than the services, which take a transaction and several queries per
answer (hours for 10,000 workloads rather than seconds). What the services would store is stored:
each workload's CREATED and LENS_APPLIED events, one answer per question with a selection a team
could make (practices followed, "None of these", a practice or the whole question marked not
applicable with a reason), and its risk as the risk engine gives it (lens.risk, through the question
facts that reviews.services.answer_update uses), evaluated once per distinct answer. Answers carry
no audit trail: no one wrote them.

Refused on a database that has workloads already, unless --force: so that nobody fills a real
instance with thousands of made-up workloads by mistake.
"""

import random
import time
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, transaction
from django.utils import timezone

from lens.models import BUILTIN_ALIAS, Lens, Question
from lens.selectors import latest_published_version
from reviews.models import Answer, LensReview, Workload, WorkloadEvent
from reviews.services import question_facts
from reviews.services.answers import QuestionFacts

#: How likely a team follows each practice: three kinds of team, so that workloads differ.
MATURITY = (0.3, 0.6, 0.9)
#: Distinct answers drawn per question and kind of team; each workload's answer is one of them.
PATTERNS = 40
REASONS = [reason for reason in Answer.Reason.values if reason != Answer.Reason.NONE]
PRODUCTS = (
    "Fraud scoring",
    "Churn model",
    "Search ranking",
    "Demand forecast",
    "Document OCR",
    "Chat assistant",
)
TAGS = ("payments", "nlp", "vision", "forecasting", "batch", "real-time", "pii", "gpu")
REGIONS = ("eu-west-1", "eu-central-1", "us-east-1", "us-west-2", "ap-southeast-2")
BATCH = 5000


@dataclass(frozen=True)
class AnswerPattern:
    """One way a team may answer a question, with the risk the lens's rules give it."""

    selected: tuple[str, ...]
    not_applicable: dict
    is_applicable: bool
    reason: str
    risk: str


class PatternMaker:
    """Draws realistic answers to one question and scores each distinct one once."""

    def __init__(self, facts: QuestionFacts, rng: random.Random):
        self.facts = facts
        self.rng = rng
        self.practices = [c for c in facts.choice_ids if c != facts.none_of_these]
        self._risks: dict[tuple, str] = {}

    def draw(self, follow: float) -> AnswerPattern:
        rng, facts = self.rng, self.facts
        roll = rng.random()
        if roll < 0.04:  # the whole question does not apply
            return self._scored((), {}, is_applicable=False, reason=rng.choice(REASONS))
        if roll < 0.10 and facts.none_of_these:
            return self._scored((facts.none_of_these,), {})
        selected = [p for p in self.practices if rng.random() < follow]
        not_applicable = {}
        left = [p for p in self.practices if p not in selected]
        if left and rng.random() < 0.15:  # a practice that does not apply, with its reason
            choice_id = rng.choice(left)
            not_applicable[choice_id] = {"reason": rng.choice(REASONS), "notes": ""}
        if not selected and not not_applicable:
            selected = [rng.choice(self.practices)]
        order = facts.choice_ids.index
        return self._scored(tuple(sorted(selected, key=order)), not_applicable)

    def _scored(self, selected, not_applicable, *, is_applicable=True, reason="") -> AnswerPattern:
        key = (selected, tuple(sorted(not_applicable)), is_applicable)
        risk = self._risks.get(key)
        if risk is None:
            risk = self.facts.rules.evaluate(
                selected, not_applicable, question_applicable=is_applicable
            ).value
            self._risks[key] = risk
        return AnswerPattern(selected, not_applicable, is_applicable, reason, risk)


class Command(BaseCommand):
    help = (
        "Make N workloads with the built-in lens applied and fully answered, in bulk, for benchmarks. "
        "Refused when the database has workloads, unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=10_000, help="How many workloads (10,000).")
        parser.add_argument(
            "--owner", default="bench-owner", help="Their owner's username (made if missing)."
        )
        parser.add_argument(
            "--seed", type=int, default=2021, help="The random seed (the same data each run)."
        )
        parser.add_argument(
            "--force", action="store_true", help="Add them even though the database has workloads."
        )

    def handle(self, *args, count, owner, seed, force, **options):
        if count < 1:
            raise CommandError("--count must be at least 1")
        existing = Workload.objects.count()
        if existing and not force:
            raise CommandError(
                f"the database has workloads already ({existing}): this command is for an empty "
                "benchmark database (--force adds to it anyway)"
            )
        lens = Lens.objects.filter(alias=BUILTIN_ALIAS).first()
        version = lens and latest_published_version(lens)
        if version is None:
            raise CommandError(f"the built-in lens {BUILTIN_ALIAS} is not loaded: run migrate first")
        started = time.perf_counter()
        try:
            with transaction.atomic():
                user, user_made = self._owner(owner)
                risks = self._make(count=count, owner=user, version=version, rng=random.Random(seed))
        except IntegrityError as error:  # a name taken by an earlier run with --force
            raise CommandError(f"could not add the workloads: {error}") from None
        seconds = time.perf_counter() - started
        answers = sum(risks.values())
        if user_made:
            self.stdout.write(f"Made the user {owner} (no password: it cannot sign in).")
        spread = ", ".join(f"{risk.lower()} {risks[risk]}" for risk in Answer.Risk.values if risks[risk])
        self.stdout.write(
            f"Made {count} workloads of {owner} with {BUILTIN_ALIAS} {version.label} applied and "
            f"answered: {answers} answers ({spread}), in {seconds:.1f} s."
        )

    def _owner(self, username: str):
        user, made = get_user_model().objects.get_or_create(username=username)
        if made:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        return user, made

    def _make(self, *, count, owner, version, rng: random.Random) -> Counter:
        """The workloads, their reviews, events and answers; the number of answers at each risk."""
        questions = list(
            Question.objects.filter(version=version)
            .select_related("version")
            .defer("version__source")
            .order_by("pk")
        )
        makers = [(question.pk, PatternMaker(question_facts(question), rng)) for question in questions]
        pools = {
            follow: [[maker.draw(follow) for _ in range(PATTERNS)] for _pk, maker in makers]
            for follow in MATURITY
        }
        first = Workload.objects.filter(owner=owner).count() + 1
        workloads = Workload.objects.bulk_create(
            [self._workload(owner, number, rng) for number in range(first, first + count)], batch_size=BATCH
        )
        reviews = LensReview.objects.bulk_create(
            [LensReview(workload=w, lens_id=version.lens_id, lens_version=version) for w in workloads],
            batch_size=BATCH,
        )
        self._events(workloads, owner, version)
        now = timezone.now()
        risks: Counter = Counter()
        answers = []
        for review in reviews:
            pool = pools[rng.choice(MATURITY)]
            answered_at = now - timedelta(minutes=rng.randrange(365 * 24 * 60))
            for (question_pk, _maker), patterns in zip(makers, pool, strict=True):
                pattern = rng.choice(patterns)
                risks[pattern.risk] += 1
                answers.append(
                    Answer(
                        lens_review=review,
                        question_id=question_pk,
                        selected_choices=list(pattern.selected),
                        not_applicable_choices=pattern.not_applicable,
                        is_applicable=pattern.is_applicable,
                        reason=pattern.reason,
                        risk=pattern.risk,
                        version=1,
                        updated_by=owner,
                        updated_at=answered_at,
                    )
                )
            if len(answers) >= BATCH:
                Answer.objects.bulk_create(answers, batch_size=BATCH)
                answers = []
        Answer.objects.bulk_create(answers, batch_size=BATCH)
        return risks

    def _workload(self, owner, number: int, rng: random.Random) -> Workload:
        return Workload(
            owner=owner,
            name=f"{rng.choice(PRODUCTS)} {number:05d}",
            description="Made by manage.py bench_workloads.",
            environment=rng.choice(Workload.Environment.values),
            aws_regions=rng.sample(REGIONS, rng.randint(1, 2)),
            tags=rng.sample(TAGS, rng.randint(0, 3)),
        )

    def _events(self, workloads, owner, version) -> None:
        """The events workload_create would have logged: created, and the lens applied."""
        applied = f"Applied {version.name} (version {version.label})."
        events = []
        for workload in workloads:
            events.append(
                WorkloadEvent(
                    workload=workload,
                    workload_name=workload.name,
                    actor=owner,
                    kind=WorkloadEvent.Kind.CREATED,
                    summary="Workload created.",
                )
            )
            events.append(
                WorkloadEvent(
                    workload=workload,
                    workload_name=workload.name,
                    actor=owner,
                    kind=WorkloadEvent.Kind.LENS_APPLIED,
                    summary=applied,
                    data={"lens": BUILTIN_ALIAS, "version": version.label},
                )
            )
        WorkloadEvent.objects.bulk_create(events, batch_size=BATCH)
