"""Encryption at rest of the reporter's identity and contact (Fernet, via ``cryptography``).

Keys, first found wins:

1. ``settings.NETRAL_COMPLAINTS_KEYS`` (a list; optional, not set by default);
2. the environment variable ``NETRAL_COMPLAINTS_KEY``: one Fernet key, or several separated
   by commas for rotation (the first encrypts, all decrypt: ``MultiFernet``);
3. a key generated once and kept in ``settings.DATA_DIR / "complaints_key"`` (mode 0600),
   the way ``NETRAL_SECRET_KEY`` falls back to ``DATA_DIR / "secret_key"``.

The key is deliberately not derived from SECRET_KEY: rotating the session secret must not
make every stored identity unreadable, and a leaked SECRET_KEY must not reveal reporters.
Back up the key file with the database; without it the identities cannot be read.
"""

import os
import threading

from django.conf import settings
from django.core.signals import setting_changed

_lock = threading.Lock()
_cached = None
KEY_FILE_NAME = "complaints_key"


def _key_file():
    return settings.DATA_DIR / KEY_FILE_NAME


def _load_keys() -> list[bytes]:
    from cryptography.fernet import Fernet  # noqa: PLC0415 -- slow import

    configured = getattr(settings, "NETRAL_COMPLAINTS_KEYS", None)
    if configured:
        return [k.encode() if isinstance(k, str) else k for k in configured]
    env = os.environ.get("NETRAL_COMPLAINTS_KEY", "").strip()
    if env:
        return [k.strip().encode() for k in env.split(",") if k.strip()]
    path = _key_file()
    try:
        return [path.read_bytes().strip()]
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        key = Fernet.generate_key()
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process created it first: use theirs
            return [path.read_bytes().strip()]
        with os.fdopen(fd, "wb") as fh:
            fh.write(key)
        return [key]


def _fernet():
    global _cached
    if _cached is None:
        from cryptography.fernet import Fernet, MultiFernet  # noqa: PLC0415 -- slow import

        with _lock:
            if _cached is None:
                _cached = MultiFernet([Fernet(k) for k in _load_keys()])
    return _cached


def reset_keys(**kwargs) -> None:
    """Forget the loaded keys (tests, key rotation without restart)."""
    global _cached
    with _lock:
        _cached = None


setting_changed.connect(reset_keys, dispatch_uid="netral.complaints.crypto.reset")


def encrypt(text: str) -> str:
    """Ciphertext (URL-safe base64 text) of ``text``; empty stays empty."""
    if not text:
        return ""
    return _fernet().encrypt(text.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    if not token:
        return ""
    return _fernet().decrypt(token.encode("ascii")).decode("utf-8")


def rotate(token: str) -> str:
    """Re-encrypt with the first (newest) key."""
    return _fernet().rotate(token.encode("ascii")).decode("ascii") if token else ""
