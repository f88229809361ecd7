"""The people picker's search (issue 17): active users and teams by name or username, from two
characters, at most twenty, the ones that start with the text first; never an email address."""

import pytest

from accounts.selectors import PEOPLE_MAX_RESULTS, Person, people_search
from tests.factories import GroupFactory, UserFactory

pytestmark = pytest.mark.django_db


def found(text: str) -> list[tuple[str, str]]:
    return [(person.kind, person.value) for person in people_search(text=text)]


@pytest.fixture
def team_and_people():
    UserFactory(username="amartin", first_name="Alice", last_name="Martin", email="boss@corp.example")
    UserFactory(username="bob", first_name="Bob", last_name="Lemartin")
    UserFactory(username="gone", first_name="Alicia", last_name="Gone", is_active=False)
    GroupFactory(name="Martinique team")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("amar", [("USER", "amartin")]),  # username
        ("alice", [("USER", "amartin")]),  # first name, any case
        ("LEMART", [("USER", "bob")]),  # last name
        ("alice mart", [("USER", "amartin")]),  # full name
        ("  alice   mart ", [("USER", "amartin")]),  # spaces squeezed
        ("martin", [("USER", "amartin"), ("GROUP", "Martinique team"), ("USER", "bob")]),  # starts first
        ("nique", [("GROUP", "Martinique team")]),  # a team by name
    ],
)
def test_people_are_found_by_username_first_last_or_full_name(team_and_people, text, expected):
    assert found(text) == expected


def test_inactive_users_are_never_found(team_and_people):
    assert found("alicia") == []
    assert found("gone") == []


def test_an_email_address_finds_no_one_and_is_never_shown(team_and_people):
    assert found("boss") == []
    assert found("corp.example") == []
    person = people_search(text="alice")[0]
    assert person == Person(kind="USER", value="amartin", name="Alice Martin")
    assert person.label == "Alice Martin (amartin)"
    assert "boss" not in repr(person)


@pytest.mark.parametrize("text", ["", "a", " a ", "%"])
def test_less_than_two_characters_finds_nothing(team_and_people, text):
    assert found(text) == []


def test_like_wildcards_are_plain_characters(team_and_people):
    assert found("a%n") == []
    assert found("__") == []


def test_at_most_twenty_and_in_two_queries_however_many_match(django_assert_num_queries):
    for n in range(30):
        UserFactory(username=f"member{n:02}")
        GroupFactory(name=f"member team {n:02}")
    with django_assert_num_queries(2):  # users, teams
        people = people_search(text="member")
    assert len(people) == PEOPLE_MAX_RESULTS
    assert [person.value for person in people[:3]] == ["member team 00", "member team 01", "member team 02"]


def test_a_team_and_a_user_without_a_name_are_labelled_plainly():
    UserFactory(username="nameless")
    GroupFactory(name="nameless-team")
    assert [person.label for person in people_search(text="nameless")] == ["nameless", "nameless-team (team)"]
