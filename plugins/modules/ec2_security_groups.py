#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ec2_security_groups
short_description: Create or update a list of VPC security groups, each with exactly its rules, in one call
version_added: 0.1.0
description:
  - Makes each security group of the list exist in its VPC with its description, tags, and exactly the
    inbound and outbound rules listed (rules not listed are revoked, the default outbound rule of a new
    group included), reading the VPCs' groups once for the whole list.
  - Fills a gap of amazon.aws.ec2_security_group, which converges one group per call and pauses after
    creating one; a loop over it pays a module start and the group's lookups per group, the greater part
    of a no-change run of a network's groups. Rule options are named as that module names them.
  - A group is found by its VPC and name. All the list's groups are created before any rule is written, so
    a rule may name by O(groups[].rules[].group_name) any group of the list, or any group of its VPC.
  - A group's description cannot change in AWS; a group that exists with another description is kept
    with a warning, as amazon.aws.ec2_security_group does. Groups not in the list are left alone.
  - Supports check mode and diff mode.
author:
  - dicoogle.aws maintainers (@dicoogle-aws)
options:
  groups:
    description: The security groups.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: The group's name, unique in its VPC.
        type: str
        required: true
      description:
        description: The group's description (set at creation).
        type: str
        required: true
      vpc_id:
        description: The group's VPC.
        type: str
        required: true
      rules:
        description: The inbound rules, exactly.
        type: list
        elements: dict
        default: []
        suboptions: &rule
          proto:
            description: C(tcp), C(udp), C(icmp) or C(all) (C(-1)).
            type: str
            default: tcp
          ports:
            description: Ports (C(443)) or ranges (C(8000-8010)); required unless O(groups[].rules[].proto) is C(all).
            type: list
            elements: str
            default: []
          cidr_ip:
            description: IPv4 ranges the rule admits (inbound) or reaches (outbound).
            type: list
            elements: str
            default: []
          group_name:
            description: A security group of the same VPC the rule admits or reaches, by name.
            type: str
          group_id:
            description: A security group the rule admits or reaches, by ID.
            type: str
          rule_desc:
            description: The rule's description.
            type: str
      rules_egress:
        description: The outbound rules, exactly; options as for O(groups[].rules).
        type: list
        elements: dict
        default: []
        suboptions: *rule
      tags:
        description: The group's tags; not given, the tags of a group that exists are left as they are.
        type: dict
  purge_tags:
    description: Whether tags not in O(groups[].tags) are removed (for a group whose tags are given).
    type: bool
    default: true
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: A load balancer's group and its targets' group, which admits it by name
  dicoogle.aws.ec2_security_groups:
    groups:
      - name: web-alb
        description: HTTPS from users
        vpc_id: vpc-0123456789abcdef0
        rules: [{ports: [443], cidr_ip: [0.0.0.0/0], rule_desc: HTTPS from users}]
        rules_egress: [{ports: [8443], cidr_ip: [10.20.10.0/24], rule_desc: the targets}]
        tags: {Name: web-alb}
      - name: web-targets
        description: HTTPS from the load balancer
        vpc_id: vpc-0123456789abcdef0
        rules: [{ports: [8443], group_name: web-alb, rule_desc: the load balancer}]
        tags: {Name: web-targets}
  register: groups
"""

RETURN = r"""
groups:
  description:
    - Each group of O(groups), in their order, as it is (or, in check mode, would be) after the call.
    - In check mode a group that would be created has no C(group_id).
  returned: always
  type: list
  elements: dict
  contains:
    group_id:
      description: The group's ID.
      type: str
      sample: sg-0123456789abcdef0
    group_name:
      description: Its name.
      type: str
    vpc_id:
      description: Its VPC.
      type: str
    tags:
      description: Its tags.
      type: dict
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.dicoogle.aws.plugins.module_utils import ec2
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import Waiter
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import fails_on_aws_errors
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import text_tags

# The keys of a peer in IpPermissions: (list key, id key, kind)
PEERS = (("IpRanges", "CidrIp", "cidr"), ("Ipv6Ranges", "CidrIpv6", "cidr6"),
         ("UserIdGroupPairs", "GroupId", "group"), ("PrefixListIds", "PrefixListId", "prefix"))
PROTOCOLS = {"tcp": "tcp", "udp": "udp", "icmp": "icmp", "all": "-1", "-1": "-1"}


def current_rules(permissions):
    """{(proto, from, to, kind, peer): description} of IpPermissions, one entry per port range and peer."""
    rules = {}
    for perm in permissions:
        ports = (perm.get("FromPort"), perm.get("ToPort")) if perm["IpProtocol"] != "-1" else (None, None)
        for list_key, id_key, kind in PEERS:
            for peer in perm.get(list_key) or []:
                rules[(perm["IpProtocol"], ports[0], ports[1], kind, peer[id_key])] = peer.get("Description") or ""
    return rules


def port_range(port):
    low, high = (str(port).split("-", 1) + [""])[:2]
    return int(low), int(high or low)


def wanted_rules(rules, group_ids):
    """The rules asked for, keyed as current_rules keys them; a group named by a rule is looked up in
    group_ids ({name: ID, or None for one that check mode would create})."""
    wanted = {}
    for rule in rules:
        proto = PROTOCOLS[str(rule["proto"]).lower()]
        ranges = [port_range(p) for p in rule["ports"]] if proto != "-1" else [(None, None)]
        peers = [("cidr", cidr) for cidr in rule["cidr_ip"]]
        if rule["group_name"]:
            peers.append(("group", group_ids.get(rule["group_name"]) or "(new %s)" % rule["group_name"]))
        if rule["group_id"]:
            peers.append(("group", rule["group_id"]))
        for low, high in ranges:
            for kind, peer in peers:
                wanted[(proto, low, high, kind, peer)] = rule["rule_desc"] or ""
    return wanted


def permission(key, description):
    proto, low, high, kind, peer = key
    list_key, id_key = {kind_: (list_key_, id_key_) for list_key_, id_key_, kind_ in PEERS}[kind]
    entry = {id_key: peer, **({"Description": description} if description else {})}
    perm = {"IpProtocol": proto, list_key: [entry]}
    if proto != "-1":
        perm.update(FromPort=low, ToPort=high)
    return perm


def shown(rules):
    """Rules as sorted lines, for the diff."""
    return sorted("%s %s-%s %s %s %s" % (key + (desc,)) for key, desc in rules.items())


def read_groups(client, vpc_ids):
    found = ec2.describe(client, "describe_security_groups", "SecurityGroups", "list the security groups of %s" % ", ".join(vpc_ids),
                         Filters=[{"Name": "vpc-id", "Values": vpc_ids}])
    return {(g["VpcId"], g["GroupName"]): g for g in found}


def check(module, groups, existing):
    """Refuses, before any change, a group listed twice, a rule without ports or with an unknown protocol, or a
    rule naming a group its VPC will not have."""
    names = {}
    for group in groups:
        key = (group["vpc_id"], group["name"])
        if key in names:
            module.fail_json(msg="groups lists %s in %s twice" % key[::-1])
        names[key] = group
    for group in groups:
        for rule in group["rules"] + group["rules_egress"]:
            proto = PROTOCOLS.get(str(rule["proto"]).lower())
            if proto is None:
                module.fail_json(msg="group %s: proto %r is none of %s" % (group["name"], rule["proto"], ", ".join(PROTOCOLS)))
            if proto != "-1" and not rule["ports"]:
                module.fail_json(msg="group %s: a %s rule needs ports" % (group["name"], proto))
            try:
                [port_range(p) for p in rule["ports"]]
            except ValueError:
                module.fail_json(msg="group %s: ports %s are not ports or ranges such as 8000-8010" % (group["name"], rule["ports"]))
            peer = rule["group_name"]
            if peer and (group["vpc_id"], peer) not in names and (group["vpc_id"], peer) not in existing:
                module.fail_json(msg="group %s: a rule names the group %s, which %s does not have and the list does not make"
                                 % (group["name"], peer, group["vpc_id"]))


def read_new_groups(module, client, group_ids):
    """The new groups as EC2 describes them, once it knows them all (it may not, just after creating them)."""
    def read():
        return ec2.describe(client, "describe_security_groups", "SecurityGroups", "read the new security groups", GroupIds=group_ids)

    def timed_out(found):
        module.fail_json(msg="EC2 did not know the new security groups %s within 120 s (found %s)"
                         % (", ".join(group_ids), ", ".join(g["GroupId"] for g in found) or "none"))

    return Waiter(120, delay=1, max_delay=8).until(read, timed_out, done=lambda found: len(found) == len(group_ids))


def converge_rules(module, client, group_id, direction, current, wanted):
    """Revokes, authorizes and re-describes what differs; True when something did."""
    to_revoke = [permission(k, d) for k, d in current.items() if k not in wanted]
    to_add = [permission(k, d) for k, d in wanted.items() if k not in current]
    to_describe = [permission(k, d) for k, d in wanted.items() if k in current and current[k] != d]
    if module.check_mode or group_id is None:
        return bool(to_revoke or to_add or to_describe)
    for action, permissions in (("revoke", to_revoke), ("authorize", to_add), ("update", to_describe)):
        if permissions:
            ec2.change_rules(client, action, direction, group_id, permissions)
    return bool(to_revoke or to_add or to_describe)


@fails_on_aws_errors
def run(module):
    params = module.params
    client = ec2.client_of(module)
    groups = [dict(g, tags=text_tags(g["tags"])) for g in params["groups"]]
    vpc_ids = sorted({g["vpc_id"] for g in groups})
    existing = read_groups(client, vpc_ids) if vpc_ids else {}
    check(module, groups, existing)

    changed, results, before, after = False, [], {}, {}
    # Every group first, so that rules can name any of them.
    created = []
    for group in groups:
        current = existing.get((group["vpc_id"], group["name"]))
        if current is None:
            changed = True
            if not module.check_mode:
                created.append(ec2.create_security_group(client, group["name"], group["description"], group["vpc_id"], group["tags"]))
        elif current.get("Description") != group["description"]:
            module.warn("security group %s (%s) keeps its description %r: AWS cannot change it to %r without deleting the group"
                        % (group["name"], current["GroupId"], current.get("Description"), group["description"]))
    if created:  # as EC2 made them, with the default outbound rule
        existing.update({(g["VpcId"], g["GroupName"]): g for g in read_new_groups(module, client, created)})

    for group in groups:
        group_ids = {name: g["GroupId"] for (vpc, name), g in existing.items() if vpc == group["vpc_id"]}
        current = existing.get((group["vpc_id"], group["name"]))
        group_id = current["GroupId"] if current else None
        was = {"in": current_rules(current["IpPermissions"]), "out": current_rules(current["IpPermissionsEgress"])} if current else \
            {"in": {}, "out": {}}
        will = {"in": wanted_rules(group["rules"], group_ids),
                "out": wanted_rules(group["rules_egress"], group_ids)}
        for direction, side in (("ingress", "in"), ("egress", "out")):
            changed |= converge_rules(module, client, group_id, direction, was[side], will[side])
        retagged, tags = ec2.reconcile_tags(module, client, group_id, boto3_tag_list_to_ansible_dict(current.get("Tags") or []) if current else {},
                                            group["tags"], params["purge_tags"])
        changed |= retagged
        label = "%s %s" % (group["vpc_id"], group["name"])
        if current is not None and group_id not in created:
            before[label] = {"rules": shown(was["in"]), "rules_egress": shown(was["out"])}
        after[label] = {"rules": shown(will["in"]), "rules_egress": shown(will["out"]), "tags": tags}
        results.append({"group_id": group_id, "group_name": group["name"], "vpc_id": group["vpc_id"], "tags": tags})
    module.exit_json(changed=changed, groups=results, diff={"before": before, "after": after})


def main():
    rule = dict(
        proto=dict(type="str", default="tcp"),
        ports=dict(type="list", elements="str", default=[]),
        cidr_ip=dict(type="list", elements="str", default=[]),
        group_name=dict(type="str"),
        group_id=dict(type="str"),
        rule_desc=dict(type="str"),
    )
    argument_spec = dict(
        groups=dict(type="list", elements="dict", required=True, options=dict(
            name=dict(type="str", required=True),
            description=dict(type="str", required=True),
            vpc_id=dict(type="str", required=True),
            rules=dict(type="list", elements="dict", default=[], options=rule),
            rules_egress=dict(type="list", elements="dict", default=[], options=rule),
            tags=dict(type="dict"),
        )),
        purge_tags=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    run(module)


if __name__ == "__main__":
    main()
