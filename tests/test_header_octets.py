"""The header-octet rule's foundations, without a target: what the strategies send, and
how the two other front ends (ISO-8859-1 reading, AWS's literal SigV4) read it."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import quote, unquote

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.utils import percent_encode
from hypothesis import HealthCheck, given, settings
from multidict import CIMultiDict, CIMultiDictProxy

from reference import sigv4
from reference.errors import ServiceError
from reference.parts import Latin1Headers, Utf8Headers
from spec.contract import BEHAVIOURS, HEADER_OCTET_RULE, contract
from strategies.requests import InvalidRequest, invalid_requests

FAST = settings(max_examples=150, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow])
HEADER_MEMBERS = {m.name for m in contract().members if m.location == "header"}


def _octet_sensitive(value: str) -> bool:
    return "\t" in value or not value.isascii()


@FAST
@given(invalid_requests())
def test_only_the_rule_sends_non_ascii_or_a_tab(request: InvalidRequest) -> None:
    """Every violation printable ASCII can express is sent in printable ASCII."""
    sensitive = [
        name for name, value in request.params.items()
        if name in HEADER_MEMBERS and isinstance(value, str) and _octet_sensitive(value)
    ]
    if request.violation.behaviour in HEADER_OCTET_RULE:
        assert sensitive == [request.violation.member]
    else:
        assert sensitive == [], request
    label = request.params["EndpointName"]
    assert label.isascii() and "\t" not in label


@FAST
@given(invalid_requests(behaviours=["IEA-VAL-001", "IEA-VAL-002"]))
def test_the_endpoint_label_canonicalizes_alike_decoded_or_raw(request: InvalidRequest) -> None:
    """botocore quotes the label strictly (RFC 3986 unreserved kept), so a server that
    decodes the path and encodes each segment twice (AWS's description) and one that quotes
    the raw path once more (botocore's rule) build the same canonical URI, and the label
    decodes back to exactly the value sent."""
    name = request.params["EndpointName"]
    raw = percent_encode(name)
    assert unquote(raw) == name
    twice = quote(quote(unquote(raw), safe="-_.~"), safe="-_.~")
    assert twice == quote(raw, safe="/~")


def _signed(headers: dict[str, str]) -> tuple[sigv4.SignedRequest, list[tuple[bytes, bytes]]]:
    request = AWSRequest("POST", "http://127.0.0.1:1/endpoints/e/async-invocations",
                         headers=headers, data=b"")
    SigV4Auth(Credentials("AK", "SK"), "sagemaker", "us-east-1").add_auth(request)
    prepared = request.prepare()
    octets = [(k.encode(), v.encode("utf-8") if isinstance(v, str) else v)
              for k, v in prepared.headers.items()]
    octets.append((b"Host", b"127.0.0.1:1"))
    return octets


def _verify(octets: list[tuple[bytes, bytes]], reader, canonical_value=sigv4.collapse_white_space):
    decoded = CIMultiDict()
    for name, value in octets:
        decoded.add(name.decode(), value.decode("utf-8", "surrogateescape"))
    headers = reader.read(octets, CIMultiDictProxy(decoded))
    signed = sigv4.SignedRequest(
        "POST", "/endpoints/e/async-invocations", headers, b"",
        {n.lower(): headers.getall(n) for n in headers},
    )
    return sigv4.verify(signed, keys={"AK": "SK"}, region="us-east-1",
                        now=datetime.now(UTC), canonical_value=canonical_value)


def _rejected(*args, **kwargs) -> str | None:
    try:
        _verify(*args, **kwargs)
    except ServiceError as error:
        return error.code
    return None


def test_an_iso_8859_1_front_end_fails_a_non_ascii_value_and_only_that() -> None:
    non_ascii = _signed({"X-Amzn-SageMaker-Content-Type": "text/\u00e9t\u00e9"})
    assert _rejected(non_ascii, Utf8Headers()) is None
    assert _rejected(non_ascii, Latin1Headers()) == "InvalidSignatureException"
    ascii_only = _signed({"X-Amzn-SageMaker-Custom-Attributes": "a  b " + "c" * 1100})
    assert _rejected(ascii_only, Latin1Headers()) is None


def test_aws_documented_canonicalization_differs_from_botocore_on_tabs_only() -> None:
    tab = _signed({"X-Amzn-SageMaker-Inference-Id": "a\tb"})
    assert _rejected(tab, Utf8Headers()) is None
    assert _rejected(tab, Utf8Headers(), sigv4.aws_documented_value) == (
        "InvalidSignatureException"
    )
    spaces = _signed({"X-Amzn-SageMaker-Custom-Attributes": "a    b  c"})
    assert _rejected(spaces, Utf8Headers(), sigv4.aws_documented_value) is None


def test_the_rule_names_musts_and_their_shoulds() -> None:
    from spec.catalogue import load_catalogue

    catalogue = load_catalogue()
    for must, should in HEADER_OCTET_RULE.items():
        assert catalogue.get(must).level == "MUST" and catalogue.get(should).level == "SHOULD"
        assert must in BEHAVIOURS.values()
