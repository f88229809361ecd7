"""(being written)"""


def dashboard(request): ...


def workload_list(request): ...
