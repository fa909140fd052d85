"""The emulator's errors: a gRPC status *name* and a message, so no backend module imports grpc."""

from __future__ import annotations


class BackendError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def not_found(what: str, key: str) -> BackendError:
    return BackendError("NOT_FOUND", f"{what} {key!r} not found")


def invalid(message: str) -> BackendError:
    return BackendError("INVALID_ARGUMENT", message)


def already_exists(message: str) -> BackendError:
    return BackendError("ALREADY_EXISTS", message)


def failed_precondition(message: str) -> BackendError:
    return BackendError("FAILED_PRECONDITION", message)
