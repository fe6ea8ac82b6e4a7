"""Fixtures of the module tests."""

from __future__ import annotations

import pytest
from botocore.stub import Stubber

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper


@pytest.fixture
def datasync_stub(monkeypatch, aws):
    """stub(*operations) makes the DataSync client of the modules send `operations` (and their paginators)
    to botocore's Stubber, which it returns, and every other call to moto; stub(everything=True) sends every
    call to the Stubber. Each test says which of moto's gaps its stubbed calls cover."""

    def stub(*operations, everything=False):
        stubbed, real = aws("datasync"), aws("datasync")
        stubber = Stubber(stubbed)
        stubber.activate()

        def routed(name):
            return stubbed if everything or name in operations else real

        class Routed:
            def __getattr__(self, name):
                return getattr(routed(name), name)

            def get_paginator(self, name):
                return routed(name).get_paginator(name)

        def client(_self, service, retry_decorator=None, **_kwargs):
            assert service == "datasync"
            return RetryingBotoClientWrapper(Routed(), retry_decorator)

        monkeypatch.setattr(AnsibleAWSModule, "client", client)
        return stubber

    return stub


@pytest.fixture
def sent(aws, monkeypatch):
    """The modules' clients, with each request they send recorded as (operation, parameters)."""
    calls = []

    def client(_self, service, retry_decorator=None, **_kwargs):
        real = aws(service)
        real.meta.events.register("provide-client-params",
                                  lambda params, model, **_kw: calls.append((model.name, dict(params))))
        return RetryingBotoClientWrapper(real, retry_decorator)

    monkeypatch.setattr(AnsibleAWSModule, "client", client)
    return calls
