"""One item of the improvement plan (issue 17): edited in place with htmx (Edit swaps the row for
its form, Cancel and Save swap it back), or on a page of its own without JavaScript; and the
"Overdue" badge (due before today, neither done nor risk-accepted)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from reviews.models import ImprovementItem
from reviews.selectors.my_improvements import is_overdue
from tests.reviews.test_improvements import track
from tests.reviews.test_views_improvements import form, item_url, page_url, planned  # noqa: F401

pytestmark = pytest.mark.django_db

S = ImprovementItem.Status
HTMX = {"HX-Request": "true"}


def days(n: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=n)).isoformat()


def test_edit_swaps_the_row_for_its_form_and_cancel_swaps_it_back(client_for, planned):  # noqa: F811
    client = client_for(planned.owner)
    key = f"{planned.alias}--P1Q1"
    response = client.get(item_url(planned, planned.alias) + "?part=form&back=risk%3DHIGH", headers=HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<li class="plan-item plan-row plan-editing" id="item-{key}">')
    assert f'hx-post="{item_url(planned, planned.alias)}" hx-target="#item-{key}"' in html
    assert 'name="status" autofocus' in html
    assert '<input type="hidden" name="back" value="risk=HIGH">' in html
    assert "data-plan-cancel" in html
    response = client.get(item_url(planned, planned.alias) + "?part=row", headers=HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith(f'<li class="plan-item plan-row" id="item-{key}">')
    assert "data-refocus" in html  # the Edit link takes the focus back (improvement-plan.js)


@pytest.mark.parametrize("htmx", [True, False])
def test_a_refused_save_shows_the_form_again(client_for, planned, htmx):  # noqa: F811
    response = client_for(planned.owner).post(
        item_url(planned, planned.alias), form(due_date="soon", note="Mine."), headers=HTMX if htmx else {}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Mine.</textarea>" in html
    if htmx:
        assert html.lstrip().startswith('<li class="plan-item plan-row plan-editing"')
    else:
        assert "<h1>Improvement of P1Q1</h1>" in html


def test_without_javascript_edit_is_the_items_own_page(client_for, planned):  # noqa: F811
    track(planned, planned.alias, "P1Q1", status=S.IN_PROGRESS, note="On it.")
    html = (
        client_for(planned.owner).get(item_url(planned, planned.alias) + "?back=risk%3DHIGH").content.decode()
    )
    assert "<h1>Improvement of P1Q1</h1>" in html
    assert "Practices missing" in html
    assert 'class="form form-inline tracking-form">' in html  # a plain form: no hx-post
    assert '<input type="hidden" name="back" value="risk=HIGH">' in html
    assert f'href="{page_url(planned)}?risk=HIGH#item-{planned.alias}--P1Q1"' in html
    reader = client_for(planned.reader).get(item_url(planned, planned.alias)).content.decode()
    assert "tracking-form" not in reader
    assert "On it." in reader


def test_a_reader_cannot_ask_for_the_form_and_an_unknown_question_is_a_404(client_for, planned):  # noqa: F811
    reader = client_for(planned.reader)
    assert reader.get(item_url(planned, planned.alias) + "?part=form", headers=HTMX).status_code == 403
    assert reader.get(item_url(planned, planned.alias, "P9Q9")).status_code == 404
    assert client_for(planned.outsider).get(item_url(planned, planned.alias)).status_code == 404


def test_an_item_due_before_today_and_still_open_is_overdue(client_for, planned):  # noqa: F811
    a = planned.alias
    track(planned, a, "P1Q1", status=S.IN_PROGRESS, due_date=days(-1))
    track(planned, a, "P1Q2", status=S.DONE, due_date=days(-30))
    track(planned, a, "P2Q1", status=S.NOT_STARTED, due_date=days(0))  # due today: not yet overdue
    html = client_for(planned.reader).get(page_url(planned)).content.decode()
    assert html.count('class="overdue-badge">Overdue</span>') == 1
    assert f'<li class="plan-item plan-row plan-overdue" id="item-{a}--P1Q1">' in html
    today = timezone.localdate()
    assert is_overdue(status=S.IN_PROGRESS, due_date=today - datetime.timedelta(days=1))
    assert not is_overdue(status=S.RISK_ACCEPTED, due_date=today - datetime.timedelta(days=1))
    assert not is_overdue(status=S.IN_PROGRESS, due_date=None)


def test_the_plan_links_to_my_improvement_items_and_the_header_too(client_for, planned):  # noqa: F811
    html = client_for(planned.reader).get(page_url(planned)).content.decode()
    assert html.count(f'href="{reverse("reviews:my-improvements")}"') == 2
