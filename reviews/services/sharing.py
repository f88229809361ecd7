"""Who else may see or change a workload: shares with users and groups, their roles, revoking."""

from collections.abc import Collection, Sequence

from django.contrib.auth.models import Group, User
from django.db import IntegrityError, transaction

from lens.models import Lens
from lens.permissions import can_manage
from lens.services import lens_share
from mlwa import error_codes
from mlwa.errors import InvalidInput
from reviews.models import Share, Workload, WorkloadEvent
from reviews.selectors.sharing import lenses_hidden_from
from reviews.services.events import event_record

#: The field a refusal about the workload's hidden lenses names (the page's form and the API's).
LENSES_FIELD = "share_lenses"


class LensesHidden(InvalidInput):
    """The workload uses lenses that the user or team it is being shared with cannot open, and the
    sharer has not been told of each yet: nothing is shared until they have (issue 17). `lenses`
    are all the hidden ones, with their owners."""

    def __init__(self, *, lenses: Sequence[Lens], grantee: str) -> None:
        self.lenses = list(lenses)
        names = ", ".join(f"“{lens.name}” ({lens.alias})" for lens in self.lenses)
        several = len(self.lenses) > 1
        message = (
            f"The {grantee} cannot open the lens{'es' if several else ''} {names} that this workload "
            f"uses: share {'them' if several else 'it'} too, or share the workload without."
        )
        super().__init__(
            {LENSES_FIELD: message},
            code=error_codes.REFUSED,
        )


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
    *,
    workload: Workload,
    actor: User,
    role: str,
    user: User | None = None,
    group: Group | None = None,
    lenses_seen: Collection[int] = (),
    lenses_to_share: Collection[int] = (),
) -> Share:
    """Share `workload` with one user or one group as `role`.

    If the workload uses lenses they cannot open (reviews.selectors.sharing.lenses_hidden_from),
    the sharer must have been told of each: `lenses_seen` holds the pks they were warned of, and a
    hidden lens not among them is refused (LensesHidden) before anything is written. The hidden
    lenses in `lenses_to_share` are shared with the user or team too, in this transaction; only the
    lens's manager (its owner; an administrator for the instance's) may."""
    role = _valid_role(role)
    if (user is None) == (group is None):
        raise InvalidInput({"user": "Choose a user or a group."})
    if user is not None and not user.is_active:
        raise InvalidInput({"user": "This user cannot log in."}, code=error_codes.REFUSED)
    if user is not None and user.pk == workload.owner_id:
        raise InvalidInput(
            {"user": "The owner already has every right on the workload."}, code=error_codes.REFUSED
        )
    to_share = _hidden_lenses_to_share(
        workload=workload, actor=actor, user=user, group=group, seen=lenses_seen, chosen=lenses_to_share
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
        # Who was given access, by id (a name in `grantee` may be renamed later): the notifications
        # consumer tells them (or each of the team).
        grantee_user=share.user_id,
        grantee_group=share.group_id,
        lenses_shared=[lens.alias for lens in to_share],
    )
    return share


def _hidden_lenses_to_share(
    *,
    workload: Workload,
    actor: User,
    user: User | None,
    group: Group | None,
    seen: Collection[int],
    chosen: Collection[int],
) -> list[Lens]:
    """The hidden lenses to share with the grantee, once every hidden one has been shown to the
    sharer, and each to share is one they manage; shared here, in the caller's transaction."""
    hidden = list(lenses_hidden_from(workload=workload, user=user, group=group))
    grantee = f"user {user.get_username()}" if user is not None else f"group {group.name if group else ''}"
    if any(lens.pk not in seen for lens in hidden):
        raise LensesHidden(lenses=hidden, grantee=grantee)
    to_share = [lens for lens in hidden if lens.pk in chosen]
    for lens in to_share:
        if not can_manage(actor, lens):
            owner = lens.owner.get_username() if lens.owner else "an administrator"
            raise InvalidInput(
                {LENSES_FIELD: f"Only the lens's owner ({owner}) may share “{lens.name}”."},
                code=error_codes.REFUSED,
            )
    for lens in to_share:
        lens_share(lens=lens, users=[user] if user else (), groups=[group] if group else ())
    return to_share


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
