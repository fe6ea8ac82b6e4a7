"""Fixtures of the plugin tests."""

from __future__ import annotations

import pytest

from ansible_collections.dicoogle.aws.plugins.module_utils import aws as shared


class Clock:
    """The time of the shared Waiter: sleeping moves the clock on at once, so that waiting takes no time."""

    def __init__(self):
        self.now = 1000.0
        self.slept = []

    def monotonic(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture(name="clock")
def fake_clock(monkeypatch):
    """The Waiter's clock, whose `slept` lists the pauses of the waits."""
    fake = Clock()
    monkeypatch.setattr(shared, "time", fake)
    return fake
