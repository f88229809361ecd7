"""Each lens's pillars beyond its overview (issue 16): the workload page shows them per lens, from the
kept counts and without another query; the dashboard's chart never adds up pillars of different
lenses under one name without saying so."""

import re

import pytest
from django.urls import reverse

from lens.models import BUILTIN_ALIAS
from lens.selectors import latest_published_version
from reviews.models import Answer
from reviews.services import lens_review_apply
from tests.factories import imported_lens, lens_document
from tests.reviews.milestone_pages import save

pytestmark = pytest.mark.django_db


def main_of(response) -> str:
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def second_lens(shared, name="Other lens", pillar_name="Security"):
    document = lens_document(name, pillars=2, questions=2)
    document["pillars"][0].update(id="security", name=pillar_name)
    document["pillars"][1]["name"] = "Data"
    lens = imported_lens(owner=shared.owner, document=document)
    lens_review_apply(
        workload=shared.workload, lens_version=latest_published_version(lens), actor=shared.owner
    )
    return lens


def test_the_workload_page_shows_each_lens_with_its_pillars_counts_and_strips(client_for, shared_workload):
    other = second_lens(shared_workload)
    save(shared_workload, "MLSEC01", selected_choices=["MLSEC01_no"])  # high
    save(shared_workload, "P1Q1", alias=other.alias, selected_choices=["P1Q1_BP1"])  # medium
    html = main_of(
        client_for(shared_workload.reader).get(
            reverse("reviews:workload", args=[shared_workload.workload.pk])
        )
    )
    lists = re.findall(r'<ul class="lens-pillars" aria-label="Pillars of ([^"]+)">(.*?)</ul>', html, re.S)
    assert [name for name, _items in lists] == ["Machine Learning Lens (2021 slides)", "Other lens"]
    builtin_items = re.findall(
        r'<span class="pillar-name">([^<]+)</span>\s*<span class="small">(\d+/\d+)', lists[0][1]
    )
    assert builtin_items == [
        ("Operational excellence", "0/3"),
        ("Security", "1/3"),
        ("Reliability", "0/2"),
        ("Performance efficiency", "0/3"),
        ("Cost optimization", "0/3"),
    ]
    assert len(re.findall(r'<svg class="risk-strip"', lists[0][1])) == 5
    other_items = re.findall(
        r'<span class="pillar-name">([^<]+)</span>\s*<span class="small">(\d+/\d+)', lists[1][1]
    )
    assert other_items == [("Security", "1/2"), ("Data", "0/2")]
    overview = reverse("reviews:review", args=[shared_workload.workload.pk, BUILTIN_ALIAS])
    assert f'href="{overview}">Overview</a>' in html


def test_the_dashboard_chart_names_pillars_added_up_across_lenses(client_for, shared_workload):
    other = second_lens(shared_workload)
    Answer.objects.filter(lens_review__workload=shared_workload.workload).update(risk=Answer.Risk.HIGH)
    html = main_of(client_for(shared_workload.owner).get(reverse("reviews:dashboard")))
    labels = re.findall(r'<g class="risk-chart-label"><title>([^<]+)</title>', html)
    assert "Security (2 lenses)" in labels
    assert "Security" not in labels  # never two lenses' questions under the bare name
    assert f"Data ({other.name})" in labels
    assert "Operational excellence" in labels  # one lens only: its own name
    assert "add up across lenses" in html


def test_one_lens_alone_keeps_its_pillar_names_on_the_chart(client_for, shared_workload):
    html = main_of(client_for(shared_workload.owner).get(reverse("reviews:dashboard")))
    labels = re.findall(r'<g class="risk-chart-label"><title>([^<]+)</title>', html)
    assert labels == [
        "Operational excellence",
        "Security",
        "Reliability",
        "Performance efficiency",
        "Cost optimization",
    ]
