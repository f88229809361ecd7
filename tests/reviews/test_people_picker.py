"""Issue 17's people page: the picker's search (a listbox for htmx, a page without JavaScript),
"Stop sharing" asking first, and their query counts."""

import pytest

from reviews.models import Share
from tests.factories import GroupFactory, UserFactory
from tests.reviews.pages import snapshot, url

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def alice():
    return UserFactory(username="amartin", first_name="Alice", last_name="Martin", email="alice@corp.example")


def test_the_picker_gets_options_with_names_and_usernames_never_emails(client_for, alice):
    GroupFactory(name="Martians")
    response = client_for(UserFactory()).get(url("people-search", q="mart"), **HTMX)
    content = response.content.decode()
    assert response.status_code == 200
    assert 'role="listbox"' in content
    assert content.count('role="option"') == 2
    assert 'data-kind="USER" data-value="amartin" data-label="Alice Martin (amartin)"' in content
    assert 'data-kind="GROUP" data-value="Martians"' in content
    assert "corp.example" not in content
    assert "<html" not in content  # a fragment
    assert "HX-Request" in response["Vary"]


@pytest.mark.parametrize(
    ("text", "says"), [("m", "Type at least 2 letters"), ("zzz", "No active user or team")]
)
def test_the_picker_says_why_it_has_no_option(client_for, alice, text, says):
    content = client_for(alice).get(url("people-search", q=text), **HTMX).content.decode()
    assert says in content
    assert 'role="option"' not in content


def test_the_search_is_a_page_of_its_own_without_javascript(client_for, alice):
    content = client_for(UserFactory()).get(url("people-search", q="alice")).content.decode()
    assert "<h1>Find people</h1>" in content
    assert "<code>amartin</code>" in content
    assert "Alice Martin" in content
    assert "corp.example" not in content


def test_user_text_in_the_search_is_shown_as_text(client_for, alice):
    content = client_for(alice).get(url("people-search", q="<b>x</b>"), **HTMX).content.decode()
    assert "&lt;b&gt;x&lt;/b&gt;" in content
    assert "<b>x</b>" not in content


@pytest.mark.parametrize("count", [3, 40])
def test_the_search_costs_the_same_queries_for_any_number_of_people(
    client_for, django_assert_num_queries, count
):
    for n in range(count):
        UserFactory(username=f"member{n}")
        GroupFactory(name=f"members {n}")
    client = client_for(UserFactory())
    # session, user, users found, teams found
    with django_assert_num_queries(4):
        client.get(url("people-search", q="member"), **HTMX)


def test_the_owner_page_has_the_picker_hidden_until_javascript_shows_it(client_for, shared_workload):
    content = client_for(shared_workload.owner).get(url("people", shared_workload.workload)).content.decode()
    assert '<div class="field people-picker" id="people-picker" hidden>' in content
    assert 'role="combobox"' in content
    assert f'hx-get="{url("people-search")}"' in content
    assert 'src="/static/js/people-picker.js"' in content
    assert 'id="stop-sharing-dialog"' in content


def test_the_people_page_costs_the_same_queries_for_any_number_of_shares(
    client_for, shared_workload, django_assert_max_num_queries
):
    client = client_for(shared_workload.owner)
    with django_assert_max_num_queries(20) as few:
        client.get(url("people", shared_workload.workload))
    for _n in range(15):
        Share.objects.create(workload=shared_workload.workload, user=UserFactory(), role="READER")
        Share.objects.create(workload=shared_workload.workload, group=GroupFactory(), role="READER")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url("people", shared_workload.workload))


def test_stop_sharing_asks_first_and_changes_nothing_until_confirmed(client_for, shared_workload):
    share = Share.objects.get(workload=shared_workload.workload, user=shared_workload.reader)
    client = client_for(shared_workload.owner)
    before = snapshot()
    response = client.get(url("share-revoke", shared_workload.workload, share.pk))
    content = response.content.decode()
    assert response.status_code == 200
    assert "Stop sharing Fraud detection with reader?" in content
    assert f'href="{url("people", shared_workload.workload)}">Cancel' in content
    assert snapshot() == before
    assert client.post(url("share-revoke", shared_workload.workload, share.pk)).status_code == 302
    assert not Share.objects.filter(pk=share.pk).exists()


def test_stop_sharing_with_a_team_says_its_members_lose_access(client_for, shared_workload):
    share = Share.objects.get(workload=shared_workload.workload, group__name="ml-team")
    content = client_for(shared_workload.owner).get(url("share-revoke", shared_workload.workload, share.pk))
    text = " ".join(content.content.decode().split())
    assert "The members of the team ml-team will no longer see the workload" in text
