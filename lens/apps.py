from django.apps import AppConfig
from django.db.models.signals import post_migrate


class LensConfig(AppConfig):
    name = "lens"
    verbose_name = "Lenses"

    def ready(self) -> None:
        from lens.builtin import load_builtin_lens_after_migrate

        # migrate itself loads the built-in lens, so every instance (and every test database) has it.
        post_migrate.connect(load_builtin_lens_after_migrate, sender=self, dispatch_uid="lens.builtin")
