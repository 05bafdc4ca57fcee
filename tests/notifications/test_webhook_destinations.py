"""Webhooks go only to the public internet: the address check, and registrations and changes
refused when their host is, or resolves to, an address elsewhere."""

from __future__ import annotations

import ipaddress
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from audit.models import AuditEvent
from notifications import destinations, webhooks
from notifications.models import WebhookEndpoint

AGENCY = 101

# One of each kind of address that is not on the public internet.
NOT_PUBLIC_ADDRESSES = [
    "127.0.0.1",  # loopback
    "127.8.9.10",
    "10.1.2.3",  # private (RFC 1918)
    "172.16.5.4",
    "192.168.1.10",
    "169.254.169.254",  # link-local: the cloud metadata service
    "0.0.0.0",  # unspecified  # noqa: S104 (an address to refuse, not to bind)
    "100.64.0.1",  # carrier-grade NAT (RFC 6598)
    "224.0.0.1",  # multicast
    "240.0.0.1",  # reserved
    "255.255.255.255",
    "192.0.2.1",  # documentation
    "::1",
    "::",
    "fd00::1",  # unique-local (fc00::/7)
    "fc00::1",
    "fe80::1",  # link-local
    "ff02::1",  # multicast
    "::ffff:127.0.0.1",  # IPv4-mapped forms
    "::ffff:10.0.0.1",
    "::ffff:169.254.169.254",
    "2002:a00:1::",  # 6to4 of 10.0.0.1
    "2001:db8::1",  # documentation
]

# URLs of those addresses, and names that are this machine.
REFUSED_URLS = [
    "https://169.254.169.254/latest/meta-data/",
    "https://10.0.0.1/hooks",
    "https://172.16.0.1/hooks",
    "https://192.168.1.10:8443/hooks",
    "https://127.0.0.1/hooks",
    "https://0.0.0.0/hooks",
    "https://100.64.0.1/hooks",
    "https://224.0.0.1/hooks",
    "https://240.0.0.1/hooks",
    "https://[::1]/hooks",
    "https://[::]/hooks",
    "https://[fd00::1]/hooks",
    "https://[fe80::1]/hooks",
    "https://[ff02::1]/hooks",
    "https://[::ffff:127.0.0.1]/hooks",
    "https://[::ffff:a9fe:a9fe]/hooks",  # 169.254.169.254, mapped and written in hex
    "https://localhost/hooks",
    "https://LOCALHOST./hooks",
    "https://hooks.localhost/hooks",
]

REFUSAL = (
    "Webhooks go only to addresses on the public internet; this host is, or resolves to, a "
    "private, local or reserved address."
)


class Robot:
    pk = 1
    username = "robot"
    agency_id = AGENCY


def _manager() -> dict[str, Any]:
    return {"actor": Robot(), "actor_admin_of_agency_id": AGENCY, "actor_is_system_admin": False}


def _create(url: str) -> WebhookEndpoint:
    return webhooks.webhook_endpoint_create(
        **_manager(), agency_id=AGENCY, url=url, events=["referral.created"]
    )


@pytest.mark.parametrize("address", NOT_PUBLIC_ADDRESSES)
def test_addresses_outside_the_public_internet_are_not_public(address: str) -> None:
    assert not destinations.is_public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "address", ["8.8.8.8", "1.1.1.1", "203.0.114.7", "2606:4700:4700::1111", "::ffff:8.8.8.8"]
)
def test_addresses_on_the_public_internet_are_public(address: str) -> None:
    assert destinations.is_public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize("host", ["127.1", "2130706433", "0x7f.1", "0177.0.0.1"])
def test_a_name_is_judged_by_the_addresses_it_resolves_to(host: str) -> None:
    # Other spellings of 127.0.0.1, which the resolver understands without DNS.
    assert destinations.resolve(host, 443) == [ipaddress.ip_address("127.0.0.1")]
    with pytest.raises(destinations.DestinationRefusedError):
        destinations.vetted_addresses(host, 443)


def test_an_allowed_private_host_matches_however_the_setting_spells_it(settings: Any) -> None:
    settings.WEBHOOK_ALLOWED_PRIVATE_HOSTS = ["[::1]", "Receiver.Internal.", " 10.0.0.7 "]
    assert destinations.is_allowed_private_host("::1")
    assert destinations.is_allowed_private_host("receiver.internal")
    assert destinations.is_allowed_private_host("10.0.0.7")
    assert not destinations.is_allowed_private_host("10.0.0.8")
    assert not destinations.is_allowed_private_host("internal")
    assert destinations.vetted_addresses("::1", 443) == [ipaddress.ip_address("::1")]


@pytest.mark.parametrize("url", REFUSED_URLS)
def test_registering_a_webhook_to_a_private_local_or_reserved_address_is_refused(
    db: None, settings: Any, url: str
) -> None:
    settings.DEBUG = True  # no exception in development either
    with pytest.raises(ValidationError) as error:
        _create(url)
    assert error.value.message_dict == {"url": [REFUSAL]}
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize("host", ["127.1", "2130706433"])
def test_registering_a_host_name_that_resolves_to_a_private_address_is_refused(
    db: None, host: str
) -> None:
    with pytest.raises(ValidationError) as error:
        _create(f"https://{host}/hooks")
    assert error.value.message_dict == {"url": [REFUSAL]}


@pytest.mark.parametrize("url", REFUSED_URLS)
def test_moving_a_webhook_to_a_private_local_or_reserved_address_is_refused(
    db: None, url: str
) -> None:
    endpoint = _create("https://partner.example.org/hooks")
    with pytest.raises(ValidationError) as error:
        webhooks.webhook_endpoint_update(**_manager(), endpoint=endpoint, url=url)
    assert error.value.message_dict == {"url": [REFUSAL]}
    endpoint.refresh_from_db()
    assert endpoint.url == "https://partner.example.org/hooks"
    assert not AuditEvent.objects.filter(action="webhook.update").exists()


def test_a_private_host_the_operator_allowed_may_be_registered(db: None, settings: Any) -> None:
    with pytest.raises(ValidationError):
        _create("https://localhost/hooks")
    settings.WEBHOOK_ALLOWED_PRIVATE_HOSTS = ["localhost", "10.0.0.7"]
    assert _create("https://localhost/hooks").pk
    assert _create("https://10.0.0.7/hooks").pk
    with pytest.raises(ValidationError):
        _create("https://10.0.0.8/hooks")
