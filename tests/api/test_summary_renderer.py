"""reviews.api.summaries.SummaryJSONRenderer, a speed shortcut (orjson) for DRF's JSONRenderer: held
equal to the plain renderer it replaces, on a real summary and on values only DRF's encoder knows."""

import datetime
import decimal
import json
import uuid

import pytest
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer

from reviews.api.summaries import SummaryJSONRenderer
from reviews.selectors.summaries import risk_summary
from tests.factories import answered

pytestmark = pytest.mark.django_db


def both(data) -> tuple[bytes, bytes]:
    return SummaryJSONRenderer().render(data), JSONRenderer().render(data)


def test_a_risk_summary_renders_to_the_same_json_as_drf_renders_it(shared_workload):
    answered(
        shared_workload.answer("MLSEC01"), actor=shared_workload.owner, selected_choices=["MLSEC01_BP01"]
    )
    summary = risk_summary(user=shared_workload.auditor, limit=100)
    assert summary["workloads"], "a summary with something in it"

    fast, plain = both(summary)

    assert json.loads(fast) == json.loads(plain)


def test_values_only_drfs_encoder_knows_render_as_drf_renders_them():
    data = {
        "lazy": gettext_lazy("Not applicable"),
        "when": datetime.datetime(2024, 5, 1, 12, 30, tzinfo=datetime.UTC),
        "then": datetime.datetime(
            2024, 5, 1, 12, 30, 0, 123456, tzinfo=datetime.timezone(datetime.timedelta(hours=2))
        ),
        "naive": datetime.datetime(2024, 5, 1, 12, 30),
        "day": datetime.date(2024, 5, 1),
        "amount": decimal.Decimal("1.50"),
        "id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
        "text": "«ü» & <script>",
        "nothing": None,
    }

    fast, plain = both(data)

    assert json.loads(fast) == json.loads(plain)


def test_no_data_renders_as_nothing_as_drf_renders_it():
    assert both(None) == (b"", b"")
