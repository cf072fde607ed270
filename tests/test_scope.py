"""Scope checks of crawler/scope.py at the address level: what `ScopedResolver` refuses once a
name resolves (DNS rebinding included), and what `blocked_address` calls non-public."""
from __future__ import annotations

import pytest
from scrapy.utils.test import get_crawler

from crawler.adhoc import adhoc_portal
from crawler.registry import load_registry
from crawler.scope import PrivateAddressLookup, ScopedResolver, blocked_address


@pytest.mark.parametrize("address, word", [
    ("127.0.0.1", "loopback"), ("10.1.2.3", "private"), ("192.168.0.9", "private"), ("172.16.5.4", "private"),
    ("169.254.169.254", "link-local"), ("224.0.0.1", "multicast"), ("0.0.0.0", "unspecified"),
    ("::1", "loopback"), ("fe80::1", "link-local"), ("::ffff:10.0.0.1", "private"), ("240.0.0.1", "reserved"),
])
def test_non_public_addresses(address: str, word: str) -> None:
    assert blocked_address(address) == word


@pytest.mark.parametrize("address", ["203.113.131.6", "14.225.0.1", "2405:4800::1", "sonoivu.langson.gov.vn"])
def test_public_addresses_and_names_pass(address: str) -> None:
    assert blocked_address(address) is None


class _Spider:
    def __init__(self, portals):
        self.portals = {p.key: p for p in portals}


def _resolver(portals, **settings) -> ScopedResolver:
    crawler = get_crawler(settings_dict=settings)
    crawler.spider = _Spider(portals)
    resolver = ScopedResolver.__new__(ScopedResolver)  # no reactor needed for the check itself
    resolver.crawler = crawler
    return resolver


def test_a_portal_name_resolving_to_a_private_address_is_refused() -> None:
    registry = load_registry()
    portal = registry.get("langson-sonoivu")
    resolver = _resolver([portal])
    assert resolver._check("203.113.131.6", "sonoivu.langson.gov.vn") == "203.113.131.6"
    with pytest.raises(PrivateAddressLookup, match="10.0.0.5, a private address"):
        resolver._check("10.0.0.5", "sonoivu.langson.gov.vn")  # rebinding to an intranet address
    with pytest.raises(PrivateAddressLookup, match="link-local"):
        resolver._check("169.254.169.254", "sonoivu.langson.gov.vn")


def test_replicas_typed_ip_literals_and_listed_hosts_may_be_private() -> None:
    registry = load_registry()
    replica = registry.get("replica-drupal")
    typed = adhoc_portal("http://10.20.30.40:8080/tin-tuc")
    resolver = _resolver([replica, typed, registry.get("langson-sonoivu")],
                         GOVCRAWL_PRIVATE_HOSTS="intranet.langson.gov.vn")
    assert resolver._check("127.0.10.1", replica.primary_host.rsplit(":", 1)[0]) == "127.0.10.1"
    assert resolver._check("10.20.30.40", "10.20.30.40") == "10.20.30.40"
    assert resolver._check("10.0.0.7", "intranet.langson.gov.vn") == "10.0.0.7"
    with pytest.raises(PrivateAddressLookup):
        resolver._check("10.0.0.7", "sonoivu.langson.gov.vn")
