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


def test_the_shared_names_of_a_deployment_are_those_its_resources_carry():
    from ansible_collections.dicoogle.aws.plugins.module_utils.deployment import deployment_names

    names = deployment_names("hb", account="123456789012", region="eu-west-1")
    assert names["tag_key"] == "dicoogle:deployment"
    assert (names["kms_alias"], names["key_pair"], names["datasync_task"]) == ("alias/hb", "hb", "hb-bulk-import")
    assert names["target_groups"] == {"web": "hb-web", "store": "hb-store", "qr": "hb-qr"}
    assert (names["storage_host_interface"], names["lab_network"], names["pacs_task_family"]) == ("hb-storage-host", "hb-lab", "hb-pacs")
    assert names["log_bucket"] == "hb-logs-123456789012-eu-west-1"
    assert names["secrets"]["pacs_admin_password"] == "hb/pacs-admin-password"
    assert names["secrets"]["web_automation"] == "hb/web-automation"
    assert names["secret_names"]["ca_cert"] == "ca-cert" and names["secrets"]["ca_cert"] == "hb/ca-cert"
    assert names["secrets"]["ca_key"] == "hb/ca-key"
    assert (names["secret_names"]["nginx_cert"], names["secret_names"]["ghostunnel_key"]) == ("nginx-cert", "ghostunnel-key")
    # every full name is the short one below the deployment's prefix, the ECR repositories' too
    assert all(names["secrets"][key] == names["secret_prefix"] + short for key, short in names["secret_names"].items())
    assert names["secret_prefix"] == names["ecr_repository_prefix"] == "hb/"


def test_names_that_hold_the_account_need_the_account_and_the_region():
    from ansible_collections.dicoogle.aws.plugins.module_utils.deployment import deployment_names

    assert "log_bucket" not in deployment_names("hb")
    assert "log_bucket" not in deployment_names("hb", account="123456789012")


def test_the_certificate_leaves_name_their_secrets():
    from ansible_collections.dicoogle.aws.plugins.module_utils.deployment import deployment_names

    names = deployment_names("hb", certificates=["web"])["secret_names"]
    assert (names["web_cert"], names["web_key"]) == ("web-cert", "web-key")
    assert "nginx_cert" not in names and names["ca_cert"] == "ca-cert"


def test_names_are_derived_from_any_value_validation_is_the_tests_job():
    from ansible_collections.dicoogle.aws.plugins.module_utils.deployment import deployment_names

    assert deployment_names("")["datasync_task"] == "-bulk-import"
    assert deployment_names(None)["kms_alias"] == "alias/"
    assert deployment_names(7)["key_pair"] == "7"


def test_a_shared_port_is_found_by_its_name_and_an_unknown_name_lists_them():
    from ansible_collections.dicoogle.aws.plugins.module_utils.deployment import shared_port

    assert (shared_port("pacs_tunnel"), shared_port("pacs_qr"), shared_port("pacs_https")) == (16666, 1045, 8443)
    assert (shared_port("pacs_consumer"), shared_port("storage_scp")) == (17777, 7777)
    with pytest.raises(ValueError, match="no shared port is named 'qr'; the shared ports are dicoogle_store, "):
        shared_port("qr")
