"""Lens upgrades on PostgreSQL, with real row locks: two upgrades of one review at once, and a minor
version published while an answer is being written. (The lens is tests/reviews/upgrade_lens.py's.)"""

import threading

import pytest

from lens.models import LensVersion
from lens.services import lens_import, lens_publish
from reviews.models import Answer, LensReview, WorkloadEvent
from reviews.services import InvalidInput, StaleAnswer, answer_update
from reviews.services.upgrades import lens_review_upgrade
from tests.reviews.test_pillar_risk_counts import counted, kept
from tests.reviews.test_services_answer_versions import closing_connection, in_threads, on_postgres
from tests.reviews.upgrade_lens import assert_on_version_2, new_version, upgradable, version_2

pytestmark = pytest.mark.django_db  # on_postgres makes its tests transactional


@on_postgres
def test_two_upgrades_at_once_give_one_milestone_and_one_refusal(people):
    owner = people["owner"]
    lens, workload, review = upgradable(owner)
    new_version(lens)
    start = threading.Barrier(2)
    outcomes = []

    def upgrade():
        start.wait(timeout=30)
        try:
            lens_review_upgrade(lens_review=LensReview.objects.get(pk=review.pk), actor=owner)
            outcomes.append("upgraded")
        except InvalidInput as refused:
            outcomes.append(list(refused.errors))

    in_threads(closing_connection(upgrade), closing_connection(upgrade))

    assert sorted(outcomes, key=str) == [["version"], "upgraded"]
    assert workload.milestones.count() == 1
    assert WorkloadEvent.objects.filter(workload=workload, kind=WorkloadEvent.Kind.LENS_UPGRADED).count() == 1
    assert_on_version_2(review, LensVersion.objects.get(lens=lens, label="2"))


@on_postgres
def test_a_minor_version_published_while_an_answer_is_written_keeps_one_consistent_state(people):
    owner = people["owner"]
    lens, _workload, review = upgradable(owner)
    lens_import(source=version_2(), owner=owner, alias=lens.alias)
    answer = review.answers.get(question__question_id="P1Q3")
    start = threading.Barrier(2)
    outcomes = []

    def publish():
        start.wait(timeout=30)
        lens_publish(lens=lens, label="1.1", major=False)

    def write():
        start.wait(timeout=30)
        try:
            answer_update(
                answer=answer,
                actor=owner,
                changes={"selected_choices": ["P1Q3_BP1", "P1Q3_BP2"]},
                expected_version=1,
            )
            outcomes.append("written")
        except StaleAnswer:
            outcomes.append("stale")

    in_threads(closing_connection(publish), closing_connection(write))

    review.refresh_from_db()
    assert review.lens_version.label == "1.1"
    stored = Answer.objects.get(pk=answer.pk)
    assert stored.question.version_id == review.lens_version_id
    if outcomes == ["written"]:  # written first, then carried over (BP1 alone or with BP2: no risk)
        assert (stored.selected_choices, stored.risk) == (["P1Q3_BP1", "P1Q3_BP2"], "NONE")
    else:  # carried over first (its risk changed, so its version went up): the write was refused
        assert outcomes == ["stale"]
        assert (stored.selected_choices, stored.risk, stored.version) == (["P1Q3_BP1"], "NONE", 2)
    assert kept() == counted()
