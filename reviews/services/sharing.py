"""Who else may see or change a workload: shares with users and groups, their roles, revoking."""

from django.contrib.auth.models import Group, User
from django.db import IntegrityError, transaction

from mlwa import error_codes
from mlwa.errors import InvalidInput
from reviews.models import Share, Workload, WorkloadEvent
from reviews.services.events import event_record


def _name(share: Share) -> str:
    if share.user is not None:
        return f"user {share.user.get_username()}"
    assert share.group is not None  # a share is with a user or a group (a constraint)
    return f"group {share.group.name}"


def _valid_role(role: str) -> Share.Role:
    if role not in Share.Role.values:
        raise InvalidInput({"role": f"Choose one of: {', '.join(Share.Role.values)}."})
    return Share.Role(role)


@transaction.atomic
def share_grant(
    *, workload: Workload, actor: User, role: str, user: User | None = None, group: Group | None = None
) -> Share:
    """Share `workload` with one user or one group as `role`."""
    role = _valid_role(role)
    if (user is None) == (group is None):
        raise InvalidInput({"user": "Choose a user or a group."})
    if user is not None and not user.is_active:
        raise InvalidInput({"user": "This user cannot log in."}, code=error_codes.REFUSED)
    if user is not None and user.pk == workload.owner_id:
        raise InvalidInput(
            {"user": "The owner already has every right on the workload."}, code=error_codes.REFUSED
        )
    try:
        with transaction.atomic():
            share = Share.objects.create(workload=workload, user=user, group=group, role=role)
    except IntegrityError:
        field = "user" if user is not None else "group"
        raise InvalidInput(
            {field: "The workload is shared with them already: change their role."}, code=error_codes.REFUSED
        ) from None
    event_record(
        workload=workload,
        actor=actor,
        kind=WorkloadEvent.Kind.SHARED,
        summary=f"Shared with {_name(share)} as {share.get_role_display().lower()}.",
        grantee=_name(share),
        role=role,
        # Who was given access, by id: the notifications consumer tells them (or each of the team).
        grantee_user=share.user_id,
        grantee_group=share.group_id,
    )
    return share


@transaction.atomic
def share_change_role(*, share: Share, actor: User, role: str) -> Share:
    """Make `share` a contributor or a reader."""
    role = _valid_role(role)
    if share.role == role:
        return share
    before = share.role
    share.role = role
    share.save(update_fields=["role"])
    event_record(
        workload=share.workload,
        actor=actor,
        kind=WorkloadEvent.Kind.ROLE_CHANGED,
        summary=f"{_name(share).capitalize()} is now {share.get_role_display().lower()}.",
        grantee=_name(share),
        before=before,
        after=role,
    )
    return share


@transaction.atomic
def share_revoke(*, share: Share, actor: User) -> None:
    """Stop sharing: the user or group loses the access this share gave."""
    event_record(
        workload=share.workload,
        actor=actor,
        kind=WorkloadEvent.Kind.UNSHARED,
        summary=f"No longer shared with {_name(share)}.",
        grantee=_name(share),
        role=share.role,
    )
    share.delete()
