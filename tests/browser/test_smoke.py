"""The browser setup itself: a person logs in through the form and reaches the lens library, and the
console guard that every browser test ends with does see a Content-Security-Policy violation."""

import re

from django.urls import reverse
from playwright.sync_api import expect


def test_log_in_through_the_form_and_see_the_lens_library(
    django_user_model, logged_in_page, assert_no_console_errors
):
    django_user_model.objects.create_user("carol", password="carol-password")

    page = logged_in_page("carol", "carol-password")

    # Wherever the login leads (LOGIN_REDIRECT_URL), the header names the person.
    expect(page.locator(".account-name")).to_have_text("carol")
    assert_no_console_errors(page)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Lenses").click()
    expect(page).to_have_url(re.compile(re.escape(reverse("lens:library")) + "$"))
    expect(page.locator(".account-name")).to_have_text("carol")
    expect(page.get_by_role("link", name="Machine Learning Lens (2021 slides)", exact=True)).to_be_visible()
    assert_no_console_errors(page)


def test_console_guard_sees_a_csp_violation(page, console_errors):
    page.goto(reverse("login"))
    assert console_errors.of(page) == []

    # An inline script, as a template might one day add: the CSP blocks it, and the guard reports it.
    page.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "window.inlineScriptRan = true";
            document.head.append(script);
        }"""
    )

    assert page.evaluate("window.inlineScriptRan") is None
    errors = console_errors.of(page)
    assert any("Content Security Policy directive" in error for error in errors), errors
