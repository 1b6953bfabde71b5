"""Errors the service answers with, as data: HTTP status, rest-json error type, message."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ServiceError(Exception):
    status: int
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.status} {self.code}: {self.message}"


def validation_error(message: str) -> ServiceError:
    return ServiceError(400, "ValidationError", message)


def auth_error(code: str, message: str) -> ServiceError:
    return ServiceError(403, code, message)


def internal_failure(message: str) -> ServiceError:
    return ServiceError(500, "InternalFailure", message)


def service_unavailable(message: str) -> ServiceError:
    return ServiceError(503, "ServiceUnavailable", message)


MISSING_TOKEN = "MissingAuthenticationTokenException"
INVALID_SIGNATURE = "InvalidSignatureException"
UNRECOGNIZED_CLIENT = "UnrecognizedClientException"
