"""The audit trail as a hash chain.

Every event stores the hash of the event before it, and its own hash covers
all its fields plus that previous hash; changing, deleting or reordering any
row breaks the chain from that row on, and :func:`verify_chain` names it.

The hash is an HMAC under a key kept outside the database (the `audit_key_file`
setting), so whoever can write the database but not read the key cannot
recompute a chain after editing it. Events written before a database had a key
stay plain SHA-256 (``keyed_from`` says where the keyed part begins).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

GENESIS = "0" * 64


@dataclass(frozen=True)
class NewAuditEvent:
    """An event about to be appended (the log assigns seq and hashes)."""

    at: datetime
    actor: str
    kind: str
    record_id: int
    trigger: str
    from_state: str | None
    to_state: str | None
    version: int
    payload: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AuditEvent(NewAuditEvent):
    seq: int = 0
    prev_hash: str = GENESIS
    hash: str = ""


def jsonable(value: Any) -> Any:
    """A payload as it will read back from a JSON column: dates as ISO 8601.

    The hash must be computed over exactly what is stored, or a verified
    chain would fail as soon as it was read back.
    """
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def event_hash(event: NewAuditEvent, seq: int, prev_hash: str, key: bytes | None = None) -> str:
    """SHA-256 (HMAC-SHA-256 under ``key``) over a canonical JSON of the event, its
    position and its predecessor."""
    body = {
        "seq": seq,
        "at": event.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": event.actor,
        "kind": event.kind,
        "record_id": event.record_id,
        "trigger": event.trigger,
        "from": event.from_state,
        "to": event.to_state,
        "version": event.version,
        "payload": event.payload,
        "prev": prev_hash,
    }
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    if key is not None:
        return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def key_fingerprint(key: bytes) -> str:
    """Names a key without revealing it: which key a database's chain was sealed with."""
    return hmac.new(key, b"banso audit key", hashlib.sha256).hexdigest()[:16]


def seal(event: NewAuditEvent, seq: int, prev_hash: str, key: bytes | None = None) -> AuditEvent:
    """The event with its place in the chain and its hash."""
    return AuditEvent(
        at=event.at,
        actor=event.actor,
        kind=event.kind,
        record_id=event.record_id,
        trigger=event.trigger,
        from_state=event.from_state,
        to_state=event.to_state,
        version=event.version,
        payload=event.payload,
        seq=seq,
        prev_hash=prev_hash,
        hash=event_hash(event, seq, prev_hash, key),
    )


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_seq: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_seq is None


def verify_chain(
    events: Iterable[AuditEvent],
    head_hash: str | None,
    *,
    key: bytes | None = None,
    keyed_from: int | None = None,
) -> ChainReport:
    """Walk the events in seq order; report the first one that does not hold.

    ``head_hash`` is the hash the log last recorded as its head; a chain whose
    last events were deleted would otherwise still verify. Events from
    ``keyed_from`` on are checked as HMACs under ``key``.
    """
    expected_prev = GENESIS
    expected_seq = 1
    checked = 0
    last_seq = 0
    for ev in events:
        if ev.seq != expected_seq:
            return ChainReport(
                checked,
                expected_seq,
                f"event {expected_seq} is missing (deleted); found {ev.seq} next",
            )
        if ev.prev_hash != expected_prev:
            return ChainReport(checked, ev.seq, "its previous-hash does not match the event before")
        keyed = key if keyed_from is not None and ev.seq >= keyed_from else None
        if not hmac.compare_digest(event_hash(ev, ev.seq, ev.prev_hash, keyed), ev.hash):
            return ChainReport(checked, ev.seq, "its content does not match its hash (edited)")
        expected_prev = ev.hash
        expected_seq += 1
        last_seq = ev.seq
        checked += 1
    if (head_hash or GENESIS) != expected_prev:
        return ChainReport(checked, last_seq + 1, "events after this point are missing (deleted)")
    return ChainReport(checked)
