"""API tokens: the keys REST clients authenticate with (`Authorization: Token <key>`).

A key is shown once, when it is made, and stored only as a SHA-256 digest. Keys are long and random
(256 bits), so a fast digest is as safe as a password hash and costs microseconds, not the hundreds
of milliseconds a password hasher would add to every request (DESIGN.md, "API"). The key's first
characters after `mlwa_` are its `prefix`, stored in clear and indexed, so that a request finds its
token in one indexed query.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

PREFIX_LENGTH = 12
KEY_START = "mlwa_"


class ApiToken(models.Model):
    """One named key of one user; read-only keys may only read. Revoked keys stay, unusable, so
    that the profile page can say when a key was revoked."""

    #: Not a column: the whole key, on a token just made (shown once, never stored).
    key: str

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text=_("What the key is for, e.g. “CI dashboard”."))
    prefix = models.CharField(max_length=PREFIX_LENGTH, unique=True)
    digest = models.CharField(max_length=64, help_text=_("SHA-256 of the whole key, in hexadecimal."))
    read_only = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "name"],
                condition=Q(revoked_at__isnull=True),
                name="apitoken_name_unique_per_user",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.name} ({KEY_START}{self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
