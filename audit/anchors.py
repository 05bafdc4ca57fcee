"""Anchors: signed checkpoints of the audit chain's head, kept outside the database.

The chain alone shows that a row was changed, or removed from its middle. Whoever owns the
table can do more: rewrite every hash after a change, remove the newest rows, or empty the
table, and leave a chain that verifies. An anchor records the chain's last event (its id and
hash) and how many events led up to it, signed with ``AUDIT_ANCHOR_KEY``, which the database
never holds, and appended to the file at ``AUDIT_ANCHOR_PATH``. A rewritten chain no longer
matches an earlier anchor, and a shortened one no longer reaches the newest.

Each anchor is one line of JSON; each is also written to the log, so a log collector keeps a
copy beyond the reach of this host as well.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit.models import AuditEvent

logger = logging.getLogger(__name__)

FORMAT_VERSION = 1
# Enough of the file's end to hold its last line (an anchor is about 250 bytes).
_TAIL_BYTES = 4096


@dataclass(frozen=True)
class Anchor:
    last_id: int
    last_hash: str
    count: int
    anchored_at: str
    v: int = FORMAT_VERSION

    def signed_material(self) -> bytes:
        return json.dumps(asdict(self), sort_keys=True, separators=(",", ":")).encode()


def _signature(anchor: Anchor, *, key: str) -> str:
    return hmac.new(key.encode(), anchor.signed_material(), hashlib.sha256).hexdigest()


def anchor_path() -> Path:
    return Path(settings.AUDIT_ANCHOR_PATH)


def anchor_line(anchor: Anchor) -> str:
    return json.dumps(
        {**asdict(anchor), "sig": _signature(anchor, key=settings.AUDIT_ANCHOR_KEY)},
        sort_keys=True,
        separators=(",", ":"),
    )


class AnchorError(ValueError):
    pass


def parse_anchor(line: str) -> Anchor:
    """The anchor a line holds, or AnchorError when it is malformed or its signature does
    not match the key."""
    try:
        data = json.loads(line)
        signature = data.pop("sig")
        anchor = Anchor(**data)
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        raise AnchorError("not a valid anchor") from error
    if not all(isinstance(value, int) for value in (anchor.last_id, anchor.count, anchor.v)):
        raise AnchorError("not a valid anchor")
    expected = _signature(anchor, key=settings.AUDIT_ANCHOR_KEY)
    if not (isinstance(signature, str) and hmac.compare_digest(signature, expected)):
        raise AnchorError("its signature does not match AUDIT_ANCHOR_KEY")
    return anchor


def _last_line(path: Path) -> str | None:
    try:
        with path.open("rb") as file:
            file.seek(0, os.SEEK_END)
            file.seek(max(0, file.tell() - _TAIL_BYTES))
            lines = file.read().decode(errors="replace").splitlines()
    except FileNotFoundError:
        return None
    return next((line for line in reversed(lines) if line.strip()), None)


def _newest_valid_anchor(path: Path) -> Anchor | None:
    line = _last_line(path)
    if line is None:
        return None
    try:
        return parse_anchor(line)
    except AnchorError:
        return None


def _append(path: Path, line: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # One write() of one line in append mode: concurrent writers cannot interleave within it.
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(descriptor, (line + "\n").encode())
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def anchor_write() -> Anchor | None:
    """Appends an anchor of the chain's current head; None when the trail is empty or has not
    grown since the newest anchor."""
    with transaction.atomic():
        head = AuditEvent.objects.order_by("-id").values_list("id", "hash").first()
        if head is None:
            return None
        last_id, last_hash = head
        # Rows are appended one at a time under a lock, so every id up to the head is
        # committed already and the count cannot change under us.
        count = AuditEvent.objects.filter(id__lte=last_id).count()
    path = anchor_path()
    newest = _newest_valid_anchor(path)
    if newest is not None and (newest.last_id, newest.last_hash) == (last_id, last_hash):
        return None
    anchor = Anchor(
        last_id=last_id,
        last_hash=last_hash,
        count=count,
        anchored_at=timezone.now().isoformat(timespec="seconds"),
    )
    line = anchor_line(anchor)
    _append(path, line)
    logger.info("audit anchor %s", line)
    return anchor


@dataclass(frozen=True)
class AnchorReport:
    anchors: int
    newest: Anchor | None
    problems: list[str]


def verify_anchors(*, restored_backup: bool = False) -> AnchorReport:
    """Checks every anchor in the file against the trail: its signature, that the event it
    names is still there with the same hash and the same number of events up to it, and that
    the trail still reaches the newest anchor. A restored backup ends where it was taken:
    with ``restored_backup`` the anchors beyond its last event are skipped."""
    path = anchor_path()
    problems: list[str] = []
    by_last_id: dict[int, list[Anchor]] = {}
    newest: Anchor | None = None
    total = 0
    try:
        with path.open(encoding="utf-8", errors="replace") as file:
            for number, line in enumerate(file, start=1):
                if not line.strip():
                    continue
                total += 1
                try:
                    anchor = parse_anchor(line)
                except AnchorError as error:
                    problems.append(f"Anchor on line {number} of {path}: {error}.")
                    continue
                by_last_id.setdefault(anchor.last_id, []).append(anchor)
                if newest is None or anchor.last_id >= newest.last_id:
                    newest = anchor
    except FileNotFoundError:
        return AnchorReport(anchors=0, newest=None, problems=[])

    with transaction.atomic():
        last_id = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
        if newest is not None and last_id < newest.last_id and not restored_backup:
            problems.append(
                f"The trail ends at event {last_id}, but it was anchored up to event "
                f"{newest.last_id} ({newest.count} events) at {newest.anchored_at}: events "
                "were removed from its end, or the table was emptied."
            )
        found: set[int] = set()
        rows = AuditEvent.objects.order_by("id").values_list("id", "hash")
        for count, (event_id, event_hash) in enumerate(rows.iterator(chunk_size=5000), start=1):
            for anchor in by_last_id.get(event_id, ()):
                found.add(event_id)
                if anchor.last_hash != event_hash:
                    problems.append(
                        f"Event {event_id} does not have the hash anchored at "
                        f"{anchor.anchored_at}: the trail up to it was rewritten."
                    )
                if anchor.count != count:
                    problems.append(
                        f"{count} events lead up to event {event_id}, but {anchor.count} were "
                        f"anchored at {anchor.anchored_at}: events before it were added or "
                        "removed."
                    )
    for missing in sorted(set(by_last_id) - found):
        if missing <= last_id:  # beyond the trail's end: reported once above
            problems.append(f"Anchored event {missing} is missing from the trail.")
    return AnchorReport(anchors=total, newest=newest, problems=problems)
