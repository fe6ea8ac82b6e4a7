#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: elb_target_groups
short_description: Create or update several Elastic Load Balancing (ELBv2) target groups, with their health checks and tags, in one call
version_added: 0.1.0
description:
  - Makes sure each target group of the list exists with the protocol, port, VPC and target type given, brings its
    health check settings and its deregistration delay to those given (settings not given are left as they are, or
    as ELBv2 makes them for a new group) and its tags to those given.
  - Fills a gap of community.aws.elb_target_group, which handles one target group per call and returns no ARN in
    check mode (a loop over it pays a module start and a lookup for each group, and a playbook needs
    community.aws.elb_target_group_info as well to learn the ARNs in check mode). This module reads every group of
    the list in one call, their tags in one more, and returns the ARN of each group that exists, in check mode too.
  - Registers, deregisters or changes no target (Amazon ECS registers the tasks of a service with its target
    groups). Removes no target group (community.aws.elb_target_group with C(state=absent) does).
  - A group's protocol, port, VPC and target type cannot be changed (ELBv2's rule); when an existing group has others
    than those given, the module fails, naming the group and the property, before any change (delete the group to
    change them).
  - Names are checked before any call (ELBv2's rule, at most 32 letters, digits and hyphens, not beginning or ending
    with a hyphen), and so is a name listed twice.
  - Supports check mode and diff mode.
author:
  - dicoogle.aws maintainers (@dicoogle-aws)
options:
  target_groups:
    description: The target groups.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: The group's name, unique in the account and region (at most 32 letters, digits and hyphens, not
          beginning or ending with a hyphen).
        type: str
        required: true
      protocol:
        description: The protocol of the traffic to the targets (C(TCP), C(TLS), C(UDP), C(TCP_UDP) for a network load balancer,
          C(HTTP), C(HTTPS) for an application load balancer). Cannot be changed.
        type: str
        required: true
        choices: [TCP, TLS, UDP, TCP_UDP, HTTP, HTTPS]
      port:
        description: The port of the traffic to the targets. Cannot be changed.
        type: int
        required: true
      target_type:
        description:
          - What the targets are. Cannot be changed.
          - C(lambda) is not offered, as a Lambda target group has no protocol, port or VPC.
        type: str
        default: ip
        choices: [instance, ip, alb]
      vpc_id:
        description: The VPC of the targets. Cannot be changed.
        type: str
        required: true
      health_check:
        description:
          - The health check's settings. Those not given are left as they are, or as ELBv2 makes them for a new
            group, but for O(target_groups[].health_check.port), C(traffic-port) when not given.
          - Without it the whole health check is left as it is, or as ELBv2 makes it.
        type: dict
        suboptions:
          protocol:
            description: The health check's protocol.
            type: str
            choices: [HTTP, HTTPS, TCP]
          port:
            description: The port of the health check, a number or C(traffic-port) (the target's).
            type: str
            default: traffic-port
          path:
            description:
              - The path of the health check's request, such as C(/health).
              - Only for an C(HTTP) or C(HTTPS) health check (O(target_groups[].health_check.protocol), or the group's
                protocol when it is not given).
            type: str
          interval:
            description: Seconds between two checks of a target.
            type: int
          timeout:
            description: Seconds without an answer after which a check fails.
            type: int
          healthy_threshold:
            description: Consecutive successful checks after which a target is healthy.
            type: int
          unhealthy_threshold:
            description: Consecutive failed checks after which a target is unhealthy.
            type: int
          matcher:
            description:
              - The HTTP codes of a successful check, such as C(200), C(200,302) or C(200-399).
              - Only for an C(HTTP) or C(HTTPS) health check, as O(target_groups[].health_check.path).
            type: str
      deregistration_delay:
        description:
          - Seconds ELBv2 waits before a deregistering target is removed (attribute C(deregistration_delay.timeout_seconds),
            300 for a new group), from 0 to 3600.
          - Without it the attribute is left as it is, and not read.
        type: int
      tags:
        description: The group's tags.
        type: dict
        default: {}
  purge_tags:
    description: Whether tags not in O(target_groups[].tags) are removed (AWS's own C(aws:) tags never are).
    type: bool
    default: true
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: The target groups of the PACS's DICOM ports, behind a network load balancer (ECS registers the tasks)
  dicoogle.aws.elb_target_groups:
    target_groups:
      - name: pacs-store
        protocol: TCP
        port: 11112
        vpc_id: vpc-0123456789abcdef0
        health_check: {protocol: TCP, interval: 10, healthy_threshold: 2, unhealthy_threshold: 2}
        deregistration_delay: 30
        tags: {Name: pacs-store}
      - name: pacs-qr
        protocol: TCP
        port: 11113
        vpc_id: vpc-0123456789abcdef0
        health_check: {protocol: TCP, interval: 10, healthy_threshold: 2, unhealthy_threshold: 2}
        deregistration_delay: 30
        tags: {Name: pacs-qr}
  register: pacs_target_groups

- name: The target group of the web front end, behind an application load balancer
  dicoogle.aws.elb_target_groups:
    target_groups:
      - name: pacs-web
        protocol: HTTPS
        port: 8443
        vpc_id: vpc-0123456789abcdef0
        health_check:
          protocol: HTTPS
          path: /health
          matcher: "200-399"
          interval: 15
          healthy_threshold: 2
          unhealthy_threshold: 3
        deregistration_delay: 30
        tags: {Name: pacs-web}
  register: web_target_groups

- name: Record the ARNs by name (in check mode too, for the groups that exist)
  ansible.builtin.set_fact:
    pacs_target_group_arns: "{{ pacs_target_groups.target_group_arns }}"
"""

RETURN = r"""
target_groups:
  description: Each target group of O(target_groups), in their order, as it is after the call (in check mode, as it would be).
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The group's name.
      type: str
      sample: pacs-store
    target_group_arn:
      description: Its ARN; null in check mode for a group that does not exist yet.
      type: str
      sample: arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/pacs-store/0123456789abcdef
    protocol:
      description: The protocol of its traffic.
      type: str
      sample: TCP
    port:
      description: The port of its traffic.
      type: int
      sample: 11112
    vpc_id:
      description: Its VPC.
      type: str
    target_type:
      description: What its targets are.
      type: str
      sample: ip
    health_check:
      description: The health check's settings as applied (null for a setting ELBv2 has not told, such as the defaults
        of a new group in check mode).
      type: dict
      contains:
        protocol:
          description: The health check's protocol.
          type: str
        port:
          description: Its port, or C(traffic-port).
          type: str
        path:
          description: The path of an HTTP or HTTPS check.
          type: str
        interval:
          description: Seconds between two checks.
          type: int
        timeout:
          description: Seconds without an answer after which a check fails.
          type: int
        healthy_threshold:
          description: Successful checks after which a target is healthy.
          type: int
        unhealthy_threshold:
          description: Failed checks after which a target is unhealthy.
          type: int
        matcher:
          description: The HTTP codes of a successful HTTP or HTTPS check.
          type: str
    deregistration_delay:
      description: The deregistration delay in seconds; null when O(target_groups[].deregistration_delay) is not given
        (the attribute is not read then).
      type: int
      sample: 30
    tags:
      description: Its tags.
      type: dict
    changed:
      description: Whether the group was created or changed.
      type: bool
target_group_arns:
  description: The ARN of each group of O(target_groups) that exists, by name (in check mode, a group not created yet is not in it).
  returned: always
  type: dict
  sample: {"pacs-store": "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/pacs-store/0123456789abcdef"}
"""

import re

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.dicoogle.aws.plugins.module_utils import elb
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import fails_on_aws_errors
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import reconcile_tags
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import text_tags

# ELBv2's rule for a target group's name
NAME = re.compile(r"(?=.{1,32}\Z)[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?")
HTTP = ("HTTP", "HTTPS")
# What ELBv2 sets on a new group
DEFAULT_DEREGISTRATION_DELAY = 300
MAX_DEREGISTRATION_DELAY = 3600

# The options a group cannot change and the keys ELBv2 describes them with
IMMUTABLE = (("protocol", "Protocol"), ("port", "Port"), ("vpc_id", "VpcId"), ("target_type", "TargetType"))
# health_check's options and the keys of CreateTargetGroup, ModifyTargetGroup and DescribeTargetGroups (matcher aside)
HEALTH_CHECK = (("protocol", "HealthCheckProtocol"), ("port", "HealthCheckPort"), ("path", "HealthCheckPath"),
                ("interval", "HealthCheckIntervalSeconds"), ("timeout", "HealthCheckTimeoutSeconds"),
                ("healthy_threshold", "HealthyThresholdCount"), ("unhealthy_threshold", "UnhealthyThresholdCount"))


def refusals(target_groups):
    """What is wrong with the list, found before any call."""
    problems = []
    names = [wanted["name"] for wanted in target_groups]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        problems.append("target_groups lists the name %s twice" % ", ".join(twice))
    for wanted in target_groups:
        name = wanted["name"]
        if not NAME.fullmatch(name):
            problems.append("the target group name %r is not 1 to 32 letters, digits and hyphens, not beginning or ending with a hyphen"
                            " (ELBv2's rule)" % name)
        check = wanted["health_check"] or {}
        check_protocol = check.get("protocol") or (wanted["protocol"] if wanted["protocol"] in HTTP else "TCP")
        http_only = [option for option in ("path", "matcher") if check.get(option) is not None]
        if http_only and check_protocol not in HTTP:
            problems.append("the target group %s has a %s health check: health_check.%s is only for HTTP or HTTPS health checks"
                            % (name, check_protocol, " and health_check.".join(http_only)))
        delay = wanted["deregistration_delay"]
        if delay is not None and not 0 <= delay <= MAX_DEREGISTRATION_DELAY:
            problems.append("the deregistration_delay of the target group %s is %d s, not from 0 to %d" % (name, delay, MAX_DEREGISTRATION_DELAY))
    return problems


def immutable_differences(name, group, wanted):
    return ["the target group %s has %s %s, not %s" % (name, option, group.get(key), wanted[option])
            for option, key in IMMUTABLE if group.get(key) != wanted[option]]


def codes(matcher):
    return sorted(code.strip() for code in matcher.split(",")) if matcher else None


def health_check_arguments(check):
    """The health check's settings given, as CreateTargetGroup and ModifyTargetGroup take them."""
    arguments = {key: check[option] for option, key in HEALTH_CHECK if check.get(option) is not None}
    if check.get("matcher") is not None:
        arguments["Matcher"] = {"HttpCode": check["matcher"]}
    return arguments


def health_check_changes(group, check):
    """The settings of the health check `check` that the described `group` does not have, as ModifyTargetGroup takes them."""
    changes = {}
    for key, value in health_check_arguments(check).items():
        if key == "Matcher":
            if codes(group.get("Matcher", {}).get("HttpCode")) != codes(value["HttpCode"]):
                changes[key] = value
        elif group.get(key) != value:
            changes[key] = value
    return changes


def health_check_of(group):
    """The health check of a group as ELBv2 describes it (or as CreateTargetGroup takes it), in health_check's terms."""
    check = {option: group.get(key) for option, key in HEALTH_CHECK}
    check["matcher"] = (group.get("Matcher") or {}).get("HttpCode")
    return check


def state(group, wanted, delay, tags):
    """What the diff and the result say of a group."""
    return {"protocol": group.get("Protocol", wanted["protocol"]), "port": group.get("Port", wanted["port"]),
            "vpc_id": group.get("VpcId", wanted["vpc_id"]), "target_type": group.get("TargetType", wanted["target_type"]),
            "health_check": health_check_of(group), "deregistration_delay": delay, "tags": tags}


def create(module, client, wanted):
    """A new group: (its ARN, the group as described); in check mode (None, what CreateTargetGroup would be sent)."""
    name, tags, delay = wanted["name"], text_tags(wanted["tags"]), wanted["deregistration_delay"]
    arguments = dict(health_check_arguments(wanted["health_check"] or {}), Protocol=wanted["protocol"], Port=wanted["port"],
                     VpcId=wanted["vpc_id"], TargetType=wanted["target_type"])
    if module.check_mode:
        return None, arguments
    group = elb.create_target_group(client, name, arguments, tags)
    if delay is not None and delay != DEFAULT_DEREGISTRATION_DELAY:
        elb.set_target_group_attributes(client, name, group["TargetGroupArn"], {elb.DEREGISTRATION_DELAY: str(delay)}, new=True)
    return group["TargetGroupArn"], group


def update(module, client, wanted, group, tags, attributes):
    """Brings an existing group to `wanted` (in check mode, only says what would change): (changed, the group as described
    after, its deregistration delay, its tags)."""
    name, arn, params = wanted["name"], group["TargetGroupArn"], module.params
    changed = False
    changes = health_check_changes(group, wanted["health_check"]) if wanted["health_check"] else {}
    if changes:
        changed = True
        group = dict(group, **changes) if module.check_mode else elb.modify_target_group(client, name, arn, changes)
    delay = wanted["deregistration_delay"]
    if delay is not None and int(attributes.get(elb.DEREGISTRATION_DELAY, DEFAULT_DEREGISTRATION_DELAY)) != delay:
        changed = True
        if not module.check_mode:
            elb.set_target_group_attributes(client, name, arn, {elb.DEREGISTRATION_DELAY: str(delay)})
    retagged, tags_after = reconcile_tags(module, tags, text_tags(wanted["tags"]), params["purge_tags"],
                                          lambda to_add, to_remove: elb.retag(client, name, arn, to_add, to_remove))
    return changed or retagged, group, delay, tags_after


@fails_on_aws_errors
def run(module):
    params = module.params
    problems = refusals(params["target_groups"])
    if problems:
        module.fail_json(msg="; ".join(problems))
    names = [wanted["name"] for wanted in params["target_groups"]]
    client = elb.client_of(module)
    found = elb.target_groups_named(client, names) if names else {}
    # every group is checked before any is changed: one that cannot become what is asked fails the module with nothing changed
    differences = [difference for wanted in params["target_groups"] if wanted["name"] in found
                   for difference in immutable_differences(wanted["name"], found[wanted["name"]], wanted)]
    if differences:
        module.fail_json(msg="%s, which ELBv2 cannot change: delete the target group to change its protocol, port, VPC or target type"
                             % "; ".join(differences))
    existing = [found[name]["TargetGroupArn"] for name in names if name in found]
    tags = elb.tags_of(client, existing) if existing else {}
    changed, results, before, after = False, [], {}, {}
    for wanted in params["target_groups"]:
        name = wanted["name"]
        group = found.get(name)
        if group is None:
            arn, group = create(module, client, wanted)
            delay, tags_after, group_changed = wanted["deregistration_delay"], text_tags(wanted["tags"]), True
            before[name] = {}
        else:
            arn = group["TargetGroupArn"]
            attributes = elb.target_group_attributes(client, name, arn) if wanted["deregistration_delay"] is not None else {}
            delay_before = int(attributes[elb.DEREGISTRATION_DELAY]) if elb.DEREGISTRATION_DELAY in attributes else None
            before[name] = state(group, wanted, delay_before, tags.get(arn, {}))
            group_changed, group, delay, tags_after = update(module, client, wanted, group, tags.get(arn, {}), attributes)
        after[name] = state(group, wanted, delay, tags_after)
        results.append(dict(name=name, target_group_arn=arn, changed=group_changed, **after[name]))
        changed |= group_changed
    module.exit_json(changed=changed, target_groups=results,
                     target_group_arns={result["name"]: result["target_group_arn"] for result in results if result["target_group_arn"]},
                     diff={"before": before, "after": after})


def main():
    argument_spec = dict(
        target_groups=dict(type="list", elements="dict", required=True, options=dict(
            name=dict(type="str", required=True),
            protocol=dict(type="str", required=True, choices=["TCP", "TLS", "UDP", "TCP_UDP", "HTTP", "HTTPS"]),
            port=dict(type="int", required=True),
            target_type=dict(type="str", default="ip", choices=["instance", "ip", "alb"]),
            vpc_id=dict(type="str", required=True),
            health_check=dict(type="dict", options=dict(
                protocol=dict(type="str", choices=["HTTP", "HTTPS", "TCP"]),
                port=dict(type="str", default="traffic-port"),
                path=dict(type="str"),
                interval=dict(type="int"),
                timeout=dict(type="int"),
                healthy_threshold=dict(type="int"),
                unhealthy_threshold=dict(type="int"),
                matcher=dict(type="str"),
            )),
            deregistration_delay=dict(type="int"),
            tags=dict(type="dict", default={}),
        )),
        purge_tags=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    run(module)


if __name__ == "__main__":
    main()
