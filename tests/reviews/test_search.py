"""The site search (issue 16): /search/?q= and the header's list as one types find workloads, lenses
and questions the person may see, exact matches first, a few of each kind; never another person's;
nothing for one character; hostile text is searched for as text, never a 500; queries do not grow
with the workloads. The keyboard and axe are tests/browser/test_search_journey.py's."""

import re

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.workloads import bulk_workloads
from lens.models import BUILTIN_ALIAS, Lens
from reviews.models import Share, Workload
from reviews.selectors.search import MAX_LENGTH, search_text
from reviews.services import share_grant, workload_create
from tests.factories import UserFactory, imported_lens, lens_document

pytestmark = pytest.mark.django_db

SEARCH = reverse("reviews:search")
HTMX = {"HX-Request": "true"}


@pytest.fixture
def world(alice, bob):
    """Alice owns "Churn", "Churn model" and "Old churn" (each with the built-in lens); Bob shares
    "Fraud churn" with her; Carol keeps "Secret churn" with her own lens "Carol's churn lens" (its
    questions CQ...) applied; an instance lens "Vision lens" (questions P1Q1...) nobody applied."""
    carol = UserFactory(username="carol")
    made = {
        name: workload_create(owner=alice, fields={"name": name})
        for name in ("Old churn", "Churn model", "Churn")
    }
    made["Fraud churn"] = workload_create(owner=bob, fields={"name": "Fraud churn"})
    share_grant(workload=made["Fraud churn"], actor=bob, user=alice, role=Share.Role.READER)
    carols_lens = imported_lens(owner=carol, document=_lens("Carol's churn lens", "CQ"))
    made["Secret churn"] = workload_create(
        owner=carol, fields={"name": "Secret churn"}, lens_versions=[carols_lens.versions.get()]
    )
    imported_lens(owner=None, document=lens_document(name="Vision lens"))
    return made


def _lens(name: str, prefix: str) -> dict:
    """A one-question lens whose question id starts with `prefix`, titled about secrets."""
    document = lens_document(name=name, questions=1)
    question = document["pillars"][0]["questions"][0]
    old = question["id"]
    for choice in question["choices"]:
        choice["id"] = choice["id"].replace(old, f"{prefix}01")
    for rule in question["riskRules"]:
        rule["condition"] = rule["condition"].replace(old, f"{prefix}01")
    question.update(id=f"{prefix}01", title="How do you keep secret churn data?")
    return document


def hits(content: str) -> list[tuple[str, str]]:
    """Each hit of a page or a list, in order: (its link, its title's text)."""
    found = re.findall(
        r'<a class="search-hit" href="([^"]+)"[^>]*>\s*<span class="search-hit-title">(.*?)</span>',
        content,
        re.S,
    )
    return [(href.replace("&amp;", "&"), re.sub(r"<[^>]+>", "", title)) for href, title in found]


def titles(content: str) -> list[str]:
    return [title for _href, title in hits(content)]


def workload_url(workload) -> str:
    return reverse("reviews:workload", args=[workload.pk])


# What it finds


def test_a_workload_by_name_exact_first_then_its_start_then_anywhere(client_for, alice, world):
    content = client_for(alice).get(SEARCH, {"q": "churn"}).content.decode()
    section = content[content.index('id="search-workloads"') :]
    assert titles(section)[:4] == ["Churn", "Churn model", "Fraud churn", "Old churn"]
    assert hits(section)[0][0] == workload_url(world["Churn"])


def test_a_workload_by_its_id(client_for, alice, world):
    numbered = Workload.objects.create(
        pk=424242, owner=alice, name="Numbered"
    )  # an id of two digits at least
    content = client_for(alice).get(SEARCH, {"q": "424242"}).content.decode()
    assert hits(content)[0] == (workload_url(numbered), "Numbered")


def test_a_lens_by_alias_or_name(client_for, alice, world):
    content = client_for(alice).get(SEARCH, {"q": BUILTIN_ALIAS}).content.decode()
    assert hits(content)[0] == (
        reverse("lens:detail", args=[BUILTIN_ALIAS]),
        "Machine Learning Lens (2021 slides)",
    )
    assert "Vision lens" in titles(client_for(alice).get(SEARCH, {"q": "vision"}).content.decode())


def test_a_question_by_id_leads_to_its_page_in_each_workload_it_is_in(client_for, alice, world):
    content = client_for(alice).get(SEARCH, {"q": "mlsec01"}).content.decode()
    questions = hits(content[content.index('id="search-questions"') :])
    workloads = ["Churn", "Churn model", "Fraud churn", "Old churn"]  # by name
    assert questions == [
        (reverse("reviews:question", args=[world[name].pk, BUILTIN_ALIAS, "MLSEC01"]), questions[0][1])
        for name in workloads
    ]
    assert questions[0][1] == "MLSEC01 How do you control access to your ML workload?"


def test_a_question_by_words_of_its_title(client_for, alice, world):
    found = titles(client_for(alice).get(SEARCH, {"q": "protecting trained"}).content.decode())
    assert found == ["MLSEC02 How are you protecting trained ML models?"] * 4  # one a workload with the lens


def test_a_question_of_a_lens_applied_to_none_of_ones_workloads_leads_to_the_lens(client_for, alice, world):
    content = client_for(alice).get(SEARCH, {"q": "P1Q1"}).content.decode()
    vision = Lens.objects.get(name="Vision lens").alias
    assert hits(content) == [
        (f"{reverse('lens:detail', args=[vision])}#question-P1Q1", "P1Q1 How do you handle P1Q1?")
    ]
    assert "applied to none of your workloads" in content


def test_an_exact_match_puts_its_kind_first(client_for, alice, world):
    workload_create(owner=alice, fields={"name": "Audit of MLSEC01"}, lens_versions=[])
    client = client_for(alice)
    listed = client.get(SEARCH, {"q": "MLSEC01"}, headers=HTMX).content.decode()
    assert listed.index('aria-label="Questions"') < listed.index('aria-label="Workloads"')
    page = client.get(SEARCH, {"q": "MLSEC01"}).content.decode()
    assert page.index('id="search-questions"') < page.index('id="search-workloads"')
    # Without an exact match, workloads come first.
    page = client.get(SEARCH, {"q": "MLSEC0"}).content.decode()
    assert page.index('id="search-workloads"') < page.index('id="search-questions"')


# Who finds what


@pytest.mark.parametrize("text", ["secret", "carol", "CQ01", "keep secret churn"])
def test_an_outsider_never_finds_another_persons_workload_lens_or_questions(client_for, alice, world, text):
    for headers in ({}, HTMX):
        content = client_for(alice).get(SEARCH, {"q": text}, headers=headers).content.decode()
        assert hits(content) == []
        assert "Secret" not in content
        assert "Carol" not in content


def test_their_owner_finds_them(client_for, world):
    carol = world["Secret churn"].owner
    found = titles(client_for(carol).get(SEARCH, {"q": "secret"}).content.decode())
    assert "Secret churn" in found
    assert "CQ01 How do you keep secret churn data?" in found


def test_a_reader_finds_a_workload_shared_with_them_and_its_questions(client_for, alice, world):
    content = client_for(alice).get(SEARCH, {"q": "fraud"}).content.decode()
    assert hits(content)[0] == (workload_url(world["Fraud churn"]), "Fraud churn")


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(SEARCH, {"q": "churn"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# Bounds


@pytest.mark.parametrize("text", ["", " ", "c", " c ", "\x00c"])
def test_nothing_is_searched_for_fewer_than_two_characters(
    client_for, alice, world, django_assert_num_queries, text
):
    client = client_for(alice)
    client.get(SEARCH)  # the session's first use
    with django_assert_num_queries(2):  # session, user
        page = client.get(SEARCH, {"q": text})
    assert "Type at least 2 characters" in page.content.decode()
    assert client.get(SEARCH, {"q": text}, headers=HTMX).content.decode().strip() == ""


def test_a_few_of_each_kind_on_the_page_and_fewer_in_the_list(client_for, alice):
    bulk_workloads(alice, 12, prefix="Many ")
    client = client_for(alice)
    page = client.get(SEARCH, {"q": "many"}).content.decode()
    assert titles(page) == [f"Many {n:04}" for n in range(10)]
    assert "The first 10 are shown" in page
    listed = client.get(SEARCH, {"q": "many"}, headers=HTMX).content.decode()
    assert titles(listed) == [f"Many {n:04}" for n in range(5)]
    assert f'href="{SEARCH}?q=many"' in listed  # every result, on the page


def test_a_long_text_is_cut_and_says_so(client_for, alice, world):
    content = client_for(alice).get(SEARCH, {"q": "churn" + "x" * 500}).content.decode()
    assert f"Only the first {MAX_LENGTH} characters were searched for." in content
    assert f'value="{"churn" + "x" * (MAX_LENGTH - 5)}"' in content


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("  churn   model ", "churn model"),
        ("chu\x00rn", "churn"),
        ("chu\u200brn\u202e", "churn"),  # a zero-width space, a right-to-left override
        ("tab\tand\nline", "tab and line"),
        ("x" * 300, "x" * MAX_LENGTH),
    ],
)
def test_the_text_is_cleaned_before_it_is_searched(raw, text):
    assert search_text(raw).text == text


@pytest.mark.parametrize("count", [3, 300])
def test_the_search_costs_the_same_queries_for_3_or_300_workloads(
    client_for, alice, django_assert_num_queries, count
):
    bulk_workloads(alice, count, prefix="Bulk ")
    client = client_for(alice)
    client.get(SEARCH)
    # session, user, workloads, lenses, the questions that match, the lens reviews they are in (only
    # when some match), the questions of lenses applied to none
    for text, queries, found in (("bulk", 6, count), ("MLSEC0", 7, 3 * count)):
        for headers, shown in (({}, 10), (HTMX, 5)):
            with django_assert_num_queries(queries):
                response = client.get(SEARCH, {"q": text}, headers=headers)
            assert len(titles(response.content.decode())) == min(found, shown)


# Hostile text: searched for as text, escaped, never a 500

NASTY = [
    "%",
    "%%",
    "_",
    "__",
    "\\",
    "\\%",
    "' OR 1=1 --",
    '"; DROP TABLE reviews_workload; --',
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "{{ 7*7 }}",
    "{% debug %}",
    "\x00\x00",
    "a\x00b",
    "\u202e\u202d",
    "😀😀",
    "👩\u200d👩\u200d👧",
    "ﷺ" * 60,
    "9" * 19,  # past the largest id
    "9" * 40,
    "-1",
    "0",
    "*" * 5000,
    "é" * 1000,
    "a" + " " * 3000 + "b",
]


@pytest.mark.parametrize("text", NASTY, ids=range(len(NASTY)))
def test_nasty_text_is_searched_for_as_text(client_for, alice, world, text):
    client = client_for(alice)
    for headers in ({}, HTMX):
        response = client.get(SEARCH, {"q": text}, headers=headers)
        assert response.status_code == 200
        content = response.content.decode()
        assert "<script>alert" not in content
        assert "<img src=x" not in content


@pytest.mark.parametrize("raw", ["%00", "%ED%A0%80", "%FF%FE", "%C0%AF", "q%5B%5D", "%25%5F%5C"])
def test_broken_bytes_in_the_address_are_no_error(client_for, alice, world, raw):
    assert client_for(alice).get(f"{SEARCH}?q={raw}").status_code == 200
    assert client_for(alice).get(f"{SEARCH}?q={raw}&q=x{raw}", headers=HTMX).status_code == 200


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=300))
def test_any_text_gets_a_page(client_for, alice, world, text):
    client = client_for(alice)
    for headers in ({}, HTMX):
        response = client.get(SEARCH, {"q": text}, headers=headers)
        assert response.status_code == 200
        assert len(titles(response.content.decode())) <= 30  # ten of each kind at most


def test_questions_come_in_the_lens_order_within_a_workload(client_for, alice, world):
    content = client_for(alice).get(SEARCH, {"q": "ML"}).content.decode()
    codes = re.findall(r'<code class="id">(\w+)</code>', content)
    # Churn's questions first (by name), in the lens's pillar and question order.
    assert codes[:6] == ["MLOPS01", "MLOPS02", "MLOPS03", "MLSEC01", "MLSEC02", "MLSEC03"]
