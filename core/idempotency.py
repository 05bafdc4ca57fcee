"""``Idempotency-Key`` for creations: a client that retries after a lost answer gets the first
answer back instead of a second case or referral."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.db import IntegrityError, transaction
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from core.models import IdempotencyKey

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255


def idempotent(request: Request, *, scope: str, create: Callable[[], Response]) -> Response:
    """Runs ``create`` once per (user, scope, key). The key is claimed before creating, in the
    same transaction: a concurrent request with the same key waits on it, then replays the
    stored answer. Only successful answers are kept, so a corrected retry can reuse the key."""
    key = request.headers.get(HEADER)
    if key is None:
        return create()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise serializers.ValidationError(
            {HEADER: [f"An {HEADER} is 1 to {MAX_KEY_LENGTH} characters."]}
        )
    fingerprint = hashlib.sha256(request.body).hexdigest()
    identity = {"user_id": request.user.pk, "scope": scope, "key": key}
    with transaction.atomic():
        try:
            with transaction.atomic():
                claim = IdempotencyKey.objects.create(**identity, request_hash=fingerprint)
        except IntegrityError:
            earlier = IdempotencyKey.objects.get(**identity)
            if earlier.request_hash != fingerprint:
                raise serializers.ValidationError(
                    {HEADER: ["This key was used with a different request."]}
                ) from None
            return Response(
                earlier.response,
                status=earlier.status_code,
                headers={"Idempotent-Replayed": "true"},
            )
        response = create()
        if response.status_code >= 300:
            transaction.set_rollback(True)
            return response
        claim.status_code = response.status_code
        claim.response = response.data
        claim.save(update_fields=["status_code", "response"])
        return response
