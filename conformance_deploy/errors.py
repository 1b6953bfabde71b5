"""Turning botocore's exceptions into one line that says what to fix.

deploy-probe and teardown are run by people at a terminal and by CI jobs; a
traceback tells neither what to change. Every AWS problem becomes a
``DeployError`` with an exit code from the shared convention (2: fix your
configuration; 3: the service or the harness broke).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    ParamValidationError,
    PartialCredentialsError,
    ProfileNotFound,
)

EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_HARNESS = 3

# The error codes each service uses for "not allowed" (SNS says AuthorizationError).
ACCESS_DENIED_CODES = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "AuthorizationError",
        "UnauthorizedOperation",
        "AWS.SimpleQueueService.AccessDenied",
    }
)
BAD_CREDENTIALS_CODES = frozenset(
    {
        "InvalidClientTokenId",
        "UnrecognizedClientException",
        "InvalidAccessKeyId",
        "SignatureDoesNotMatch",
        "ExpiredToken",
        "ExpiredTokenException",
        "InvalidSignatureException",
    }
)


class DeployError(Exception):
    """A failure of deploy-probe or teardown, worded for the person who must fix it."""

    def __init__(self, message: str, exit_code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def describe_client_error(exc: ClientError, policy: str) -> DeployError:
    error = exc.response.get("Error", {})
    code = str(error.get("Code", "Unknown"))
    message = str(error.get("Message", "")).strip()
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    operation = exc.operation_name
    if code in ACCESS_DENIED_CODES:
        return DeployError(
            f"access denied calling {operation} ({message}); attach the {policy!r} policy "
            "from docs/iam-policy.json to these credentials"
        )
    if code in BAD_CREDENTIALS_CODES:
        return DeployError(
            f"the AWS credentials were rejected calling {operation} ({code}); "
            "refresh them (aws sso login, aws configure) or set AWS_PROFILE"
        )
    exit_code = EXIT_HARNESS if isinstance(status, int) and status >= 500 else EXIT_USAGE
    return DeployError(f"{operation} failed: {code}: {message}", exit_code)


@contextmanager
def clean_errors(endpoint_variables: Mapping[str, str], policy: str) -> Iterator[None]:
    """Re-raise botocore exceptions as ``DeployError``.

    ``endpoint_variables`` maps endpoint URLs to the variable that sets them, so an
    unreachable endpoint names the setting to correct.
    """
    try:
        yield
    except NoCredentialsError:
        raise DeployError(
            "no AWS credentials found; set AWS_PROFILE, or AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY, or run `aws configure`"
        ) from None
    except PartialCredentialsError as exc:
        raise DeployError(
            f"incomplete AWS credentials ({exc}); set both the key id and the secret"
        ) from None
    except ProfileNotFound as exc:
        raise DeployError(f"{exc}; check AWS_PROFILE and ~/.aws/config") from None
    except NoRegionError:
        raise DeployError("no AWS region; pass --region or set AWS_REGION") from None
    except EndpointConnectionError as exc:
        url = str(exc.kwargs.get("endpoint_url", ""))
        setting = next(
            (var for base, var in endpoint_variables.items() if url.startswith(base)),
            "AWS_ENDPOINT_URL_<SERVICE>",
        )
        raise DeployError(
            f"cannot connect to {url}; check {setting} (or the region) and that the "
            "service is reachable"
        ) from None
    except ClientError as exc:
        raise describe_client_error(exc, policy) from None
    except ParamValidationError as exc:
        raise DeployError(f"AWS rejected a parameter before sending it: {exc}") from None
    except BotoCoreError as exc:
        raise DeployError(f"AWS call failed: {exc}", EXIT_HARNESS) from None
