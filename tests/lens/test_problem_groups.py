"""The lens page groups repeated warnings into one line with a count, in plain words, collapsed."""

import pytest
from django.urls import reverse

from lens.catalog import lens_add_from_catalog
from lens.problem_groups import group_problems
from tests.conftest import SHARED_LENSES


def test_problems_of_one_kind_make_one_group_most_frequent_first():
    problems = [
        {"path": "$.pillars[0].questions[0].riskRules[1]", "code": "rule_never_fires", "message": "a"},
        {"path": "$.pillars[0].questions[1].riskRules[1]", "code": "rule_never_fires", "message": "b"},
        {"path": "$.pillars[0].questions[1]", "code": "odd_new_code", "message": "something odd"},
    ]
    groups = group_problems(problems)
    assert [(group.code, group.count) for group in groups] == [("rule_never_fires", 2), ("odd_new_code", 1)]
    assert groups[0].summary.startswith("risk rules never apply: an earlier rule")
    assert groups[1].summary == ""  # an unknown code shows its own message
    assert group_problems(problems[:1])[0].summary.startswith("risk rule never applies")


def test_the_official_ml_lens_page_shows_one_line_per_kind(client_for, admin_user, settings, shared_lenses):
    settings.MLWA_LENS_CATALOG = str(SHARED_LENSES)
    lens = lens_add_from_catalog(filename="machine-learning-lens.json", owner=None, actor=admin_user).lens
    page = client_for(admin_user).get(reverse("lens:detail", args=[lens.alias])).content.decode()
    assert "35 warnings" in page
    assert page.count('class="problem-group"') == 1  # 35 rules that never apply: one line
    assert '<span class="problem-count">35</span> risk rules never apply' in page
    assert "<details>" in page  # collapsed by default
    assert "question MLOPS" in page or "question ML" in page  # each occurrence names its question


@pytest.mark.parametrize("template", ["lens/import.html"])
def test_refusals_stay_open(template, client_for, alice):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("x.json", b'{"name": "no pillars"}')
    page = client_for(alice).post(reverse("lens:import"), {"file": upload}).content.decode()
    assert "<details open>" in page
