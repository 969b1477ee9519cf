"""Error families. Each carries the one sentence a user sees and the exit code it maps to."""


class CawarnError(Exception):
    """Base of every error a user may see; ``str(err)`` is one clear sentence."""

    exit_code = 1
    http_status = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InputError(CawarnError):
    """A file, URL or argument given by the user cannot be used as it is."""

    exit_code = 2
    http_status = 422


class ConfigError(CawarnError):
    """The node's configuration is missing or wrong."""

    exit_code = 3
    http_status = 500


class StoreError(CawarnError):
    """The event store cannot be reached or is not in the expected state."""

    exit_code = 4
    http_status = 503


class NotFoundError(CawarnError):
    """The thing asked for does not exist, or the caller may not see it."""

    exit_code = 5
    http_status = 404
