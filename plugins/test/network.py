# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tests on addresses that the roles' input validation shares."""

from __future__ import annotations

import ipaddress

# SSH from the whole internet, or from a block as wide, is never what an administrator means.
ADMIN_MIN_PREFIX = 8


def admin_cidr(value):
    """True for an IPv4 network of /8 to /32 written as a.b.c.d/n (no host bits set)."""
    if not isinstance(value, str) or "/" not in value:
        return False
    try:
        net = ipaddress.ip_network(value, strict=True)
    except ValueError:
        return False
    return net.version == 4 and net.prefixlen >= ADMIN_MIN_PREFIX


class TestModule:
    def tests(self):
        return {"admin_cidr": admin_cidr}
