"""S3 object locations: the one type the suite reads ``s3://`` URIs into.

``parse_location`` accepts what a target may announce (``s3://bucket/key``, or an
S3 https URL, virtual-host or path style) and answers None for anything else;
``S3Location.parse`` is the strict form for configuration (``s3://`` only), raising
``ValueError`` that says what is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote, urlparse


@dataclass(frozen=True)
class S3Location:
    bucket: str
    key: str  # no leading slash; "" is the bucket itself, a prefix may end with "/"

    @classmethod
    def parse(cls, uri: str) -> S3Location:
        """``s3://bucket[/key]``; ``ValueError`` for anything else."""
        if not uri.startswith("s3://") or len(uri) <= len("s3://"):
            raise ValueError(f"{uri!r} is not an s3://bucket/prefix URI")
        bucket, _, key = uri[len("s3://") :].partition("/")
        if not bucket:
            raise ValueError(f"{uri!r} names no bucket")
        return cls(bucket, key)

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.key}"

    @property
    def prefix(self) -> str:
        """The key as a prefix: without leading or trailing slashes."""
        return self.key.strip("/")

    def join(self, *names: str) -> S3Location:
        """This location with ``names`` appended as path segments (empty ones skipped)."""
        parts = [p.strip("/") for p in (self.key, *names) if p.strip("/")]
        return S3Location(self.bucket, "/".join(parts))

    def is_under(self, prefix_uri: str) -> bool:
        """True when this object lies under ``prefix_uri`` (an s3:// path)."""
        prefix = parse_location(prefix_uri.rstrip("/") + "/")
        if prefix is None or prefix.bucket != self.bucket:
            return False
        return self.key.startswith(prefix.key) if prefix.key else True


def parse_location(uri: str | None) -> S3Location | None:
    """An S3 location from ``s3://b/k`` or an S3 https URL (virtual-host or path style)."""
    if not uri:
        return None
    if uri.startswith("s3://"):
        bucket, _, key = uri[5:].partition("/")
        return S3Location(bucket, key) if bucket else None
    if uri.startswith(("https://", "http://")):
        parsed = urlparse(uri)
        host = parsed.hostname or ""
        path = unquote(parsed.path.lstrip("/"))
        if ".s3." in host or host.endswith(".s3.amazonaws.com"):
            return S3Location(host.split(".s3", 1)[0], path)
        bucket, _, key = path.partition("/")
        return S3Location(bucket, key) if bucket else None
    return None
