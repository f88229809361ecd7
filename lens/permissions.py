"""Who may do what with a lens, in one place (LENS_FORMAT.md, "Aliases and versions").

Whoever may see a lens may apply and export it. Its owner manages it (publishes, shares, deletes);
the instance's lenses are managed by administrators: superusers, or users with the
`lens.manage_instance_lenses` permission.
"""

from lens.models import Lens
from mlwa.types import Reader


def can_manage_instance_lenses(user: Reader) -> bool:
    return user.is_active and user.has_perm("lens.manage_instance_lenses")


def can_manage(user: Reader, lens: Lens) -> bool:
    """Whether `user` may publish, share or delete `lens`."""
    if not user.is_authenticated:
        return False
    if lens.owner_id is None:
        return can_manage_instance_lenses(user)
    return lens.owner_id == user.pk
