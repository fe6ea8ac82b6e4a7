"""The PACS service of the shared site deployment: the ECS service behind both load balancers,
its task definition with the lab's engines, and the AWS default engines registered on their own."""

from __future__ import annotations

import json

import pytest

from tests.deployment import SITE_DEPLOYMENT as DEPLOYMENT
from tests.deployment import as_dict, key_arn, tagged_resources

# The deployment (tests/conftest.py's site fixture) is shared with the other test_site_*.py files and
# tests/security/test_security_aws.py.
pytestmark = pytest.mark.integration


def task_definition(aws_client, family):
    return aws_client("ecs").describe_task_definition(taskDefinition=family)["taskDefinition"]


def containers_of(definition):
    return {c["name"]: c for c in definition["containerDefinitions"]}


def test_pacs_service_runs_the_task_in_the_private_subnets_behind_both_load_balancers(site, aws_client):
    ecs, elb, ec2 = aws_client("ecs"), aws_client("elbv2"), aws_client("ec2")
    [service] = ecs.describe_services(cluster=DEPLOYMENT, services=[DEPLOYMENT + "-pacs"])["services"]
    assert service["launchType"] == "FARGATE" and service["desiredCount"] == 1
    assert service["taskDefinition"].endswith("/%s-pacs:1" % DEPLOYMENT)
    # one writer on the Lucene index: the old task stops before a new one starts; failed deployments roll back
    assert service["deploymentConfiguration"] == {"maximumPercent": 100, "minimumHealthyPercent": 0,
                                                  "deploymentCircuitBreaker": {"enable": True, "rollback": True}}
    network = service["networkConfiguration"]["awsvpcConfiguration"]
    assert network["assignPublicIp"] == "DISABLED"
    subnets = ec2.describe_subnets(SubnetIds=network["subnets"])["Subnets"]
    assert len(subnets) == 2 and not any(s["MapPublicIpOnLaunch"] for s in subnets)
    assert {as_dict(s["Tags"])["Name"].split("-")[-2] for s in subnets} == {"private"}
    [group] = ec2.describe_security_groups(GroupIds=network["securityGroups"])["SecurityGroups"]
    assert group["GroupName"] == DEPLOYMENT + "-pacs-task"
    # the task admits the tunnel servers' mutual TLS and nginx's TLS only: the engine's DICOM ports
    # (1045, 6666) and web ports (8042, 8080) answer inside the task alone
    assert sorted(p["FromPort"] for p in group["IpPermissions"]) == [8443, 11045, 16666], group["IpPermissions"]
    groups = {g["TargetGroupArn"]: g["TargetGroupName"] for g in elb.describe_target_groups()["TargetGroups"]}
    assert sorted((groups[lb["targetGroupArn"]], lb["containerName"], lb["containerPort"]) for lb in service["loadBalancers"]) == [
        (DEPLOYMENT + "-qr", "tunnel-qr", 11045), (DEPLOYMENT + "-store", "tunnel-server", 16666), (DEPLOYMENT + "-web", "nginx", 8443)]


TUNNELS = ("tunnel-server", "tunnel-qr", "tunnel-client")


def ghostunnel_commands(store_port):
    """The task's tunnel servers (mTLS 16666 -> the engine's C-STORE port and mTLS 11045 -> its Q/R
    port 1045 on the loopback, the client's name only) and tunnel client (127.0.0.1:17777 -> the
    storage site, checking its name), as ghostunnel runs them."""
    files = ["--cert=/run/secrets/tunnel-cert.pem", "--key=/run/secrets/tunnel-key.pem", "--cacert=/run/secrets/tunnel-ca.pem"]
    return [["/usr/local/bin/ghostunnel", "server", "--listen=0.0.0.0:16666", "--target=127.0.0.1:%d" % store_port, *files,
             "--allow-cn=client.dicoogle.internal"],
            ["/usr/local/bin/ghostunnel", "server", "--listen=0.0.0.0:11045", "--target=127.0.0.1:1045", *files,
             "--allow-cn=client.dicoogle.internal"],
            ["/usr/local/bin/ghostunnel", "client", "--listen=127.0.0.1:17777", "--target=storage.dicoogle.internal:7777", *files,
             "--override-server-name=storage.dicoogle.internal"]]


def secret_reference(sm, name):
    """How the task definition names a secret: its ARN at its current version."""
    found = sm.get_secret_value(SecretId=name)
    return "%s:::%s" % (found["ARN"], found["VersionId"])


def test_task_definition_of_the_lab_engines(site, aws_client):
    """The lab's engines (orthanc, ghostunnel): containers, ports, secrets, EFS volumes, logs, roles."""
    definition = task_definition(aws_client, DEPLOYMENT + "-pacs")
    assert (definition["cpu"], definition["memory"], definition["networkMode"]) == ("1024", "2048", "awsvpc")
    assert definition["requiresCompatibilities"] == ["FARGATE"]
    containers = containers_of(definition)
    assert sorted(containers) == ["nginx", "pacs", "tunnel-client", "tunnel-qr", "tunnel-server"]
    registry = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/%s/" % DEPLOYMENT
    images = {name: c["image"] for name, c in containers.items()}
    assert images["pacs"].startswith(registry + "orthanc:sha-") and images["nginx"].startswith(registry + "nginx:sha-")
    assert len({images[name] for name in TUNNELS}) == 1 and images["tunnel-server"].startswith(registry + "ghostunnel:sha-")
    # the engine maps no port: its DICOM and web ports answer on the task's loopback only
    assert {name: sorted(p["containerPort"] for p in c.get("portMappings", [])) for name, c in containers.items()} == {
        "pacs": [], "nginx": [8443], "tunnel-server": [16666], "tunnel-qr": [11045], "tunnel-client": []}
    # ECS reads a Secrets Manager secret by its full ARN (a bare name is an SSM parameter's), here at
    # its current version (<arn>:::<version id>): a renewed certificate is a new task definition
    sm = aws_client("secretsmanager")
    arn = {name: secret_reference(sm, "%s/%s" % (DEPLOYMENT, name))
           for name in ("ghostunnel-cert", "ghostunnel-key", "ca-trust", "pacs-admin-password", "nginx-cert", "nginx-key")}
    secrets = {name: {s["name"]: s["valueFrom"] for s in c.get("secrets", [])} for name, c in containers.items()}
    tunnel = {"TUNNEL_CERT_PEM": arn["ghostunnel-cert"], "TUNNEL_KEY_PEM": arn["ghostunnel-key"], "TUNNEL_CA_PEM": arn["ca-trust"]}
    assert secrets == {"pacs": {"PACS_ADMIN_PASSWORD": arn["pacs-admin-password"]},
                       "nginx": {"NGINX_CERT_PEM": arn["nginx-cert"], "NGINX_KEY_PEM": arn["nginx-key"]},
                       "tunnel-server": tunnel, "tunnel-qr": tunnel, "tunnel-client": tunnel}
    env = {name: {e["name"]: e["value"] for e in c.get("environment", [])} for name, c in containers.items()}
    orthanc = json.loads(env["pacs"]["ORTHANC_CONF"])
    # the password is not in the task definition: Orthanc expands it from the secret
    assert orthanc["RegisteredUsers"] == {"admin": "${PACS_ADMIN_PASSWORD}"} and orthanc["DicomPort"] == 1045
    assert orthanc["DicomModalities"]["CONSUMER"] == ["CONSUMER", "127.0.0.1", 17777]
    assert "proxy_pass http://127.0.0.1:8042;" in env["nginx"]["NGINX_CONF"]
    assert [containers[name]["command"] for name in TUNNELS] == ghostunnel_commands(1045)
    assert all(env[name] == {} for name in TUNNELS)
    efs = aws_client("efs")
    [fs] = [f for f in efs.describe_file_systems()["FileSystems"] if f.get("Name") == DEPLOYMENT + "-pacs"]
    points = {ap["Name"]: ap["AccessPointId"] for ap in efs.describe_access_points(FileSystemId=fs["FileSystemId"])["AccessPoints"]}
    volumes = {v["name"]: v["efsVolumeConfiguration"] for v in definition["volumes"]}
    assert volumes == {name: {"fileSystemId": fs["FileSystemId"], "rootDirectory": "/", "transitEncryption": "ENABLED",
                              "authorizationConfig": {"accessPointId": points[name], "iam": "ENABLED"}} for name in ("images", "index")}
    assert sorted((m["sourceVolume"], m["containerPath"]) for m in containers["pacs"]["mountPoints"]) == [
        ("images", "/var/lib/pacs/images"), ("index", "/var/lib/pacs/db")]
    for container in containers.values():
        options = container["logConfiguration"]["options"]
        assert container["logConfiguration"]["logDriver"] == "awslogs" and options["awslogs-group"] == "/dicoogle/%s/pacs" % DEPLOYMENT
    [group] = aws_client("logs").describe_log_groups(logGroupNamePrefix="/dicoogle/%s/pacs" % DEPLOYMENT)["logGroups"]
    assert group["retentionInDays"] == 30 and group["kmsKeyId"] == key_arn(aws_client)
    iam = aws_client("iam")
    for role, policy in (("execution", "execution_policy"), ("task", "task_policy")):
        name = "%s-pacs-%s" % (DEPLOYMENT, role)
        assert definition[role + "RoleArn"].endswith(":role/" + name)
        assert iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"] == []
        assert iam.list_role_policies(RoleName=name)["PolicyNames"] == [policy]
    task_policy = iam.get_role_policy(RoleName=DEPLOYMENT + "-pacs-task", PolicyName="task_policy")["PolicyDocument"]
    condition = task_policy["Statement"][0]["Condition"]["StringEquals"]["elasticfilesystem:AccessPointArn"]
    assert sorted(arn.split("/")[-1] for arn in condition) == sorted([points["images"], points["index"]])
    execution = iam.get_role_policy(RoleName=DEPLOYMENT + "-pacs-execution", PolicyName="execution_policy")["PolicyDocument"]
    [read] = [s for s in execution["Statement"] if s["Sid"] == "ReadTheTasksSecrets"]
    # exactly the secrets the task reads, by their full ARNs (any version)
    assert sorted(read["Resource"]) == sorted(reference.split(":::")[0] for reference in arn.values())


def test_task_definition_of_dicoogle_and_ghostunnel_has_the_exact_tunnel_command_lines(site, aws_client, run_playbook, tmp_path):
    """The AWS default engines, registered by the role on its own as another deployment (it-ecs) on
    the site's network, file system and target groups; then removed by the role's teardown."""
    ec2, efs = aws_client("ec2"), aws_client("efs")
    [fs] = [f for f in efs.describe_file_systems()["FileSystems"] if f.get("Name") == DEPLOYMENT + "-pacs"]
    points = {ap["Name"]: ap["AccessPointId"] for ap in efs.describe_access_points(FileSystemId=fs["FileSystemId"])["AccessPoints"]}
    subnets = [s["SubnetId"] for s in ec2.describe_subnets(Filters=[{"Name": "tag:Name", "Values": [DEPLOYMENT + "-pacs-private-*"]}])["Subnets"]]
    [group] = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": [DEPLOYMENT + "-pacs-task"]}])["SecurityGroups"]
    extra = {
        "dicoogle_deployment": "it-ecs", "dicoogle_state_dir": str(tmp_path), "role_state": "present",
        "pacs_service_engine": "dicoogle", "pacs_service_tunnel_engine": "ghostunnel", "pacs_service_kms_alias": "alias/" + DEPLOYMENT,
        "pacs_service_image_tags": {"dicoogle": "sha-000000000001", "nginx": "sha-000000000002", "ghostunnel": "sha-000000000003"},
        "pacs_service_subnet_ids": subnets, "pacs_service_security_group_id": group["GroupId"],
        "pacs_service_efs_id": fs["FileSystemId"], "pacs_service_access_point_ids": points,
        "pacs_service_web_target_group": DEPLOYMENT + "-web", "pacs_service_store_target_group": DEPLOYMENT + "-store",
        "pacs_service_qr_target_group": DEPLOYMENT + "-qr",
    }
    # the foundation's secrets of it-ecs, which the task reads (Dicoogle has no admin password secret)
    sm = aws_client("secretsmanager")
    names = ["it-ecs/%s" % n for n in ("nginx-cert", "nginx-key", "ghostunnel-cert", "ghostunnel-key", "ca-trust")]
    missing = run_playbook("tests/integration/playbooks/pacs_service.yml", extra_vars=extra)
    assert missing.rc != 0 and "the secrets " + ", ".join(names) + " (foundation role)" in " ".join(missing.output.split()), missing
    assert aws_client("ecs").list_task_definitions(familyPrefix="it-ecs-pacs")["taskDefinitionArns"] == []
    for name in names:
        sm.create_secret(Name=name, SecretString="-", Tags=[{"Key": "dicoogle:deployment", "Value": "it-ecs"}])
    up = run_playbook("tests/integration/playbooks/pacs_service.yml", extra_vars=extra)
    try:
        assert up.rc == 0, up
        containers = containers_of(task_definition(aws_client, "it-ecs-pacs"))
        assert [containers[name]["command"] for name in TUNNELS] == ghostunnel_commands(6666)
        assert not any("--allow-all" in containers[name]["command"] for name in TUNNELS)
        registry = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/it-ecs/"
        assert containers["pacs"]["image"] == registry + "dicoogle:sha-000000000001"
        assert containers["tunnel-client"]["image"] == registry + "ghostunnel:sha-000000000003"
        assert "portMappings" not in containers["pacs"] or containers["pacs"]["portMappings"] == []
        assert sorted((m["sourceVolume"], m["containerPath"]) for m in containers["pacs"]["mountPoints"]) == [
            ("confs", "/opt/dicoogle/confs"), ("images", "/var/lib/pacs/images"), ("index", "/var/lib/pacs/index")]
        assert containers["pacs"]["healthCheck"]["command"] == ["CMD-SHELL", "curl -fsS http://127.0.0.1:8080/ext/version || exit 1"]
        assert "secrets" not in containers["pacs"]  # Dicoogle's password is rotated through its API
        assert "proxy_pass http://127.0.0.1:8080;" in {e["name"]: e["value"] for e in containers["nginx"]["environment"]}["NGINX_CONF"]
        again = run_playbook("tests/integration/playbooks/pacs_service.yml", extra_vars=extra)
        assert again.rc == 0 and again.changed == 0, again
        assert sorted(s["valueFrom"] for s in containers["nginx"]["secrets"]) == sorted(secret_reference(sm, name) for name in names[:2])
        # A renewed certificate (a new value of its secret) is a new revision that names the new
        # version, and the service runs it: ECS replaces the task, which reads its secrets at start.
        ecs = aws_client("ecs")
        before = ecs.describe_services(cluster="it-ecs", services=["it-ecs-pacs"])["services"][0]["taskDefinition"]
        sm.put_secret_value(SecretId=names[0], SecretString="renewed")
        renewed = run_playbook("tests/integration/playbooks/pacs_service.yml", extra_vars=extra)
        assert renewed.rc == 0 and renewed.changed > 0, renewed
        after = ecs.describe_services(cluster="it-ecs", services=["it-ecs-pacs"])["services"][0]["taskDefinition"]
        # (moto answers <family>:<revision> where ECS answers the ARN)
        assert after != before and task_definition(aws_client, "it-ecs-pacs")["taskDefinitionArn"].endswith("/" + after.split("/")[-1])
        nginx = containers_of(task_definition(aws_client, "it-ecs-pacs"))["nginx"]
        assert {s["name"]: s["valueFrom"] for s in nginx["secrets"]}["NGINX_CERT_PEM"] == secret_reference(sm, names[0])
    finally:
        down = run_playbook("tests/integration/playbooks/pacs_service.yml", extra_vars=dict(extra, role_state="absent"))
        for name in names:
            sm.delete_secret(SecretId=name, ForceDeleteWithoutRecovery=True)
    assert down.rc == 0, down
    assert tagged_resources(aws_client, "it-ecs") == []
    assert aws_client("ecs").list_task_definitions(familyPrefix="it-ecs-pacs", status="ACTIVE")["taskDefinitionArns"] == []
