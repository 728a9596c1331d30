"""A throwaway PostgreSQL database for one benchmark, shared by the bench scripts."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent


def database_url(base: str, name: str) -> str:
    return urlunsplit(urlsplit(base)._replace(path=f"/{name}"))


def recreate(base: str, name: str) -> None:
    with psycopg.connect(base, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def drop(base: str, name: str) -> None:
    with psycopg.connect(base, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def migrate(env: dict) -> None:
    """Migrate the database that env's DATABASE_URL names."""
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "migrate", "--verbosity", "0", "--skip-checks"],
        env=env,
        check=True,
        cwd=ROOT,
    )


def open_database(base: str, name: str, *, reuse: bool) -> None:
    """Point DATABASE_URL at the bench database `name` on the server `base` (dropped,
    created and migrated first unless `reuse`) and set Django up to serve requests
    through its test client (DEBUG off, any host)."""
    if not reuse:
        recreate(base, name)
    os.environ["DATABASE_URL"] = database_url(base, name)
    if not reuse:
        migrate(dict(os.environ))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cairn.settings")
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["*"]
