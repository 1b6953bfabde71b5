"""SigV4 verification against requests signed by botocore itself."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from multidict import CIMultiDict

from reference.errors import ServiceError
from reference.sigv4 import SignedRequest, verify

KEYS = {"AKIDEXAMPLE": "secret/example+key"}
PATH = "/endpoints/my-endpoint/async-invocations"


def signed(body: bytes = b"{}", path: str = PATH, *, key: str = "AKIDEXAMPLE",
           secret: str = "secret/example+key", region: str = "us-east-1",
           service: str = "sagemaker") -> SignedRequest:
    request = AWSRequest(
        method="POST", url=f"http://127.0.0.1:9999{path}", data=body,
        headers={"X-Amzn-SageMaker-Custom-Attributes": "a  b"},
    )
    SigV4Auth(Credentials(key, secret), service, region).add_auth(request)
    headers = CIMultiDict({k: v for k, v in request.headers.items()})
    headers["Host"] = "127.0.0.1:9999"
    return SignedRequest("POST", path, headers, body)


def test_a_botocore_signature_verifies() -> None:
    assert verify(signed(), keys=KEYS, region="us-east-1") == "AKIDEXAMPLE"


def test_encoded_path_verifies() -> None:
    assert verify(signed(path="/endpoints/a%2Fb%20c/async-invocations"), keys=KEYS,
                  region="us-east-1")


@pytest.mark.parametrize(
    ("mutate", "code"),
    [
        (lambda r: SignedRequest(r.method, r.raw_path, CIMultiDict(), r.body),
         "MissingAuthenticationTokenException"),
        (lambda r: SignedRequest(r.method, r.raw_path, r.headers, b"{ }"),
         "InvalidSignatureException"),
        (lambda r: SignedRequest(r.method, r.raw_path + "x", r.headers, r.body),
         "InvalidSignatureException"),
    ],
    ids=["missing", "body-changed", "path-changed"],
)
def test_faults_are_403(mutate, code: str) -> None:
    with pytest.raises(ServiceError) as caught:
        verify(mutate(signed()), keys=KEYS, region="us-east-1")
    assert caught.value.status == 403 and caught.value.code == code


def test_unknown_key_wrong_secret_region_service() -> None:
    cases = [
        (signed(key="AKIDUNKNOWN"), "UnrecognizedClientException"),
        (signed(secret="wrong"), "InvalidSignatureException"),
        (signed(region="eu-west-1"), "InvalidSignatureException"),
        (signed(service="s3"), "InvalidSignatureException"),
    ]
    for request, code in cases:
        with pytest.raises(ServiceError) as caught:
            verify(request, keys=KEYS, region="us-east-1")
        assert caught.value.code == code


@pytest.mark.parametrize("skew", [timedelta(minutes=16), -timedelta(minutes=16)])
def test_stale_or_future_date_is_rejected(skew: timedelta) -> None:
    with pytest.raises(ServiceError) as caught:
        verify(signed(), keys=KEYS, region="us-east-1", now=datetime.now(UTC) + skew)
    assert caught.value.code == "InvalidSignatureException"


def test_within_skew_is_accepted() -> None:
    later = datetime.now(UTC) + timedelta(minutes=14)
    assert verify(signed(), keys=KEYS, region="us-east-1", now=later)
