"""Requests the server makes to addresses people give it, never to our own network (SSRF).

A webhook's address is typed by a partner; without a guard, the service would
POST to whatever it names: `http://127.0.0.1:5432`, the cloud's metadata
service at 169.254.169.254, a printer on the LAN. So every such address is
resolved and *each* address it resolves to must be a public unicast one:
loopback, private, shared (CGNAT), link-local, unique-local, multicast,
reserved, documentation and unspecified addresses are refused, and so are IPv6
forms that carry an IPv4 address (IPv4-mapped `::ffff:127.0.0.1`, 6to4,
Teredo, NAT64) when the address inside is one of those.

The check runs when the address is registered (to tell the person at once) and
again before each delivery, because DNS can change in between. At delivery the
connection goes to the very address that was checked (`post`: the TLS
certificate is still verified for the host name), so a second lookup that
answers differently ("DNS rebinding") cannot slip through, and redirects are
never followed (`http.client` does not follow them; a 3xx is a failed delivery).

No knowledge of bookings or of the request here: layer 1, beside the outbox.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
SHARED = ipaddress.IPv4Network("100.64.0.0/10")  # carrier-grade NAT, not `is_private` in 3.11

UNRESOLVABLE = "unresolvable"
INTERNAL = "internal"
SCHEME = "scheme"
REDIRECT = "redirect"


class UnsafeTargetError(Exception):
    """The address may not be fetched; `reason` is one of the constants above."""

    def __init__(self, reason: str, host: str, address: str | None = None) -> None:
        self.reason, self.host, self.address = reason, host, address
        if reason == INTERNAL:
            text = f"{host} is an internal address ({address}): refused"
        elif reason == UNRESOLVABLE:
            text = f"{host} could not be resolved"
        elif reason == REDIRECT:
            text = f"redirect to {address} not followed"
        else:
            text = f"scheme not allowed for {host}"
        super().__init__(text)


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]  # (server, client): the client is where packets go
    if ip in NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def is_public(ip: IPAddress) -> bool:
    """A global unicast address: one the service may connect to on someone's behalf."""
    if isinstance(ip, ipaddress.IPv6Address):
        inner = _embedded_ipv4(ip)
        if inner is not None and not is_public(inner):
            return False
        if ip.ipv4_mapped is not None:
            return True  # judged by the IPv4 address it carries
        if ip.is_site_local:
            return False
    elif ip in SHARED:
        return False
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


def _shown(ip: IPAddress) -> str:
    """The address as people write it (`::ffff:10.0.0.5`, not `::ffff:a00:5`)."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return f"::ffff:{ip.ipv4_mapped}"
    return str(ip)


def resolve_public(host: str, port: int) -> list[IPAddress]:
    """Every address `host` resolves to, if all are public; else `UnsafeTargetError`.

    A literal address is judged as it is; a name is looked up with
    `socket.getaddrinfo` (which also reads odd literals such as `127.1`).
    """
    host = host.strip("[]")
    try:
        literal = ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        literal = None
    if literal is not None:
        found = [literal]
    else:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError):
            raise UnsafeTargetError(UNRESOLVABLE, host) from None
        found = []
        for *_rest, sockaddr in infos:
            ip = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])
            if ip not in found:
                found.append(ip)
        if not found:
            raise UnsafeTargetError(UNRESOLVABLE, host)
    for ip in found:
        if not is_public(ip):
            raise UnsafeTargetError(INTERNAL, host, _shown(ip))
    return found


@dataclass(frozen=True)
class Target:
    """A checked address: where to connect, and the name to ask for."""

    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[IPAddress, ...]


def check_url(url: str, schemes: tuple[str, ...] = ("https",)) -> Target:
    """Resolve and check `url` (its scheme among `schemes`, every address public)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme not in schemes or not host:
        raise UnsafeTargetError(SCHEME, host or url)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise UnsafeTargetError(UNRESOLVABLE, host) from None
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(parts.scheme, host, port, path, tuple(resolve_public(host, port)))


def _connection(target: Target, timeout: float) -> http.client.HTTPConnection:
    pinned = str(target.addresses[0])

    def connect_pinned(address, timeout=timeout, source_address=None):
        # The checked address, not a new lookup of the name (which could answer otherwise).
        return socket.create_connection((pinned, address[1]), timeout, source_address)

    if target.scheme == "https":
        connection: http.client.HTTPConnection = http.client.HTTPSConnection(
            target.host, target.port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        connection = http.client.HTTPConnection(target.host, target.port, timeout=timeout)
    connection._create_connection = connect_pinned  # type: ignore[attr-defined]
    return connection


def post(target: Target, body: bytes, headers: dict[str, str], *, timeout: float) -> int:
    """POST `body` to a checked target (see `check_url`); returns the status of a 2xx answer.

    A redirect is not followed (`UnsafeTargetError` with reason REDIRECT); any
    other non-2xx answer raises `RuntimeError`.
    """
    connection = _connection(target, timeout)
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(64 * 1024)
        status = response.status
        location = response.getheader("Location")
    finally:
        connection.close()
    if 300 <= status < 400:
        raise UnsafeTargetError(REDIRECT, target.host, location or f"HTTP {status}")
    if not 200 <= status < 300:
        raise RuntimeError(f"HTTP {status}")
    return status
