"""/api/v1/workloads/{id}/lens-reviews/{alias}/answers/: who may read and write answers (DESIGN.md,
"Who may do what"), a review's answers with their filters, one answer with its question and ETag, an
answer's history, and the queries each costs. Writing answers: test_answers_writes.py; two writers at
once: test_answers_concurrency.py.

Risks follow the built-in lens's rules: MLSEC01: BP01 && BP02 -> none; BP01 -> medium; else high."""

import pytest

from lens.models import BUILTIN_ALIAS
from reviews.services import answer_keep_theirs
from tests import factories
from tests.api.test_lens_reviews import ROLES, caller, review_state

pytestmark = pytest.mark.django_db

READ = dict(zip(ROLES, [200, 200, 200, 200, 404, 401, 200, 401], strict=True))
#: Answers: the owner's and contributors' (Action.ANSWER).
ANSWER = dict(zip(ROLES, [200, 200, 403, 403, 404, 401, 403, 401], strict=True))


def answers_url(workload, alias: str = BUILTIN_ALIAS) -> str:
    return f"/api/v1/workloads/{workload.pk}/lens-reviews/{alias}/answers/"


def answer_url(workload, question_id: str = "MLSEC01", alias: str = BUILTIN_ALIAS) -> str:
    return f"{answers_url(workload, alias)}{question_id}/"


def history_url(workload, question_id: str = "MLSEC01", alias: str = BUILTIN_ALIAS) -> str:
    return f"{answer_url(workload, question_id, alias)}history/"


def patch(client, workload, body, *, question_id="MLSEC01", if_match=None):
    headers = {} if if_match is None else {"If-Match": if_match}
    return client.patch(answer_url(workload, question_id), body, format="json", headers=headers)


def refused(response, field: str, code: str = "invalid") -> None:
    """A 400 naming `field` alone, with `code`: `invalid` when the input breaks the schema, a domain
    code (`unknown_reference`, `refused`) when it matches the schema and the question refuses it."""
    assert response.status_code == 400, response.content
    body = response.json()
    assert (body["code"], list(body["fields"])) == (code, [field])
    assert all(body["fields"][field])


# --- who may do what --------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ROLES)
def test_who_reads_answers_an_answer_and_its_history(api_for, shared_workload, who):
    factories.answered(shared_workload.answer("MLSEC01"), actor=shared_workload.owner, notes="Seen.")
    client = caller(api_for, shared_workload, who)
    workload = shared_workload.workload

    for url in (answers_url(workload), answer_url(workload), history_url(workload)):
        response = client.get(url)
        assert response.status_code == READ[who], (url, response.content)


@pytest.mark.parametrize("who", ROLES)
def test_who_answers(api_for, shared_workload, who):
    before = review_state()

    response = patch(
        caller(api_for, shared_workload, who),
        shared_workload.workload,
        {"selected_choices": ["MLSEC01_BP01"]},
    )

    assert response.status_code == ANSWER[who], response.content
    if response.status_code == 200:
        stored = shared_workload.answer("MLSEC01")
        assert (stored.selected_choices, stored.risk, stored.version) == (["MLSEC01_BP01"], "MEDIUM", 1)
        assert stored.updated_by == getattr(shared_workload, who)
    else:
        assert review_state() == before


def test_an_outsiders_own_workload_does_not_open_anothers_answers(api_for, shared_workload):
    factories.workload(shared_workload.outsider, "Mine")
    client = api_for(shared_workload.outsider)

    assert client.get(answer_url(shared_workload.workload)).status_code == 404
    assert patch(client, shared_workload.workload, {"notes": "x"}).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        lambda w: answers_url(w, "test-lens"),  # a lens that is not applied to the workload
        lambda w: answer_url(w, "MLSEC09"),
        lambda w: answer_url(w, "P1Q1"),  # another lens's question
        lambda w: history_url(w, "MLSEC09"),
    ],
)
def test_what_the_review_does_not_have_is_404(api_for, shared_workload, url):
    factories.imported_lens(owner=None)
    client = api_for(shared_workload.owner)

    assert client.get(url(shared_workload.workload)).status_code == 404


@pytest.mark.parametrize("milestone", ["1", "3"])
def test_a_milestone_that_does_not_exist_is_404_on_every_read(api_for, shared_workload, milestone):
    client = api_for(shared_workload.reader)
    workload = shared_workload.workload
    for url in (answers_url(workload), answer_url(workload), history_url(workload)):
        response = client.get(f"{url}?milestone={milestone}")
        assert response.status_code == 404, url


def test_a_milestone_that_is_not_a_number_is_400_naming_it(api_for, shared_workload):
    response = api_for(shared_workload.reader).get(f"{answers_url(shared_workload.workload)}?milestone=-1")
    refused(response, "milestone")


# --- the list -------------------------------------------------------------------------------------


def test_the_list_has_every_answer_in_the_lens_order(api_for, shared_workload):
    factories.answered(
        shared_workload.answer("MLSEC01"),
        actor=shared_workload.contributor,
        selected_choices=["MLSEC01_BP01"],
        not_applicable_choices={"MLSEC01_BP02": {"reason": "OUT_OF_SCOPE", "notes": "No keys."}},
        notes="Checked.",
    )

    response = api_for(shared_workload.reader).get(answers_url(shared_workload.workload))

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 14
    assert [row["question_id"] for row in body["results"]][:5] == [
        "MLOPS01",
        "MLOPS02",
        "MLOPS03",
        "MLSEC01",
        "MLSEC02",
    ]
    row = body["results"][3]
    assert row == {
        "question_id": "MLSEC01",
        "title": "How do you control access to your ML workload?",
        "pillar_id": "security",
        "pillar": "security",  # its deprecated name
        "selected_choices": ["MLSEC01_BP01"],
        "not_applicable_choices": {"MLSEC01_BP02": {"reason": "OUT_OF_SCOPE", "notes": "No keys."}},
        "is_applicable": True,
        "reason": "",
        "notes": "Checked.",
        "risk": "NONE",
        "version": 1,
        "updated_by": "contributor",
        "updated_at": row["updated_at"],
        "restored_by": None,
        "restored_at": None,
    }
    assert row["updated_at"]
    assert body["results"][0]["updated_by"] is None
    assert body["results"][0]["risk"] == "UNANSWERED"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("pillar=security", ["MLSEC01", "MLSEC02", "MLSEC03"]),
        ("risk=HIGH", ["MLOPS02", "MLSEC01"]),
        ("risk=MEDIUM", ["MLSEC03"]),
        ("risk=NOT_APPLICABLE", ["MLCOST01"]),
        ("pillar=security&risk=HIGH", ["MLSEC01"]),
        ("pillar=nowhere", []),
        ("risk=UNANSWERED&pillar=security", ["MLSEC02"]),
    ],
)
def test_the_list_filters_by_pillar_and_risk(api_for, shared_workload, query, expected):
    owner = shared_workload.owner
    factories.answered(shared_workload.answer("MLOPS02"), actor=owner, selected_choices=["MLOPS02_no"])
    factories.answered(shared_workload.answer("MLSEC01"), actor=owner, selected_choices=["MLSEC01_BP02"])
    factories.answered(shared_workload.answer("MLSEC03"), actor=owner, selected_choices=["MLSEC03_BP03"])
    factories.answered(shared_workload.answer("MLCOST01"), actor=owner, is_applicable=False, reason="OTHER")

    response = api_for(owner).get(f"{answers_url(shared_workload.workload)}?{query}")

    assert response.status_code == 200, response.content
    assert [row["question_id"] for row in response.json()["results"]] == expected


def test_an_unknown_risk_is_400_naming_it(api_for, shared_workload):
    refused(api_for(shared_workload.owner).get(f"{answers_url(shared_workload.workload)}?risk=LOW"), "risk")


def test_the_list_is_paginated(api_for, shared_workload):
    response = api_for(shared_workload.owner).get(
        f"{answers_url(shared_workload.workload)}?page=2&page_size=5"
    )

    body = response.json()
    assert body["count"] == 14
    assert [row["question_id"] for row in body["results"]] == [
        "MLSEC03",
        "MLREL01",
        "MLREL02",
        "MLPERF01",
        "MLPERF02",
    ]


# --- one answer -------------------------------------------------------------------------------------


def test_an_answer_has_its_question_each_choices_status_and_an_etag(api_for, shared_workload):
    factories.answered(
        shared_workload.answer("MLSEC01"),
        actor=shared_workload.owner,
        selected_choices=["MLSEC01_BP01"],
        not_applicable_choices={"MLSEC01_BP02": {"reason": "OTHER", "notes": ""}},
    )

    response = api_for(shared_workload.auditor).get(answer_url(shared_workload.workload))

    assert response.status_code == 200
    assert response["ETag"] == '"1"'
    body = response.json()
    assert (body["question_id"], body["version"], body["risk"]) == ("MLSEC01", 1, "NONE")
    question = body["question"]
    assert question["title"] == body["title"]
    assert question["description"]
    assert [(c["id"], c["status"]) for c in question["choices"]] == [
        ("MLSEC01_BP01", "SELECTED"),
        ("MLSEC01_BP02", "NOT_APPLICABLE"),
        ("MLSEC01_no", "UNSELECTED"),
    ]
    assert all(choice["title"] for choice in question["choices"])


def test_an_unanswered_question_is_at_version_0(api_for, shared_workload):
    response = api_for(shared_workload.reader).get(answer_url(shared_workload.workload, "MLOPS01"))

    assert response["ETag"] == '"0"'
    assert (response.json()["risk"], response.json()["updated_at"]) == ("UNANSWERED", None)


# --- history ----------------------------------------------------------------------------------------


def test_the_history_lists_every_change_newest_first(api_for, shared_workload):
    owner, contributor = shared_workload.owner, shared_workload.contributor
    answer = factories.answered(
        shared_workload.answer("MLSEC01"), actor=owner, selected_choices=["MLSEC01_BP01"]
    )
    client = api_for(contributor)
    patch(client, shared_workload.workload, {"notes": "From the API."})
    answer_keep_theirs(answer=answer, actor=owner, discarded={"notes": "Mine."}, seen_version=1)

    response = api_for(shared_workload.reader).get(history_url(shared_workload.workload))

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    kept, api_change, first = body["results"]
    assert (kept["kind"], kept["version"], kept["changed_by"]) == ("KEPT_THEIRS", 2, "owner")
    assert (api_change["kind"], api_change["version"], api_change["changed_by"], api_change["note"]) == (
        "CHANGED",
        2,
        "contributor",
        "API",
    )
    assert (api_change["before"]["notes"], api_change["after"]["notes"]) == ("", "From the API.")
    assert (first["version"], first["note"], first["after"]["risk"]) == (1, "", "MEDIUM")
    assert first["changed_at"] <= api_change["changed_at"] <= kept["changed_at"]


def test_the_history_of_an_unanswered_question_is_empty(api_for, shared_workload):
    response = api_for(shared_workload.owner).get(history_url(shared_workload.workload, "MLOPS01"))
    assert (response.status_code, response.json()["count"], response.json()["results"]) == (200, 0, [])


# --- queries ----------------------------------------------------------------------------------------


def sized_workload(shared, size: str):
    """The shared workload (the built-in lens: 14 questions), or a workload of the owner with a lens
    of 2 or 60 questions; and the lens's alias."""
    if size == "builtin":
        return shared.workload, BUILTIN_ALIAS
    document = (
        factories.lens_document(pillars=1, questions=2)
        if size == "small"
        else factories.lens_document(pillars=6, questions=10, practices=5)
    )
    lens = factories.imported_lens(owner=shared.owner, document=document)
    return factories.workload(shared.owner, f"Sized {size}", lenses=[lens]), lens.alias


def answer_all(workload, actor) -> None:
    """Every question answered, by someone, so that each row has a last writer to show."""
    for answer in workload.lens_reviews.get().answers.select_related("question"):
        factories.answered(answer, actor=actor, notes=f"About {answer.question.question_id}.")


@pytest.mark.parametrize("size", ["small", "builtin", "big"])
def test_the_list_costs_the_same_queries_for_any_lens_size(
    api_for, shared_workload, django_assert_num_queries, size
):
    workload, alias = sized_workload(shared_workload, size)
    answer_all(workload, shared_workload.owner)
    client = api_for(shared_workload.owner)
    client.get(answers_url(workload, alias))  # the token's first use is recorded once

    # token, workload and role, the review, the count, the page (questions, pillars, last writers)
    with django_assert_num_queries(5):
        response = client.get(f"{answers_url(workload, alias)}?page_size=100")

    assert len(response.json()["results"]) == {"small": 2, "builtin": 14, "big": 60}[size]


@pytest.mark.parametrize("size", ["small", "big"])
def test_an_answer_costs_the_same_queries_for_any_lens_size(
    api_for, shared_workload, django_assert_num_queries, size
):
    workload, alias = sized_workload(shared_workload, size)
    client = api_for(shared_workload.owner)
    client.get(answer_url(workload, "P1Q1", alias))

    # token, workload and role, the answer with its review (question, pillar, last writer); its
    # choices were read by the first request and are kept (the lens version's never change)
    with django_assert_num_queries(3):
        response = client.get(answer_url(workload, "P1Q1", alias))

    assert len(response.json()["question"]["choices"]) == {"small": 4, "big": 6}[size]


@pytest.mark.parametrize("size", ["small", "big"])
def test_a_save_costs_the_same_queries_for_any_lens_size(
    api_for, shared_workload, django_assert_num_queries, size
):
    workload, alias = sized_workload(shared_workload, size)
    client = api_for(shared_workload.owner)
    url = answer_url(workload, "P1Q1", alias)
    # The token's first use is recorded once; the question's choices and rules are read once.
    client.patch(url, {"notes": "First."}, format="json", headers={"If-Match": '"0"'})

    # token, workload and role, the answer with its review (question, pillar, last writer); then in
    # the transaction (a savepoint here, in a test's): the answer's row locked alone, its update,
    # the audit trail's row
    with django_assert_num_queries(8):
        response = client.patch(url, {"notes": "Saved."}, format="json", headers={"If-Match": '"1"'})

    assert (response.status_code, response["ETag"], response.json()["notes"]) == (200, '"2"', "Saved.")


@pytest.mark.parametrize("changes", [1, 30])
def test_the_history_costs_the_same_queries_for_any_number_of_changes(
    api_for, shared_workload, django_assert_num_queries, changes
):
    answer = shared_workload.answer("MLSEC01")
    for n in range(changes):
        actor = shared_workload.owner if n % 2 else shared_workload.contributor
        answer = factories.answered(answer, actor=actor, notes=f"Change {n}.")
    client = api_for(shared_workload.reader)
    client.get(history_url(shared_workload.workload))

    # token, workload and role, the answer with its review, the count, the page (with who changed it)
    with django_assert_num_queries(5):
        response = client.get(history_url(shared_workload.workload))

    assert response.json()["count"] == changes
