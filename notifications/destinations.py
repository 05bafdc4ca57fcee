"""Where webhooks may go: partner systems on the internet, never this machine or the networks
around it (a registered URL must not turn the worker into a probe of internal services, such
as a cloud's metadata address).

A host is checked by the addresses its name resolves to, when it is registered and again at
every delivery, and the delivery connects to the address that was checked rather than
resolving the name a second time, so a DNS answer that changes in between cannot redirect it.
An operator may name private hosts that are allowed all the same (a partner on the same
private network): ``WEBHOOK_ALLOWED_PRIVATE_HOSTS``, matched against the host as the URL
writes it.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from requests import PreparedRequest
from requests.adapters import HTTPAdapter
from requests.exceptions import ConnectionError as RequestsConnectionError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Not covered by ``is_global`` on every Python version: carrier-grade NAT (RFC 6598), and the
# NAT64 prefixes (RFC 6052, RFC 8215), through which an IPv6 address reaches an IPv4 one.
_SHARED_ADDRESS_SPACE = ipaddress.IPv4Network("100.64.0.0/10")
_NAT64_PREFIXES = (
    ipaddress.IPv6Network("64:ff9b::/96"),
    ipaddress.IPv6Network("64:ff9b:1::/48"),
)


class DestinationRefusedError(Exception):
    """The host is, or resolves to, an address webhooks may not reach."""


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address that a 6to4 or NAT64 address is routed to, if it is one."""
    if address.sixtofour is not None:
        return address.sixtofour
    if any(address in prefix for prefix in _NAT64_PREFIXES):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def is_public_address(address: IPAddress) -> bool:
    """Whether ``address`` is a globally routed unicast address: not loopback, private,
    link-local (the cloud metadata address included), unique-local, unspecified, multicast,
    reserved or shared (carrier-grade NAT), nor an IPv6 form of any of those."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return is_public_address(address.ipv4_mapped)
        embedded = _embedded_ipv4(address)
        if embedded is not None and not is_public_address(embedded):
            return False
    elif address in _SHARED_ADDRESS_SPACE:
        return False
    return address.is_global and not (
        address.is_multicast
        or address.is_reserved
        or address.is_link_local
        or address.is_loopback
        or address.is_unspecified
        or address.is_private
    )


def _normalized_host(host: str) -> str:
    """One spelling per host: lower case, no brackets or final dot, IPs in their short form."""
    host = host.strip().strip("[]").rstrip(".").lower()
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return host


def is_allowed_private_host(host: str) -> bool:
    """Whether the operator named ``host`` in ``WEBHOOK_ALLOWED_PRIVATE_HOSTS``."""
    allowed = settings.WEBHOOK_ALLOWED_PRIVATE_HOSTS
    return _normalized_host(host) in {_normalized_host(entry) for entry in allowed if entry}


def _is_local_name(host: str) -> bool:
    # RFC 6761: "localhost" and every name under it are this machine, whatever DNS says.
    name = _normalized_host(host)
    return name == "localhost" or name.endswith(".localhost")


def resolve(host: str, port: int) -> list[IPAddress]:
    """The addresses ``host`` resolves to now, in the resolver's order of preference.
    Raises ``OSError`` (or ``UnicodeError`` for a name that cannot be encoded) when it does
    not resolve."""
    infos = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM)
    addresses: list[IPAddress] = []
    for *_, sockaddr in infos:
        address = ipaddress.ip_address(sockaddr[0])
        if address not in addresses:
            addresses.append(address)
    return addresses


def check_host(host: str) -> None:
    """Refuses a host that is by itself not allowed: a local name or an address literal
    outside the public internet, unless the operator allowed it."""
    if is_allowed_private_host(host):
        return
    if _is_local_name(host):
        raise DestinationRefusedError(host)
    try:
        literal = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return
    if not is_public_address(literal):
        raise DestinationRefusedError(host)


def vetted_addresses(host: str, port: int) -> list[IPAddress]:
    """The addresses ``host`` resolves to, every one checked: raises ``DestinationRefusedError``
    when any of them is not allowed (a name with one private address among public ones could
    be sent to it), and ``OSError`` or ``UnicodeError`` when the name does not resolve."""
    check_host(host)
    addresses = resolve(host, port)
    if not addresses:
        raise OSError(f"{host} resolved to no address")
    if not is_allowed_private_host(host) and not all(map(is_public_address, addresses)):
        raise DestinationRefusedError(host)
    return addresses


class PinnedAddressAdapter(HTTPAdapter):
    """A transport that resolves and checks the request's host itself and connects to the
    first checked address. The request keeps its host name for everything else: the Host
    header, and for https the name sent in SNI and matched against the certificate.

    It serves a session without environment proxies: a proxy would resolve the name on its
    own, out of reach of the check."""

    def add_headers(self, request: PreparedRequest, **kwargs: Any) -> None:
        # The connection's host is an address; the request still names the host.
        request.headers["Host"] = urlsplit(request.url or "").netloc.rpartition("@")[2]

    def build_connection_pool_key_attributes(
        self,
        request: PreparedRequest,
        verify: bool | str,
        cert: str | tuple[str, str] | None = None,
    ) -> Any:  # the stubs' pool arguments do not list urllib3's server_hostname
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(
            request, verify, cert
        )
        hostname = host_params["host"] or ""
        scheme = host_params["scheme"]
        port = host_params["port"] or (443 if scheme == "https" else 80)
        try:
            address = vetted_addresses(hostname, port)[0]
        except (OSError, UnicodeError) as error:
            raise RequestsConnectionError(error, request=request) from error
        host_params["host"] = str(address)
        if scheme == "https":
            return host_params, {**pool_kwargs, "server_hostname": hostname}
        return host_params, pool_kwargs
