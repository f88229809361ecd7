"""The lens-notes page costs the same queries whatever the number of pillars."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


def queries_of(client, workload, alias) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("reviews:lens-notes", args=[workload.pk, alias])).status_code == 200
    return len(captured)


def test_notes_page_queries_do_not_grow_with_pillars(client, shared_workload):
    owner = shared_workload.owner
    one = factories.imported_lens(owner=owner, document=factories.lens_document("One", pillars=1))
    six = factories.imported_lens(owner=owner, document=factories.lens_document("Six", pillars=6))
    small = factories.workload(owner, "Small", lenses=[one])
    large = factories.workload(owner, "Large", lenses=[six])
    client.force_login(owner)
    queries_of(client, small, one.alias)  # the first request loads the session's user once
    assert queries_of(client, small, one.alias) == queries_of(client, large, six.alias)
