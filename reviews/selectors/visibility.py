"""The workloads a user may see or change, and their role on one: the start of every read.

Everything is decided in SQL, so that a list never leaks a row and a page costs one query to find
its workload and the reader's role, whatever the number of shares, groups or permissions. Code reaches
the rule through the queryset, `Workload.objects.visible_to(user, action)` and `.with_role(user)`
(which call `visible_workloads` and `annotate_role` here), and through reviews.access for a request.

`workload_for`, which every page and API request runs, is the speed shortcut of those two: it asks the
same questions in SQL written once (_SHARES_SQL, _PERMISSION_SQL) rather than built by the ORM:
building those nested subqueries cost about 6 ms of CPU a request, running them a third of a
millisecond. tests/reviews/test_selectors_visibility.py holds both forms equal for every kind of user.
"""

from django.contrib.auth.models import Group, User
from django.db.models import BooleanField, Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import Http404

from mlwa.permissions import VIEW_ALL_PERMISSION
from mlwa.types import Reader
from reviews.models import Share, Workload
from reviews.permissions import Action, Role

_APP, _CODENAME = VIEW_ALL_PERMISSION.split(".")


def _shares_of(user: Reader) -> QuerySet[Share]:
    """The shares that reach `user`: with them, or with one of their groups."""
    return Share.objects.filter(Q(user=user.pk) | Q(group__in=user.groups.values("pk")))


def _sees_all(user: User) -> Q:
    """True (in SQL) when `user` holds "see all workloads" directly or through a group."""
    if user.is_superuser:
        return Q(pk__isnull=False)
    direct = User.user_permissions.through.objects.filter(
        user=user, permission__codename=_CODENAME, permission__content_type__app_label=_APP
    )
    through_group = Group.permissions.through.objects.filter(
        group__in=user.groups.values("pk"),
        permission__codename=_CODENAME,
        permission__content_type__app_label=_APP,
    )
    return Q(Exists(direct)) | Q(Exists(through_group))


def visible_workloads(
    workloads: QuerySet[Workload], *, user: Reader, action: str = Action.VIEW
) -> QuerySet[Workload]:
    """Those of `workloads` that `user` may take `action` on: owned, shared with them or their
    groups (for ANSWER: as contributor), or any (VIEW, with "see all workloads"). Subqueries, not
    joins, so that no workload is listed twice. Reached as `Workload.objects.visible_to(user, action)`."""
    if not (user.is_authenticated and user.is_active):
        return workloads.none()
    shares = _shares_of(user).filter(workload=OuterRef("pk"))
    if action == Action.VIEW:
        return workloads.filter(Q(owner=user) | Exists(shares) | _sees_all(user))
    if action == Action.ANSWER:
        return workloads.filter(Q(owner=user) | Exists(shares.filter(role=Share.Role.CONTRIBUTOR)))
    return workloads.filter(owner=user)


def annotate_role(workloads: QuerySet[Workload], *, user: Reader) -> QuerySet[Workload]:
    """`workloads` annotated with what `role_of` needs: whether a share reaches `user`, and as what.
    Reached as `Workload.objects.with_role(user)`."""
    shares = _shares_of(user).filter(workload=OuterRef("pk"))
    return workloads.annotate(
        shared_with_user=Exists(shares),
        contributor_share=Exists(shares.filter(role=Share.Role.CONTRIBUTOR)),
    )


def role_of(workload: Workload, *, user: Reader) -> Role:
    """The role of `user` on a workload loaded through `Workload.objects.visible_to(user).with_role(user)`."""
    if workload.owner_id == user.pk:
        return Role.OWNER
    if workload.contributor_share:  # type: ignore[attr-defined]  # annotated by with_role
        return Role.CONTRIBUTOR
    if workload.shared_with_user:  # type: ignore[attr-defined]  # annotated by with_role
        return Role.READER
    return Role.AUDITOR


# What annotate_role and _sees_all ask, for the workload of the outer query ("reviews_workload"): the
# shares reaching the user (%s: their id, twice), and "see all workloads" held directly or through a
# group (%s: the user's id, the codename, the app label; twice).
_SHARES_SQL = (
    'SELECT 1 FROM reviews_share s WHERE s.workload_id = "reviews_workload"."id" AND (s.user_id = %s'
    " OR s.group_id IN (SELECT ug.group_id FROM auth_user_groups ug WHERE ug.user_id = %s))"
)
_PERMISSION_SQL = (
    "SELECT 1 FROM auth_permission p JOIN django_content_type ct ON ct.id = p.content_type_id"
    " WHERE p.codename = %s AND ct.app_label = %s AND (p.id IN (SELECT up.permission_id FROM"
    " auth_user_user_permissions up WHERE up.user_id = %s) OR p.id IN (SELECT gp.permission_id FROM"
    " auth_group_permissions gp JOIN auth_user_groups ug ON ug.group_id = gp.group_id WHERE ug.user_id = %s))"
)


def workload_for(*, user: Reader, pk: int | str) -> tuple[Workload, Role]:
    """The workload `pk` and the user's role on it, in one query; Http404 if they may not see it."""
    if not (user.is_authenticated and user.is_active):  # as visible_workloads: an inactive user sees none
        raise Http404("No such workload.")
    # The SQL is constant and every value a parameter (S611 warns of RawSQL built from input).
    found = (
        Workload.objects.select_related("owner")
        .annotate(
            shared_with_user=RawSQL(f"EXISTS({_SHARES_SQL})", (user.pk, user.pk), BooleanField()),  # noqa: S611
            contributor_share=RawSQL(  # noqa: S611
                f"EXISTS({_SHARES_SQL} AND s.role = %s)",
                (user.pk, user.pk, Share.Role.CONTRIBUTOR.value),
                BooleanField(),
            ),
            sees_all=RawSQL(  # noqa: S611
                f"EXISTS({_PERMISSION_SQL})", (_CODENAME, _APP, user.pk, user.pk), BooleanField()
            ),
        )
        .filter(pk=pk)
        .order_by()  # one row: Workload's default ordering would only cost building it
    )
    workload = next(iter(found), None)
    if workload is None or not (
        workload.owner_id == user.pk or workload.shared_with_user or workload.sees_all or user.is_superuser
    ):
        raise Http404("No such workload.")
    return workload, role_of(workload, user=user)
