"""The ECS task definition -> docker_container filters (the lab's PACS task runs what pacs_service
registered): a definition shaped like the PACS task's, registered in moto and read back as
community.aws.ecs_taskdefinition_info returns it, becomes the four containers of one network
namespace; what the lab cannot run as ECS would is refused."""

from __future__ import annotations

import copy

import pytest
from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.dicoogle.aws.plugins.filter.ecs_docker import ecs_docker_containers, ecs_docker_volumes, ecs_secret_ids

REGISTRY = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/unit/"
SECRETS_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:unit/"
SECRET_ARN = SECRETS_ARN + "ca-cert-AbCdEf"
TUNNEL_SECRETS = [{"name": "TUNNEL_CERT_PEM", "valueFrom": SECRETS_ARN + "ghostunnel-cert-GhIjKl"}, {"name": "TUNNEL_CA_PEM", "valueFrom": SECRET_ARN}]
LOGS = {"logDriver": "awslogs", "options": {"awslogs-group": "/dicoogle/unit/pacs", "awslogs-region": "eu-west-1", "awslogs-stream-prefix": "x"}}
CONTAINERS = [
    {"name": "pacs", "image": REGISTRY + "dicoogle:sha-1", "essential": True, "logConfiguration": LOGS,
     "portMappings": [{"containerPort": 8080, "protocol": "tcp"}, {"containerPort": 1045, "protocol": "tcp"}],
     "mountPoints": [{"sourceVolume": "images", "containerPath": "/var/lib/pacs/images", "readOnly": False},
                     {"sourceVolume": "index", "containerPath": "/var/lib/pacs/index", "readOnly": True}],
     "healthCheck": {"command": ["CMD-SHELL", "curl -fsS http://127.0.0.1:8080/ext/version || exit 1"], "interval": 10, "startPeriod": 120}},
    {"name": "nginx", "image": REGISTRY + "nginx:sha-2", "essential": True, "logConfiguration": LOGS,
     "portMappings": [{"containerPort": 8443, "protocol": "tcp"}],
     "environment": [{"name": "NGINX_CONF", "value": "server { listen 8443 ssl; }"}],
     "secrets": [{"name": "NGINX_CERT_PEM", "valueFrom": SECRETS_ARN + "nginx-cert-MnOpQr"}]},
    {"name": "tunnel-server", "image": REGISTRY + "ghostunnel:sha-3", "essential": True, "logConfiguration": LOGS,
     "command": ["/usr/local/bin/ghostunnel", "server", "--listen=0.0.0.0:16666"],
     "portMappings": [{"containerPort": 16666, "protocol": "tcp"}], "secrets": TUNNEL_SECRETS},
    {"name": "tunnel-client", "image": REGISTRY + "ghostunnel:sha-3", "essential": True, "logConfiguration": LOGS,
     "entryPoint": ["/usr/local/bin/write-secrets"], "command": ["/usr/local/bin/ghostunnel", "client"], "secrets": TUNNEL_SECRETS},
]
VOLUMES = [{"name": name, "efsVolumeConfiguration": {"fileSystemId": "fs-12345678", "rootDirectory": "/", "transitEncryption": "ENABLED",
                                                     "authorizationConfig": {"accessPointId": "fsap-" + name, "iam": "ENABLED"}}}
           for name in ("images", "index")]
SECRETS = {SECRETS_ARN + "ghostunnel-cert-GhIjKl": "TUNNEL CERT", SECRETS_ARN + "nginx-cert-MnOpQr": "NGINX CERT", SECRET_ARN: "CA CERT"}
HOST = {"images": "/srv/lab/pacs/images"}


def definition(**changes):
    return {"family": "unit-pacs", "networkMode": "awsvpc", "containerDefinitions": copy.deepcopy(CONTAINERS), "volumes": VOLUMES, **changes}


@pytest.fixture
def registered(aws):
    """The definition as moto stores it (with the fields ECS adds) and ecs_taskdefinition_info returns it."""
    ecs = aws("ecs")
    ecs.register_task_definition(family="unit-pacs", networkMode="awsvpc", requiresCompatibilities=["FARGATE"], cpu="1024", memory="2048",
                                 containerDefinitions=CONTAINERS, volumes=VOLUMES)
    return camel_dict_to_snake_dict(ecs.describe_task_definition(taskDefinition="unit-pacs")["taskDefinition"])


def test_the_registered_task_runs_as_four_containers_in_one_network_namespace(registered):
    volumes = ecs_docker_volumes(registered, "unit-pacs", HOST)
    assert volumes == {"images": "/srv/lab/pacs/images", "index": "unit-pacs-index"}
    pacs, nginx, server, client = ecs_docker_containers(registered, "unit-pacs", SECRETS, volumes)
    assert [c["name"] for c in (pacs, nginx, server, client)] == ["unit-pacs", "unit-pacs-nginx", "unit-pacs-tunnel-server", "unit-pacs-tunnel-client"]
    assert [c["container"] for c in (pacs, nginx, server, client)] == ["pacs", "nginx", "tunnel-server", "tunnel-client"]
    assert [c["image"] for c in (pacs, nginx, server, client)] == [c["image"] for c in CONTAINERS]
    # the owner holds the task's network interface: every container's ports; the others join it
    assert "network_mode" not in pacs and pacs["exposed_ports"] == ["8080/tcp", "1045/tcp", "8443/tcp", "16666/tcp"]
    assert {c["network_mode"] for c in (nginx, server, client)} == {"container:unit-pacs"}
    assert all("exposed_ports" not in c for c in (nginx, server, client))
    assert nginx["ports"] == ["8443/tcp"] and client["ports"] == []
    # environment and secrets, each secret by its name or ARN
    assert nginx["env"] == {"NGINX_CONF": "server { listen 8443 ssl; }", "NGINX_CERT_PEM": "NGINX CERT"}
    assert server["env"] == client["env"] == {"TUNNEL_CERT_PEM": "TUNNEL CERT", "TUNNEL_CA_PEM": "CA CERT"}
    assert pacs["env"] == {}
    assert server["command"] == CONTAINERS[2]["command"] and "entrypoint" not in server
    assert client["entrypoint"] == ["/usr/local/bin/write-secrets"] and client["command"] == ["/usr/local/bin/ghostunnel", "client"]
    assert "command" not in pacs and "command" not in nginx  # the image's own
    assert pacs["volumes"] == ["/srv/lab/pacs/images:/var/lib/pacs/images", "unit-pacs-index:/var/lib/pacs/index:ro"]
    assert nginx["volumes"] == []
    # ECS's defaults where the definition leaves a field out (Docker's timeout would be 30s)
    assert pacs["healthcheck"] == {"test": CONTAINERS[0]["healthCheck"]["command"], "interval": "10s", "timeout": "5s", "retries": 3,
                                   "start_period": "120s"}
    assert "healthcheck" not in nginx


def test_the_api_shape_gives_what_ecs_taskdefinition_info_gives(registered):
    assert ecs_docker_containers(definition(), "unit-pacs", SECRETS, ecs_docker_volumes(definition(), "unit-pacs", HOST)) == \
        ecs_docker_containers(registered, "unit-pacs", SECRETS, ecs_docker_volumes(registered, "unit-pacs", HOST))


def test_volumes_default_to_docker_volumes_named_after_the_task():
    assert ecs_docker_volumes(definition(), "lab-pacs") == {"images": "lab-pacs-images", "index": "lab-pacs-index"}
    pacs = ecs_docker_containers(definition(), "lab-pacs", SECRETS)[0]
    assert pacs["volumes"] == ["lab-pacs-images:/var/lib/pacs/images", "lab-pacs-index:/var/lib/pacs/index:ro"]


def test_a_relative_host_path_is_refused():
    with pytest.raises(AnsibleFilterError, match="volume images: 'images' is not an absolute path"):
        ecs_docker_volumes(definition(), "lab-pacs", {"images": "images"})


def test_secret_ids_are_listed_once_in_order():
    assert ecs_secret_ids(definition()) == [SECRETS_ARN + "nginx-cert-MnOpQr", SECRETS_ARN + "ghostunnel-cert-GhIjKl", SECRET_ARN]


def test_a_secret_without_a_value_is_refused_by_name_not_value():
    values = {k: v for k, v in SECRETS.items() if "nginx-cert" not in k}
    with pytest.raises(AnsibleFilterError, match=r"container nginx: secret NGINX_CERT_PEM \(%s\) was not resolved" % (SECRETS_ARN + "nginx-cert-MnOpQr")):
        ecs_docker_containers(definition(), "lab-pacs", values)


@pytest.mark.parametrize("value_from, message", [
    ("arn:aws:ssm:eu-west-1:123456789012:parameter/unit/nginx-cert", "which is not a Secrets Manager secret"),
    (SECRET_ARN + ":pem::", "names a JSON key or version stage of " + SECRET_ARN),
    (SECRET_ARN + "::AWSPREVIOUS:", "names a JSON key or version stage of " + SECRET_ARN),
    # a bare name is an SSM parameter's to ECS, not a Secrets Manager secret's
    ("unit/nginx-cert", "'unit/nginx-cert', which ECS reads as an SSM parameter's name"),
])
def test_secrets_the_lab_does_not_resolve_are_refused(value_from, message):
    changed = definition()
    changed["containerDefinitions"][1]["secrets"] = [{"name": "NGINX_CERT_PEM", "valueFrom": value_from}]
    with pytest.raises(AnsibleFilterError, match="container nginx: secret NGINX_CERT_PEM") as raised:
        ecs_secret_ids(changed)
    assert message in str(raised.value)


def test_a_secret_arn_with_empty_key_and_version_is_the_secret_itself():
    changed = definition()
    changed["containerDefinitions"][1]["secrets"] = [{"name": "NGINX_CERT_PEM", "valueFrom": SECRET_ARN + ":::"}]
    assert ecs_secret_ids(changed) == [SECRET_ARN, SECRETS_ARN + "ghostunnel-cert-GhIjKl"]
    assert ecs_docker_containers(changed, "lab-pacs", SECRETS)[1]["env"]["NGINX_CERT_PEM"] == "CA CERT"


@pytest.mark.parametrize("field, value", [("dependsOn", [{"containerName": "pacs", "condition": "HEALTHY"}]),
                                          ("linuxParameters", {"initProcessEnabled": True}), ("readonlyRootFilesystem", True)])
def test_a_field_the_lab_cannot_run_is_refused(field, value):
    changed = definition()
    changed["containerDefinitions"][1][field] = value
    with pytest.raises(AnsibleFilterError, match="container nginx: the lab cannot run "):
        ecs_docker_containers(changed, "lab-pacs", SECRETS)


def test_a_mount_of_an_undeclared_volume_is_refused():
    with pytest.raises(AnsibleFilterError, match="container pacs: mounts volume index, which the task definition does not declare"):
        ecs_docker_containers(definition(volumes=VOLUMES[:1]), "lab-pacs", SECRETS)


def test_a_definition_without_containers_is_refused():
    # what ecs_taskdefinition_info returns for a family that does not exist
    with pytest.raises(AnsibleFilterError, match="has no container definitions"):
        ecs_docker_containers({"changed": False}, "lab-pacs")


def test_a_secret_named_at_a_version_is_read_at_that_version():
    # pacs_service names each secret's current version, so that a new value is a new task definition
    changed = definition()
    changed["containerDefinitions"][1]["secrets"] = [{"name": "NGINX_CERT_PEM", "valueFrom": SECRET_ARN + ":::v-2"}]
    # the version and the current one are two secrets to read (another container reads the current one)
    assert ecs_secret_ids(changed) == [SECRET_ARN + ":::v-2", SECRETS_ARN + "ghostunnel-cert-GhIjKl", SECRET_ARN]
    values = dict(SECRETS, **{SECRET_ARN + ":::v-2": "CA CERT, VERSION 2"})
    assert ecs_docker_containers(changed, "lab-pacs", values)[1]["env"]["NGINX_CERT_PEM"] == "CA CERT, VERSION 2"
