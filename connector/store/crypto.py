"""Encryption of portal tokens at rest (Fernet), and the key that does it."""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from connector.errors import LeadscoreError
from connector.settings import Settings

KEY_FILE_NAME = "token-encryption.key"


def key_file_path(settings: Settings) -> Path:
    """Where the generated key lives when `LEADSCORE_TOKEN_ENCRYPTION_KEY` is empty."""
    return settings.data_dir / KEY_FILE_NAME


def load_or_create_key(settings: Settings) -> str:
    """The token encryption key: from settings, else from the key file, else a new key file.

    The setting may hold several comma-separated keys (newest first) so a key can be rotated:
    the first encrypts, all of them decrypt. A generated key is written with mode 0600, and
    created without overwriting so two processes starting at once end up with the same key.
    """
    configured = settings.token_encryption_key.get_secret_value().strip()
    if configured:
        TokenCipher(configured)  # validate now, with a clear message, rather than at first use
        return configured
    path = key_file_path(settings)
    if not path.exists():
        _create_key_file(path)
    return _read_key_file(path)


def _create_key_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(Fernet.generate_key().decode("ascii") + "\n")
        # link() fails if another process created the file meanwhile: keep theirs.
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _read_key_file(path: Path) -> str:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise LeadscoreError(
            f"token key file {path} is readable by other users (mode {mode:o}); "
            f"run `chmod 600 {path}`"
        )
    key = path.read_text(encoding="ascii").strip()
    TokenCipher(key, source=str(path))
    return key


class TokenCipher:
    """Encrypts and decrypts token strings; holds the key but never shows it."""

    def __init__(self, keys: str | bytes, *, source: str = "LEADSCORE_TOKEN_ENCRYPTION_KEY"):
        """Build from one key or comma-separated keys (newest first)."""
        text = keys.decode("ascii") if isinstance(keys, bytes) else keys
        parts = [p.strip() for p in text.split(",") if p.strip()]
        if not parts:
            raise LeadscoreError(f"{source} is empty; it must hold a Fernet key")
        try:
            self._fernet = MultiFernet([Fernet(p) for p in parts])
        except (ValueError, TypeError):
            raise LeadscoreError(
                f"{source} is not a valid Fernet key (32 url-safe base64-encoded bytes; "
                'generate one with `python -c "from cryptography.fernet import Fernet; '
                'print(Fernet.generate_key().decode())"`)'
            ) from None

    def __repr__(self) -> str:
        return "TokenCipher(<hidden>)"

    def encrypt(self, plain: str) -> str:
        """Ciphertext (url-safe text) of a token."""
        return self._fernet.encrypt(plain.encode("utf-8")).decode("ascii")

    def decrypt(self, cipher: str, *, what: str) -> str:
        """The token back; `what` names it in the error if the key does not fit."""
        try:
            return self._fernet.decrypt(cipher.encode("ascii")).decode("utf-8")
        except InvalidToken:
            raise LeadscoreError(
                f"{what} cannot be decrypted with the configured token encryption key "
                "(LEADSCORE_TOKEN_ENCRYPTION_KEY or the key file in the data directory); "
                "restore the key that encrypted it, or reconnect the portal"
            ) from None
