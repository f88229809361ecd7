"""(being written)"""


def people(request, pk): ...


def change_role(request, pk, share_pk): ...


def revoke(request, pk, share_pk): ...
