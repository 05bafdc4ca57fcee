"""Helpers for the page tests: a browser session signed in as a persona."""

from __future__ import annotations

from typing import Any

from django.test import Client


def signed_in(user: Any, language: str | None = None) -> Client:
    client = Client(headers={"accept-language": language} if language else {})
    client.force_login(user)
    return client
