"""Audit you can trust: the keyed chain, its anchor, and the records checked against it.

`audit verify` walks the chain (HMAC under the key outside the database), then
checks that every record's state and version, and the quota settings, are what
the chain says they became: a record or a quota edited in the database by hand
is found even though no event was touched. An anchor (the head's count and hash,
printed by `audit anchor` and kept outside Banso — in the monthly report or a
mail to the prefecture) catches a chain re-hashed by someone who had the key.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Any

from banso.engine.audit import ChainReport, key_fingerprint, verify_chain
from banso.engine.errors import InvalidValue, StorageUnavailable
from banso.engine.phrase import Phrase
from banso.services.context import Services

AUDIT_KEY_SETTING = "audit_key"  # as storage.uow writes it: fingerprint, from_seq
QUOTA_KIND = "budget"  # quota changes are audited as kind "budget" (services.budget)


@dataclass(frozen=True)
class Anchor:
    count: int
    head: str

    def text(self) -> str:
        return f"{self.count}:{self.head}"


def parse_anchor(text: str) -> Anchor:
    count, _, head = text.partition(":")
    if not count.isdigit() or len(head) != 64 or set(head) - set("0123456789abcdef"):
        raise InvalidValue("--anchor", text, "COUNT:HASH as `banso audit anchor` prints it")
    return Anchor(int(count), head)


def anchor(services: Services) -> Anchor:
    """The head of the chain: how many events, and the last one's hash."""
    with services.uow(readonly=True) as uow:
        count = 0
        head = uow.audit.head_hash()
        for event in uow.audit.all_events():
            count = event.seq
        return Anchor(count, head)


def verify(services: Services, anchored: Anchor | None = None) -> ChainReport:
    """The chain, the anchor if given, and every record and the quotas against the chain."""
    key = services.audit_key_factory()
    with services.uow(readonly=True) as uow:
        marker = uow.settings.get(AUDIT_KEY_SETTING)
        keyed_from: int | None = None
        if marker is not None:
            if key is None:
                raise StorageUnavailable(
                    "the audit chain is keyed but the audit key file was not found; "
                    "set audit_key_file (BANSO_AUDIT_KEY_FILE) to the file `banso init` created"
                )
            if marker.get("fingerprint") != key_fingerprint(key):
                return ChainReport(0, int(marker.get("from_seq", 1)), "the key does not match")
            keyed_from = int(marker["from_seq"])
        events = list(uow.audit.all_events())
        report = verify_chain(events, uow.audit.head_hash(), key=key, keyed_from=keyed_from)
        if not report.ok:
            return report
        if anchored is not None:
            at = next((e for e in events if e.seq == anchored.count), None)
            if at is None:
                return ChainReport(
                    report.checked,
                    anchored.count,
                    Phrase(
                        "the anchor names event {count}, which the chain no longer has",
                        count=anchored.count,
                    ),
                )
            if not hmac.compare_digest(at.hash, anchored.head):
                return ChainReport(
                    report.checked,
                    anchored.count,
                    Phrase("its hash is not the anchored one (the chain was re-hashed)"),
                )
        last: dict[tuple[str, int], Any] = {}
        quota_event = None
        for e in events:
            if e.to_state is not None:
                last[(e.kind, e.record_id)] = e
            if e.kind == QUOTA_KIND and "after" in e.payload:
                quota_event = e
        for kind in sorted(services.runner.definitions):
            for view in uow.records.find(kind):
                e = last.pop((kind, view.id), None)
                if e is None:
                    return ChainReport(
                        report.checked,
                        0,
                        Phrase("{kind} {id} has no audit event", kind=kind, id=view.id),
                    )
                if (e.to_state, e.version) != (view.state, view.version):
                    return ChainReport(
                        report.checked,
                        e.seq,
                        Phrase(
                            "{kind} {id} is {state} v{version} in the database, "
                            "but the chain says {said} v{said_version} (edited by hand)",
                            kind=kind,
                            id=view.id,
                            state=view.state,
                            version=view.version,
                            said=e.to_state,
                            said_version=e.version,
                        ),
                    )
        for (kind, record_id), e in sorted(last.items()):
            if kind in services.runner.definitions:
                return ChainReport(
                    report.checked,
                    e.seq,
                    Phrase("{kind} {id} is in the chain but not stored", kind=kind, id=record_id),
                )
        quota = uow.settings.get("quota")
        if quota is not None:
            said = dict(quota_event.payload["after"]) if quota_event else None
            if said != quota:
                return ChainReport(
                    report.checked,
                    quota_event.seq if quota_event else 0,
                    Phrase(
                        "the quota settings {quota} are not what the chain says ({said})",
                        quota=quota,
                        said=said,
                    ),
                )
        return report
