"""The lens library in the browser: who sees what, and what the pages must never do (run lens text
as HTML, link a javascript: URL, grow in queries)."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lens.models import BUILTIN_ALIAS, Lens
from lens.services import lens_share
from tests.factories import imported_lens, lens_document
from tests.lens.pages import url

pytestmark = pytest.mark.django_db


# Who sees what


@pytest.mark.parametrize("name", ["library", "import"])
def test_an_anonymous_visitor_is_sent_to_the_login_page(client, name):
    response = client.get(url(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_anonymous_visitor_is_sent_to_the_login_page_from_a_lens_page(client):
    response = client.get(reverse("lens:detail", args=[BUILTIN_ALIAS]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_login_page_shows_a_form(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b'name="username"' in response.content


def test_the_library_lists_the_builtin_lens_and_ones_own_but_not_bobs_unshared_lens(
    client_for, alice, bobs_lens
):
    alices_lens = imported_lens(owner=alice, document=lens_document(name="Alice's lens"))
    response = client_for(alice).get(url("library"))
    assert response.status_code == 200
    aliases = [entry.lens.alias for entry in response.context["entries"]]
    assert BUILTIN_ALIAS in aliases
    assert alices_lens.alias in aliases
    assert bobs_lens.alias not in aliases
    assert b"Instance" in response.content
    assert b"machine-learning-lens.json" not in response.content  # more than the built-in lens


def test_a_library_with_only_the_builtin_lens_says_how_to_import_the_official_ml_lens(client_for, alice):
    response = client_for(alice).get(url("library"))
    assert [entry.lens.alias for entry in response.context["entries"]] == [BUILTIN_ALIAS]
    assert b"machine-learning-lens.json" in response.content
    assert b"aws-samples/sample-well-architected-custom-lens" in response.content
    assert b"manage.py lens import machine-learning-lens.json --publish 1 --major" in response.content


@pytest.mark.parametrize(
    ("share", "unshare"),
    [
        ({"users": "alice"}, {"user": "alice"}),
        ({"groups": "Data science"}, {"group": "Data science"}),
        ({"everyone": "on"}, {"everyone": "1"}),
    ],
    ids=["with-her", "with-her-group", "with-everyone"],
)
def test_bobs_lens_is_visible_to_alice_once_shared_and_gone_once_unshared(
    client, alice, bob, bobs_lens, share, unshare
):
    Group.objects.create(name="Data science").user_set.add(alice)
    client.force_login(bob)
    assert client.post(url("share", bobs_lens), share).status_code == 302

    client.force_login(alice)
    assert bobs_lens.alias in [entry.lens.alias for entry in client.get(url("library")).context["entries"]]
    assert client.get(url("detail", bobs_lens)).status_code == 200

    client.force_login(bob)
    assert client.post(url("unshare", bobs_lens), unshare).status_code == 302

    client.force_login(alice)
    assert bobs_lens.alias not in [
        entry.lens.alias for entry in client.get(url("library")).context["entries"]
    ]
    assert client.get(url("detail", bobs_lens)).status_code == 404


@pytest.mark.parametrize("name", ["detail", "diff", "export", "publish", "share", "delete"])
def test_every_page_of_a_lens_alice_may_not_see_is_404(client_for, alice, bobs_lens, name):
    assert client_for(alice).get(url(name, bobs_lens)).status_code == 404


@pytest.mark.parametrize("name", ["publish", "share", "unshare", "delete"])
def test_managing_a_lens_alice_may_not_see_is_404(client_for, alice, bobs_lens, name):
    assert client_for(alice).post(url(name, bobs_lens), {"label": "2"}).status_code == 404
    assert Lens.objects.filter(pk=bobs_lens.pk).exists()


@pytest.mark.parametrize("name", ["publish", "share", "unshare", "delete"])
def test_a_viewer_may_not_manage_a_lens_shared_with_them(client_for, alice, bobs_lens, name):
    lens_share(lens=bobs_lens, users=[alice])
    client = client_for(alice)
    assert client.get(url("detail", bobs_lens)).status_code == 200
    assert client.post(url(name, bobs_lens), {"label": "2", "user": "alice"}).status_code == 403
    assert Lens.objects.filter(pk=bobs_lens.pk, shared_with_users=alice).exists()


def test_a_viewer_sees_neither_the_draft_nor_its_existence(client_for, alice, bob):
    lens = imported_lens(owner=bob, publish=None)
    lens_share(lens=lens, everyone=True)
    client = client_for(alice)
    assert client.get(f"{url('detail', lens)}?version=draft").status_code == 404
    assert client.get(f"{url('export', lens)}?version=draft").status_code == 404
    response = client.get(url("detail", lens))
    assert response.status_code == 200
    assert response.context["versions"] == []
    assert b"no published version yet" in response.content


def test_an_unknown_version_is_404(client_for, alice, bob):
    lens = imported_lens(owner=bob)
    lens_share(lens=lens, users=[alice])
    assert client_for(alice).get(f"{url('detail', lens)}?version=9").status_code == 404


# What pages must never do


def test_lens_text_is_escaped_and_a_javascript_url_is_not_a_link(client_for, alice):
    document = lens_document()
    question = document["pillars"][0]["questions"][0]
    question["title"] = "<script>alert(1)</script>"
    question["description"] = 'First line\n<b onmouseover="alert(1)">second</b>'
    question["helpfulResource"] = {"displayText": "Click me", "url": "javascript:alert(1)"}
    lens = imported_lens(owner=alice, document=document)

    response = client_for(alice).get(url("detail", lens))

    content = response.content.decode()
    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
    assert "First line<br>&lt;b onmouseover=" in content
    assert 'href="javascript:' not in content
    assert "javascript:alert(1)" in content  # shown as text
    assert '<a href="https://example.com/plan" rel="noopener noreferrer"' in content


def test_pages_carry_a_content_security_policy_without_unsafe_inline(client_for, alice):
    response = client_for(alice).get(url("library"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "<script>" not in response.content.decode()
    assert "style=" not in response.content.decode()


def test_the_lens_page_costs_the_same_queries_for_1_question_and_for_40(client_for, alice):
    small = imported_lens(owner=alice, document=lens_document(name="Small", questions=1))
    large = imported_lens(owner=alice, document=lens_document(name="Large", pillars=2, questions=20))
    client = client_for(alice)

    # session, user, lens, version, versions list, then the content: pillars, questions, choices,
    # choices' resources, risk rules, questions' resources
    with CaptureQueriesContext(connection) as small_queries:
        assert client.get(url("detail", small)).status_code == 200
    with CaptureQueriesContext(connection) as large_queries:
        response = client.get(url("detail", large))
    assert response.status_code == 200
    assert b"P2Q20" in response.content
    assert len(small_queries) == len(large_queries) == 11


def test_the_library_costs_the_same_queries_for_3_lenses_and_for_30(client_for, alice, bob):
    client = client_for(alice)

    def library_queries() -> int:
        # session, user, lenses, their versions, alice's permissions (user and group) once
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url("library")).status_code == 200
        return len(queries)

    for number in range(3):
        imported_lens(owner=alice, document=lens_document(name=f"Mine {number}", questions=1))
    few = library_queries()
    for number in range(27):
        lens = imported_lens(owner=bob, document=lens_document(name=f"Shared {number}", questions=1))
        lens_share(lens=lens, users=[alice])
        imported_lens(owner=bob, document=lens_document(name=f"Hidden {number}", questions=1))

    response = client.get(url("library"))
    assert response.content.count(b'<a href="/lenses/shared-') == 27
    assert b"Hidden" not in response.content
    assert library_queries() == few == 6
