"""`manage.py runserver` (what `make run` starts): whitenoise's, on the development server of
mlwa.devserver, which reads chunked request bodies."""

from whitenoise.runserver_nostatic.management.commands.runserver import Command as StaticlessCommand

from mlwa.devserver import DevServer


class Command(StaticlessCommand):
    server_cls = DevServer
