from __future__ import annotations

import pytest

from ansible_collections.dicoogle.aws.plugins.test.network import admin_cidr


@pytest.mark.parametrize("value", ["10.0.0.0/8", "192.0.2.10/32", "198.51.100.0/24"])
def test_an_administrators_network_is_accepted(value):
    assert admin_cidr(value) is True


@pytest.mark.parametrize("value", [
    "0.0.0.0/0",  # the whole internet
    "10.0.0.0/7",  # wider than /8
    "192.0.2.10",  # no prefix
    "192.0.2.10/24",  # host bits set: not a network
    "300.0.0.0/8",  # not an address
    "2001:db8::/32",  # IPv6
    "",
    None,
    ["10.0.0.0/8"],
])
def test_anything_else_is_refused(value):
    assert admin_cidr(value) is False
