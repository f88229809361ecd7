"""The history shows the practice titles of the lens version each change was made on (issue 16):
a practice renamed in a newer version keeps its old title in the changes made before the review
moved to it. Changes record their version; older ones take it from the upgrade events (the
migration's backfill and the selector's fallback), else show today's titles, marked."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lens.services import lens_import, lens_publish
from reviews.models import AnswerChange
from reviews.selectors.change_versions import Upgrade, version_label_at
from reviews.selectors.questionnaire import answer_changes_described
from reviews.services import answer_keep_theirs
from tests import factories
from tests.reviews.pages import url

pytestmark = pytest.mark.django_db

backfill = importlib.import_module("reviews.migrations.0010_answer_change_lens_version").backfill

OLD, NEW = "Encrypt data at rest", "Encrypt every data store at rest"


def _document(title: str) -> dict:
    document = factories.lens_document(name="Titles lens", questions=1)
    document["pillars"][0]["questions"][0]["choices"][0]["title"] = title
    return document


@pytest.fixture
def renamed(people):
    """A review answered on version 1, moved to 1.1 (BP1 renamed), then answered again there."""
    owner = people["owner"]
    lens = factories.imported_lens(owner=owner, document=_document(OLD))
    workload = factories.workload(owner, lenses=[lens])
    review = workload.lens_reviews.get()
    answer = review.answers.get()
    factories.answered(answer, actor=owner, selected_choices=["P1Q1_BP1"])
    lens_import(source=_document(NEW), owner=owner, alias=lens.alias)
    lens_publish(lens=lens, label="1.1", major=False, actor=owner)  # the review follows its line
    review.refresh_from_db()
    answer = review.answers.select_related("question").get()
    factories.answered(answer, actor=owner, selected_choices=["P1Q1_BP2"])
    return owner, workload, review


def _entries(review):
    review = type(review).objects.select_related("lens", "lens_version").get(pk=review.pk)
    answer = review.answers.select_related("question").get()
    entries, _more = answer_changes_described(answer=answer, lens_review=review)
    return entries  # newest first


def test_each_change_records_the_version_it_was_made_on(renamed):
    _owner, _workload, review = renamed
    versions = list(
        AnswerChange.objects.order_by("changed_at", "pk").values_list("lens_version__label", flat=True)
    )
    assert versions == ["1", "1.1"]


def test_the_history_shows_the_old_title_for_the_old_change_and_the_new_for_the_new(client_for, renamed):
    owner, workload, review = renamed
    page = client_for(owner).get(url("history", workload, review.lens.alias, "P1Q1")).content.decode()
    assert f"Selected: {OLD}" in page  # version 1's change, in version 1's words
    assert f"No longer selected: {NEW}" in page  # version 1.1's change, in 1.1's words
    assert "(lens version 1)" in page
    assert "(lens version 1.1)" in page
    assert "current titles" not in page


def test_a_change_kept_in_a_conflict_records_its_version_too(renamed):
    owner, _workload, review = renamed
    answer = review.answers.select_related("question").get()
    answer_keep_theirs(answer=answer, actor=owner, discarded={"selected_choices": []}, seen_version=1)
    assert (
        AnswerChange.objects.filter(kind=AnswerChange.Kind.KEPT_THEIRS).get().lens_version
        == review.lens_version
    )


def test_older_changes_take_their_version_from_the_upgrade_events(renamed):
    _owner, _workload, review = renamed
    AnswerChange.objects.update(lens_version=None)  # as recorded before the field existed
    new, old = _entries(review)
    assert (old.added, old.version_label, old.current_titles) == ([OLD], "1", False)
    assert (new.removed, new.version_label, new.current_titles) == ([NEW], "1.1", False)


def test_the_migration_backfills_what_the_upgrade_events_say(renamed):
    _owner, _workload, review = renamed
    AnswerChange.objects.update(lens_version=None)
    backfill(django_apps, None)
    versions = list(
        AnswerChange.objects.order_by("changed_at", "pk").values_list("lens_version__label", flat=True)
    )
    assert versions == ["1", "1.1"]


def test_a_change_whose_version_cannot_be_found_shows_todays_titles_marked(client_for, renamed):
    owner, workload, review = renamed
    AnswerChange.objects.update(lens_version=None)
    # The upgrade's event names a version the lens no longer has (as if deleted since).
    review.workload.events.filter(kind="LENS_UPGRADED").update(
        data={"lens": review.lens.alias, "from_version": "0.9"}
    )
    new, old = _entries(review)
    assert (old.added, old.current_titles) == ([NEW], True)
    assert (new.version_label, new.current_titles) == ("1.1", False)
    page = client_for(owner).get(url("history", workload, review.lens.alias, "P1Q1")).content.decode()
    assert "(current titles: the lens version of this change is not known)" in page


def test_the_upgrades_own_changes_are_on_the_version_it_went_to():
    upgrades = [Upgrade(at=10, from_label="1", to_label="2")]  # type: ignore[arg-type]
    assert version_label_at(changed_at=5, note="", upgrades=upgrades, current_label="2") == "1"  # type: ignore[arg-type]
    assert (
        version_label_at(changed_at=9, note="Lens upgraded to 2", upgrades=upgrades, current_label="2") == "2"
    )  # type: ignore[arg-type]
    assert version_label_at(changed_at=11, note="", upgrades=upgrades, current_label="2") == "2"  # type: ignore[arg-type]


@pytest.mark.parametrize("recorded", [True, False], ids=["recorded", "derived"])
def test_the_history_costs_the_same_queries_for_1_or_30_changes_across_2_versions(people, recorded):
    owner = people["owner"]
    lens = factories.imported_lens(owner=owner, document=_document(OLD))
    workload = factories.workload(owner, lenses=[lens])

    def answer_times(count: int) -> None:
        for _ in range(count):
            answer = workload.lens_reviews.get().answers.select_related("question").get()
            practice = "P1Q1_BP1" if answer.version % 2 else "P1Q1_BP2"  # each write a change
            factories.answered(answer, actor=owner, selected_choices=[practice])

    def queries() -> tuple[int, int]:
        if not recorded:
            AnswerChange.objects.update(lens_version=None)
        # The review and the answer as the view has them (lens_review_or_404, question_answer).
        review = workload.lens_reviews.select_related("lens", "lens_version").get()
        answer = review.answers.select_related("question").get()
        with CaptureQueriesContext(connection) as captured:
            entries, _more = answer_changes_described(answer=answer, lens_review=review)
        return len(captured), len({entry.version_label for entry in entries})

    answer_times(1)
    lens_import(source=_document(NEW), owner=owner, alias=lens.alias)
    lens_publish(lens=lens, label="1.1", major=False, actor=owner)
    one = queries()
    answer_times(29)
    thirty = queries()
    assert AnswerChange.objects.count() == 30
    assert (one[1], thirty[1]) == (1, 2)  # the first change on 1, the others on 1 and 1.1
    # the changes with who made them, the titles of their versions (and, with no version
    # recorded, the upgrade events and the lens's versions by label)
    assert one[0] == thirty[0] == (2 if recorded else 4)
