"""bench/aws_estimate.py: the model reads the roles' waits, holds the run where they wait, and
its critical paths follow the dependencies."""

from __future__ import annotations

import pytest

from bench.aws_estimate import STEPS, TIMES, Variant, cloudformation_estimate, playbook_estimate, task_file_wait

INSTANCES = "dicoogle.aws.edge_hosts : Run a host for each DICOM node"
EFS = "dicoogle.aws.storage : Create the PACS file system"
REQUEST = "dicoogle.aws.front_door : Request the web certificate from ACM (DNS validation) for dicoogle-eu-west-1.example.org"
TIMELINE = [
    (REQUEST, 1.0),
    ("dicoogle.aws.network : Create the VPCs", 2.0),
    ("dicoogle.aws.network : Create the NAT gateways, each with its own Elastic IP", 3.0),
    ("dicoogle.aws.privatelink : Create the internal network load balancer, cross-zone", 1.0),
    (EFS + " (KMS, TLS only, mount targets in the private subnets)", 1.0),
    (INSTANCES, 2.0),
    (REQUEST, 1.0),
    ("dicoogle.aws.front_door : Wait until ACM has issued the certificate", 1.0),
    ("dicoogle.aws.front_door : Create the internet-facing load balancer with its HTTPS listener", 1.0),
    ("dicoogle.aws.pacs_service : Run the PACS service in the private subnets", 1.0),
]


def test_every_modelled_step_is_a_task_of_the_roles_with_its_module():
    for key, step in STEPS.items():
        if step.module:
            task_file_wait(key, step)  # raises when the task or its module is gone


def test_waits_are_read_from_the_roles():
    assert task_file_wait(INSTANCES, STEPS[INSTANCES]) is False  # launched, reached later by the host plays
    assert task_file_wait(EFS, STEPS[EFS]) is True  # the module's default


def test_a_wait_holds_the_run_and_removing_it_shortens_the_estimate():
    now = playbook_estimate(TIMELINE, 0, 10, Variant("now"))
    waiting = playbook_estimate(TIMELINE, 0, 10, Variant("instances waited", waits={INSTANCES: True}))
    assert waiting["total_s"] == now["total_s"]  # hidden: the service takes longer than the hosts
    efs_free = playbook_estimate(TIMELINE, 0, 10, Variant("efs", waits={EFS: False}))
    assert efs_free["total_s"] == now["total_s"]  # hidden too: the certificate comes last
    # with an imported certificate (no ACM wait) the mount targets' wait is on the path
    imported = [t for t in TIMELINE if "certificate" not in t[0]]
    assert (playbook_estimate(imported, 0, 10, Variant("efs", waits={EFS: False}))["total_s"]
            < playbook_estimate(imported, 0, 10, Variant("now"))["total_s"])
    assert any("Create the PACS file system" in hold[0] for hold in now["holds"])
    assert not any("Create the PACS file system" in hold[0] for hold in efs_free["holds"])


def test_requesting_the_certificate_first_shortens_the_wait_for_it():
    early = playbook_estimate(TIMELINE, 0, 10, Variant("early"))
    late = playbook_estimate(TIMELINE, 0, 10, Variant("late", acm_request="last"))
    assert late["total_s"] - early["total_s"] > 0
    held = dict(late["holds"])
    waited = held["dicoogle.aws.front_door : Wait until ACM has issued the certificate (needs acm_issued)"]
    assert waited == pytest.approx(TIMES["acm_issued"]["seconds"] - 1, abs=1)


def test_the_run_ends_when_the_service_is_stable_and_the_hosts_answer():
    estimate = playbook_estimate(TIMELINE, 0, 10, Variant("now"))
    assert estimate["holds"][-1][0] == "pacs_config: wait until the PACS answers"
    # api calls add their latency
    assert playbook_estimate(TIMELINE, 1000, 10, Variant("now"))["total_s"] > estimate["total_s"]


def test_cloudformation_waits_for_the_certificate_before_the_listener_and_the_service():
    cfn = cloudformation_estimate()
    assert cfn["critical_path"][-3:] == ["certificate", "https_listener", "ecs_service"]
    expected = 4 * TIMES["cloudformation_resource"]["seconds"] + TIMES["acm_issued"]["seconds"] + TIMES["ecs_service_stable"]["seconds"]
    assert cfn["total_s"] == expected
