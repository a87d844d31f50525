from django.conf import settings
from django.core.checks import Warning, register


@register()
def sqlite_pragmas(app_configs, **kwargs):
    """Warn when the SQLite database lacks the options the embedded mode relies on."""
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3") and db.get("OPTIONS", {}).get("transaction_mode") != "IMMEDIATE":
        return [Warning("SQLite without IMMEDIATE transactions risks 'database is locked'.", id="netral.W001")]
    return []


@register()
def sqlite_version(app_configs, **kwargs):
    """Check-in uses INSERT … ON CONFLICT … RETURNING (SQLite 3.35+)."""
    import sqlite3

    from django.core.checks import Error

    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3") and sqlite3.sqlite_version_info < (3, 35):
        return [Error(f"SQLite {sqlite3.sqlite_version} is too old; Netral needs 3.35 or newer.", id="netral.E001")]
    return []
