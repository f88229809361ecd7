"""Reads for sharing a workload: the lenses it uses that the person or team it is about to be
shared with cannot open (issue 17: they would see the workload, and questions of a lens they may
not see, without anyone having been told)."""

from django.contrib.auth.models import Group, User
from django.db.models import Exists, OuterRef, Q, QuerySet

from lens.models import Lens
from lens.selectors import lens_visibility
from reviews.models import LensReview, Workload


def lenses_hidden_from(
    *, workload: Workload, user: User | None = None, group: Group | None = None
) -> QuerySet[Lens]:
    """The lenses applied to `workload` that `user` may not see (lens.selectors.lens_visibility),
    or, for a team, that are not visible to the team as such: neither the instance's, nor shared with
    every user or with that group (one member seeing a lens of their own does not make it the
    team's). By name, with their owners; one query."""
    applied = Lens.objects.filter(pk__in=LensReview.objects.filter(workload=workload).values("lens_id"))
    if user is not None:
        hidden = applied.exclude(lens_visibility(user))
    else:
        assert group is not None  # a share is with a user or a group
        shared_with_group = Lens.shared_with_groups.through.objects.filter(lens=OuterRef("pk"), group=group)
        hidden = applied.exclude(
            Q(owner__isnull=True) | Q(shared_with_everyone=True) | Exists(shared_with_group)
        )
    return hidden.select_related("owner").order_by("name", "alias")
