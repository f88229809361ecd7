"""Issue 17's lens journeys, at 1440x900 and at 390x844: a lens of the catalog (pointed at
../shared/lenses/) added to the instance from the lens library and applied to a workload; and a lens
imported from a URL served over HTTPS on 127.0.0.1 (a trustme certificate, allowed through
MLWA_OUTGOING_ALLOW), after the metadata service's address was refused on the field."""

import json

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from lens.models import Lens
from reviews.services import workload_create
from tests.browser.test_page_sweep import _axe_problems
from tests.conftest import SHARED_LENSES
from tests.factories import lens_document
from tests.https_server import https_server

VIEWPORTS = {"desktop": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}
PASSWORD = "nora-password"  # noqa: S105


@pytest.fixture(params=list(VIEWPORTS.values()), ids=list(VIEWPORTS))
def viewport(request):
    return request.param


@pytest.mark.usefixtures("shared_lenses")
def test_a_catalog_lens_is_added_and_applied(
    django_user_model, logged_in_page, assert_no_console_errors, settings, viewport
):
    settings.MLWA_LENS_CATALOG = str(SHARED_LENSES)
    admin = django_user_model.objects.create_superuser("nora", password=PASSWORD)
    workload = workload_create(owner=admin, fields={"name": "Fraud scoring"})

    page = logged_in_page(admin, PASSWORD)
    page.set_viewport_size(viewport)
    page.goto(reverse("lens:library"))
    catalog = page.get_by_role("region", name="Lens catalog")
    item = catalog.locator("li.catalog-item").filter(has_text="machine-learning-lens.json")
    expect(item).to_contain_text("6 pillars, 35 questions")
    # The catalog is not in the page sweep's world: its width and accessibility are checked here.
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert _axe_problems(page, "the lens library with a catalog") == []
    item.get_by_role("button", name="Add Machine Learning Lens to this instance").click()

    expect(page.get_by_text("Added to this instance: “Machine Learning Lens”")).to_be_visible()
    lens = Lens.objects.get(catalog_file="machine-learning-lens.json")
    assert lens.owner is None
    # The page groups the lens's 35 warnings into its kinds, collapsed.
    expect(page.locator(".problem-group")).to_have_count(1)
    expect(page.locator(".problem-group details")).not_to_have_attribute("open", "")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert _axe_problems(page, "the lens page with grouped warnings") == []

    page.goto(reverse("reviews:workload", args=[workload.pk]))
    form = page.locator("form.apply-lens")
    form.locator("select[name=lens]").select_option(lens.alias)
    form.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("link", name="Machine Learning Lens").first).to_be_visible()
    assert workload.lens_reviews.filter(lens_version__lens=lens).exists()
    assert_no_console_errors(page)


def test_a_lens_is_imported_from_a_url(
    django_user_model, logged_in_page, console_errors, settings, tmp_path, viewport
):
    user = django_user_model.objects.create_user("nora", password=PASSWORD)
    body = json.dumps(lens_document("Lens from the web", questions=3)).encode()
    with https_server(
        tmp_path, {"/lenses/web.json": (200, {"Content-Type": "application/json"}, body)}
    ) as server:
        settings.MLWA_OUTGOING_CA_FILE = server.ca_file
        settings.MLWA_OUTGOING_ALLOW = ["127.0.0.1"]
        page = logged_in_page(user, PASSWORD)
        page.set_viewport_size(viewport)
        page.goto(reverse("lens:library"))
        page.get_by_role("link", name="Import from a URL").click()

        url = page.get_by_label("Lens file URL")
        url.fill("https://169.254.169.254/latest/meta-data/")
        page.get_by_role("button", name="Fetch and import").click()
        expect(page.locator(".field-invalid .error")).to_contain_text("link-local")
        assert server.requests == []

        page.get_by_label("Lens file URL").fill(server.url("/lenses/web.json"))
        page.get_by_role("button", name="Fetch and import").click()
        expect(page.get_by_text("Imported as a draft: “Lens from the web”")).to_be_visible()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Lens from the web")
        assert server.requests == ["/lenses/web.json"]
    assert Lens.objects.get(owner=user).name == "Lens from the web"
    # The refused URL's page is a 400, which Chromium reports; nothing else may be.
    refused = "/lenses/import/url/: Failed to load resource: the server responded with a status of 400"
    assert [error for error in console_errors.of(page) if refused not in error] == []
