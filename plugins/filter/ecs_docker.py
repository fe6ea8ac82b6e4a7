# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""An ECS task definition's containers as Docker runs them: the lab's stand-in for Fargate.

An awsvpc task's containers share one network namespace; ECS gives each its environment and its
secrets as environment variables, mounts the task's volumes and runs its health check. These
filters turn a task definition, as DescribeTaskDefinition answers it (camelCase) or
community.aws.ecs_taskdefinition_info returns it (snake_case), into parameters of
community.docker.docker_container, one set per container in the definition's order: the first
owns the namespace and exposes every container's ports (the task's network interface), the
others join it. What only Docker has (network, aliases, published ports, restart policy, labels)
stays with the caller.
"""

from __future__ import annotations

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

# What ECS assumes for a health check field left out (API_HealthCheck), which Docker's defaults differ from.
HEALTH_CHECK_DEFAULTS = {"interval": 30, "timeout": 5, "retries": 3, "start_period": 0}
# Fields with no effect on what a container on one Docker host runs: Fargate's sizing, the
# awslogs driver (Docker keeps the logs), whether the task stops with the container (the lab
# restarts it), labels (pacs_service's fingerprint of the definition); volumes_from is always
# empty in a Fargate task.
IGNORED = frozenset(["name", "essential", "cpu", "memory", "memory_reservation", "log_configuration", "volumes_from", "docker_labels"])
CONVERTED = frozenset(["image", "command", "entry_point", "environment", "secrets", "port_mappings", "health_check",
                       "mount_points", "user", "working_directory"])


def _snake(task_definition):
    if not isinstance(task_definition, dict):
        raise AnsibleFilterError("an ECS task definition must be a dict, got %s" % type(task_definition).__name__)
    return camel_dict_to_snake_dict(task_definition)


def _containers(definition):
    containers = definition.get("container_definitions") or []
    if not containers:
        raise AnsibleFilterError("the task definition has no container definitions")
    return containers


def _secret_id(container, secret):
    """The secret a valueFrom names: its ARN, and <ARN>:::<version id> when it names a version by its id
    (GetSecretValue's SecretId and VersionId)."""
    value_from = secret.get("value_from") or ""
    if not value_from.startswith("arn:"):
        # ECS reads a bare name as an SSM parameter of the task's region; a Secrets Manager secret
        # needs its full ARN (ECS API reference, Secret: valueFrom).
        raise AnsibleFilterError(
            "container %s: secret %s comes from %r, which ECS reads as an SSM parameter's name (a Secrets Manager "
            "secret is read by its full ARN); the lab reads Secrets Manager secrets only" % (container["name"], secret.get("name"), value_from))
    # arn:<partition>:secretsmanager:<region>:<account>:secret:<name>[:<json key>:<version stage>:<version id>]
    parts = value_from.split(":")
    if len(parts) < 7 or parts[2] != "secretsmanager" or parts[5] != "secret":
        raise AnsibleFilterError(
            "container %s: secret %s comes from %s, which is not a Secrets Manager secret (the only source the lab reads)"
            % (container["name"], secret.get("name"), value_from))
    if any(parts[7:9]) or len(parts) > 10:
        raise AnsibleFilterError(
            "container %s: secret %s names a JSON key or version stage of %s, which the lab does not resolve"
            % (container["name"], secret.get("name"), ":".join(parts[:7])))
    version_id = parts[9] if len(parts) == 10 else ""
    return ":".join(parts[:7]) + (":::" + version_id if version_id else "")


def ecs_secret_ids(task_definition):
    """Every secret the task's containers read, once, in the order they first appear."""
    found = []
    for container in _containers(_snake(task_definition)):
        for secret in container.get("secrets") or []:
            secret_id = _secret_id(container, secret)
            if secret_id not in found:
                found.append(secret_id)
    return found


def ecs_docker_volumes(task_definition, name, host_paths=None):
    """Each volume of the task: a directory of the Docker host from host_paths, otherwise the
    Docker volume <name>-<volume>."""
    host_paths = host_paths or {}
    for volume, path in host_paths.items():
        if not str(path).startswith("/"):
            raise AnsibleFilterError("volume %s: %r is not an absolute path on the Docker host" % (volume, path))
    declared = [v["name"] for v in _snake(task_definition).get("volumes") or []]
    return {volume: host_paths.get(volume) or "%s-%s" % (name, volume) for volume in declared}


def _seconds(value):
    return "%ds" % int(value)


def _healthcheck(check):
    check = dict(HEALTH_CHECK_DEFAULTS, **{k: v for k, v in check.items() if v is not None})
    return {"test": list(check["command"]), "interval": _seconds(check["interval"]), "timeout": _seconds(check["timeout"]),
            "retries": int(check["retries"]), "start_period": _seconds(check["start_period"])}


def _container(container, secrets, volumes):
    name = container.get("name")
    if not name or not container.get("image"):
        raise AnsibleFilterError("every container definition needs a name and an image: %r" % name)
    unknown = sorted(k for k, v in container.items() if k not in IGNORED | CONVERTED and v not in (None, [], {}, ""))
    if unknown:
        raise AnsibleFilterError("container %s: the lab cannot run %s (no Docker counterpart here)" % (name, ", ".join(unknown)))
    env = {e["name"]: str(e.get("value", "")) for e in container.get("environment") or []}
    for secret in container.get("secrets") or []:
        secret_id = _secret_id(container, secret)
        if secret_id not in secrets:
            raise AnsibleFilterError("container %s: secret %s (%s) was not resolved" % (name, secret["name"], secret_id))
        env[secret["name"]] = str(secrets[secret_id])
    params = {"container": name, "image": container["image"], "env": env, "volumes": [],
              "ports": ["%d/%s" % (int(p["container_port"]), p.get("protocol") or "tcp") for p in container.get("port_mappings") or []]}
    for mount in container.get("mount_points") or []:
        if mount.get("source_volume") not in volumes:
            raise AnsibleFilterError("container %s: mounts volume %s, which the task definition does not declare" % (name, mount.get("source_volume")))
        params["volumes"].append("%s:%s%s" % (volumes[mount["source_volume"]], mount["container_path"], ":ro" if mount.get("read_only") else ""))
    for ecs_key, docker_key in (("command", "command"), ("entry_point", "entrypoint")):
        if container.get(ecs_key):
            params[docker_key] = [str(arg) for arg in container[ecs_key]]
    for ecs_key, docker_key in (("user", "user"), ("working_directory", "working_dir")):
        if container.get(ecs_key):
            params[docker_key] = container[ecs_key]
    if container.get("health_check"):
        params["healthcheck"] = _healthcheck(container["health_check"])
    return params


def ecs_docker_containers(task_definition, name, secrets=None, volumes=None):
    """docker_container's parameters for each container: the first is named <name> and owns the
    network namespace, exposing every container's ports; the others, <name>-<container>, join it.
    Each also carries `container` (its name in the task) and `ports` (its own port mappings)."""
    definition = _snake(task_definition)
    if volumes is None:
        volumes = ecs_docker_volumes(definition, name)
    runs = [_container(c, secrets or {}, volumes) for c in _containers(definition)]
    owner = runs[0]
    owner["name"] = name
    owner["exposed_ports"] = [port for run in runs for port in run["ports"]]
    for run in runs[1:]:
        run["name"] = "%s-%s" % (name, run["container"])
        run["network_mode"] = "container:%s" % name
    return runs


class FilterModule:
    def filters(self):
        return {"ecs_docker_containers": ecs_docker_containers, "ecs_docker_volumes": ecs_docker_volumes, "ecs_secret_ids": ecs_secret_ids}
