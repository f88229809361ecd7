"""Password validators are on where users set passwords: the account page's password change refuses
a weak one (400, the reason shown, the password unchanged), as do `manage.py changepassword` and
`createsuperuser`, which run the same validators (AUTH_PASSWORD_VALIDATORS)."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

pytestmark = pytest.mark.django_db

WEAK = {
    "short": ("x7#kq", "too short"),
    "common": ("password123", "too common"),
    "numeric": ("4815162342", "entirely numeric"),
    "like the username": ("alice1234", "too similar"),
}


@pytest.mark.parametrize(("password", "reason"), WEAK.values(), ids=WEAK.keys())
def test_the_account_page_refuses_a_weak_password(client_for, alice, password, reason):
    response = client_for(alice).post(
        reverse("profile"),
        {"old_password": "alice-password", "new_password1": password, "new_password2": password},
    )

    assert response.status_code == 400
    assert reason in " ".join(response.context["form"].errors["new_password2"])
    alice.refresh_from_db()
    assert alice.check_password("alice-password")


@pytest.mark.parametrize(("password", "reason"), WEAK.values(), ids=WEAK.keys())
def test_the_validators_refuse_a_weak_password(alice, password, reason):
    with pytest.raises(ValidationError, match=reason):
        validate_password(password, user=alice)


def test_a_strong_password_passes(alice):
    validate_password("correct horse battery staple 42", user=alice)
