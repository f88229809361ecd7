"""Workloads: create, change, hand over and delete, each in one transaction with its event."""

from collections.abc import Iterator, Mapping
from itertools import islice
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import CharField, Value
from django.db.models.functions import Lower

from lens.models import BUILTIN_ALIAS, Lens, LensVersion, Pillar
from lens.selectors import latest_published_version
from mlwa import error_codes
from mlwa.errors import InvalidInput
from reviews.models import Share, Workload, WorkloadEvent
from reviews.properties import check_property, split_regions
from reviews.services.events import event_record
from reviews.services.lens_reviews import lens_review_apply

#: The fields a workload's owner edits (DESIGN.md, "Domain"; AWS's properties: reviews.properties).
WORKLOAD_FIELDS = (
    "name",
    "description",
    "environment",
    "review_owner",
    "industry_type",
    "industry",
    "aws_regions",
    "non_aws_regions",
    "account_ids",
    "applications",
    "architectural_design_url",
    "tags",
    "notes",
    "pillar_priorities",
)
#: Taken as input besides WORKLOAD_FIELDS: `regions`, every region in one list as before AWS's split
#: (REST v1 and older backups), set as reviews.properties.split_regions divides it.
REGIONS = "regions"
LIST_FIELDS = {  # field: most items (the shape; reviews.properties holds AWS's tighter limits)
    "regions": 50,
    "aws_regions": 50,
    "non_aws_regions": 50,
    "account_ids": 100,
    "applications": 50,
    "tags": 50,
    "pillar_priorities": 50,
}
LIST_ITEM_MAX = 128
NAME_TAKEN = "You already have a workload with this name."


def _clean_list(field: str, value: Any) -> list[str]:
    if not isinstance(value, list | tuple) or not all(isinstance(item, str) for item in value):
        raise InvalidInput({field: "Must be a list of text values."})
    items = list(dict.fromkeys(item.strip() for item in value if item.strip()))  # in order, once each
    if len(items) > LIST_FIELDS[field]:
        raise InvalidInput({field: f"At most {LIST_FIELDS[field]} values."})
    if too_long := [item for item in items if len(item) > LIST_ITEM_MAX]:
        raise InvalidInput({field: f"{too_long[0][:40]!r}… is longer than {LIST_ITEM_MAX} characters."})
    return items


def _check_url(value: str) -> None:
    """A design URL must be one (Django's URLValidator): a rule the schema, which says text, cannot
    write, so its refusal is a domain one (`refused`), naming the field."""
    try:
        Workload._meta.get_field("architectural_design_url").run_validators(value)
    except ValidationError as error:
        raise InvalidInput({"architectural_design_url": error.messages}, code=error_codes.REFUSED) from None


def _workload_pillars(workload: Workload) -> frozenset[str]:
    """The pillar ids of the lenses applied to a saved workload (a query; none for a new one)."""
    if workload.pk is None:
        return frozenset()
    return frozenset(
        Pillar.objects.filter(version__in=workload.lens_reviews.values("lens_version")).values_list(
            "pillar_id", flat=True
        )
    )


def _clean_value(name: str, value: Any) -> Any:
    """A field's value in its shape: a list of distinct stripped texts, or stripped text."""
    if name in LIST_FIELDS:
        return _clean_list(name, value)
    if not isinstance(value, str):  # None passes full_clean (blank=True), then fails to save
        raise InvalidInput({name: "Must be text."})
    value = value.strip()
    # full_clean checks a CharField's max_length, but not a TextField's (description, notes).
    limit = getattr(Workload._meta.get_field(name), "max_length", None)
    if limit and len(value) > limit:
        raise InvalidInput({name: f"At most {limit} characters ({len(value)} given)."})
    if name == "architectural_design_url" and value:
        _check_url(value)
    return value


def apply_workload_fields(
    workload: Workload,
    fields: Mapping[str, Any],
    *,
    pillars: frozenset[str] | None = None,
    check_rules: bool = True,
) -> dict[str, tuple[Any, Any]]:
    """Set `fields` on `workload` and validate it; the changes as field: (before, after).

    A changed value must meet AWS's rules (reviews.properties.check_property); an unchanged one is
    kept even if it would not (it was accepted when written, and the page flags it). Pillar
    priorities must name pillars of `pillars` (None: those of the lenses applied to the workload).
    `regions` sets both kinds of region (REST v1's one list); it cannot come with either of them.
    `check_rules` False (a restore) takes AWS's properties as a backup kept them, as stored values."""
    if unknown := sorted(set(fields) - {*WORKLOAD_FIELDS, REGIONS}):
        raise InvalidInput(dict.fromkeys(unknown, "Not a workload field."))
    fields, via_regions = dict(fields), REGIONS in fields
    if via_regions:
        if both := sorted({"aws_regions", "non_aws_regions"} & set(fields)):
            # A rule the schema cannot write ("one of"): a domain refusal, not a shape one.
            raise InvalidInput(
                {REGIONS: f"Give either regions or {' and '.join(both)}, not both."}, code=error_codes.REFUSED
            )
        fields["aws_regions"], fields["non_aws_regions"] = split_regions(
            _clean_list(REGIONS, fields.pop(REGIONS))
        )
    changes = {}
    for name, value in fields.items():
        value = _clean_value(name, value)
        before = getattr(workload, name)
        if before != value and check_rules:
            if name == "pillar_priorities" and pillars is None:
                pillars = _workload_pillars(workload)
            try:
                check_property(name, value, pillars=pillars)
            except InvalidInput as error:
                if not (via_regions and name.endswith("regions")):
                    raise
                # Given as `regions`, a region refused is named under the field the caller wrote.
                raise InvalidInput({REGIONS: error.errors[name]}, code=error.code) from None
        if before != value:
            changes[name] = (before, value)
            setattr(workload, name, value)
    try:
        workload.full_clean(exclude=["owner"])
        workload.validate_constraints()
    except ValidationError as error:
        errors = error.message_dict
        if NON_FIELD_ERRORS in errors:  # the only one: the name is taken (workload_name_unique_per_owner)
            errors.pop(NON_FIELD_ERRORS)
            errors["name"] = [NAME_TAKEN]
        # A name taken is a domain refusal; the rest (lengths, choices) is the input's shape.
        taken = errors == {"name": [NAME_TAKEN]}
        raise InvalidInput(errors, code=error_codes.NAME_TAKEN if taken else error_codes.INVALID) from None
    return changes


def _save(workload: Workload) -> None:
    """Save, turning a name taken by a concurrent write into the same error as a checked one."""
    try:
        with transaction.atomic():
            workload.save()
    except IntegrityError as error:
        if "workload_name_unique_per_owner" not in str(error):  # the one constraint a save can break
            raise
        raise InvalidInput({"name": NAME_TAKEN}, code=error_codes.NAME_TAKEN) from None


@transaction.atomic
def workload_create(
    *, owner: User, fields: Mapping[str, Any], lens_versions: list[LensVersion] | None = None
) -> Workload:
    """A new workload of `owner` with `fields`, and a review of each of `lens_versions` (None: the
    built-in lens's newest published version, when there is one)."""
    if lens_versions is None:
        builtin = Lens.objects.filter(alias=BUILTIN_ALIAS).first()
        version = builtin and latest_published_version(builtin)
        lens_versions = [version] if version else []
    workload = Workload(owner=owner)
    # Pillar priorities name pillars of the lenses about to be applied (a query only when given).
    pillars = frozenset(
        Pillar.objects.filter(version__in=lens_versions).values_list("pillar_id", flat=True)
        if fields.get("pillar_priorities")
        else ()
    )
    apply_workload_fields(workload, fields, pillars=pillars)
    _save(workload)
    event_record(workload=workload, actor=owner, kind=WorkloadEvent.Kind.CREATED, summary="Workload created.")
    for version in lens_versions:
        lens_review_apply(workload=workload, lens_version=version, actor=owner)
    return workload


@transaction.atomic
def workload_update(*, workload: Workload, actor: User, fields: Mapping[str, Any]) -> Workload:
    """Change the workload's fields and return it changed; the event lists each changed field,
    before and after. The row is reloaded and locked, so the caller's copy keeps its values when
    the change is refused, and two edits never interleave."""
    workload = Workload.objects.select_for_update(of=("self",)).select_related("owner").get(pk=workload.pk)
    changes = apply_workload_fields(workload, fields)
    if not changes:
        return workload
    _save(workload)
    event_record(
        workload=workload,
        actor=actor,
        kind=WorkloadEvent.Kind.UPDATED,
        summary="Changed " + ", ".join(name.replace("_", " ") for name in changes) + ".",
        changes={name: {"before": before, "after": after} for name, (before, after) in changes.items()},
    )
    return workload


@transaction.atomic
def workload_delete(*, workload: Workload, actor: User) -> None:
    """Delete the workload with its reviews, answers and milestones. The event stays,
    with the workload's name."""
    event_record(
        workload=workload, actor=actor, kind=WorkloadEvent.Kind.DELETED, summary=f"Deleted “{workload.name}”."
    )
    workload.delete()


#: How many names a hand-over tries: its own and 99 renamed ones. Only an owner with that many
#: workloads named "<name> (from <previous owner>) N" exhausts them.
HANDOVER_NAMES_MAX = 100


def handover_names(name: str, previous_owner: str) -> Iterator[str]:
    """The names a workload handed over from `previous_owner` may take, in order, each at most the
    field's length: its own, then "Churn model (from alice)", "Churn model (from alice) 2", ... (the
    workload's name shortened to fit, then the label if a very long username leaves it no room; the
    number is always whole, so that no two names are the same)."""
    limit = Workload._meta.get_field("name").max_length
    assert limit is not None  # a CharField
    yield name
    label = f" (from {previous_owner})"
    number = 1
    while True:
        suffix = f" {number}" if number > 1 else ""
        room = limit - len(label) - len(suffix)
        if room >= 1:
            yield name[:room].rstrip() + label + suffix
        else:
            yield (name[:1] + label)[: limit - len(suffix)] + suffix
        number += 1


def _name_taken(workload: Workload, name: str) -> bool:
    """Whether the workload's owner has another workload named `name`, compared as the database's
    constraint compares them (workload_name_unique_per_owner: Lower, which on SQLite lowers ASCII
    only), not as Python would."""
    return (
        Workload.objects.filter(owner_id=workload.owner_id)
        .exclude(pk=workload.pk)
        .annotate(lowered=Lower("name"))
        .filter(lowered=Lower(Value(name, output_field=CharField())))
        .exists()
    )


def _save_handed_over(workload: Workload, previous_owner: str) -> tuple[str, str]:
    """Save `workload`, whose owner is set to the new one, under the first of handover_names that
    owner has not taken: (name before, name after). One query to check a name, usually the only
    one; a name taken meanwhile by a concurrent write (the constraint refuses it) moves on too."""
    before = workload.name
    for candidate in islice(handover_names(before, previous_owner), HANDOVER_NAMES_MAX):
        if _name_taken(workload, candidate):
            continue
        workload.name = candidate
        try:
            with transaction.atomic():
                workload.save()
        except IntegrityError as error:
            if "workload_name_unique_per_owner" not in str(error):
                raise
            continue
        return before, candidate
    workload.name = before
    raise InvalidInput({"owner": "Rename the workload before handing it over."}, code=error_codes.REFUSED)


@transaction.atomic
def workload_transfer(*, workload: Workload, actor: User, new_owner: object) -> Workload:
    """Hand the workload to `new_owner`. The previous owner stays on as a contributor, so that
    handing over never locks out the person who did the work; a share the new owner had goes.

    If the new owner already has a workload of that name, the one handed over is renamed
    ("Churn model (from alice)", then "... 2" and on: handover_names) and the rename is logged like
    any change of a field. Nothing is said of the other workload: the actor may not see it, and
    refusing would tell them it exists (issue 14)."""
    User = get_user_model()
    if not isinstance(new_owner, User) or not new_owner.is_active:
        raise InvalidInput({"owner": "Choose an active user."}, code=error_codes.UNKNOWN_REFERENCE)
    if new_owner.pk == workload.owner_id:
        raise InvalidInput({"owner": "This user already owns the workload."}, code=error_codes.REFUSED)
    previous = workload.owner
    workload.shares.filter(user=new_owner).delete()
    workload.owner = new_owner
    name_before, name_after = _save_handed_over(workload, previous.get_username())
    Share.objects.update_or_create(
        workload=workload, user=previous, defaults={"role": Share.Role.CONTRIBUTOR}
    )
    event_record(
        workload=workload,
        actor=actor,
        kind=WorkloadEvent.Kind.OWNER_CHANGED,
        summary=f"Ownership handed from {previous.get_username()} to {new_owner.get_username()}.",
        before=previous.get_username(),
        after=new_owner.get_username(),
    )
    if name_after != name_before:
        event_record(
            workload=workload,
            actor=actor,
            kind=WorkloadEvent.Kind.UPDATED,
            summary="Changed name.",
            changes={"name": {"before": name_before, "after": name_after}},
        )
    return workload
