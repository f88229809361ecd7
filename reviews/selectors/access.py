"""The workloads a user may see or change, and their role on one: the start of every read.

Everything is decided in SQL, so that a list never leaks a row and a page costs one query to find
its workload and the reader's role, whatever the number of shares, groups or permissions.
"""

from django.contrib.auth.models import Group, User
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from reviews.models import Share, Workload
from reviews.permissions import Action, Role

_APP, _CODENAME = "reviews", "view_all_workloads"


def _shares_of(user) -> QuerySet[Share]:
    """The shares that reach `user`: with them, or with one of their groups."""
    return Share.objects.filter(Q(user=user) | Q(group__in=user.groups.values("pk")))


def _sees_all(user) -> Q:
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


def workloads_for(*, user, action: Action = Action.VIEW) -> QuerySet[Workload]:
    """The workloads `user` may take `action` on: owned, shared with them or their groups (for
    ANSWER: as contributor), or any (VIEW, with "see all workloads"). Subqueries, not joins, so
    that no workload is listed twice."""
    if not (user.is_authenticated and user.is_active):
        return Workload.objects.none()
    shares = _shares_of(user).filter(workload=OuterRef("pk"))
    if action == Action.VIEW:
        return Workload.objects.filter(Q(owner=user) | Exists(shares) | _sees_all(user))
    if action == Action.ANSWER:
        return Workload.objects.filter(Q(owner=user) | Exists(shares.filter(role=Share.Role.CONTRIBUTOR)))
    return Workload.objects.filter(owner=user)


def with_role(queryset: QuerySet[Workload], *, user) -> QuerySet[Workload]:
    """`queryset` annotated with what `role_of` needs: whether a share reaches `user`, and as what."""
    shares = _shares_of(user).filter(workload=OuterRef("pk"))
    return queryset.annotate(
        shared_with_user=Exists(shares),
        contributor_share=Exists(shares.filter(role=Share.Role.CONTRIBUTOR)),
    )


def role_of(workload: Workload, *, user) -> Role:
    """The role of `user` on a workload loaded through `with_role(workloads_for(...))`."""
    if workload.owner_id == user.pk:
        return Role.OWNER
    if workload.contributor_share:
        return Role.CONTRIBUTOR
    if workload.shared_with_user:
        return Role.READER
    return Role.AUDITOR


def workload_for(*, user, pk: int) -> tuple[Workload, Role]:
    """The workload `pk` and the user's role on it, in one query; Http404 if they may not see it."""
    if not user.is_authenticated:  # no query: and with_role cannot match shares to an anonymous user
        raise Http404("No such workload.")
    visible = with_role(workloads_for(user=user), user=user)
    workload = visible.select_related("owner").filter(pk=pk).first()
    if workload is None:
        raise Http404("No such workload.")
    return workload, role_of(workload, user=user)
