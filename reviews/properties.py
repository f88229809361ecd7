"""A workload's structured properties as the AWS Well-Architected Tool has them: AWS regions by code
and other regions by name, the industry type from AWS's list, account ids, applications (ARNs),
the architectural design URL and the pillar priorities, with the rules a new value must meet.

The rules are AWS's own (botocore's `wellarchitected` service model, 2020-03-31: the shapes named
beside each rule), so that a workload described here reads the same in the AWS console. A value
stored before a rule existed (an ftp link, a pillar no applied lens has) is kept until that field is
next changed: `check_property` judges only new values, `stored_problems` names the old ones so that
the pages can flag them.
"""

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from mlwa import error_codes
from mlwa.errors import InvalidInput

#: AWS region codes and names: botocore's data/endpoints.json (botocore 1.43.11), partitions "aws",
#: "aws-cn" and "aws-us-gov" (the isolated partitions are left out: nobody reviews a workload there
#: with a tool on the open internet). A code missing here is still accepted as an "other region".
AWS_REGIONS: tuple[tuple[str, str], ...] = (
    ("af-south-1", "Africa (Cape Town)"),
    ("ap-east-1", "Asia Pacific (Hong Kong)"),
    ("ap-east-2", "Asia Pacific (Taipei)"),
    ("ap-northeast-1", "Asia Pacific (Tokyo)"),
    ("ap-northeast-2", "Asia Pacific (Seoul)"),
    ("ap-northeast-3", "Asia Pacific (Osaka)"),
    ("ap-south-1", "Asia Pacific (Mumbai)"),
    ("ap-south-2", "Asia Pacific (Hyderabad)"),
    ("ap-southeast-1", "Asia Pacific (Singapore)"),
    ("ap-southeast-2", "Asia Pacific (Sydney)"),
    ("ap-southeast-3", "Asia Pacific (Jakarta)"),
    ("ap-southeast-4", "Asia Pacific (Melbourne)"),
    ("ap-southeast-5", "Asia Pacific (Malaysia)"),
    ("ap-southeast-6", "Asia Pacific (New Zealand)"),
    ("ap-southeast-7", "Asia Pacific (Thailand)"),
    ("ca-central-1", "Canada (Central)"),
    ("ca-west-1", "Canada West (Calgary)"),
    ("eu-central-1", "Europe (Frankfurt)"),
    ("eu-central-2", "Europe (Zurich)"),
    ("eu-north-1", "Europe (Stockholm)"),
    ("eu-south-1", "Europe (Milan)"),
    ("eu-south-2", "Europe (Spain)"),
    ("eu-west-1", "Europe (Ireland)"),
    ("eu-west-2", "Europe (London)"),
    ("eu-west-3", "Europe (Paris)"),
    ("il-central-1", "Israel (Tel Aviv)"),
    ("me-central-1", "Middle East (UAE)"),
    ("me-south-1", "Middle East (Bahrain)"),
    ("mx-central-1", "Mexico (Central)"),
    ("sa-east-1", "South America (Sao Paulo)"),
    ("us-east-1", "US East (N. Virginia)"),
    ("us-east-2", "US East (Ohio)"),
    ("us-west-1", "US West (N. California)"),
    ("us-west-2", "US West (Oregon)"),
    ("cn-north-1", "China (Beijing)"),
    ("cn-northwest-1", "China (Ningxia)"),
    ("us-gov-east-1", "AWS GovCloud (US-East)"),
    ("us-gov-west-1", "AWS GovCloud (US-West)"),
)
AWS_REGION_CODES = frozenset(code for code, _name in AWS_REGIONS)

#: Industry types: the list in the documentation of botocore's `WorkloadIndustryType` shape
#: (wellarchitected/2020-03-31/service-2.json, botocore 1.43.11), in its order.
INDUSTRY_TYPES: tuple[str, ...] = (
    "Agriculture",
    "Automobile",
    "Defense",
    "Design and Engineering",
    "Digital Advertising",
    "Education",
    "Environmental Protection",
    "Financial Services",
    "Gaming",
    "General Public Services",
    "Healthcare",
    "Hospitality",
    "InfoTech",
    "Justice and Public Safety",
    "Life Sciences",
    "Manufacturing",
    "Media & Entertainment",
    "Mining & Resources",
    "Oil & Gas",
    "Power & Utilities",
    "Professional Services",
    "Real Estate & Construction",
    "Retail & Wholesale",
    "Social Protection",
    "Telecommunications",
    "Travel, Transportation & Logistics",
    "Other",
)

#: botocore's limits: WorkloadAwsRegions (max 50), WorkloadAccountIds (max 100, each AwsAccountId:
#: 12 digits), WorkloadApplications (max 1, each an ApplicationArn: an AWS Service Catalog
#: AppRegistry application).
AWS_REGIONS_MAX = 50
#: Other regions keep the limits `regions` had in REST v1 before the split (50 names of 1 to 128
#: characters), wider than botocore's WorkloadNonAwsRegions (5 names of 3 to 25): a script that
#: wrote its regions yesterday must not be refused today (README, "REST v1 stays compatible").
NON_AWS_REGIONS_MAX = 50
NON_AWS_REGION_LENGTH = (1, 128)
ACCOUNT_IDS_MAX = 100
APPLICATIONS_MAX = 1
ACCOUNT_ID = re.compile(r"[0-9]{12}")
APPLICATION_ARN = re.compile(
    r"arn:aws[-a-z]*:servicecatalog:[a-z]{2}(-gov)?-[a-z]+-\d:\d{12}:/applications/[a-z0-9]+"
)

#: The fields whose values these rules judge.
PROPERTY_FIELDS = (
    "aws_regions",
    "non_aws_regions",
    "industry_type",
    "account_ids",
    "applications",
    "architectural_design_url",
    "pillar_priorities",
)


def split_regions(regions: Iterable[str]) -> tuple[list[str], list[str]]:
    """Region names as (AWS region codes, the other names), each in the given order: how the
    `regions` of before this split is read (the migration, the API's `regions`, older backups)."""
    aws: list[str] = []
    other: list[str] = []
    for region in regions:
        (aws if region in AWS_REGION_CODES else other).append(region)
    return aws, other


def _aws_regions(value: list[str]) -> str | None:
    if unknown := [code for code in value if code not in AWS_REGION_CODES]:
        return f"“{unknown[0][:40]}” is not an AWS region code: put it under other regions."
    return f"At most {AWS_REGIONS_MAX} AWS regions." if len(value) > AWS_REGIONS_MAX else None


def _non_aws_regions(value: list[str]) -> str | None:
    low, high = NON_AWS_REGION_LENGTH
    if len(value) > NON_AWS_REGIONS_MAX:
        return f"At most {NON_AWS_REGIONS_MAX} other regions."
    if wrong := [name for name in value if not low <= len(name) <= high]:
        return f"“{wrong[0][:40]}”: a region's name has {low} to {high} characters."
    return None


def _industry_type(value: str) -> str | None:
    return (
        f"“{value[:40]}” is not one of AWS's industry types."
        if value and value not in INDUSTRY_TYPES
        else None
    )


def _account_ids(value: list[str]) -> str | None:
    if len(value) > ACCOUNT_IDS_MAX:
        return f"At most {ACCOUNT_IDS_MAX} account ids."
    if wrong := [account for account in value if not ACCOUNT_ID.fullmatch(account)]:
        return f"“{wrong[0][:40]}” is not an AWS account id (12 digits)."
    return None


def _applications(value: list[str]) -> str | None:
    if len(value) > APPLICATIONS_MAX:
        return f"At most {APPLICATIONS_MAX} application (AWS allows one)."
    if wrong := [arn for arn in value if not APPLICATION_ARN.fullmatch(arn)]:
        return (
            f"“{wrong[0][:60]}” is not an application's ARN "
            "(arn:aws:servicecatalog:<region>:<account>:/applications/<id>)."
        )
    return None


def _design_url(value: str) -> str | None:
    # Django's URLValidator (the model's) also takes ftp://; a link on the page must be http(s).
    if value and not value.lower().startswith(("http://", "https://")):
        return "Must be an http:// or https:// link."
    return None


RULES: dict[str, Callable[[Any], str | None]] = {
    "aws_regions": _aws_regions,
    "non_aws_regions": _non_aws_regions,
    "industry_type": _industry_type,
    "account_ids": _account_ids,
    "applications": _applications,
    "architectural_design_url": _design_url,
}


def _problem(field: str, value: Any, pillars: frozenset[str] | None) -> str | None:
    """What the rules find wrong with `value` of `field` (None: nothing). `pillars`: the pillar
    ids a priority may name (None: not known here, so not checked)."""
    if field == "pillar_priorities":
        unknown = [pillar for pillar in value if pillars is not None and pillar not in pillars]
        return f"“{unknown[0][:40]}” is not a pillar of this workload's lenses." if unknown else None
    rule = RULES.get(field)
    return rule(value) if rule else None


def check_property(field: str, value: Any, *, pillars: frozenset[str] | None) -> None:
    """Refuse a new value of `field` that AWS's rules refuse, naming the field (InvalidInput,
    `refused`: the value is well formed, the rule says no). Fields without rules pass."""
    if problem := _problem(field, value, pillars):
        raise InvalidInput({field: problem}, code=error_codes.REFUSED)


def stored_problems(workload: Any, *, pillars: frozenset[str] | None) -> dict[str, str]:
    """The workload's stored values that today's rules would refuse, by field: kept as they are
    (they were accepted when written) and flagged on its pages until the field is next changed."""
    problems = {}
    for field in PROPERTY_FIELDS:
        if problem := _problem(field, getattr(workload, field), pillars):
            problems[field] = problem
    return problems


def region_names(codes: Sequence[str]) -> list[str]:
    """AWS region codes in words: "eu-west-1 (Europe (Ireland))", an unknown code as it is."""
    names = dict(AWS_REGIONS)
    return [f"{code} ({names[code]})" if code in names else code for code in codes]
