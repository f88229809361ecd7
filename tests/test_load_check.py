"""The load test's checker (bench.load.check): a lost save, a wrong answer, an accepted version seen
twice and an audit row nobody asked for are each found, so that the check cannot pass for want of
looking; and the percentiles are the nearest-rank ones."""

import math

import pytest

from bench.load.check import Save, median, nothing_lost, percentile

KEY = (1, "ml-lens-2021", "MLOPS01")
OTHER = (2, "ml-lens-2021", "MLSEC01")


def answer(notes: str, selected=("MLOPS01_BP01",), applicable=True) -> dict:
    return {
        "selected_choices": list(selected),
        "not_applicable_choices": {"MLOPS01_BP03": {"reason": "OTHER", "notes": ""}},
        "is_applicable": applicable,
        "reason": "" if applicable else "OTHER",
        "notes": notes,
    }


UNANSWERED = {
    "selected_choices": [],
    "not_applicable_choices": {},
    "is_applicable": True,
    "reason": "",
    "notes": "",
}
INITIAL = {KEY: Save(KEY, 0, UNANSWERED), OTHER: Save(OTHER, 0, UNANSWERED)}


def run(accepted, audit, stored=None, failed=()):
    """The check over a run whose stored answers are the last of `audit` by default."""
    if stored is None:
        stored = dict(INITIAL)
        for row in sorted(audit, key=lambda row: row.version):
            stored[row.key] = Save(row.key, row.version, row.fields)
    return nothing_lost(accepted=accepted, failed=list(failed), initial=INITIAL, stored=stored, audit=audit)


def test_a_clean_run_passes():
    saves = [Save(KEY, 1, answer("a")), Save(KEY, 2, answer("b")), Save(OTHER, 1, answer("c"))]
    verdict = run(saves, list(saves))
    assert verdict.ok
    assert (verdict.lost, verdict.accepted, verdict.answers) == (0, 3, 2)


def test_the_server_may_reorder_selected_choices():
    sent = Save(KEY, 1, answer("a", selected=("MLOPS01_BP02", "MLOPS01_BP01")))
    row = Save(KEY, 1, answer("a", selected=("MLOPS01_BP01", "MLOPS01_BP02")))
    assert run([sent], [row]).ok


def test_an_accepted_save_missing_from_the_audit_trail_is_lost():
    saves = [Save(KEY, 1, answer("a")), Save(KEY, 2, answer("b"))]
    verdict = run(saves, [saves[1]])
    assert not verdict.ok
    assert verdict.lost == 1
    assert verdict.missing == ["workload 1 ml-lens-2021 MLOPS01 v1: accepted, not in the audit trail"]


def test_an_audit_row_with_other_fields_does_not_count_for_the_save():
    saves = [Save(KEY, 1, answer("a"))]
    verdict = run(saves, [Save(KEY, 1, answer("a", applicable=False))])
    assert len(verdict.missing) == 1
    assert len(verdict.extra) == 1


def test_an_answer_that_is_not_its_last_save_is_wrong():
    saves = [Save(KEY, 1, answer("a")), Save(KEY, 2, answer("b"))]
    stored = {KEY: Save(KEY, 1, answer("a")), OTHER: INITIAL[OTHER]}
    verdict = run(saves, list(saves), stored=stored)
    assert verdict.wrong == ["workload 1 ml-lens-2021 MLOPS01: stored v1, last save v2"]
    # The right version with other fields is wrong too.
    stored = {KEY: Save(KEY, 2, answer("a")), OTHER: INITIAL[OTHER]}
    assert run(saves, list(saves), stored=stored).wrong == [
        "workload 1 ml-lens-2021 MLOPS01: stored v2, last save v2 with other fields"
    ]


def test_an_untouched_answer_must_stay_as_it_was():
    stored = {KEY: INITIAL[KEY], OTHER: Save(OTHER, 0, answer("changed behind our back"))}
    assert len(run([], [], stored=stored).wrong) == 1
    stored = {KEY: INITIAL[KEY]}  # and must still be there
    assert run([], [], stored=stored).wrong == ["workload 2 ml-lens-2021 MLSEC01: gone"]


def test_an_audit_row_nobody_saved_is_extra():
    saves = [Save(KEY, 1, answer("a"))]
    verdict = run(
        saves, [*saves, Save(KEY, 2, answer("ghost"))], stored={**INITIAL, KEY: Save(KEY, 1, answer("a"))}
    )
    assert verdict.extra == ["workload 1 ml-lens-2021 MLOPS01 v2 (CHANGED): no accepted save made it"]
    assert not verdict.ok


def test_a_kept_theirs_row_is_extra():
    saves = [Save(KEY, 1, answer("a"))]
    verdict = run(saves, [*saves, Save(KEY, 1, answer("a"), kind="KEPT_THEIRS")])
    assert len(verdict.extra) == 1


def test_one_version_accepted_twice_is_a_lost_update():
    saves = [Save(KEY, 1, answer("a")), Save(KEY, 1, answer("b"))]
    verdict = run(saves, [saves[1]])
    assert verdict.duplicates == ["workload 1 ml-lens-2021 MLOPS01: version 1 accepted twice"]
    assert not verdict.ok


def test_a_failed_attempt_that_was_committed_is_in_doubt_not_extra():
    """A save the client saw fail (a timeout, a 5xx after the commit) may be in the trail: it is
    reported as in doubt, and the answer may be it when it is the latest."""
    saves = [Save(KEY, 1, answer("a"))]
    doubtful = Save(KEY, 2, answer("timed out"))
    verdict = run(saves, [*saves, doubtful], failed=[(KEY, answer("timed out"))])
    assert verdict.ok
    assert len(verdict.in_doubt) == 1
    # ...but a row that matches no attempt at all is still extra.
    verdict = run(saves, [*saves, doubtful], failed=[(KEY, answer("another"))])
    assert len(verdict.extra) == 1


def test_the_summary_names_each_check():
    saves = [Save(KEY, 1, answer("a"))]
    summary = run(saves, []).summary()
    assert summary["saves_in_audit_trail"] is False
    assert summary["equal_last_save"] is False  # stored is still the initial answer
    assert summary["nothing_else"] is True
    assert summary["lost"] == 2


@pytest.mark.parametrize(
    ("values", "p", "expected"),
    [
        ([5, 1, 4, 2, 3], 50, 3),
        (list(range(1, 101)), 95, 95),
        (list(range(1, 21)), 95, 19),  # ceil(0.95 * 20) = 19th value
        (list(range(1, 22)), 95, 20),  # ceil(0.95 * 21) = 20th value
        ([7], 95, 7),
        ([1, 2], 100, 2),
    ],
)
def test_percentile_is_nearest_rank(values, p, expected):
    assert percentile(values, p) == expected


def test_percentile_and_median_edges():
    assert math.isnan(percentile([], 95))
    assert math.isnan(median([]))
    assert median([4, 1, 3, 2]) == 2.5
    assert median([3, 1, 2]) == 2
    with pytest.raises(ValueError, match="percentage"):
        percentile([1], 0)
