"""A workload's properties as AWS has them (issue 17): the rules of reviews.properties, the service
that holds new values to them and keeps stored ones, the edit page (regions ticked, pillars ranked,
stored values flagged), the workload page, and the apply form's version select."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lens.models import BUILTIN_ALIAS
from lens.services import lens_import, lens_publish
from reviews.backup import workload_restore
from reviews.demo import demo_workload
from reviews.models import Workload, WorkloadEvent
from reviews.properties import AWS_REGION_CODES, INDUSTRY_TYPES, check_property, split_regions
from reviews.services import InvalidInput, workload_update
from reviews.services.milestones import milestone_create
from reviews.views.workloads import edit_form_seen
from tests import factories
from tests.reviews.backups import backup_of
from tests.reviews.pages import url

pytestmark = pytest.mark.django_db

ARN = "arn:aws:servicecatalog:eu-west-1:123456789012:/applications/0abc123def456"


def test_known_region_codes_split_from_other_names_in_their_order():
    assert split_regions(["on-prem Paris", "eu-west-1", "us-east-1", "EU-WEST-1"]) == (
        ["eu-west-1", "us-east-1"],
        ["on-prem Paris", "EU-WEST-1"],
    )
    # The lists name their source and hold what AWS documents.
    assert {"us-east-1", "eu-central-2", "cn-north-1", "us-gov-west-1"} <= AWS_REGION_CODES
    assert INDUSTRY_TYPES[0] == "Agriculture"
    assert "Travel, Transportation & Logistics" in INDUSTRY_TYPES


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("aws_regions", ["eu-west-9"], "not an AWS region code"),
        ("non_aws_regions", [f"place {n}" for n in range(51)], "At most 50"),
        ("non_aws_regions", ["x" * 129], "1 to 128 characters"),
        ("industry_type", "Banking", "not one of AWS's industry types"),
        ("account_ids", ["12345678901"], "not an AWS account id"),
        ("account_ids", ["12345678901a"], "not an AWS account id"),
        ("applications", ["arn:aws:s3:::bucket"], "not an application's ARN"),
        ("applications", [ARN, ARN.replace("0abc", "1abc")], "At most 1"),
        ("architectural_design_url", "ftp://example.org/design", "http:// or https://"),
        ("architectural_design_url", "javascript:alert(1)", "http:// or https://"),
    ],
)
def test_a_new_value_against_awss_rules_is_refused_naming_its_field(field, value, message):
    with pytest.raises(InvalidInput) as refused:
        check_property(field, value, pillars=frozenset())
    assert list(refused.value.errors) == [field]
    assert message in refused.value.errors[field][0]


def test_values_that_meet_the_rules_pass():
    for field, value in {
        "aws_regions": ["eu-west-1"],
        "non_aws_regions": ["On-premises DC"],
        "industry_type": "Financial Services",
        "account_ids": ["123456789012"],
        "applications": [ARN],
        "architectural_design_url": "https://example.org/design",
    }.items():
        check_property(field, value, pillars=frozenset())  # no InvalidInput


@pytest.fixture
def workload(alice):
    return factories.workload(alice, "Churn model")


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"account_ids": ["1234"]}, "account_ids"),
        ({"architectural_design_url": "ftp://example.org/x"}, "architectural_design_url"),
        ({"pillar_priorities": ["security", "bogus"]}, "pillar_priorities"),
        ({"industry_type": "Banking"}, "industry_type"),
        ({"regions": ["eu-west-1"], "aws_regions": ["eu-west-1"]}, "regions"),
        ({"regions": ["eu-west-1"] + [f"place {n}" for n in range(51)]}, "regions"),
    ],
)
def test_the_service_refuses_a_bad_new_value_and_changes_nothing(alice, workload, fields, named):
    before = Workload.objects.values().get(pk=workload.pk)
    with pytest.raises(InvalidInput) as refused:
        workload_update(workload=workload, actor=alice, fields={"name": "Renamed", **fields})
    assert list(refused.value.errors) == [named]
    assert Workload.objects.values().get(pk=workload.pk) == before


def test_pillar_priorities_name_the_applied_lenses_pillars_in_order(alice, workload):
    workload_update(workload=workload, actor=alice, fields={"pillar_priorities": ["security", "reliability"]})
    assert Workload.objects.get(pk=workload.pk).pillar_priorities == ["security", "reliability"]


def test_a_stored_value_the_rules_refuse_is_kept_until_that_field_changes(alice, workload):
    # Written before the rules (an ftp link was a URL; `bogus` was any text).
    Workload.objects.filter(pk=workload.pk).update(
        architectural_design_url="ftp://example.org/design", pillar_priorities=["security", "bogus"]
    )
    stored = Workload.objects.get(pk=workload.pk)
    workload_update(
        workload=stored,
        actor=alice,
        fields={
            "name": "Renamed",
            "architectural_design_url": "ftp://example.org/design",
            "pillar_priorities": ["security", "bogus"],
        },
    )
    kept = Workload.objects.get(pk=workload.pk)
    assert (kept.name, kept.architectural_design_url) == ("Renamed", "ftp://example.org/design")
    assert kept.pillar_priorities == ["security", "bogus"]
    with pytest.raises(InvalidInput, match="bogus"):
        workload_update(workload=kept, actor=alice, fields={"pillar_priorities": ["bogus", "security"]})
    workload_update(workload=kept, actor=alice, fields={"architectural_design_url": "https://example.org/d"})
    assert Workload.objects.get(pk=workload.pk).architectural_design_url == "https://example.org/d"


def test_regions_in_one_list_are_split_and_logged_as_the_fields_they_set(alice, workload):
    workload_update(
        workload=workload, actor=alice, fields={"regions": ["us-east-1", "Azure West", "eu-west-1"]}
    )
    stored = Workload.objects.get(pk=workload.pk)
    assert (stored.aws_regions, stored.non_aws_regions) == (["us-east-1", "eu-west-1"], ["Azure West"])
    assert stored.regions == ["us-east-1", "eu-west-1", "Azure West"]
    event = stored.events.filter(kind=WorkloadEvent.Kind.UPDATED).get()
    assert set(event.data["changes"]) == {"aws_regions", "non_aws_regions"}


def _edit_post(workload, **changes) -> dict:
    """The edit form as the page sends it, from the stored values, with `changes`."""
    data = {
        "name": workload.name,
        "environment": workload.environment,
        "industry_type": workload.industry_type,
        "aws_regions": workload.aws_regions,
        "non_aws_regions": ", ".join(workload.non_aws_regions),
        "account_ids": ", ".join(workload.account_ids),
        "applications": ", ".join(workload.applications),
        "architectural_design_url": workload.architectural_design_url,
        "seen": edit_form_seen(workload),
        **{f"pillar_priorities:{p}": str(rank) for rank, p in enumerate(workload.pillar_priorities, 1)},
    }
    data.update(changes)
    return data


def test_the_edit_page_offers_regions_industry_types_and_ranked_pillars_by_name(client_for, alice, workload):
    Workload.objects.filter(pk=workload.pk).update(pillar_priorities=["reliability"])
    page = client_for(alice).get(url("workload-edit", workload)).content.decode()
    assert 'value="eu-west-1"' in page
    assert "Europe (Ireland)" in page
    assert '<option value="Financial Services">Financial Services</option>' in page
    # Pillars by name, the ranked one first with its rank; no id to type.
    assert page.index("Reliability") < page.index("Operational excellence")
    assert 'name="pillar_priorities:reliability" value="1"' in page
    assert 'name="pillar_priorities:security" value=""' in page
    assert "js/pillar-priorities.js" in page


def test_the_edit_page_saves_ticked_regions_and_ranks_in_order(client_for, alice, workload):
    data = _edit_post(
        workload,
        aws_regions=["us-east-1", "eu-west-1"],
        non_aws_regions="On-premises DC, Azure West",
        industry_type="Financial Services",
        account_ids="123456789012, 210987654321",
        applications=ARN,
        **{"pillar_priorities:costOptimization": "1", "pillar_priorities:security": "2"},
    )
    response = client_for(alice).post(url("workload-edit", workload), data)
    assert response.status_code == 302, response.content.decode()
    stored = Workload.objects.get(pk=workload.pk)
    assert stored.aws_regions == ["us-east-1", "eu-west-1"]  # as sent (a browser: the page's order)
    assert stored.non_aws_regions == ["On-premises DC", "Azure West"]
    assert stored.industry_type == "Financial Services"
    assert stored.account_ids == ["123456789012", "210987654321"]
    assert stored.applications == [ARN]
    assert stored.pillar_priorities == ["costOptimization", "security"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"account_ids": "12345"}, "account_ids", "not an AWS account id"),
        ({"architectural_design_url": "ftp://example.org/x"}, "architectural_design_url", "http://"),
        ({"pillar_priorities:bogus": "1"}, "pillar_priorities", "not a pillar of this workload"),
        ({"pillar_priorities:security": "first"}, "pillar_priorities", "whole number"),
        ({"pillar_priorities:security": "²"}, "pillar_priorities", "whole number"),
        ({"pillar_priorities:security": "0"}, "pillar_priorities", "whole number"),
        ({"industry_type": "Banking"}, "industry_type", "valid choice"),
        ({"aws_regions": ["mars-north-1"]}, "aws_regions", "valid choice"),
    ],
)
def test_the_edit_page_refuses_a_bad_value_on_its_field(client_for, alice, workload, changes, field, message):
    before = Workload.objects.values().get(pk=workload.pk)
    response = client_for(alice).post(url("workload-edit", workload), _edit_post(workload, **changes))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert message in errors[field][0]
    assert Workload.objects.values().get(pk=workload.pk) == before


def test_stored_values_the_rules_refuse_are_flagged_and_kept_by_an_unrelated_edit(
    client_for, alice, workload
):
    Workload.objects.filter(pk=workload.pk).update(
        architectural_design_url="ftp://example.org/design", pillar_priorities=["bogus", "security"]
    )
    workload.refresh_from_db()
    client = client_for(alice)
    page = client.get(url("workload", workload)).content.decode()
    assert page.count("Not valid any more") == 2
    assert 'href="ftp://' not in page  # shown as text, not a link
    form_page = client.get(url("workload-edit", workload)).content.decode()
    assert form_page.count("Kept as stored") == 2
    assert "bogus (not a pillar of this workload&#x27;s lenses)" in form_page
    response = client.post(url("workload-edit", workload), _edit_post(workload, name="Renamed"))
    assert response.status_code == 302, response.content.decode()
    stored = Workload.objects.get(pk=workload.pk)
    assert stored.name == "Renamed"
    assert stored.architectural_design_url == "ftp://example.org/design"
    assert stored.pillar_priorities == ["bogus", "security"]


def test_the_workload_page_shows_the_properties_in_words(client_for, alice, workload):
    workload_update(
        workload=workload,
        actor=alice,
        fields={
            "aws_regions": ["eu-west-1"],
            "industry_type": "Gaming",
            "account_ids": ["123456789012"],
            "pillar_priorities": ["reliability"],
        },
    )
    page = client_for(alice).get(url("workload", workload)).content.decode()
    assert "eu-west-1 (Europe (Ireland))" in page
    assert "Gaming" in page
    assert "<code>123456789012</code>" in page
    assert '<ol class="priorities"><li>Reliability</li></ol>' in page
    assert "Not valid any more" not in page


def test_the_apply_form_offers_the_published_versions_and_applies_an_older_one(client_for, alice, workload):
    lens = factories.imported_lens(owner=alice, document=factories.lens_document(name="Data lens"))
    lens_import(source=factories.lens_document(name="Data lens", questions=3), owner=alice, alias=lens.alias)
    lens_publish(lens=lens, label="2", major=True)
    client = client_for(alice)
    page = client.get(url("workload", workload)).content.decode()
    assert '<select name="version"' in page
    assert '<optgroup label="Data lens">' in page
    assert '<option value="1">Data lens 1</option>' in page
    response = client.post(url("lens-apply", workload), {"lens": lens.alias, "version": "1"})
    assert response.status_code == 302
    assert workload.lens_reviews.get(lens=lens).lens_version.label == "1"
    # A label of no published version (sent by hand) is refused on the field.
    other = factories.workload(alice, "Other", lenses=[])
    response = client.post(url("lens-apply", other), {"lens": lens.alias, "version": "9"})
    assert response.status_code == 400
    assert "no published version “9”" in response.context["apply_form"].errors["version"][0]
    assert BUILTIN_ALIAS  # the built-in lens stays on the first workload


def test_a_backup_carries_the_properties_and_a_schema_1_backup_is_still_restored(alice, bob):
    demo = demo_workload(owner=alice)
    document = backup_of(demo, alice)
    assert document["schema_version"] == 2
    assert document["workload"]["aws_regions"] == ["eu-west-1", "eu-central-1"]
    assert document["workload"]["industry_type"] == "Financial Services"
    assert document["workload"]["account_ids"] == ["123456789012"]
    restored = workload_restore(document=document, user=bob).workload
    assert (restored.aws_regions, restored.non_aws_regions) == (demo.aws_regions, demo.non_aws_regions)
    assert (restored.industry_type, restored.account_ids) == (demo.industry_type, demo.account_ids)

    # Version 1: one `regions` list, none of the new keys, and values today's rules refuse.
    old = backup_of(demo, alice)
    old["schema_version"] = 1
    for name in ("industry_type", "aws_regions", "non_aws_regions", "account_ids", "applications"):
        del old["workload"][name]
    old["workload"]["regions"] = ["us-east-1", "Somewhere else entirely"]
    old["workload"]["architectural_design_url"] = "ftp://example.org/design"
    for milestone in old["milestones"]:
        fields = milestone["workload_fields"]
        for name in ("industry_type", "aws_regions", "non_aws_regions", "account_ids", "applications"):
            fields.pop(name, None)
    restored = workload_restore(document=old, user=alice, as_copy=True).workload
    assert (restored.aws_regions, restored.non_aws_regions) == (["us-east-1"], ["Somewhere else entirely"])
    assert (restored.industry_type, restored.account_ids, restored.applications) == ("", [], [])
    assert restored.architectural_design_url == "ftp://example.org/design"  # kept, and flagged


def test_a_milestone_keeps_the_properties_and_shows_them(client_for, alice, workload):
    workload_update(
        workload=workload,
        actor=alice,
        fields={"industry_type": "Gaming", "aws_regions": ["eu-west-1"], "account_ids": ["123456789012"]},
    )
    milestone = milestone_create(workload=Workload.objects.get(pk=workload.pk), actor=alice, name="First")
    assert milestone.workload_fields["regions"] == ["eu-west-1"]  # the one list, as before
    assert milestone.workload_fields["industry_type"] == "Gaming"
    page = client_for(alice).get(url("milestone", workload, milestone.number)).content.decode()
    assert "<dt>Industry type</dt><dd>Gaming</dd>" in page
    assert "<code>123456789012</code>" in page


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_the_edit_page_and_the_workload_page_cost_the_same_queries_for_one_lens_or_four(client_for, alice):
    small = factories.workload(alice, "Small")
    lenses = [
        factories.imported_lens(owner=alice, document=factories.lens_document(name=f"Lens {n}", pillars=3))
        for n in range(3)
    ]
    for lens in lenses:  # a second published version each: the apply form lists them all
        lens_import(source=factories.lens_document(name=lens.name, pillars=3), owner=alice, alias=lens.alias)
        lens_publish(lens=lens, label="2", major=True)
    large = factories.workload(alice, "Large", lenses=lenses)
    workload_update(workload=large, actor=alice, fields={"pillar_priorities": ["pillar1", "pillar3"]})
    workload_update(workload=small, actor=alice, fields={"pillar_priorities": ["security"]})
    client = client_for(alice)
    assert _queries(client, url("workload-edit", large)) == _queries(client, url("workload-edit", small))
    # The workload page offers the lenses not applied yet (the built-in one; three lenses of two
    # versions each) in the same queries.
    assert _queries(client, url("workload", large)) == _queries(client, url("workload", small))
