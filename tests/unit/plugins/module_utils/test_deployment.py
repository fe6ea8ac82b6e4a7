from __future__ import annotations

import pytest

from ansible_collections.dicoogle.aws.plugins.module_utils.deployment import deployment_name_error
from ansible_collections.dicoogle.aws.plugins.module_utils.deployment import tags_match


@pytest.mark.parametrize("name", ["dicoogle", "d", "pacs-01", "a" * 24])
def test_valid_names(name):
    assert deployment_name_error(name) is None


@pytest.mark.parametrize("name", ["", None, "1pacs", "Pacs", "pacs-", "pacs_01", "a" * 25])
def test_invalid_names_are_explained(name):
    assert "deployment must be" in deployment_name_error(name)


@pytest.mark.parametrize("name, reason", [
    ("internal-pacs", "'internal-'"), ("sg-pacs", "'sg-'"), ("xn--pacs", "two dashes"), ("sthree-pacs", "'sthree-'"),
    ("amzn-s3-demo-pacs", "'amzn-s3-demo-'"), ("my--pacs", "two dashes"),
])
def test_names_aws_refuses_in_derived_names(name, reason):
    assert reason in deployment_name_error(name)


def test_the_test_plugin_applies_the_same_rule():
    from ansible_collections.dicoogle.aws.plugins.test.deployment import TestModule

    test = TestModule().tests()["deployment_name"]
    assert test("dicoogle-lab") and test("a" * 24)
    assert not test("a" * 25) and not test("internal-x") and not test(None)


def test_tags_match_only_the_deployment():
    assert tags_match({"dicoogle:deployment": "x"}, "x")
    assert not tags_match({"dicoogle:deployment": "y"}, "x")
    assert not tags_match(None, "x")
