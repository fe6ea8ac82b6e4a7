"""Bad input fails before any change, with a message naming the variable."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.integration


def aws_snapshot(aws_client):
    """Everything the foundation could create, in the whole (test) account."""
    return {
        "kms_keys": sorted(k["KeyId"] for k in aws_client("kms").list_keys()["Keys"]),
        "kms_aliases": sorted(a["AliasName"] for a in aws_client("kms").list_aliases()["Aliases"]),
        "ecr": sorted(r["repositoryName"] for r in aws_client("ecr").describe_repositories()["repositories"]),
        "key_pairs": sorted(k["KeyName"] for k in aws_client("ec2").describe_key_pairs()["KeyPairs"]),
        "buckets": sorted(b["Name"] for b in aws_client("s3").list_buckets()["Buckets"]),
        "secrets": sorted(s["Name"] for s in aws_client("secretsmanager").list_secrets()["SecretList"]),
        "vpcs": sorted(v["VpcId"] for v in aws_client("ec2").describe_vpcs()["Vpcs"]),
        "instances": sorted(i["InstanceId"] for r in aws_client("ec2").describe_instances()["Reservations"] for i in r["Instances"]),
        "ecs_clusters": sorted(aws_client("ecs").list_clusters()["clusterArns"]),
        "load_balancers": sorted(b["LoadBalancerName"] for b in aws_client("elbv2").describe_load_balancers()["LoadBalancers"]),
        "user_pools": sorted(p["Name"] for p in aws_client("cognito-idp").list_user_pools(MaxResults=60)["UserPools"]),
    }


# Variables of the whole deployment (dicoogle_*): each case runs alone, as several roles read them.
ALONE = [
    ({"dicoogle_deployment": ""}, ["dicoogle_deployment"]),
    ({"dicoogle_deployment": "Bad_Name"}, ["dicoogle_deployment"]),
    # names AWS would refuse part-way: a load balancer's reserved beginning, the sign-in's reserved words
    ({"dicoogle_deployment": "internal-pacs"}, ["dicoogle_deployment"]),
    ({"dicoogle_deployment": "myaws-pacs"}, ["dicoogle_deployment", "aws, amazon or cognito"]),
    ({"dicoogle_public_domain": "radiology-department." + "h" * 30 + ".example.org"}, ["front_door_hostname", "64"]),
    ({"dicoogle_aws_region": "mars-1"}, ["dicoogle_aws_region"]),
    ({"dicoogle_public_domain": ""}, ["front_door_domain", "dicoogle_public_domain"]),
    # the pool's users sign in with an email address: a bare name would fail at AdminCreateUser
    ({"dicoogle_web_automation_user": "robot"}, ["front_door_automation_user", "email address"]),
    # the DICOM nodes' description: every error at once, each naming its entry and field
    ({"dicoogle_dicom_nodes": [{"name": "client", "site": "client", "role": "modality", "ae_title": "DICOOGLE-CLIENT"},
                               {"name": "storage", "site": "client", "role": "storage", "ae_title": "CONSUMER-TITLE-TOO-LONG"}]},
     ["dicoogle_dicom_nodes[1] is a storage, which belongs to the storage site", "dicoogle_dicom_nodes[1].ae_title must be 1 to 16"]),
    ({"dicoogle_edge_access": "ssh"}, ["edge_hosts_access", "edge_hosts_admin_ssh_cidrs"]),
    ({"dicoogle_edge_access": "ssh", "dicoogle_admin_ssh_cidrs": ["0.0.0.0/0"]}, ["dicoogle_admin_ssh_cidrs", "0.0.0.0/0"]),
]

# A role's own variables (<role>_*): the preflight validates every role and reports each role's
# errors at once, so one run takes one wrong value per role. Each run fails exactly the roles of
# its cases (the preflight's rows name them), and each case's variables are named.
BY_ROLE = [
    ({"pki_key_size": "1000"}, ["pki_key_size"]),
    ({"pki_key_type": "DSA"}, ["pki_key_type"]),
    ({"pki_renew_days": "397"}, ["pki_renew_days", "pki_leaf_validity_days"]),
    ({"pki_leaf_validity_days": "10"}, ["pki_renew_days", "pki_leaf_validity_days"]),
    ({"foundation_kms_pending_window_days": "3"}, ["foundation_kms_pending_window_days"]),
    ({"foundation_kms_alias": "alias/aws/s3"}, ["foundation_kms_alias"]),
    ({"foundation_ecr_repositories": "[BAD]"}, ["foundation_ecr_repositories"]),
    ({"foundation_pacs_admin_password_length": "8"}, ["foundation_pacs_admin_password_length"]),
    ({"storage_images_bucket_name": "Bad_Bucket"}, ["storage_images_bucket_name"]),
    ({"network_pacs_vpc_cidr": "10.10.0.0/33"}, ["network_pacs_vpc_cidr"]),
    ({"network_client_vpc_cidr": "10.10.128.0/20"}, ["network_pacs_vpc_cidr", "network_client_vpc_cidr", "overlap"]),
    ({"network_az_count": "4"}, ["network_az_count"]),
    ({"network_nat_gateways": "none"}, ["network_nat_gateways"]),
    ({"network_nat_sites": [], "network_pacs_interface_endpoints": ["logs"]}, ["network_nat_sites", "network_pacs_interface_endpoints"]),
    ({"front_door_mfa": "sometimes"}, ["front_door_mfa"]),
    ({"front_door_password_minimum_length": "6"}, ["front_door_password_minimum_length"]),
    ({"front_door_mfa": "on"}, ["front_door_mfa", "second factor"]),
    ({"pacs_service_engine": "pacsbox"}, ["pacs_service_engine"]),
    ({"pacs_service_memory": "3000"}, ["pacs_service_cpu", "pacs_service_memory"]),
    ({"pacs_service_log_retention_days": "2"}, ["pacs_service_log_retention_days"]),
    ({"pacs_service_allow_cn": []}, ["pacs_service_allow_cn"]),
    ({"edge_hosts_os": "windows"}, ["edge_hosts_os"]),
    ({"edge_hosts_ami_id": "debian"}, ["edge_hosts_ami_id"]),
]
ROLES = ["pki", "foundation", "storage", "network", "front_door", "pacs_service", "edge_hosts"]


def role_of(extra_vars):
    [role] = {next(r for r in ROLES if name.startswith(r + "_")) for name in extra_vars}
    return role


def batches():
    """BY_ROLE's cases in runs of one case per role: the n-th case of every role in the n-th run."""
    runs = []
    for extra_vars, named in BY_ROLE:
        role = role_of(extra_vars)
        run = next((r for r in runs if role not in r), None)
        if run is None:
            run = {}
            runs.append(run)
        run[role] = (extra_vars, named)
    return [list(run.values()) for run in runs]


def case_id(cases):
    return "+".join(",".join(sorted(extra_vars)) for extra_vars, named in cases)


@pytest.mark.parametrize("cases", [[case] for case in ALONE] + batches(), ids=case_id)
def test_bad_input_fails_before_any_change(tmp_path, run_playbook, aws_client, cases):
    state = tmp_path / "state"
    extra_vars = {"dicoogle_deployment": "it-validation", "dicoogle_state_dir": str(state)}
    named = []
    for case_vars, case_named in cases:
        extra_vars.update(case_vars)
        named.append(case_named)
    before = aws_snapshot(aws_client)
    run = run_playbook("playbooks/site.yml", extra_vars=extra_vars)
    assert run.rc != 0, run
    for variable in (variable for case_named in named for variable in case_named):
        assert variable in run.output, run
    # only what is wrong is reported: each clause of a role's "input is invalid" message names a
    # case's variable, and a run of role cases fails exactly those roles
    for message in re.findall(r'input is invalid: (.*?)\."', run.output):
        assert all(any(any(variable in clause for variable in case_named) for case_named in named) for clause in message.split("; ")), message
    if len(cases) > 1 or cases[0] not in ALONE:
        failed = re.search(r"Preflight failed: (.*?) \(see", " ".join(run.output.split())).group(1)
        assert sorted(failed.split("; ")) == sorted("%s inputs and names" % role_of(v) for v, n in cases), failed
    # nothing was made: no local state, nothing in AWS
    assert not state.exists()
    assert run.changed == 0
    assert aws_snapshot(aws_client) == before


@pytest.mark.parametrize("role, extra_vars, named", [
    ("storage", {"storage_images_bucket_name": "Bad_Bucket"}, "storage_images_bucket_name"),
    ("network", {"network_pacs_vpc_cidr": "10.10.0.0/33"}, "network_pacs_vpc_cidr"),
])
def test_a_role_alone_validates_its_inputs_unless_the_preflight_did(tmp_path, run_playbook, aws_client, role, extra_vars, named):
    """Without site.yml's preflight a role validates its own inputs first; with the preflight's record
    (dicoogle_validated_roles) it does not validate them again."""
    extra_vars = dict(extra_vars, role_name=role, dicoogle_deployment="it-alone", dicoogle_state_dir=str(tmp_path / "state"))
    before = aws_snapshot(aws_client)
    alone = run_playbook("tests/integration/playbooks/role_alone.yml", extra_vars=extra_vars)
    validated = "roles/%s/tasks/validate.yml for localhost" % role
    assert alone.rc != 0 and validated in alone.output and named in alone.output, alone
    assert aws_snapshot(aws_client) == before
    recorded = run_playbook("tests/integration/playbooks/role_alone.yml", "--check",
                            extra_vars=dict(extra_vars, dicoogle_validated_roles=[role]))
    assert "TASK [dicoogle.aws.%s : Validating arguments" % role in recorded.output, recorded  # the role did run
    assert validated not in recorded.output, recorded
    assert aws_snapshot(aws_client) == before
