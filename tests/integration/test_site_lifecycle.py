"""The whole shared site deployment, `make lab` / `make lab-down` (scripts/lab.sh) against moto:
check mode, changed=0 on the second run, every resource once, teardown leaves zero tagged resources
(listed independently of our own module), a second teardown changes nothing, and a rebuild
converges. The teardown and the rebuild (ends_deployment) run after every other test of the
site, in all its files."""

from __future__ import annotations

import pytest

from tests.deployment import SITE_DEPLOYMENT as DEPLOYMENT
from tests.deployment import EXPECTED, WEB_USER, by_type, tagged_resources

# The deployment (tests/conftest.py's site fixture) is shared with the other test_site_*.py files and
# tests/security/test_security_aws.py.
pytestmark = pytest.mark.integration

# What the lab's status report counts: all of it but DataSync's locations (it lists the task).
RESOURCES = sum(EXPECTED.values()) - EXPECTED["datasync-location"]


def test_lab_reports_what_exists(site):
    assert "%s in eu-west-1: %d resources" % (DEPLOYMENT, RESOURCES) in site.first.output, site.first


def test_check_mode_on_the_converged_deployment_reports_no_change(site):
    check = site.play("playbooks/site.yml", "--check")
    assert check.rc == 0 and check.changed == 0, check


def test_check_mode_on_a_new_deployment_reports_changes_and_makes_none(tmp_path, run_playbook, aws_client):
    before = tagged_resources(aws_client, "it-check")
    check = run_playbook(
        "playbooks/site.yml", "--check", "--limit", "localhost", extra_vars={"dicoogle_deployment": "it-check", "dicoogle_state_dir": str(tmp_path / "s")}
    )
    assert check.rc == 0 and check.changed > 0, check
    assert before == tagged_resources(aws_client, "it-check") == []
    assert not (tmp_path / "s").exists()


def web_user_password(aws_client):
    return aws_client("secretsmanager").get_secret_value(SecretId="%s/web-users/%s" % (DEPLOYMENT, WEB_USER))["SecretString"]


def automation_password(aws_client):
    return aws_client("secretsmanager").get_secret_value(SecretId=DEPLOYMENT + "/web-automation")["SecretString"]


def pacs_admin_password(aws_client):
    return aws_client("secretsmanager").get_secret_value(SecretId="%s/pacs-admin-password" % DEPLOYMENT)["SecretString"]


def test_second_run_changes_nothing_and_prints_no_secret(site, aws_client):
    again = site.second()
    assert again.rc == 0 and again.changed == 0, again
    assert "PRIVATE KEY" not in again.output
    assert web_user_password(aws_client) not in again.output
    assert automation_password(aws_client) not in again.output
    assert pacs_admin_password(aws_client) not in again.output


def test_every_resource_of_the_deployment_exists_once(site, aws_client):
    assert by_type(tagged_resources(aws_client)) == EXPECTED


@pytest.mark.ends_deployment
def test_teardown_leaves_nothing_and_is_idempotent(site, aws_client):
    before = tagged_resources(aws_client)
    assert by_type(before) == EXPECTED
    instances = [ident for kind, ident in before if kind == "ec2-instance"]
    volumes = [v["VolumeId"] for v in aws_client("ec2").describe_volumes(
        Filters=[{"Name": "attachment.instance-id", "Values": instances}])["Volumes"]]
    assert len(volumes) == 2
    down = site.lab("down")
    assert down.rc == 0, down
    assert tagged_resources(aws_client) == []
    # by type: nothing of what existed is left, whether or not it carried tags
    vpcs = [ident for kind, ident in before if kind == "vpc"]
    ec2 = aws_client("ec2")
    assert ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": vpcs}])["Subnets"] == []
    assert ec2.describe_network_interfaces(Filters=[{"Name": "vpc-id", "Values": vpcs}])["NetworkInterfaces"] == []
    # the hosts' root volumes went with them
    assert ec2.describe_volumes(Filters=[{"Name": "volume-id", "Values": volumes}])["Volumes"] == []
    assert not [n for n in ec2.describe_nat_gateways()["NatGateways"] if n["VpcId"] in vpcs and n["State"] != "deleted"]
    policies = aws_client("logs").describe_resource_policies()["resourcePolicies"]
    assert DEPLOYMENT + "-datasync-logs" not in [p["policyName"] for p in policies]
    locations = {loc["LocationArn"] for loc in aws_client("datasync").list_locations()["Locations"]}
    assert not locations & {ident for kind, ident in before if kind == "datasync-location"}
    status = site.play("playbooks/status.yml")
    assert status.rc == 0 and "%s in eu-west-1: 0 resources" % DEPLOYMENT in status.output, status
    again = site.lab("down")
    assert again.rc == 0 and again.changed == 0, again
    # the key is only scheduled for deletion, as AWS requires
    meta = aws_client("kms").describe_key(KeyId="alias/" + DEPLOYMENT)["KeyMetadata"]
    assert meta["KeyState"] == "PendingDeletion"


@pytest.mark.ends_deployment
def test_rebuild_after_teardown_converges_and_tears_down_again(site, aws_client):
    """Runs after the teardown test: the KMS key pending deletion is restored, not duplicated."""
    again = site.lab("up")
    assert again.rc == 0, again
    assert by_type(tagged_resources(aws_client)) == EXPECTED
    assert len([k for k in aws_client("kms").list_aliases()["Aliases"] if k["AliasName"] == "alias/" + DEPLOYMENT]) == 1
    assert site.state.is_dir()
    down = site.lab("down", "-e", "dicoogle_teardown_local_state=true")
    assert down.rc == 0 and tagged_resources(aws_client) == [], down
    assert not site.state.exists()  # the local PKI and key went too, when asked
