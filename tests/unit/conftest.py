"""moto's in-memory AWS for the unit tests of the AWS modules."""

from __future__ import annotations

import functools

import boto3
import botocore.session
import pytest
from moto import mock_aws

REGION = "eu-west-1"


@pytest.fixture(autouse=True, scope="session")
def one_botocore_loader():
    """Every botocore session of the tests (a module under test makes its own each run) reads the
    service models through one loader, which keeps what it read: parsing EC2's model again for each
    session cost more than the calls the tests make. What the models say is unchanged."""
    original = botocore.session.create_loader
    botocore.session.create_loader = functools.lru_cache(maxsize=None)(original)
    yield
    botocore.session.create_loader = original


@pytest.fixture
def aws(monkeypatch):
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    with mock_aws():
        yield lambda service: boto3.client(service, region_name=REGION)
