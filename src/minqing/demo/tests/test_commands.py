"""The demo commands: `seed_demo` loads into the current database, `demo_reset` starts the SQLite demo afresh."""

import os
import sqlite3
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from minqing.accounts.models import User
from minqing.demo.management.commands.demo_reset import delete_sqlite_database, sqlite_database_file
from minqing.demo.seed import USERNAMES

REPO = Path(settings.REPO_DIR)


def test_seed_demo_loads_and_prints_the_accounts(db, settings):
    settings.DEMO_PASSWORD = "from-the-environment-1"  # settings read MINQING_DEMO_PASSWORD and PORT
    settings.DEMO_PORT = "8123"
    out = StringIO()
    call_command("seed_demo", "--scale", "0.01", stdout=out)
    text = out.getvalue()
    for username in USERNAMES:
        assert username in text
    assert "from-the-environment-1" in text
    assert "http://127.0.0.1:8123/" in text
    assert User.objects.get(username="redian_grid1").check_password("from-the-environment-1")


def test_seed_demo_refuses_a_database_that_has_the_demo(db):
    call_command("seed_demo", "--scale", "0.01", "--password", "first-password-1", stdout=StringIO())
    with pytest.raises(CommandError, match="demo_reset"):
        call_command("seed_demo", "--scale", "0.01", stdout=StringIO())
    assert User.objects.get(username="admin").check_password("first-password-1")


@pytest.mark.parametrize("name", [":memory:", "file:memorydb_default?mode=memory&cache=shared", ""])
def test_demo_reset_never_deletes_an_in_memory_database(name):
    with pytest.raises(CommandError, match="in memory"):
        sqlite_database_file({"NAME": name})


def test_demo_reset_deletes_the_database_and_its_companion_files(tmp_path):
    database = tmp_path / "minqing.sqlite3"
    sqlite3.connect(database).close()
    for suffix in ("-wal", "-shm"):
        Path(f"{database}{suffix}").write_bytes(b"")
    other = tmp_path / "dev-keys.json"
    other.write_text("{}")
    assert sqlite_database_file({"NAME": str(database)}) == database
    removed = delete_sqlite_database(database)
    assert sorted(p.name for p in removed) == [
        "minqing.sqlite3",
        "minqing.sqlite3-shm",
        "minqing.sqlite3-wal",
    ]
    assert list(tmp_path.iterdir()) == [other]
    assert delete_sqlite_database(database) == []


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"),
    reason="the refusal is for databases other than SQLite",
)
def test_demo_reset_refuses_other_databases_without_force(db):
    with pytest.raises(CommandError, match="--force"):
        call_command("demo_reset", stdout=StringIO())
    assert connection.vendor != "sqlite"
    assert not User.objects.exists()


def test_demo_reset_builds_a_fresh_sqlite_demo(tmp_path):
    """The real command, in its own process, on a throwaway var directory: twice, to prove it starts over."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "MINQING_ENV", "DJANGO_SETTINGS_MODULE", "MINQING_VAR_DIR"}
    }
    env.update(
        MINQING_VAR_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="minqing.settings.dev",
        MINQING_DEMO_PASSWORD="demo-pass-2026",
        PORT="8765",
    )
    command = [sys.executable, str(REPO / "manage.py"), "demo_reset", "--scale", "0.01"]
    for _run in range(2):
        result = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
            command, cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False
        )
        assert result.returncode == 0, result.stderr
        assert "http://127.0.0.1:8765/" in result.stdout
        for username in USERNAMES:
            assert username in result.stdout
    with sqlite3.connect(tmp_path / "minqing.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM accounts_user").fetchone() == (len(USERNAMES),)
        assert db.execute("SELECT count(*) FROM core_auditevent WHERE action = 'demo.seed'").fetchone() == (
            1,
        )
