"""Every published lens beside the project imports, and exports back to the same JSON values."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from lens.format import AwsLimitsExceeded, read_lens, write_lens_for_aws
from lens.models import LensVersion
from lens.selectors import version_document
from lens.services import lens_import
from tests.conftest import shared_lens_params
from tests.lens.documents import resolve, split_last_step

pytestmark = pytest.mark.django_db


def _export(alias: str, *extra: str) -> dict:
    out = StringIO()
    call_command("lens", "export", alias, "--version", "draft", *extra, stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.parametrize("path", shared_lens_params())
def test_a_shared_lens_imports_and_exports_to_equal_json(path):
    original = json.loads(path.read_bytes())

    result = lens_import(source=path.read_bytes())

    assert _export(result.lens.alias) == original


@pytest.mark.parametrize("path", shared_lens_params())
def test_the_export_comes_from_the_rows_not_the_stored_source(path):
    original = json.loads(path.read_bytes())
    result = lens_import(source=path.read_bytes())
    LensVersion.objects.filter(pk=result.version.pk).update(source={})

    assert _export(result.lens.alias) == original


@pytest.mark.parametrize("path", shared_lens_params())
def test_the_aws_export_drops_undocumented_keys_or_lists_what_breaks_aws_limits(path):
    _, warnings = read_lens(path.read_bytes())
    result = lens_import(source=path.read_bytes())
    stored = version_document(result.version)
    over_limits = {w.path for w in warnings if w.code in {"too_long_for_aws", "id_too_long_for_aws"}}

    if over_limits:
        with pytest.raises(AwsLimitsExceeded) as refused:
            write_lens_for_aws(stored)
        assert {problem.path for problem in refused.value.problems} == over_limits
    else:
        expected = json.loads(path.read_bytes())
        for warning in warnings:
            if warning.code == "unknown_key":
                parent, key = split_last_step(warning.path)
                del resolve(expected, parent)[key]
        assert write_lens_for_aws(stored) == expected


def test_the_shared_lenses_folder_is_found_when_it_exists(shared_lenses):
    assert {path.name for path in shared_lenses} >= {"machine-learning-lens.json"}
