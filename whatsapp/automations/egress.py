"""Where automation webhooks may connect: public addresses, and what the operator allows.

A `webhook` action's URL is chosen by whoever holds a write key, so without a rule it could
reach what only this server can: services on 127.0.0.1, the private network, a cloud's
metadata endpoint (169.254.169.254, fd00:ec2::254). The rule is applied to each address a host
name resolves to, when the connection is made (`outbound`), so a name cannot point elsewhere
between a check and the connection. Refused: loopback, private (RFC 1918, unique-local),
link-local, cloud metadata, multicast, unspecified, reserved and every other range that is not
publicly routable, for IPv4 and IPv6 alike — and IPv6 forms that carry an IPv4 address
(IPv4-mapped `::ffff:a.b.c.d`, 6to4, NAT64) are judged by that IPv4 address.

`WAGRAPH_OUTBOUND_ALLOW` names exceptions: CIDRs or addresses (`10.20.0.0/16`, `::1`), host
names (`hooks.internal`) or name suffixes (`*.corp.example`). A named host is allowed whatever
it resolves to: name only hosts whose DNS you control.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

SETTING = "WAGRAPH_OUTBOUND_ALLOW"
METADATA = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",  # AWS, GCP, Azure, OpenStack, DigitalOcean…
        "fd00:ec2::254",  # AWS over IPv6
        "100.100.100.200",  # Alibaba Cloud
        "168.63.129.16",  # Azure's platform endpoint (a public address, reachable from VMs)
    )
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")
_HOST = re.compile(r"(\*\.)?([a-z0-9_]([a-z0-9_-]*[a-z0-9_])?\.)*[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?")


def blocked_kind(address: IPAddress) -> str | None:
    """Why an address is internal ("a loopback address"), or None for a public one."""
    if address in METADATA:
        return "a cloud metadata address"
    embedded = _embedded_ipv4(address)
    if embedded is not None:
        return blocked_kind(embedded)
    if address in _NAT64_LOCAL:
        return "a private address"
    for kind, test in (
        ("an unspecified address", address.is_unspecified),
        ("a loopback address", address.is_loopback),
        ("a link-local address", address.is_link_local),
        ("a multicast address", address.is_multicast),
        ("a reserved address", address.is_reserved),
        ("a private address", address.is_private),
        ("a site-local address", getattr(address, "is_site_local", False)),
        ("not a publicly routable address", not address.is_global),
    ):
        if test:
            return kind
    return None


def _embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for (mapped, 6to4, NAT64), if it is one."""
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


@dataclass(frozen=True, slots=True)
class EgressPolicy:
    """The operator's exceptions; an empty policy (the default) allows only public addresses."""

    networks: tuple[IPNetwork, ...] = ()
    hosts: frozenset[str] = frozenset()
    suffixes: tuple[str, ...] = ()

    @classmethod
    def parse(cls, entries: Iterable[str]) -> EgressPolicy:
        """From `WAGRAPH_OUTBOUND_ALLOW`'s entries; a ValueError names the one at fault."""
        networks: list[IPNetwork] = []
        hosts: set[str] = set()
        suffixes: list[str] = []
        for raw in entries:
            entry = raw.strip().lower().rstrip(".")
            if not entry:
                continue
            try:
                networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
                continue
            except ValueError:
                pass
            if not _HOST.fullmatch(entry) or len(entry) > 253:
                raise ValueError(f"{SETTING}: {raw.strip()!r} is not a CIDR, address or host name")
            if entry.startswith("*."):
                suffixes.append(entry[1:])
            else:
                hosts.add(entry)
        return cls(tuple(networks), frozenset(hosts), tuple(suffixes))

    def allows_host(self, host: str) -> bool:
        name = host.lower().rstrip(".")
        return name in self.hosts or any(name.endswith(suffix) for suffix in self.suffixes)

    def refusal(self, host: str, address: IPAddress) -> str | None:
        """Why `host`, resolved to `address`, may not be reached; None when it may."""
        if self.allows_host(host):
            return None
        judged = _embedded_ipv4(address) or address
        if any(judged in net or address in net for net in self.networks):
            return None
        kind = blocked_kind(address)
        return None if kind is None else f"{address} is {kind}"

    def literal_refusal(self, host: str) -> str | None:
        """`refusal` for a host written as an address (a name is judged when it resolves)."""
        try:
            address = ipaddress.ip_address(host.strip("[]"))
        except ValueError:
            return None
        return self.refusal(host, address)


_policy = EgressPolicy()


def use_policy(policy: EgressPolicy) -> None:
    """The policy this process's automation webhooks follow (set when it is composed)."""
    global _policy
    _policy = policy


def policy() -> EgressPolicy:
    return _policy
