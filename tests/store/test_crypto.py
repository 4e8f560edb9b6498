"""The token encryption key: from settings, or generated once into a 0600 key file."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from pydantic import SecretStr

from connector.errors import LeadscoreError
from connector.settings import Settings
from connector.store import TokenCipher, load_or_create_key, open_store
from connector.store.crypto import key_file_path


def _settings(tmp_path: Path, key: str = "") -> Settings:
    return Settings.model_validate(
        {"data_dir": tmp_path / "data", "token_encryption_key": SecretStr(key)}
    )


def test_generated_key_file_is_private_and_reused(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    first = load_or_create_key(settings)
    path = key_file_path(settings)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_key(settings) == first
    TokenCipher(first)  # a valid Fernet key


def test_configured_key_wins_and_no_file_is_written(tmp_path: Path) -> None:
    key = Fernet.generate_key().decode()
    settings = _settings(tmp_path, key)
    assert load_or_create_key(settings) == key
    assert not key_file_path(settings).exists()


def test_invalid_configured_key_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(LeadscoreError, match="LEADSCORE_TOKEN_ENCRYPTION_KEY is not a valid"):
        load_or_create_key(_settings(tmp_path, "not-a-key"))


def test_key_file_readable_by_others_is_refused(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    load_or_create_key(settings)
    key_file_path(settings).chmod(0o644)
    with pytest.raises(LeadscoreError, match="chmod 600"):
        load_or_create_key(settings)


def test_open_store_uses_the_settings_database_and_key(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    with open_store(settings=settings) as store:
        assert store.dialect == "sqlite"
        assert store.portals.all() == []
    assert (settings.data_dir / "leadscore.db").exists()
    assert key_file_path(settings).exists()


def test_cipher_round_trip_and_hidden_repr() -> None:
    key = Fernet.generate_key().decode()
    cipher = TokenCipher(key)
    secret = cipher.encrypt("token-value")
    assert "token-value" not in secret
    assert cipher.decrypt(secret, what="x") == "token-value"
    assert key not in repr(cipher)
