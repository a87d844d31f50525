class NetralError(Exception):
    """A domain error with a stable ``code`` and a user-facing (translated) message."""

    def __init__(self, message, code: str = "error", field: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field

    def __str__(self):
        return str(self.message)
