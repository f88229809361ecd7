"""/api/v1/workloads/ and AWS's workload properties (issue 17): `regions` and `industry` kept as
they were, `aws_regions`, `non_aws_regions`, `industry_type`, `account_ids` and `applications`
added, and a bad new value refused with its field named."""

import pytest
from drf_spectacular.generators import SchemaGenerator

from reviews.models import Workload

pytestmark = pytest.mark.django_db

URL = "/api/v1/workloads/"
ARN = "arn:aws:servicecatalog:eu-west-1:123456789012:/applications/0abc123def456"


def test_a_workload_shows_regions_in_one_list_and_split(api_for, shared_workload):
    workload = shared_workload.workload
    Workload.objects.filter(pk=workload.pk).update(
        aws_regions=["eu-west-1"], non_aws_regions=["On-premises DC"], industry_type="Gaming"
    )
    body = api_for(shared_workload.reader).get(f"{URL}{workload.pk}/").json()
    assert body["regions"] == ["eu-west-1", "On-premises DC"]
    assert body["aws_regions"] == ["eu-west-1"]
    assert body["non_aws_regions"] == ["On-premises DC"]
    assert (body["industry_type"], body["industry"]) == ("Gaming", "")
    assert (body["account_ids"], body["applications"]) == ([], [])


def test_writing_regions_as_before_splits_them(api_for, shared_workload):
    workload = shared_workload.workload
    response = api_for(shared_workload.owner).patch(
        f"{URL}{workload.pk}/", {"regions": ["us-east-1", "Azure West"]}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["aws_regions"] == ["us-east-1"]
    assert response.json()["non_aws_regions"] == ["Azure West"]
    assert response.json()["regions"] == ["us-east-1", "Azure West"]


def test_the_new_properties_are_written_and_read_back(api_for, shared_workload):
    owner = shared_workload.owner
    fields = {
        "aws_regions": ["eu-west-1", "eu-central-1"],
        "non_aws_regions": ["On-premises DC"],
        "industry_type": "Financial Services",
        "account_ids": ["123456789012"],
        "applications": [ARN],
        "architectural_design_url": "https://example.org/design",
    }
    response = api_for(owner).post(URL, {"name": "Payments", **fields}, format="json")
    assert response.status_code == 201, response.content
    assert {name: response.json()[name] for name in fields} == fields


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"account_ids": ["12345"]}, "account_ids"),
        ({"applications": ["arn:aws:s3:::bucket"]}, "applications"),
        ({"aws_regions": ["Azure West"]}, "aws_regions"),
        ({"non_aws_regions": ["x" * 129]}, "non_aws_regions"),
        ({"industry_type": "Banking"}, "industry_type"),
        ({"architectural_design_url": "ftp://example.org/x"}, "architectural_design_url"),
        ({"pillar_priorities": ["security", "bogus"]}, "pillar_priorities"),
        ({"regions": ["eu-west-1"], "aws_regions": ["eu-west-1"]}, "regions"),
    ],
)
def test_a_bad_new_value_is_refused_with_its_field_named(api_for, shared_workload, body, field):
    workload = shared_workload.workload
    before = Workload.objects.values().get(pk=workload.pk)
    response = api_for(shared_workload.owner).patch(f"{URL}{workload.pk}/", body, format="json")
    assert response.status_code == 400, response.content
    assert field in str(response.json())
    assert Workload.objects.values().get(pk=workload.pk) == before


def test_the_schema_documents_the_new_fields():
    schemas = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]
    read = schemas["Workload"]["properties"]
    write = schemas["PatchedWorkloadWriteRequest"]["properties"]
    for name in ("regions", "industry", "aws_regions", "non_aws_regions", "industry_type", "account_ids"):
        assert name in read
        assert name in write
    assert "applications" in read
    assert "Agriculture" in write["industry_type"]["description"]
    assert "aws_regions" in write["regions"]["description"]
