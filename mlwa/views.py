"""(being written)"""


def profile(request): ...
