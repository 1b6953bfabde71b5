"""Observing what a target did after the 202: objects in S3 and SNS notifications.

Every wait here is a condition polled with backoff under a deadline; nothing
sleeps "to let things settle". Every loop is bounded in time and in count.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from conformance import recording
from conformance.client import HarnessError
from conformance.s3uri import S3Location

# Object bodies larger than this are not kept in memory in full (hostile targets).
MAX_OBJECT_BYTES = 4_000_000
MAX_POLLS = 10_000
# How long closing the inbox may read its queue waiting for it to go quiet.
QUIET_DEADLINE = 5.0


def _uri(location: S3Location | None) -> str:
    return location.uri if location else "-"


@dataclass(frozen=True)
class S3Object:
    location: S3Location
    body: bytes
    size: int
    content_type: str | None

    def to_evidence(self, *, preview: int = 1024) -> dict[str, Any]:
        head = self.body[:preview]
        try:
            text = head.decode("utf-8")
        except UnicodeDecodeError:
            text = head.hex()
        return {
            "kind": "s3-object",
            "uri": self.location.uri,
            "size": self.size,
            "content_type": self.content_type,
            "body_preview": text,
        }


@dataclass(frozen=True)
class Outcome:
    """What landed in S3 for one request by the time the wait ended."""

    output: S3Object | None
    failure: S3Object | None
    waited: float
    output_location: S3Location | None = None
    failure_location: S3Location | None = None

    @property
    def kind(self) -> str:
        if self.output and self.failure:
            return "both"
        if self.output:
            return "output"
        if self.failure:
            return "failure"
        return "none"

    def to_evidence(self) -> list[dict[str, Any]]:
        notes: list[dict[str, Any]] = [
            {
                "kind": "note",
                "text": (
                    f"outcome after {self.waited:.1f} s: {self.kind}; "
                    f"output location {_uri(self.output_location)}, "
                    f"failure location {_uri(self.failure_location)}"
                ),
            }
        ]
        for obj in (self.output, self.failure):
            if obj is not None:
                notes.append(obj.to_evidence())
        return notes


class S3Observer:
    """Reads objects a target wrote (waiting for them is :mod:`conformance.watcher`'s job)."""

    def __init__(self, s3: Any) -> None:
        self._s3 = s3

    def exists(self, location: S3Location) -> bool:
        try:
            self._s3.head_object(Bucket=location.bucket, Key=location.key)
        except (ClientError, BotoCoreError):
            return False
        return True

    def fetch(self, location: S3Location | None) -> S3Object | None:
        """The object at ``location``, or None when there is none (or it cannot be read)."""
        if location is None or not location.key:
            return None
        try:
            response = self._s3.get_object(Bucket=location.bucket, Key=location.key)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code in {"NoSuchKey", "404", "NoSuchBucket", "AccessDenied", "403"}:
                return None
            raise HarnessError(f"reading {location.uri} failed: {exc}") from exc
        except BotoCoreError as exc:
            raise HarnessError(f"reading {location.uri} failed: {exc}") from exc
        stream = response["Body"]
        try:
            body = stream.read(MAX_OBJECT_BYTES)
        finally:
            stream.close()
        return S3Object(
            location=location,
            body=body,
            size=int(response.get("ContentLength", len(body))),
            content_type=response.get("ContentType"),
        )


@dataclass(frozen=True)
class Notification:
    topic_arn: str
    raw: str
    message: dict[str, Any] | None
    received_at: float = field(default_factory=time.monotonic)

    @property
    def inference_id(self) -> str | None:
        if self.message and isinstance(self.message.get("inferenceId"), str):
            return self.message["inferenceId"]
        return None

    def to_evidence(self) -> dict[str, Any]:
        return {
            "kind": "notification",
            "topic": self.topic_arn,
            "message": self.message or self.raw,
        }


class NotificationInbox:
    """An SQS queue subscribed to the endpoint's SNS topics, read by inference ID.

    The suite creates the queue under its per-run name and removes it at the end,
    unless the target file names an existing queue (then it only reads it).
    """

    def __init__(
        self,
        *,
        sqs: Any,
        sns: Any,
        topics: Iterable[str],
        queue_name: str,
        queue_url: str | None = None,
    ) -> None:
        self._sqs = sqs
        self._sns = sns
        self.topics = [t for t in topics if t]
        self._queue_name = queue_name
        self.queue_url = queue_url
        self._owns_queue = queue_url is None
        self._subscriptions: list[str] = []
        self._by_id: dict[str | None, list[Notification]] = {}
        self._message_ids: set[str] = set()
        self._lock = threading.Lock()
        self.received = 0

    def open(self) -> None:
        if self._owns_queue:
            self.queue_url = self._sqs.create_queue(QueueName=self._queue_name)["QueueUrl"]
            arn = self._sqs.get_queue_attributes(
                QueueUrl=self.queue_url, AttributeNames=["QueueArn"]
            )["Attributes"]["QueueArn"]
            policy = {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "sns.amazonaws.com"},
                        "Action": "sqs:SendMessage",
                        "Resource": arn,
                        "Condition": {"ArnEquals": {"aws:SourceArn": self.topics}},
                    }
                ],
            }
            self._sqs.set_queue_attributes(
                QueueUrl=self.queue_url, Attributes={"Policy": json.dumps(policy)}
            )
            for topic in self.topics:
                response = self._sns.subscribe(
                    TopicArn=topic, Protocol="sqs", Endpoint=arn, ReturnSubscriptionArn=True
                )
                self._subscriptions.append(response["SubscriptionArn"])

    def close(self) -> None:
        for subscription in self._subscriptions:
            with contextlib.suppress(ClientError, BotoCoreError):
                self._sns.unsubscribe(SubscriptionArn=subscription)
        if self._owns_queue and self.queue_url:
            # A publish already under way may still deliver to the queue; deleting it
            # under that delivery can fail the target's publish (moto answers 500).
            # Read until the queue is quiet, then delete it.
            with contextlib.suppress(ClientError, BotoCoreError):
                end = time.monotonic() + QUIET_DEADLINE
                while time.monotonic() < end and self._drain(wait_seconds=1):
                    pass
                self._sqs.delete_queue(QueueUrl=self.queue_url)

    def _drain(self, wait_seconds: int) -> int:
        response = self._sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=10,
            WaitTimeSeconds=wait_seconds,
        )
        messages = response.get("Messages", [])
        for message in messages:
            self._store(message.get("Body", ""))
        if messages:
            self._sqs.delete_message_batch(
                QueueUrl=self.queue_url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                    for i, m in enumerate(messages)
                ],
            )
        return len(messages)

    def _store(self, body: str) -> None:
        topic = ""
        raw = body
        try:
            envelope = json.loads(body)
            if isinstance(envelope, dict) and "Message" in envelope:
                topic = str(envelope.get("TopicArn", ""))
                raw = envelope["Message"]
                # SNS and SQS deliver at least once: a redelivery carries the same SNS
                # MessageId and is not a second notification; a second publish has its own.
                message_id = envelope.get("MessageId")
                with self._lock:
                    if message_id and message_id in self._message_ids:
                        return
                    if message_id:
                        self._message_ids.add(message_id)
        except ValueError:
            pass
        try:
            message = json.loads(raw)
            if not isinstance(message, dict):
                message = None
        except (TypeError, ValueError):
            message = None
        notification = Notification(topic_arn=topic, raw=str(raw), message=message)
        with self._lock:
            self._by_id.setdefault(notification.inference_id, []).append(notification)
            self.received += 1
        recording.record_notification(notification)

    def for_inference(self, inference_id: str) -> list[Notification]:
        with self._lock:
            return list(self._by_id.get(inference_id, []))

    def unattributed(self) -> list[Notification]:
        with self._lock:
            return list(self._by_id.get(None, []))

    def wait_for(
        self, inference_id: str, *, deadline: float, count: int = 1, settle: float = 0.0
    ) -> list[Notification]:
        """Messages for ``inference_id`` once ``count`` arrived or the deadline passed.

        ``settle`` keeps reading that long after the count is reached, so that a
        duplicate message is caught.
        """
        end = time.monotonic() + deadline
        reached_at: float | None = None
        for _ in range(MAX_POLLS):
            found = self.for_inference(inference_id)
            now = time.monotonic()
            if len(found) >= count and reached_at is None:
                reached_at = now
            if reached_at is not None and now - reached_at >= settle:
                return found
            if now >= end:
                return found
            remaining = max(0.0, end - now)
            self._drain(wait_seconds=1 if remaining >= 1 else 0)
        return self.for_inference(inference_id)

    def poll_for(self, seconds: float) -> None:
        """Read the queue for ``seconds`` (to prove an absence)."""
        end = time.monotonic() + seconds
        for _ in range(MAX_POLLS):
            if time.monotonic() >= end:
                return
            self._drain(wait_seconds=1 if end - time.monotonic() >= 1 else 0)
