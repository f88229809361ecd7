"""The people and workloads of a load run, made through the services as the application makes them:
an owner, `--clients` users with a token each, one workload of the owner's shared with the first
half of them as contributors, and one workload of each of the others, each with the built-in ML Lens
applied. Prints JSON for the runner: the clients (token, workload, alias), the lens's questions and
their choices.

Usage: DATABASE_URL=postgres://... python -m bench.load.prepare --clients 20 (migrated already);
--password PW gives the owner a password (for a session in the browser's pages), its name printed
as "owner". With --static instead: collect the static files (collect_static).
"""

import argparse
import json
import os
import secrets
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--password")
    parser.add_argument("--static", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mlwa.settings")
    import django

    django.setup()
    if args.static:
        collect_static()
        return
    from django.contrib.auth import get_user_model

    from accounts.services import token_create
    from lens.models import BUILTIN_ALIAS, Choice, Lens, Question
    from lens.selectors import latest_published_version
    from reviews.models import Share
    from reviews.services import share_grant, workload_create

    run = secrets.token_hex(3)  # a database used before keeps its users: names of this run's own
    users = get_user_model().objects
    version = latest_published_version(Lens.objects.get(alias=BUILTIN_ALIAS))
    owner = users.create_user(f"load-{run}-owner", password=args.password)
    shared = workload_create(
        owner=owner, fields={"name": f"Load {run} shared", "review_owner": "load"}, lens_versions=[version]
    )
    clients = []
    for number in range(args.clients):
        user = users.create_user(f"load-{run}-{number:02d}")
        _token, key = token_create(user=user, name="load test")
        if number < args.clients // 2:
            share_grant(workload=shared, actor=owner, role=Share.Role.CONTRIBUTOR, user=user)
            workload = shared
        else:
            workload = workload_create(
                owner=user,
                fields={"name": f"Load {run} {number}", "review_owner": "load"},
                lens_versions=[version],
            )
        clients.append(
            {"user": user.username, "token": key, "workload": workload.pk, "shared": workload == shared}
        )
    questions = {}
    for question in Question.objects.filter(version=version).order_by("pillar__position", "position"):
        choices = list(
            Choice.objects.filter(question=question).order_by("position").values_list("choice_id", flat=True)
        )
        questions[question.question_id] = choices
    json.dump(
        {"alias": BUILTIN_ALIAS, "owner": owner.username, "clients": clients, "questions": questions},
        sys.stdout,
    )


def collect_static() -> None:
    """collectstatic with Django's manifest storage: the manifest (staticfiles.json) that production's
    whitenoise storage reads, with the same hashed names, without the gzip and brotli copies of every
    file that whitenoise makes (~40 s of CPU) and that no page or report here downloads."""
    from django.conf import settings
    from django.core.management import call_command
    from django.test.utils import override_settings

    storage = {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}
    with override_settings(STORAGES={**settings.STORAGES, "staticfiles": storage}):
        call_command("collectstatic", interactive=False, verbosity=0)


if __name__ == "__main__":
    main()
