"""Where the database setting is kept: the choice order and the private settings file."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from orion_desktop import config


@pytest.fixture
def config_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(config.ENV_CONFIG_DIR, str(tmp_path / "config"))
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "pgpass"))  # never the real ~/.pgpass
    monkeypatch.setenv("ORION_NO_KEYRING", "1")
    monkeypatch.delenv(config.ENV_DATABASE_URL, raising=False)
    return tmp_path / "config"


def test_a_saved_url_is_readable_by_its_user_only(config_home: Path) -> None:
    url = "postgresql://clerk@db.example/orion"
    config.save_database_url(url)
    settings = config_home / "settings.json"
    assert stat.S_IMODE(settings.stat().st_mode) == 0o600
    assert json.loads(settings.read_text(encoding="utf-8")) == {"database_url": url}
    assert config.saved_database_url() == url
    assert config.choose_database() == config.DatabaseChoice(url, "saved setting")
    assert [p.name for p in config_home.iterdir()] == ["settings.json"]  # no partial file left


def test_an_existing_world_readable_file_becomes_private_and_keeps_other_settings(config_home: Path) -> None:
    config_home.mkdir(parents=True)
    settings = config_home / "settings.json"
    settings.write_text(json.dumps({"database_url": "sqlite:///old.db", "other": 1}), encoding="utf-8")
    settings.chmod(0o644)
    config.save_database_url(None)  # forget the URL
    assert stat.S_IMODE(settings.stat().st_mode) == 0o600
    assert json.loads(settings.read_text(encoding="utf-8")) == {"other": 1}
    assert config.saved_database_url() is None


def test_the_command_line_beats_the_environment_which_beats_the_saved_setting(
    config_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config.save_database_url("sqlite:///saved.db")
    monkeypatch.setenv(config.ENV_DATABASE_URL, "sqlite:///env.db")
    assert config.choose_database().source == "ORION_DATABASE_URL"
    assert config.choose_database(" sqlite:///cli.db ") == config.DatabaseChoice("sqlite:///cli.db", "--db")


def test_a_saved_password_goes_to_the_pgpass_file_not_the_settings(config_home: Path, tmp_path: Path) -> None:
    config.save_database_url("postgresql://clerk:s3cr%3At@db.example:5433/orion")
    settings = (config_home / "settings.json").read_text(encoding="utf-8")
    assert "s3cr" not in settings
    assert json.loads(settings) == {"database_url": "postgresql://clerk@db.example:5433/orion"}
    pgpass = tmp_path / "pgpass"
    assert stat.S_IMODE(pgpass.stat().st_mode) == 0o600
    assert pgpass.read_text(encoding="utf-8") == "db.example:5433:orion:clerk:s3cr\\:t\n"
    config.save_database_url("postgresql://clerk:newer@db.example:5433/orion")  # replaces the line
    assert pgpass.read_text(encoding="utf-8") == "db.example:5433:orion:clerk:newer\n"
    assert config.saved_database_url() == "postgresql://clerk@db.example:5433/orion"
