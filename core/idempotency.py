"""``Idempotency-Key`` for creations: a client that retries after a lost answer gets the first
answer back instead of a second case or referral.

The creation is a service that owns its (durable) transaction, so the key cannot be claimed in
that same transaction. It goes in three steps instead, each committed on its own:

1. The key is claimed: a row with no answer yet (``status_code`` 0, in progress). Of two
   requests with the same key, the second waits on the unique index only while the first
   commits its claim, then finds it.
2. The creation runs, in the service's transaction.
3. The answer is stored on the claim. A creation that fails (an exception, or an answer of 300
   or more) deletes the claim instead, so a corrected retry can use the key again.

A retry while the first request is still in step 2 is answered 409 with ``Retry-After``; once
the answer is stored, it is replayed. If the process dies after step 1 and before step 3 (a
crash, a killed worker, a lost connection), the key stays in progress whether or not the
creation committed: every retry with it gets 409, and the client must look for what it may have
created (the case list, its referrals) before asking again with a new key. That is the price of
never creating twice.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from typing import Any

from django.db import IntegrityError, transaction
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.exceptions import RequestInProgress
from core.models import IdempotencyKey

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
IN_PROGRESS = 0  # the status_code of a claim whose creation has not answered yet
REPLAYED_HEADERS = ("ETag", "Location")


def idempotent(request: Request, *, scope: str, create: Callable[[], Response]) -> Response:
    """Runs ``create`` once per (user, scope, key), as the module says."""
    key = request.headers.get(HEADER)
    if key is None:
        return create()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise serializers.ValidationError(
            {HEADER: [f"An {HEADER} is 1 to {MAX_KEY_LENGTH} characters."]}
        )
    fingerprint = hashlib.sha256(request.body).hexdigest()
    identity: dict[str, Any] = {"user_id": request.user.pk, "scope": scope, "key": key}
    claim = _claim(identity, fingerprint)
    if claim is None:
        return _earlier_answer(identity, fingerprint)
    try:
        response = create()
    except BaseException:
        _release(claim)
        raise
    if response.status_code >= 300:
        _release(claim)
        return response
    _store(claim, response)
    return response


@transaction.atomic(durable=True)
def _claim_row(identity: Mapping[str, Any], fingerprint: str) -> IdempotencyKey:
    return IdempotencyKey.objects.create(
        **identity, request_hash=fingerprint, status_code=IN_PROGRESS
    )


def _claim(identity: Mapping[str, Any], fingerprint: str) -> IdempotencyKey | None:
    """The new claim, committed; None when the key is held already."""
    try:
        return _claim_row(identity, fingerprint)
    except IntegrityError:
        return None


def _earlier_answer(identity: Mapping[str, Any], fingerprint: str) -> Response:
    earlier = IdempotencyKey.objects.filter(**identity).first()
    if earlier is None:
        # The first request failed and let the key go between our attempt to claim it and
        # this read: asking again will claim it.
        raise RequestInProgress()
    if earlier.request_hash != fingerprint:
        raise serializers.ValidationError({HEADER: ["This key was used with a different request."]})
    if earlier.status_code == IN_PROGRESS:
        raise RequestInProgress()
    return Response(
        earlier.response,
        status=earlier.status_code,
        headers={**earlier.headers, "Idempotent-Replayed": "true"},
    )


@transaction.atomic(durable=True)
def _store(claim: IdempotencyKey, response: Response) -> None:
    IdempotencyKey.objects.filter(pk=claim.pk).update(
        status_code=response.status_code,
        response=response.data,
        headers={name: response[name] for name in REPLAYED_HEADERS if name in response},
    )


@transaction.atomic(durable=True)
def _release(claim: IdempotencyKey) -> None:
    IdempotencyKey.objects.filter(pk=claim.pk, status_code=IN_PROGRESS).delete()
