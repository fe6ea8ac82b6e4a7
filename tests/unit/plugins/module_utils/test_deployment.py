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


def test_tags_match_only_the_deployment():
    assert tags_match({"dicoogle:deployment": "x"}, "x")
    assert not tags_match({"dicoogle:deployment": "y"}, "x")
    assert not tags_match(None, "x")
