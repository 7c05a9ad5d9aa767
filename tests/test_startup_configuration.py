"""A configuration that cannot work stops start-up with exactly one line naming the setting,
and exit code 2: never a traceback, never a server that fails on the first call."""

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from app.resources import open_call_records_or_exit, open_reservations_or_exit
from settings import Settings, load_settings_or_exit
from web.ice_servers import check_ice_servers_or_exit

ROOT = Path(__file__).resolve().parent.parent


def stopped_with_one_line(capsys, start) -> str:
    with pytest.raises(SystemExit) as stopped:
        start()
    assert stopped.value.code == 2
    (line,) = capsys.readouterr().err.splitlines()
    return line


def run_bot(tmp_path, **env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "bot.py"],
        cwd=ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "HOME": str(tmp_path),
            "DATABASE_URL": f"sqlite:///{tmp_path}/reservations.db",
            "CONVERSATIONS_DATABASE_URL": f"sqlite:///{tmp_path}/conversations.db",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )


def errors_of(result: subprocess.CompletedProcess) -> list[str]:
    return [line for line in result.stderr.splitlines() if "configuration error" in line]


def test_seating_that_opens_after_the_last_seating_is_refused(monkeypatch, capsys):
    monkeypatch.setenv("SEATING_OPENS", "21:00")
    line = stopped_with_one_line(capsys, load_settings_or_exit)
    assert line.startswith("configuration error: SEATING_OPENS: 21:00 is not before LAST_SEATING")


def test_seating_that_opens_after_the_late_last_seating_is_refused(monkeypatch, capsys):
    monkeypatch.setenv("SEATING_OPENS", "20:00")
    monkeypatch.setenv("LAST_SEATING", "20:30")
    monkeypatch.setenv("LAST_SEATING_LATE", "19:30")
    line = stopped_with_one_line(capsys, load_settings_or_exit)
    assert line.startswith(
        "configuration error: SEATING_OPENS: 20:00 is not before LAST_SEATING_LATE"
    )


@pytest.mark.parametrize("variable", ["DATABASE_URL", "CONVERSATIONS_DATABASE_URL"])
@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_an_in_memory_sqlite_database_is_refused(monkeypatch, capsys, variable, url):
    monkeypatch.setenv(variable, url)
    line = stopped_with_one_line(capsys, load_settings_or_exit)
    assert line.startswith(f"configuration error: {variable}: ")
    assert "in-memory database" in line


@pytest.mark.skipif(importlib.util.find_spec("psycopg2") is not None, reason="psycopg2 installed")
@pytest.mark.parametrize("variable", ["DATABASE_URL", "CONVERSATIONS_DATABASE_URL"])
def test_a_database_whose_driver_is_missing_is_refused_without_its_password(
    monkeypatch, capsys, variable
):
    monkeypatch.setenv(variable, "postgresql://bot:s3cret@db.example.com/restaurant")
    line = stopped_with_one_line(capsys, load_settings_or_exit)
    assert line.startswith(f"configuration error: {variable}: ")
    assert "'psycopg2', which is not installed" in line
    assert "use postgresql+psycopg://" in line
    assert "s3cret" not in line


def test_a_reservations_folder_that_cannot_be_made_is_one_line(tmp_path, capsys):
    (tmp_path / "a-file").write_text("")
    settings = Settings(_env_file=None, database_url=f"sqlite:///{tmp_path}/a-file/db/r.db")
    line = stopped_with_one_line(capsys, lambda: open_reservations_or_exit(settings))
    assert line.startswith("configuration error: DATABASE_URL: cannot open the reservation store")
    assert "Not a directory" in line


def test_a_call_records_folder_that_cannot_be_made_is_one_line(tmp_path, capsys):
    (tmp_path / "a-file").write_text("")
    settings = Settings(
        _env_file=None, conversations_database_url=f"sqlite:///{tmp_path}/a-file/db/c.db"
    )
    line = stopped_with_one_line(capsys, lambda: open_call_records_or_exit(settings))
    assert line.startswith("configuration error: CONVERSATIONS_DATABASE_URL: cannot open")
    assert "Not a directory" in line


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ('[{"urls": "stun:stun.example.com"', "could not parse"),
        ("stun.example.com:3478", "is not a STUN or TURN URL"),
        ('{"urls": "turn:turn.example.com"}', "needs a username and a credential"),
        ('{"url": "stun:stun.example.com"}', "unsupported key"),
    ],
)
def test_malformed_ice_servers_are_refused(capsys, value, says):
    settings = Settings(_env_file=None, pipecat_ice_servers=value)
    line = stopped_with_one_line(capsys, lambda: check_ice_servers_or_exit(settings))
    assert line.startswith("configuration error: PIPECAT_ICE_SERVERS: ")
    assert says in line


def test_a_turn_password_is_not_printed_with_a_parse_error(capsys):
    value = '[{"urls": "turn:t.example.com", "username": "u", "credential": "hunter2"}'
    settings = Settings(_env_file=None, pipecat_ice_servers=value)
    line = stopped_with_one_line(capsys, lambda: check_ice_servers_or_exit(settings))
    assert "could not parse" in line and "hunter2" not in line


@pytest.mark.parametrize(
    "value",
    [
        "stun:stun.example.com:3478, stun:stun2.example.com",
        '[{"urls": "turn:t.example.com", "username": "u", "credential": "c"}]',
    ],
)
def test_well_formed_ice_servers_pass(capsys, value):
    check_ice_servers_or_exit(Settings(_env_file=None, pipecat_ice_servers=value))
    assert capsys.readouterr().err == ""


def test_bot_stops_on_a_database_folder_it_cannot_make(tmp_path):
    (tmp_path / "a-file").write_text("")
    result = run_bot(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path}/a-file/db/r.db")
    assert result.returncode == 2
    assert len(errors_of(result)) == 1 and "DATABASE_URL" in errors_of(result)[0]
    assert "Traceback" not in result.stderr


def test_bot_stops_on_malformed_ice_servers(tmp_path):
    result = run_bot(tmp_path, PIPECAT_ICE_SERVERS="stun.example.com:3478")
    assert result.returncode == 2
    assert len(errors_of(result)) == 1 and "PIPECAT_ICE_SERVERS" in errors_of(result)[0]
    assert "Traceback" not in result.stderr
