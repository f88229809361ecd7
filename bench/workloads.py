"""Many workloads, fast: for the benchmarks that need thousands (search over 5,000) and the tests
that prove a page's queries do not grow with them.

`bulk_workloads` writes the rows the services would leave (a workload, the built-in lens applied,
one answer per question at a mix of risks, a "created" event) with bulk_create, a few queries per
table however many workloads: thousands take seconds, where workload_create would take minutes.
"""

import itertools

from django.utils import timezone

from lens.models import BUILTIN_ALIAS, Lens
from lens.selectors import latest_published_version
from reviews.models import Answer, LensReview, Workload, WorkloadEvent

R = Answer.Risk

#: The risks the answers cycle through: some of each, some unanswered.
RISKS = (R.HIGH, R.MEDIUM, R.NONE, R.UNANSWERED, R.UNANSWERED, R.NOT_APPLICABLE)

#: Rows a bulk_create sends at once (SQLite's limit on a statement's variables is far above this).
BATCH = 500


def bulk_workloads(owner, count: int, *, prefix: str = "W") -> list[Workload]:
    """`count` workloads of `owner`, named `prefix` and a number (W0000, W0001...), each with the
    built-in lens, its answers at a mix of risks, and a "created" event."""
    lens = Lens.objects.get(alias=BUILTIN_ALIAS)
    version = latest_published_version(lens)
    questions = list(version.questions.values_list("pk", flat=True))
    workloads = Workload.objects.bulk_create(
        (Workload(owner=owner, name=f"{prefix}{n:04}", tags=["bulk"]) for n in range(count)), batch_size=BATCH
    )
    reviews = LensReview.objects.bulk_create(
        (LensReview(workload=workload, lens=lens, lens_version=version) for workload in workloads),
        batch_size=BATCH,
    )
    risks = itertools.cycle(RISKS)
    now = timezone.now()
    Answer.objects.bulk_create(
        (
            Answer(
                lens_review=review,
                question_id=question,
                risk=risk,
                updated_at=None if risk == R.UNANSWERED else now,
            )
            for review in reviews
            for question, risk in zip(questions, risks, strict=False)
        ),
        batch_size=BATCH,
    )
    WorkloadEvent.objects.bulk_create(
        (
            WorkloadEvent(workload=workload, workload_name=workload.name, kind="CREATED", summary="Created.")
            for workload in workloads
        ),
        batch_size=BATCH,
    )
    return workloads
