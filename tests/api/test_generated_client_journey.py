"""The journey of test_client_journey.py, through a client that openapi-python-client generates from
the live schema: what a team that only reads `/api/schema/` would get.

The generator runs unmodified (its CLI, with `--fail-on-warning`: every operation and model of the
schema must generate). Each response is read through the generated code, with the client raising
on any status the schema does not document, and every model it returns is checked against its own
type annotations and round-tripped back to the JSON the server sent: a field the schema types
wrongly, a missing `nullable`, an undocumented status or media type fails here.

The journey is test_client_journey.py's, the CSV step included (through its own operation,
`GET /api/v1/risk-summary.csv`); a second test calls every operation of the schema once, as the
owner of the access matrix's world, and reads each answer the same way.
"""

import csv
import importlib
import inspect
import io
import json
import pkgutil
import re
import shutil
import subprocess
import sys
import typing
from datetime import datetime
from pathlib import Path
from types import UnionType
from urllib.parse import parse_qsl

import attrs
import httpx
import pytest

from accounts.services import token_create
from tests import factories
from tests.api.test_access_matrix import body_of, build_world, path_of
from tests.api.test_client_journey import ANSWERS

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

PACKAGE = "mlwa_generated_client"


def generator_command() -> list[str]:
    """The openapi-python-client CLI of the Python running the tests (its venv's bin may not be on
    PATH)."""
    beside = Path(sys.executable).with_name("openapi-python-client")
    if beside.exists():
        return [str(beside)]
    found = shutil.which("openapi-python-client")
    assert found, "openapi-python-client is in the test extras: pip install -e '.[test]'"
    return [found]


@pytest.fixture
def generated(live_server, tmp_path, monkeypatch):
    """The client package generated from the live server's schema, imported."""
    config = tmp_path / "config.yaml"
    config.write_text("post_hooks: []\n")  # formatting the generated code is not the test's business
    command = [
        *generator_command(),
        "generate",
        f"--url={live_server.url}/api/schema/",
        f"--output-path={tmp_path / PACKAGE}",
        "--meta=none",
        f"--config={config}",
        "--fail-on-warning",
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)  # noqa: S603
    assert done.returncode == 0, done.stdout + done.stderr
    monkeypatch.syspath_prepend(str(tmp_path))
    yield importlib.import_module(PACKAGE)
    for name in [name for name in sys.modules if name.split(".")[0] == PACKAGE]:
        del sys.modules[name]


def module(package, name: str):
    return importlib.import_module(f"{package.__name__}.{name}")


# --- checking what the generated client returns ----------------------------------------------------


def mismatch(value, annotation, path: str, hints_for) -> str | None:
    """None when `value` is of the (resolved) type `annotation` of a generated model's field;
    otherwise where and how it is not."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, UnionType):
        found = [mismatch(value, option, path, hints_for) for option in typing.get_args(annotation)]
        return None if None in found else min(found, key=len)
    if origin is list:
        (item,) = typing.get_args(annotation)
        if not isinstance(value, list):
            return f"{path} = {value!r} is not a list"
        return next(
            filter(None, (mismatch(one, item, f"{path}[{i}]", hints_for) for i, one in enumerate(value))),
            None,
        )
    if origin is dict:
        _key, item = typing.get_args(annotation)
        if not isinstance(value, dict):
            return f"{path} = {value!r} is not a dict"
        return next(
            filter(None, (mismatch(one, item, f"{path}.{k}", hints_for) for k, one in value.items())), None
        )
    if annotation is typing.Any:
        return None
    if isinstance(annotation, type) and attrs.has(annotation) and isinstance(value, annotation):
        return typed(value, path, hints_for)
    expected = {type(None): type(None), float: int | float}.get(annotation, annotation)
    if isinstance(value, expected) and not (isinstance(value, bool) and annotation in (int, float)):
        return None
    return f"{path} = {value!r} is not {annotation}"


def typed(model, path: str, hints_for) -> str | None:
    """None when every field of the generated `model` holds a value of its declared type and the
    server sent no field the schema does not declare; otherwise the first field that is wrong."""
    hints = hints_for(type(model))
    declared = [field for field in attrs.fields(type(model)) if field.name != "additional_properties"]
    # A model without declared fields is a free-form map; one with `additionalProperties: false` has
    # no such attribute (the round trip through to_dict still finds a field the server added).
    extra = getattr(model, "additional_properties", {})
    if declared and extra:
        return f"{path}: {sorted(extra)} not in the schema"
    for field in declared:
        found = mismatch(getattr(model, field.name), hints[field.name], f"{path}.{field.name}", hints_for)
        if found:
            return found
    return None


def read(response, expected_status: int, package):
    """The parsed body of a generated `Response`, after checking its status, the types of the model
    and that the model gives back the JSON the server sent."""
    assert response.status_code == expected_status, response.content[:500]
    parsed = response.parsed
    namespace = {**vars(module(package, "models")), **vars(module(package, "types"))}

    def hints_for(cls):
        return typing.get_type_hints(cls, globalns={**vars(sys.modules[cls.__module__]), **namespace})

    if attrs.has(type(parsed)):
        assert not (wrong := typed(parsed, type(parsed).__name__, hints_for)), wrong
        assert not (lost := list(differences(parsed.to_dict(), json.loads(response.content)))), lost
    return parsed


def differences(mine, sent, path="$"):
    """The paths where the JSON a generated model gives back differs from what the server sent."""
    if isinstance(mine, dict) and isinstance(sent, dict):
        for key in mine.keys() | sent.keys():
            if key not in mine or key not in sent:
                yield f"{path}.{key}: {mine.get(key, '<missing>')!r} != {sent.get(key, '<missing>')!r}"
            else:
                yield from differences(mine[key], sent[key], f"{path}.{key}")
    elif isinstance(mine, list) and isinstance(sent, list) and len(mine) == len(sent):
        for index, (one, other) in enumerate(zip(mine, sent, strict=True)):
            yield from differences(one, other, f"{path}[{index}]")
    elif mine != sent and not (instant(mine) is not None and instant(mine) == instant(sent)):
        yield f"{path}: {mine!r} != {sent!r}"


def instant(text) -> datetime | None:
    """The moment an ISO 8601 date-time names (`Z` and `+00:00` are one), or None."""
    try:
        return datetime.fromisoformat(text) if isinstance(text, str) and "T" in text else None
    except ValueError:
        return None


# --- the journey ------------------------------------------------------------------------------------


def test_a_generated_client_reviews_a_workload_and_reads_its_risks(
    generated, live_server, django_user_model, retire_published_lens_versions
):
    user = django_user_model.objects.create_user("client", "client@example.com", "client-password")
    _token, key = token_create(user=user, name="generated client")
    client_module = module(generated, "client")
    models = module(generated, "models")

    def api(name: str):
        tag, operation = name.split(".")
        return module(generated, f"api.{tag}.{operation}")

    with client_module.AuthenticatedClient(
        base_url=live_server.url, token=key, prefix="Token", raise_on_unexpected_status=True
    ) as client:
        document = factories.lens_document("Client lens", pillars=2, questions=2)
        imported = read(
            api("lenses.lenses_import_create").sync_detailed(
                client=client, body=models.LensFileRequest.from_dict(document)
            ),
            201,
            generated,
        )
        alias = imported.lens.alias
        read(
            api("lenses.lenses_versions_create").sync_detailed(
                alias, client=client, body=models.LensPublishRequest(label="1", major=True)
            ),
            201,
            generated,
        )

        workload = read(
            api("workloads.workloads_create").sync_detailed(
                client=client, body=models.WorkloadCreateRequest.from_dict({"name": "Scoring", "lenses": []})
            ),
            201,
            generated,
        )
        read(
            api("workloads.workloads_lens_reviews_create").sync_detailed(
                workload.id, client=client, body=models.LensReviewApplyRequest(lens=alias)
            ),
            201,
            generated,
        )

        listed = read(
            api("workloads.workloads_lens_reviews_answers_list").sync_detailed(
                workload.id, alias, client=client
            ),
            200,
            generated,
        )
        assert [answer.question_id for answer in listed.results] == list(ANSWERS)

        retrieve = api("workloads.workloads_lens_reviews_answers_retrieve")
        update = api("workloads.workloads_lens_reviews_answers_partial_update")
        for question_id, (changes, risk) in ANSWERS.items():
            before = retrieve.sync_detailed(workload.id, alias, question_id, client=client)
            read(before, 200, generated)
            etag = before.headers["ETag"]
            body = models.PatchedAnswerUpdateRequest.from_dict(changes)
            answered = update.sync_detailed(
                workload.id, alias, question_id, client=client, body=body, if_match=etag
            )
            assert read(answered, 200, generated).risk.value == risk
            assert answered.headers["ETag"] != etag
            # The ETag read before the change is stale now: a write from it is refused.
            late = update.sync_detailed(
                workload.id,
                alias,
                question_id,
                client=client,
                body=models.PatchedAnswerUpdateRequest(notes="late"),
                if_match=etag,
            )
            assert isinstance(read(late, 412, generated), models.AnswerPreconditionFailed)

        implied = {"high": 1, "medium": 1, "none": 1, "not_applicable": 1, "unanswered": 0}
        pillars = {
            "pillar1": {"high": 0, "medium": 1, "none": 1, "not_applicable": 0, "unanswered": 0},
            "pillar2": {"high": 1, "medium": 0, "none": 0, "not_applicable": 1, "unanswered": 0},
        }

        def counted(counts) -> dict[str, int]:
            return {name: getattr(counts, name) for name in implied}

        def check(summary) -> None:
            assert counted(summary.totals) == implied
            (lens,) = summary.lenses
            assert (lens.alias, lens.version) == (alias, "1")
            assert {pillar.pillar_id: counted(pillar.counts) for pillar in lens.pillars} == pillars

        check(
            read(
                api("workloads.workloads_risk_summary_retrieve").sync_detailed(workload.id, client=client),
                200,
                generated,
            )
        )

        organisation = read(
            api("risk_summary.risk_summary_retrieve").sync_detailed(client=client), 200, generated
        )
        assert (organisation.count, organisation.truncated) == (1, False)
        (summary,) = organisation.workloads
        assert summary.name == "Scoring"
        check(summary)
        assert counted(organisation.totals) == implied

        # The CSV, through its own operation: the generated client returns the text.
        text = read(
            api("risk_summary.risk_summary_csv_retrieve").sync_detailed(client=client), 200, generated
        )
        assert isinstance(text, str)
        rows = list(csv.DictReader(io.StringIO(text)))
        assert sorted((row["pillar_id"], row["high"], row["medium"]) for row in rows) == [
            ("pillar1", "0", "1"),
            ("pillar2", "1", "0"),
        ]


# --- every operation ------------------------------------------------------------------------------

#: The writes, in an order where each still finds what it acts on: changes first, then what removes
#: things, and last what takes the workload or the token away from its owner.
WRITES = (
    "workloads_partial_update",
    "workloads_lens_reviews_partial_update",
    "workloads_lens_reviews_answers_partial_update",
    "workloads_improvements_partial_update",
    "workloads_improvements_bulk_status_create",
    "notifications_read_create",
    "notifications_read_all_create",
    "workloads_shares_create",
    "workloads_shares_partial_update",
    "workloads_milestones_create",
    "workloads_lens_reviews_create",
    "workloads_lens_reviews_upgrade_create",
    "workloads_create",
    "workloads_import_create",
    "lenses_import_create",
    "lenses_import_url_create",
    "lens_catalog_add_create",
    "lenses_catalog_update_create",
    "lenses_versions_create",
    "lenses_shares_update",
    "reports_create",
    "reports_destroy",
    "workloads_shares_destroy",
    "workloads_lens_reviews_destroy",
    "lenses_destroy",
    "tokens_destroy",
    "tokens_create",
    "workloads_transfer_create",
    "workloads_destroy",
    "tokens_revoke_all_create",
)
#: Where the owner's token does not get the operation's success: tokens are made with a password or
#: a session (403), a lens that a workload reviews is not deleted (409 `in_use`), once handed over
#: the workload is no longer the caller's to delete (403), and the world has no lens catalog and no
#: URL the guarded client would fetch (400, as in the access matrix).
REFUSED = {
    "tokens_create": 403,
    "lenses_destroy": 409,
    "workloads_destroy": 403,
    "lens_catalog_add_create": 400,
    "lenses_catalog_update_create": 400,
    "lenses_import_url_create": 400,
}


def operation_module(package, operation_id: str):
    """The generated module of an operation (openapi-python-client files it under its tag)."""
    for found in pkgutil.walk_packages(module(package, "api").__path__, f"{package.__name__}.api."):
        if found.name.rsplit(".", 1)[1] == operation_id:
            return importlib.import_module(found.name)
    raise AssertionError(f"no generated module for {operation_id}")


def body_model(function, data: dict):
    """`data` as the generated request model `function` takes as its `body`."""
    annotation = typing.get_type_hints(function, globalns=vars(sys.modules[function.__module__]))["body"]
    options = typing.get_args(annotation) or (annotation,)
    model = next(option for option in options if isinstance(option, type) and attrs.has(option))
    return model.from_dict(data)


def test_every_operation_answers_the_generated_client_in_its_documented_types(
    generated, live_server, django_user_model, retire_published_lens_versions
):
    schema = httpx.get(f"{live_server.url}/api/schema/?format=json", timeout=60).json()
    world = build_world()  # the access matrix's: every operation has something to act on
    _token, key = token_create(user=django_user_model.objects.get(username="owner"), name="generated")
    operations = {
        operation["operationId"]: (method, path, operation)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    }
    reads = sorted(name for name, (method, _path, _op) in operations.items() if method == "get")
    assert set(operations) == {*reads, *WRITES}, "an operation is in neither the reads nor WRITES"

    client_module = module(generated, "client")
    with client_module.AuthenticatedClient(
        base_url=live_server.url, token=key, prefix="Token", raise_on_unexpected_status=True
    ) as client:
        for operation_id in (*reads, *WRITES):
            method, template, operation = operations[operation_id]
            pattern = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template)
            path, _, query = path_of(template, world).partition("?")
            values = re.fullmatch(pattern, path).groupdict()
            function = operation_module(generated, operation_id).sync_detailed
            signature = inspect.signature(function)
            types = {name: signature.parameters[name].annotation for name in values}
            # An id is a whole number to the client too (a string type would make every caller convert).
            assert all(types[name] in (int, "int") for name, value in values.items() if value.isdigit()), (
                types
            )
            arguments = {name: int(value) if value.isdigit() else value for name, value in values.items()}
            arguments |= dict(parse_qsl(query))  # a required query parameter (the people search's)
            if "body" in signature.parameters and method != "delete":
                arguments["body"] = body_model(function, body_of(operation_id, world))
            success = min(int(code) for code in operation["responses"] if code.startswith("2"))
            response = function(client=client, **arguments)
            read(response, REFUSED.get(operation_id, success), generated)
