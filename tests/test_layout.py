"""The seams between apps and layers, read from the source: what may import what, and one module for
each door. A failure names the file and the import that crosses a seam."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(path: Path) -> set[str]:
    """Every module `path` imports, at its top or inside a function."""
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
    return modules


def sources(*folders: str) -> list[Path]:
    return sorted(path for folder in folders for path in (ROOT / folder).rglob("*.py"))


@pytest.mark.parametrize("app", ["accounts", "mlwa"])
def test_accounts_and_the_project_import_nothing_of_reviews(app):
    crossing = [
        f"{path.relative_to(ROOT)}: {module}"
        for path in sources(app)
        for module in sorted(imported_modules(path))
        if module == "reviews" or module.startswith("reviews.")
    ]
    assert crossing == []


def test_pages_and_the_api_find_a_workload_through_one_module():
    """Every view and API module that needs a workload imports `workload_or_404` from reviews.access."""
    doors = {
        f"{path.relative_to(ROOT)}: {node.module}"
        for path in sources("reviews", "lens", "accounts", "mlwa")
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.ImportFrom)
        and any(alias.name in ("workload_or_404", "lens_review_or_404") for alias in node.names)
        and node.module != "reviews.access"
    }
    assert doors == set()
    users = [
        path for path in sources("reviews/views", "reviews/api") if "reviews.access" in imported_modules(path)
    ]
    assert {path.parent.name for path in users} == {"views", "api"}


def test_each_app_keeps_its_forms_in_one_place():
    """reviews has a forms/ package and no loose form modules beside it."""
    assert (ROOT / "reviews/forms/__init__.py").is_file()
    loose = [path.name for path in (ROOT / "reviews").glob("*form*.py")]
    assert loose == []


def test_no_request_code_touches_the_garbage_collector():
    """Pausing the cycle collector is process-wide: under a threaded server, one request's pause
    reaches every other request's. Only the benchmarks (bench/) may freeze it, around a measure."""
    touching = [
        str(path.relative_to(ROOT))
        for path in sources("reviews", "lens", "accounts", "mlwa")
        if "gc" in imported_modules(path)
    ]
    assert touching == []


def test_selectors_read_and_nothing_more():
    """A selector imports no service (a write) and no chart (a drawing): pages and reports draw what
    the selectors read. (reviews.selectors.risk gives its rows as the bar chart's input type,
    PillarRisk, a plain dataclass: data, not drawing.)"""
    crossing = [
        f"{path.relative_to(ROOT)}: {module}"
        for path in sources("reviews/selectors")
        + [ROOT / "lens/selectors.py", ROOT / "reviews/reports/selectors.py"]
        for module in sorted(imported_modules(path))
        if module.startswith(("reviews.services", "lens.services", "reviews.charts"))
        and not (module == "reviews.charts" and path.name == "risk.py")
    ]
    assert crossing == []
