#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: elb_load_balancer_attributes
short_description: Set attributes of an Elastic Load Balancing v2 load balancer, such as its access logs
version_added: 0.1.0
description:
  - Sets the given attributes of an existing application, network or gateway load balancer, found by
    its ARN or its name, and leaves all the others as they are.
  - Made for what M(community.aws.elb_network_lb) cannot set, such as a network load balancer's access
    logs to S3 (C(access_logs.s3.enabled), C(access_logs.s3.bucket), C(access_logs.s3.prefix)).
  - Reads the current attributes and modifies only the keys whose value differs, so a re-run changes nothing.
  - Values are compared as strings, as Elastic Load Balancing stores them; booleans as C(true) or C(false).
  - Does not create or delete load balancers; the load balancer must exist.
  - Supports check mode and diff of the given keys.
author:
  - dicoogle.aws maintainers (@dicoogle-aws)
options:
  load_balancer_arn:
    description:
      - ARN of the load balancer.
      - Exactly one of O(load_balancer_arn) and O(name) is required.
    type: str
  name:
    description:
      - Name of the load balancer in the region, resolved to its ARN.
      - Exactly one of O(load_balancer_arn) and O(name) is required.
    type: str
  attributes:
    description:
      - Attribute keys and their wanted values, such as C(access_logs.s3.enabled) or
        C(load_balancing.cross_zone.enabled); see the attributes of the load balancer's type in the
        Elastic Load Balancing documentation.
      - Values may be strings, numbers or booleans. Use an empty string to clear a value such as
        C(access_logs.s3.prefix).
      - Attributes not given here are left as they are.
      - At least one attribute is required.
    type: dict
    required: true
notes:
  - Elastic Load Balancing checks access log buckets when the logs are turned on; the bucket must
    exist in the load balancer's region and its policy must let the log delivery service write to it.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Send the network load balancer's access logs to the deployment's log bucket
  dicoogle.aws.elb_load_balancer_attributes:
    name: dicoogle-nlb
    attributes:
      access_logs.s3.enabled: true
      access_logs.s3.bucket: "{{ log_bucket }}"
      access_logs.s3.prefix: nlb
      load_balancing.cross_zone.enabled: true

- name: Protect a load balancer found by its ARN against deletion
  dicoogle.aws.elb_load_balancer_attributes:
    load_balancer_arn: "{{ nlb.load_balancer_arn }}"
    attributes:
      deletion_protection.enabled: true

- name: Turn the access logs off again
  dicoogle.aws.elb_load_balancer_attributes:
    name: dicoogle-nlb
    attributes:
      access_logs.s3.enabled: false
"""

RETURN = r"""
load_balancer_arn:
  description: ARN of the load balancer.
  returned: always
  type: str
  sample: arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/net/dicoogle-nlb/0123456789abcdef
attributes:
  description:
    - All the attributes of the load balancer after the change, key to value, with the values as
      Elastic Load Balancing returns them (strings).
    - In check mode, the current attributes with the given ones as they would be set.
  returned: always
  type: dict
  sample:
    access_logs.s3.enabled: "true"
    access_logs.s3.bucket: dicoogle-logs
    access_logs.s3.prefix: nlb
    deletion_protection.enabled: "false"
    load_balancing.cross_zone.enabled: "true"
changed_attributes:
  description: Keys of the given attributes whose value differed, and were (or in check mode would be) modified.
  returned: always
  type: list
  elements: str
  sample: [access_logs.s3.enabled, access_logs.s3.bucket]
"""

import re

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.dicoogle.aws.plugins.module_utils import elb
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import fails_on_aws_errors

# Elastic Load Balancing's documented syntax: attribute keys, load balancer names and ARNs.
KEY_PATTERN = re.compile(r"^[a-zA-Z0-9._]{1,256}$")
NAME_PATTERN = re.compile(r"^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,30}[a-zA-Z0-9])?$")
ARN_PATTERN = re.compile(r"^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:loadbalancer/(?:app|net|gwy)/[^/]+/[^/]+$")
MAX_VALUE_LENGTH = 1024
# ModifyLoadBalancerAttributes takes at most this many attributes a call.
BATCH = 20


def as_string(value):
    """The value as Elastic Load Balancing stores it: booleans in lower case, everything else as str()."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def validate(module):
    params = module.params
    if params["load_balancer_arn"] is not None and not ARN_PATTERN.match(params["load_balancer_arn"]):
        module.fail_json(msg="load_balancer_arn %r is not a load balancer ARN "
                             "(arn:aws:elasticloadbalancing:REGION:ACCOUNT:loadbalancer/net/NAME/ID)" % params["load_balancer_arn"])
    if params["name"] is not None and (not NAME_PATTERN.match(params["name"]) or params["name"].startswith("internal-")):
        module.fail_json(msg="name %r is not a load balancer name: 1-32 letters, digits or '-', not starting or ending "
                             "with '-' nor starting with 'internal-'" % params["name"])
    attributes = params["attributes"]
    if not attributes:
        module.fail_json(msg="attributes is empty: give at least one attribute key and its value, "
                             "such as {'access_logs.s3.enabled': true}")
    wanted = {}
    for key, value in attributes.items():
        if not isinstance(key, str):
            module.fail_json(msg="attributes key %r is not a string: quote it, such as 'access_logs.s3.enabled'" % (key,))
        if not KEY_PATTERN.match(key):
            module.fail_json(msg="attributes key %r is not an attribute key: 1-256 letters, digits, '.' or '_', "
                                 "such as 'access_logs.s3.enabled'" % key)
        if value is None or isinstance(value, (dict, list, tuple, set)):
            module.fail_json(msg="attributes value of %s must be a string, number or boolean, got %r; "
                                 "use an empty string to clear it" % (key, value))
        wanted[key] = as_string(value)
        if len(wanted[key]) > MAX_VALUE_LENGTH:
            module.fail_json(msg="attributes value of %s is %d characters long; Elastic Load Balancing takes %d at most"
                                 % (key, len(wanted[key]), MAX_VALUE_LENGTH))
    return wanted


def resolve_arn(client, module):
    """The load balancer's ARN, from the name if the name was given."""
    if module.params["load_balancer_arn"]:
        return module.params["load_balancer_arn"]
    name = module.params["name"]
    found = elb.load_balancers_named(client, name)
    if not found:
        module.fail_json(msg="load balancer %s was not found in region %s: check the name and the region" % (name, module.region))
    return found[0]["LoadBalancerArn"]


def read_attributes(client, module, arn):
    attributes = elb.attributes_of(client, arn)
    if attributes is None:
        module.fail_json(msg="load balancer %s was not found in region %s: check the ARN and the region" % (arn, module.region))
    return attributes


def modify_attributes(client, arn, changes):
    keys = sorted(changes)
    for start in range(0, len(keys), BATCH):
        elb.set_attributes(client, arn, {key: changes[key] for key in keys[start:start + BATCH]})


@fails_on_aws_errors
def run(module, wanted):
    client = elb.client_of(module)
    arn = resolve_arn(client, module)
    current = read_attributes(client, module, arn)
    changes = {key: value for key, value in wanted.items() if current.get(key) != value}

    attributes = current
    if changes:
        if module.check_mode:
            attributes = dict(current, **changes)
        else:
            modify_attributes(client, arn, changes)
            attributes = read_attributes(client, module, arn)

    before = {key: current[key] for key in wanted if key in current}
    module.exit_json(changed=bool(changes), load_balancer_arn=arn, attributes=attributes,
                     changed_attributes=sorted(changes), diff=dict(before=before, after=wanted))


def main():
    argument_spec = dict(
        load_balancer_arn=dict(type="str"),
        name=dict(type="str"),
        attributes=dict(type="dict", required=True),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        required_one_of=[("load_balancer_arn", "name")],
        mutually_exclusive=[("load_balancer_arn", "name")],
    )
    wanted = validate(module)
    run(module, wanted)


if __name__ == "__main__":
    main()
