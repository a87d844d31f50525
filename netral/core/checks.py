from django.conf import settings
from django.core.checks import Warning, register


@register()
def sqlite_pragmas(app_configs, **kwargs):
    """Warn when the SQLite database lacks the options the embedded mode relies on."""
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3") and db.get("OPTIONS", {}).get("transaction_mode") != "IMMEDIATE":
        return [Warning("SQLite without IMMEDIATE transactions risks 'database is locked'.", id="netral.W001")]
    return []
