"""The test provider's commands, run as `python -m tests.oidc_provider <command>` with
DJANGO_SETTINGS_MODULE=tests.oidc_provider.settings (process.TestProvider does this):

serve --db FILE --ready-file FILE
    Binds 127.0.0.1 on a free port, migrates FILE, adds process.PEOPLE and the app's client,
    writes its issuer URL to the ready file and serves until stopped.
set-groups --db FILE USERNAME [GROUP ...]
    Replaces a person's groups, as the council's directory would.
allow-app --db FILE --redirect-uri URI --post-logout-uri URI
    Lets the app's client come back to an app at one more address (a live server's): its
    sign-in callback and the page its sign-out returns to.
"""

import argparse
import os
import socketserver
import sys
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from .process import CLIENT_ID, CLIENT_SECRET, PASSWORD, PEOPLE


class ThreadingServer(socketserver.ThreadingMixIn, WSGIServer):
    # The app's server asks for tokens while a browser waits on another request.
    daemon_threads = True


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the parent's signature
        pass


def _django(db: str) -> None:
    os.environ["PROVIDER_DB"] = db
    import django

    django.setup()


def _client():
    from oauth2_provider.models import Application

    return Application.objects.get(client_id=CLIENT_ID)


def _seed() -> None:
    from django.contrib.auth.models import Group, User
    from oauth2_provider.models import Application

    for person in PEOPLE:
        user = User.objects.create_user(
            person["username"],
            email=person["email"],
            password=PASSWORD,
            first_name=person["given_name"],
            last_name=person["family_name"],
        )
        for name in person["groups"]:
            user.groups.add(Group.objects.get_or_create(name=name)[0])
    Application.objects.create(
        name="Case file audits",
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,  # stored hashed by django-oauth-toolkit
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris="",  # allow-app adds the app's addresses
        post_logout_redirect_uris="",
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )


def serve(args) -> None:
    # The port first: the issuer URL, which the settings need, contains it.
    server = make_server(
        "127.0.0.1", 0, None, server_class=ThreadingServer, handler_class=QuietHandler
    )
    issuer = f"http://127.0.0.1:{server.server_port}/o"
    os.environ["PROVIDER_ISSUER"] = issuer
    _django(args.db)
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application

    call_command("migrate", verbosity=0, interactive=False)
    _seed()
    server.set_app(get_wsgi_application())
    ready = Path(args.ready_file)
    ready.with_suffix(".tmp").write_text(issuer)
    ready.with_suffix(".tmp").replace(ready)  # whole, or not there yet
    server.serve_forever()


def set_groups(args) -> None:
    _django(args.db)
    from django.contrib.auth.models import Group, User

    user = User.objects.get(username=args.username)
    user.groups.set([Group.objects.get_or_create(name=name)[0] for name in args.groups])


def allow_app(args) -> None:
    _django(args.db)
    client = _client()
    for field, uri in (
        ("redirect_uris", args.redirect_uri),
        ("post_logout_redirect_uris", args.post_logout_uri),
    ):
        uris = getattr(client, field).split()
        if uri not in uris:
            setattr(client, field, " ".join([*uris, uri]))
    client.save()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.oidc_provider")
    commands = parser.add_subparsers(dest="command", required=True)
    command = commands.add_parser("serve")
    command.add_argument("--db", required=True)
    command.add_argument("--ready-file", required=True)
    command.set_defaults(run=serve)
    command = commands.add_parser("set-groups")
    command.add_argument("--db", required=True)
    command.add_argument("username")
    command.add_argument("groups", nargs="*")
    command.set_defaults(run=set_groups)
    command = commands.add_parser("allow-app")
    command.add_argument("--db", required=True)
    command.add_argument("--redirect-uri", required=True)
    command.add_argument("--post-logout-uri", required=True)
    command.set_defaults(run=allow_app)
    args = parser.parse_args(argv)
    args.run(args)


if __name__ == "__main__":
    sys.exit(main())
