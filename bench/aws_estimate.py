"""Real-AWS deploy time, estimated. The moto converge (bench/provisioning.py) gives site.yml's
actual order of tasks and each task's own time; bench/aws_times.yml gives how long AWS takes to
make each slow resource usable. The playbook's estimate replays that order: a task that waits
(its module's `wait`, read from the role's task file) holds the run until its resource is
usable, a task that needs a resource usable (an API constraint) holds it until then, and the
run ends when site.yml's last plays have reached the hosts and the PACS answers. The same
resources under CloudFormation are a dependency graph each of whose resources is created when
the resources it references are complete: its estimate is the graph's longest path."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
TIMES = yaml.safe_load((ROOT / "bench/aws_times.yml").read_text())


@dataclass(frozen=True)
class Step:
    """A task of site.yml that makes a slow resource or depends on one being usable."""
    module: str = ""
    default_wait: bool = False
    creates: str = ""
    seconds: tuple = ()  # the aws_times.yml entries the resource takes, in sequence
    usable_after: tuple = ()  # resources it cannot be usable before (beside its own time)
    needs: tuple = ()  # resources that must be usable before its API call succeeds
    then: tuple = ()  # (resource, aws_times.yml entries, usable after) that follows from this one


# Keyed by "role : task name" as profile_tasks names them (a prefix: names may end in a variable).
STEPS = {
    "dicoogle.aws.network : Create the NAT gateways": Step(
        "dicoogle.aws.ec2_nat_gateways", False, "nat_gateway", ("nat_gateway",)),
    "dicoogle.aws.network : Create the S3 gateway endpoints and the PACS VPC's interface endpoints": Step(
        "dicoogle.aws.ec2_vpc_endpoints", False, "interface_endpoint", ("interface_endpoint",)),
    "dicoogle.aws.privatelink : Create the internal network load balancer": Step(
        "community.aws.elb_network_lb", False, "network_load_balancer", ("network_load_balancer",)),
    "dicoogle.aws.privatelink : Offer the load balancer as a VPC endpoint service": Step(
        "dicoogle.aws.vpc_endpoint_service", False, "endpoint_service", ("endpoint_service",), ("network_load_balancer",)),
    "dicoogle.aws.privatelink : Create the client VPC's interface endpoint to the PACS": Step(
        "amazon.aws.ec2_vpc_endpoint", False, "pacs_endpoint", ("interface_endpoint",), ("endpoint_service",)),
    "dicoogle.aws.storage : Create the PACS file system": Step(
        "dicoogle.aws.efs_file_system", True, "efs_mount_target", ("efs_file_system", "efs_mount_target")),
    "dicoogle.aws.edge_hosts : Run a host for each DICOM node": Step(
        "dicoogle.aws.ec2_instances", False, "ec2_running", ("ec2_running",),
        then=("ec2_reachable", ("ec2_reachable",), ("nat_gateway",))),
    "dicoogle.aws.front_door : Request the web certificate from ACM": Step(
        "dicoogle.aws.acm_certificate_request", False, "acm_issued", ("acm_issued",)),
    "dicoogle.aws.front_door : Wait until ACM has issued the certificate": Step(needs=("acm_issued",)),
    "dicoogle.aws.front_door : Create the internet-facing load balancer": Step(
        "amazon.aws.elb_application_lb", False, "application_load_balancer", ("application_load_balancer",)),
    "dicoogle.aws.pacs_service : Run the PACS service in the private subnets": Step(
        "community.aws.ecs_service", False, "ecs_service_stable", ("ecs_service_stable",),
        ("application_load_balancer", "network_load_balancer", "interface_endpoint", "efs_mount_target", "nat_gateway")),
}


def task_file_wait(key: str, step: Step, root: Path = ROOT):
    """The `wait` the role's task file gives the step's module (its default when absent)."""
    role, name = key.split(" : ", 1)
    for path in sorted((root / "roles" / role.split(".")[-1] / "tasks").glob("*.yml")):
        for task in yaml.safe_load(path.read_text()) or []:
            for candidate in [task] + task.get("block", []):
                if str(candidate.get("name", "")).startswith(name) and step.module in candidate:
                    return bool(candidate[step.module].get("wait", step.default_wait))
    raise LookupError("no task %r with %s in roles/%s/tasks" % (name, step.module, role))


def step_of(task: str):
    for key, step in STEPS.items():
        if task.startswith(key):
            return key, step
    return None, None


@dataclass
class Variant:
    """What-if settings of the model: waits overridden, a request made late, seconds added."""
    label: str
    waits: dict = field(default_factory=dict)
    acm_request: str = "first"  # which call of the request starts the validation: first (site.yml's early one) or last
    extra: dict = field(default_factory=dict)  # task prefix -> seconds added to it


def playbook_estimate(timeline, calls: int, host_config_s: float, variant: Variant, root: Path = ROOT) -> dict:
    usable, clock, waited, log = {}, 0.0, 0.0, []
    request = "dicoogle.aws.front_door : Request the web certificate from ACM"
    requests = [i for i, entry in enumerate(timeline) if entry[0].startswith(request)]
    acm_at = (requests[0] if variant.acm_request == "first" else requests[-1]) if requests else None
    per_call = TIMES["api_call"]["seconds"] * calls / max(len(timeline), 1)

    def hold(until, why):
        nonlocal clock, waited
        if until > clock:
            waited += until - clock
            log.append((why, round(until - clock)))
            clock = until

    for index, (task, seconds) in enumerate(timeline):
        key, step = step_of(task)
        if step:
            for need in step.needs:
                hold(usable.get(need, clock), task + " (needs %s)" % need)
        clock += seconds + per_call + sum(v for k, v in variant.extra.items() if task.startswith(k))
        if step and step.creates and (step.creates != "acm_issued" or index == acm_at):
            ready = clock + sum(TIMES[t]["seconds"] for t in step.seconds)
            ready = max([ready] + [usable.get(a, ready) for a in step.usable_after])
            usable[step.creates] = ready
            if step.then:
                name, times, after = step.then
                usable[name] = max([ready + sum(TIMES[t]["seconds"] for t in times)] + [usable.get(a, 0) for a in after])
            wait = variant.waits.get(key, task_file_wait(key, step, root) if step.module else False)
            if wait:
                hold(ready, task + " (waits)")
    # site.yml's plays after the AWS ones (not in a --limit localhost run)
    hold(usable.get("ec2_reachable", clock), "site.yml: Wait until the host answers")
    clock += host_config_s
    hold(usable.get("ecs_service_stable", clock), "pacs_config: wait until the PACS answers")
    return {"label": variant.label, "total_s": round(clock), "waiting_s": round(waited), "holds": log}


# The same resources as CloudFormation resources: name -> (aws_times entries, references).
GRAPH = {
    "vpcs": ((), ()), "subnets": ((), ("vpcs",)), "internet_gateways": ((), ("vpcs",)), "security_groups": ((), ("vpcs",)),
    "nat_gateways": (("nat_gateway",), ("subnets", "internet_gateways")), "private_routes": ((), ("nat_gateways",)),
    "interface_endpoints": (("interface_endpoint",), ("subnets", "security_groups")),
    "network_load_balancer": (("network_load_balancer",), ("subnets",)), "nlb_target_groups": ((), ("vpcs",)),
    "nlb_listeners": ((), ("network_load_balancer", "nlb_target_groups")),
    "endpoint_service": (("endpoint_service",), ("network_load_balancer",)),
    "pacs_endpoint": (("interface_endpoint",), ("endpoint_service", "subnets", "security_groups")),
    "public_zone": ((), ()), "certificate": (("acm_issued",), ("public_zone",)), "cognito": ((), ()),
    "application_load_balancer": (("application_load_balancer",), ("subnets", "security_groups")), "alb_target_group": ((), ("vpcs",)),
    "https_listener": ((), ("application_load_balancer", "certificate", "alb_target_group", "cognito")),
    "kms_key": ((), ()), "file_system": (("efs_file_system",), ("kms_key",)),
    "mount_targets": (("efs_mount_target",), ("file_system", "subnets", "security_groups")),
    "datasync": ((), ("mount_targets",)), "roles": ((), ()), "log_group": ((), ("kms_key",)), "repositories": ((), ("kms_key",)),
    "task_definition": ((), ("roles", "log_group", "repositories")), "cluster": ((), ()),
    "ecs_service": (("ecs_service_stable",), ("https_listener", "nlb_listeners", "task_definition", "cluster", "mount_targets",
                                              "interface_endpoints", "private_routes")),
    "instances": (("ec2_running",), ("subnets", "security_groups", "roles", "private_routes")),
}


def cloudformation_estimate() -> dict:
    done, path = {}, {}
    overhead = TIMES["cloudformation_resource"]["seconds"]

    def finish(name):
        if name not in done:
            own, refs = GRAPH[name]
            start = max([finish(r) for r in refs] or [0.0])
            path[name] = max(refs, key=lambda r: done[r]) if refs else None
            done[name] = start + overhead + sum(TIMES[t]["seconds"] for t in own)
        return done[name]

    last = max(GRAPH, key=finish)
    chain, node = [], last
    while node:
        chain.append(node)
        node = path[node]
    return {"total_s": round(done[last]), "critical_path": list(reversed(chain))}


def variants() -> list:
    instances = "dicoogle.aws.edge_hosts : Run a host for each DICOM node"
    lifecycle = "dicoogle.aws.edge_hosts : Expire the transfer bucket's objects after a day"
    routes = "dicoogle.aws.network : Route the public subnets to the internet gateway"
    return [
        # before this change: the hosts' launch waited for running, the lifecycle rule was read
        # back 6 times 5 s apart (s3_lifecycle's wait), the certificate was requested in the front
        # door, and the 9 route tables were written one after the other, the module pausing 5 s
        # after each (8 pauses more than concurrently)
        Variant("before: waits in place", waits={instances: True}, acm_request="last", extra={lifecycle: 30, routes: 8 * 5}),
        Variant("now: create without waiting, certificate requested first"),
    ]


def measure(results=None) -> dict:
    provisioning = (results or {}).get("provisioning")
    if not provisioning:
        raise SystemExit("aws_estimate uses the provisioning benchmark's converge: "
                         "run `make bench` or `bench/run.py provisioning aws_estimate`")
    converge = provisioning["converge"]
    host_config_s = (results or {}).get("host_config", {}).get("package", {}).get("first_s", 60.0)
    out = {"moto_wall_s": converge["wall_s"], "api_calls": converge["api_calls"], "host_config_s": host_config_s,
           "playbook": [playbook_estimate(converge["timeline"], converge["api_calls"], host_config_s, v) for v in variants()],
           "cloudformation": cloudformation_estimate()}
    return out


def rows(result: dict) -> list:
    out = []
    method = ("site.yml's task order and times from the moto converge (+%.1f s per API call), aws_times.yml's creation times, "
              "waits read from the roles; then the hosts reached and configured (%.0f s) and the PACS answering"
              % (TIMES["api_call"]["seconds"], result["host_config_s"]))
    for estimate in result["playbook"]:
        longest = sorted(estimate["holds"], key=lambda h: -h[1])[:2]
        top = ", ".join("%s %d s" % (why.split(" : ")[-1].split(" (")[0], seconds) for why, seconds in longest)
        out.append(("AWS deploy estimate, site.yml, %s" % estimate["label"], "%.1f min (%.1f min waiting; longest: %s)"
                    % (estimate["total_s"] / 60, estimate["waiting_s"] / 60, top), method))
    cfn = result["cloudformation"]
    out.append(("AWS deploy estimate, same resources in CloudFormation", "%.1f min" % (cfn["total_s"] / 60),
                "longest path of the dependency graph, %d s per resource + aws_times.yml: %s (the sample's nested stacks: about 20 min)"
                % (TIMES["cloudformation_resource"]["seconds"], " -> ".join(cfn["critical_path"]))))
    return out


if __name__ == "__main__":
    import json

    sys.path.insert(0, str(ROOT))
    print(json.dumps(measure(json.loads((ROOT / ".bench/results.json").read_text())), indent=2))
