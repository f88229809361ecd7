"""The notification pages: the list (newest first, paginated, marked read when opened), "Mark all
read", and the header's bell whose accessible name starts with "Notifications" (issue 17)."""

import re

import pytest
from django.urls import reverse

from notifications.models import Notification
from tests.factories import workload
from tests.notifications.making import bulk_notifications

pytestmark = pytest.mark.django_db

LIST = "/notifications/"


def test_the_list_shows_mine_newest_first_as_text_and_marks_those_shown_read(client_for, alice, bob):
    fraud = workload(alice, "Fraud <detection>")
    bulk_notifications(bob, fraud, 3)
    bulk_notifications(alice, fraud, 1)  # someone else's: never shown to bob
    response = client_for(bob).get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('class="notification notification-new"') == 3  # new, this once
    assert "Notice 2: &lt;b&gt;Fraud &lt;detection&gt;&lt;/b&gt;" in html  # user text stays text
    assert html.index("Notice 2") < html.index("Notice 1") < html.index("Notice 0")  # newest first
    assert f'href="/workloads/{fraud.pk}/"' in html
    assert not Notification.objects.filter(recipient=bob, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=alice, read_at__isnull=True).count() == 1
    again = client_for(bob).get(LIST).content.decode()
    assert "notification-new" not in again


def test_the_list_is_paginated_and_a_page_marks_only_its_own_read(client_for, alice, bob):
    bulk_notifications(bob, workload(alice), 30)
    client = client_for(bob)
    html = client.get(LIST).content.decode()
    assert "Page 1 of 2" in html
    assert "5 unread on other pages." in html
    assert Notification.objects.filter(recipient=bob, read_at__isnull=True).count() == 5
    client.get(LIST + "?page=2")
    assert not Notification.objects.filter(recipient=bob, read_at__isnull=True).exists()


def test_mark_all_read_marks_every_one_of_mine_and_no_one_elses(client_for, alice, bob):
    fraud = workload(alice)
    bulk_notifications(bob, fraud, 30)
    bulk_notifications(alice, fraud, 2)
    response = client_for(bob).post(reverse("notifications:read-all"))
    assert response.status_code == 302
    assert response["Location"] == LIST
    assert not Notification.objects.filter(recipient=bob, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=alice, read_at__isnull=True).count() == 2


def test_every_page_has_the_bell_which_htmx_fills_with_the_unread_count(client_for, alice, bob):
    bulk_notifications(bob, workload(alice), 3)
    client = client_for(bob)
    page = client.get(reverse("reviews:dashboard")).content.decode()
    bell = re.search(r'<a class="bell[^"]*" id="notification-bell"[^>]*>.*?</a>', page, re.S).group(0)
    assert 'href="/notifications/"' in bell
    assert 'hx-get="/notifications/bell/"' in bell
    assert re.search(r'<span class="bell-text">Notifications</span>', bell)
    fragment = client.get(reverse("notifications:bell")).content.decode()
    assert '<span class="bell-text">Notifications, 3 unread</span>' in fragment
    assert 'aria-hidden="true">3</span>' in fragment
    assert "hx-get" not in fragment  # asked once, not again and again
    client.get(LIST)
    assert (
        '<span class="bell-text">Notifications</span>'
        in client.get(reverse("notifications:bell")).content.decode()
    )


def test_no_bell_for_someone_not_logged_in(client):
    assert "notification-bell" not in client.get(reverse("login")).content.decode()
    response = client.get(LIST)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("count", [10, 1000])
def test_the_list_costs_the_same_queries_for_10_and_1000_notifications(
    client_for, alice, bob, count, django_assert_num_queries
):
    bulk_notifications(bob, workload(alice), count)
    client = client_for(bob)
    # session, user, count (paginator), the page's notifications, mark them read, unread left
    with django_assert_num_queries(6):
        assert client.get(LIST).status_code == 200
