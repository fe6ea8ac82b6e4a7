#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ec2_instances
short_description: Run a list of EC2 instances, each found by its name, with their tags, metadata options and instance profile, in one call
version_added: 0.1.0
description:
  - Makes each instance of the list exist and run, found by its C(Name) tag and the tags of O(match_tags) among the
    instances that are pending, running, stopping or stopped, reading them all with one DescribeInstances call.
    A missing instance is run (RunInstances), a stopped one is started (a stopping one once it has stopped), and the
    tags, the instance metadata options and the instance profile of an existing one are brought to those given.
  - Fills a gap of amazon.aws.ec2_instance, which runs one instance per call (a loop pays a module start per
    instance, and reads each instance on its own). Instances are terminated with amazon.aws.ec2_instance or
    dicoogle.aws.vpc_purge.
  - As amazon.aws.ec2_instance does, the image, key pair, network interface and volumes of an existing instance are
    kept as they are; another instance type is kept too, with a warning. They take effect on a new instance.
  - A new instance's image can be given as the newest of a publisher's images by name (O(instances[].image)), and its
    root volume without the image's root device name (O(instances[].root_volume)). The image is then read only when an
    instance is run, so that a call that runs none (every instance exists) reads no image.
  - A new instance profile takes a few seconds to reach EC2 (IAM is eventually consistent); while EC2 refuses its name,
    the call that names it is made again, for up to 60 seconds.
  - A new instance's client token follows from its name and everything it is run with, so that a call made again
    (its answer lost) runs no second instance; a token EC2 still answers with a terminated instance is followed by another.
  - Supports check mode and diff mode.
author:
  - dicoogle.aws maintainers (@dicoogle-aws)
options:
  instances:
    description: The instances, each with a name of its own.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: The instance's C(Name) tag, by which (with O(match_tags)) it is found; once in the list.
        type: str
        required: true
      image_id:
        description:
          - The AMI a new instance runs.
          - Exactly one of O(instances[].image_id) and O(instances[].image) is given.
        type: str
      image:
        description:
          - The AMI a new instance runs, as the newest (by creation date) available, EBS-backed HVM image of an account whose name
            matches; read only when an instance is run, which fails, naming the instance, when there is none.
          - An existing instance keeps its image, as with O(instances[].image_id).
        type: dict
        version_added: 0.1.0
        suboptions:
          owner:
            description: The account that publishes the image (its ID, or C(amazon)).
            type: str
            required: true
          name:
            description: The image's name, with C(*) and C(?) wildcards, such as C(debian-12-amd64-*).
            type: str
            required: true
          architecture:
            description: The image's architecture.
            type: str
            default: x86_64
      instance_type:
        description: The type of a new instance.
        type: str
        required: true
      iam_instance_profile:
        description:
          - The name of the instance's instance profile; an existing instance with another one gets this one instead.
          - Not given, a new instance has none and an existing one keeps what it has.
        type: str
      key_name:
        description: The key pair of a new instance.
        type: str
      subnet_id:
        description:
          - The subnet of a new network interface (device index 0, no public IP address) for a new instance.
          - Exactly one of O(instances[].subnet_id) and O(instances[].network_interface_id) is given.
        type: str
      security_group_ids:
        description: The security groups of the new network interface (the VPC's default group if none); only with O(instances[].subnet_id).
        type: list
        elements: str
      network_interface_id:
        description: An existing network interface a new instance is given at device index 0 (it keeps its own security groups).
        type: str
      volumes:
        description: The EBS volumes of a new instance (its block device mappings); none, those of the AMI.
        type: list
        elements: dict
        default: []
        suboptions:
          device_name:
            description: The device name, such as the AMI's root device name C(/dev/xvda).
            type: str
            required: true
          volume_size:
            description: The size in GiB (the snapshot's size if not given).
            type: int
          volume_type:
            description: The EBS volume type.
            type: str
            default: gp3
          encrypted:
            description: Whether the volume is encrypted.
            type: bool
            default: true
          kms_key_id:
            description: The KMS key (ID or ARN) that encrypts it; not given, the account's default EBS key.
            type: str
          delete_on_termination:
            description: Whether the volume is deleted with the instance.
            type: bool
            default: true
      root_volume:
        description:
          - The root volume of a new instance, mapped to its image's root device name (read with the image); its other
            volumes are in O(instances[].volumes).
        type: dict
        version_added: 0.1.0
        suboptions:
          volume_size:
            description: The size in GiB (the snapshot's size if not given).
            type: int
          volume_type:
            description: The EBS volume type.
            type: str
            default: gp3
          encrypted:
            description: Whether the volume is encrypted.
            type: bool
            default: true
          kms_key_id:
            description: The KMS key (ID or ARN) that encrypts it; not given, the account's default EBS key.
            type: str
          delete_on_termination:
            description: Whether the volume is deleted with the instance.
            type: bool
            default: true
      metadata_options:
        description: The instance metadata service's options; an existing instance's are brought to these.
        type: dict
        suboptions:
          http_endpoint:
            description: Whether the metadata service is on.
            type: str
            choices: [enabled, disabled]
            default: enabled
          http_tokens:
            description: Whether a session token is required (IMDSv2 only).
            type: str
            choices: [required, optional]
            default: required
          http_put_response_hop_limit:
            description: How many network hops the token's answer may take.
            type: int
            default: 1
      user_data:
        description: The user data of a new instance, as text (EC2 gets it base64-encoded).
        type: str
      tags:
        description:
          - The instance's tags besides C(Name) and those of O(match_tags), which it also gets; a new instance's volumes get them too.
          - A tag of C(Name) or of O(match_tags) with another value is refused.
        type: dict
        default: {}
  match_tags:
    description:
      - Tags that an instance must have, besides its C(Name), to be found (a deployment's tag, for instance); each instance gets them.
      - Two instances found for one name fail the module, naming both.
    type: dict
    default: {}
  purge_tags:
    description: Whether tags not in O(instances[].tags) are removed (AWS's own C(aws:) tags never are).
    type: bool
    default: true
  wait:
    description: Whether to wait until every instance of the list is C(running).
    type: bool
    default: false
  wait_timeout:
    description: Seconds to wait, for all the instances together (and for stopping instances to stop before they are started).
    type: int
    default: 600
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: A client host with an interface of its own and a storage host on an existing interface, neither waited for
  dicoogle.aws.ec2_instances:
    match_tags:
      "dicoogle:deployment": pacs
    instances:
      - name: pacs-client
        image_id: ami-0123456789abcdef0
        instance_type: t3.small
        iam_instance_profile: pacs-client
        key_name: pacs
        subnet_id: subnet-0123456789abcdef0
        security_group_ids: [sg-0123456789abcdef0]
        volumes:
          - device_name: /dev/xvda
            volume_size: 8
            kms_key_id: arn:aws:kms:eu-west-1:123456789012:key/01234567-89ab-cdef-0123-456789abcdef
        tags: {"dicoogle:role": client}
      - name: pacs-storage
        image_id: ami-0123456789abcdef0
        instance_type: t3.small
        iam_instance_profile: pacs-storage
        key_name: pacs
        network_interface_id: eni-0123456789abcdef0
        volumes:
          - device_name: /dev/xvda
            volume_size: 8
            kms_key_id: arn:aws:kms:eu-west-1:123456789012:key/01234567-89ab-cdef-0123-456789abcdef
        tags: {"dicoogle:role": storage}
  register: pacs_hosts

- name: The same client host on the newest Debian 12 image, which is looked up only if the host is to be run
  dicoogle.aws.ec2_instances:
    match_tags:
      "dicoogle:deployment": pacs
    instances:
      - name: pacs-client
        image:
          owner: "136693071363"
          name: debian-12-amd64-*
        instance_type: t3.small
        subnet_id: subnet-0123456789abcdef0
        root_volume:
          volume_size: 8
          kms_key_id: arn:aws:kms:eu-west-1:123456789012:key/01234567-89ab-cdef-0123-456789abcdef
"""

RETURN = r"""
instances:
  description: Each instance of O(instances), in their order (in check mode, a new one has no ID).
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Its C(Name) tag.
      type: str
    instance_id:
      description: The instance's ID.
      type: str
      sample: i-0123456789abcdef0
    state:
      description: Its state after the call (C(pending) or C(running); C(running) once waited for).
      type: str
    private_ip_address:
      description: Its primary private IPv4 address.
      type: str
      sample: 10.0.1.25
    image_id:
      description: The AMI it runs (an existing instance's own, whatever O(instances[].image_id) or O(instances[].image) says).
      type: str
    instance_type:
      description: Its type (an existing instance's own).
      type: str
    tags:
      description: Its tags.
      type: dict
    changed:
      description: Whether this instance was run, started or changed.
      type: bool
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_specifications

from ansible_collections.dicoogle.aws.plugins.module_utils import ec2
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import Waiter
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import fails_on_aws_errors
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import text_tags

LIVE = ("pending", "running", "stopping", "stopped")
METADATA = (("http_endpoint", "HttpEndpoint"), ("http_tokens", "HttpTokens"), ("http_put_response_hop_limit", "HttpPutResponseHopLimit"))


# An EBS volume of a new instance, but its device name.
VOLUME = dict(
    volume_size=dict(type="int"),
    volume_type=dict(type="str", default="gp3"),
    encrypted=dict(type="bool", default=True),
    kms_key_id=dict(type="str", no_log=False),
    delete_on_termination=dict(type="bool", default=True),
)


def tags_of(instance):
    return boto3_tag_list_to_ansible_dict(instance.get("Tags") or [])


def metadata_of(instance):
    options = instance.get("MetadataOptions") or {}
    return {name: options.get(key) for name, key in METADATA}


def profile_of(instance):
    """The name of the instance's profile (the last part of its ARN), or None."""
    arn = (instance.get("IamInstanceProfile") or {}).get("Arn")
    return arn.rsplit("/", 1)[-1] if arn else None


def wanted_of(module, wanted, match_tags):
    """What the module makes of an instance of the list: its tags, metadata options and RunInstances' request;
    fails, naming it, on a network spec or tags it cannot take."""
    name = wanted["name"]
    if bool(wanted["subnet_id"]) == bool(wanted["network_interface_id"]):
        module.fail_json(msg="instance %s: give subnet_id (a new network interface) or network_interface_id (an existing one), %s"
                             % (name, "not both" if wanted["subnet_id"] else "neither is given"))
    if wanted["network_interface_id"] and wanted["security_group_ids"]:
        module.fail_json(msg="instance %s: security_group_ids are those of a new network interface (subnet_id); the interface %s "
                             "keeps its own" % (name, wanted["network_interface_id"]))
    given = text_tags(wanted["tags"])
    fixed = dict(match_tags, Name=name)
    clashes = sorted(key for key in fixed if key in given and given[key] != fixed[key])
    if clashes:
        module.fail_json(msg="instance %s: tags give %s another value than %s" % (
            name, ", ".join(clashes), ", ".join("%s=%s" % (key, fixed[key]) for key in clashes)))
    tags = dict(given, **fixed)
    metadata = dict(wanted["metadata_options"])
    if wanted["subnet_id"]:
        interface = {"DeviceIndex": 0, "SubnetId": wanted["subnet_id"], "AssociatePublicIpAddress": False, "DeleteOnTermination": True}
        if wanted["security_group_ids"]:
            interface["Groups"] = wanted["security_group_ids"]
    else:
        interface = {"DeviceIndex": 0, "NetworkInterfaceId": wanted["network_interface_id"]}
    if bool(wanted["image_id"]) == bool(wanted["image"]):
        module.fail_json(msg="instance %s: give image_id or image (the newest of an account's images by name), %s"
                             % (name, "not both" if wanted["image_id"] else "neither is given"))
    request = {"ImageId": wanted["image_id"], "InstanceType": wanted["instance_type"], "NetworkInterfaces": [interface],
               "MetadataOptions": {key: metadata[name] for name, key in METADATA},
               "TagSpecifications": boto3_tag_specifications(tags, ["instance", "volume"])}
    if wanted["volumes"]:
        request["BlockDeviceMappings"] = [block_device(volume) for volume in wanted["volumes"]]
    if wanted["iam_instance_profile"]:
        request["IamInstanceProfile"] = {"Name": wanted["iam_instance_profile"]}
    if wanted["key_name"]:
        request["KeyName"] = wanted["key_name"]
    if wanted["user_data"]:
        request["UserData"] = wanted["user_data"]
    return {"name": name, "tags": tags, "metadata": metadata, "profile": wanted["iam_instance_profile"], "request": request,
            "image": wanted["image"], "root_volume": wanted["root_volume"]}


def image_key(wanted):
    image = wanted["image"]
    return (image["owner"], image["name"], image["architecture"]) if image else wanted["request"]["ImageId"]


def resolve_images(module, client, wanted_list):
    """Completes the requests of the instances to be run: the image of O(instances[].image) and the root volume's
    device name, each image read once; fails, naming the instance, when there is none. Before any instance is run."""
    images = {}
    for wanted in wanted_list:
        if not (wanted["image"] or wanted["root_volume"]):
            continue
        key = image_key(wanted)
        if key not in images:
            images[key] = ec2.newest_image(client, *key) if wanted["image"] else ec2.image_of(client, key)
        image = images[key]
        if image is None:
            module.fail_json(msg="instance %s: %s in %s" % (wanted["name"], (
                "no available image of account %s is named %s (architecture %s)" % key if wanted["image"]
                else "the image %s does not exist" % key), module.region))
        request = wanted["request"]
        request["ImageId"] = image["ImageId"]
        if wanted["root_volume"]:
            root = block_device(dict(wanted["root_volume"], device_name=image["RootDeviceName"]))
            request["BlockDeviceMappings"] = [root] + [mapping for mapping in request.get("BlockDeviceMappings", [])
                                                       if mapping["DeviceName"] != root["DeviceName"]]


def block_device(volume):
    ebs = {"VolumeType": volume["volume_type"], "Encrypted": volume["encrypted"], "DeleteOnTermination": volume["delete_on_termination"]}
    if volume["volume_size"]:
        ebs["VolumeSize"] = volume["volume_size"]
    if volume["kms_key_id"]:
        ebs["KmsKeyId"] = volume["kms_key_id"]
    return {"DeviceName": volume["device_name"], "Ebs": ebs}


def existing(module, client, names, match_tags):
    """The live instances of these names with the tags of match_tags, by name, in one read; fails on a name found twice."""
    filters = [{"Name": "tag:Name", "Values": names}] + [{"Name": "tag:%s" % key, "Values": [value]} for key, value in sorted(match_tags.items())]
    filters.append({"Name": "instance-state-name", "Values": list(LIVE)})
    reservations = ec2.describe(client, "describe_instances", "Reservations", "list the instances named %s" % ", ".join(names), Filters=filters)
    found = {}
    for instance in (i for reservation in reservations for i in reservation.get("Instances", [])):
        found.setdefault(tags_of(instance).get("Name"), []).append(instance)
    twice = {name: instances for name, instances in found.items() if len(instances) > 1}
    if twice:
        module.fail_json(msg="several instances are named %s (%s): remove all but one" % (
            ", ".join(sorted(twice)), "; ".join("%s: %s" % (name, ", ".join(i["InstanceId"] for i in twice[name])) for name in sorted(twice))))
    return {name: instances[0] for name, instances in found.items()}


def states(client, instance_ids):
    found = ec2.describe(client, "describe_instances", "Reservations", "read the instances %s" % ", ".join(instance_ids),
                         Filters=[{"Name": "instance-id", "Values": instance_ids}])
    return {i["InstanceId"]: i["State"]["Name"] for reservation in found for i in reservation.get("Instances", [])}


def wait_for(module, client, waiter, instance_ids, state):
    """Their states once each is `state`; fails past the waiter's deadline."""
    def timed_out(last):
        module.fail_json(msg="instances %s were not %s within %d s (states: %s)" % (", ".join(instance_ids), state, module.params["wait_timeout"], last))

    return waiter.until(lambda: states(client, instance_ids), timed_out,
                        done=lambda found: len(found) == len(instance_ids) and set(found.values()) == {state})


def summary(state, tags, metadata, profile):
    return {"state": state, "tags": tags, "metadata_options": metadata, "iam_instance_profile": profile}


def converge(module, client, wanted, instance):
    """Brings an existing instance's tags, metadata options and profile to `wanted` (not in check mode); returns its
    result, whether it changed, and whether it needs a new profile (given later, one read for all)."""
    params, instance_id = module.params, instance["InstanceId"]
    if instance["InstanceType"] != wanted["request"]["InstanceType"]:
        module.warn("instance %s (%s) keeps its type %s: ec2_instances does not change the type of an existing instance (asked %s)"
                    % (wanted["name"], instance_id, instance["InstanceType"], wanted["request"]["InstanceType"]))
    changed, tags = ec2.reconcile_tags(module, client, instance_id, tags_of(instance), wanted["tags"], params["purge_tags"])
    if metadata_of(instance) != wanted["metadata"]:
        changed = True
        if not module.check_mode:
            ec2.set_metadata_options(client, instance_id, wanted["request"]["MetadataOptions"])
    reprofile = bool(wanted["profile"]) and profile_of(instance) != wanted["profile"]
    result = {"name": wanted["name"], "instance_id": instance_id, "state": instance["State"]["Name"],
              "private_ip_address": instance.get("PrivateIpAddress"), "image_id": instance.get("ImageId"),
              "instance_type": instance["InstanceType"], "tags": tags, "changed": changed or reprofile}
    return result, reprofile


@fails_on_aws_errors
def run(module):
    params = module.params
    names = [wanted["name"] for wanted in params["instances"]]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        module.fail_json(msg="instances lists the name %s twice" % ", ".join(twice))
    match_tags = text_tags(params["match_tags"])
    if "Name" in match_tags:
        module.fail_json(msg="match_tags cannot hold Name: each instance is found by its own (instances[].name)")
    wanted_list = [wanted_of(module, wanted, match_tags) for wanted in params["instances"]]
    client = ec2.client_of(module)
    found = existing(module, client, names, match_tags) if names else {}
    resolve_images(module, client, [wanted for wanted in wanted_list if wanted["name"] not in found])

    results, before, reprofile, to_start = [], {}, [], []
    for wanted in wanted_list:
        name, instance = wanted["name"], found.get(wanted["name"])
        if instance is None:
            before[name] = {}
            request = wanted["request"]
            made = {} if module.check_mode else ec2.run_instance(client, name, request)
            results.append({"name": name, "instance_id": made.get("InstanceId"), "state": made.get("State", {}).get("Name", "pending"),
                            "private_ip_address": made.get("PrivateIpAddress"), "image_id": request["ImageId"],
                            "instance_type": request["InstanceType"], "tags": wanted["tags"], "changed": True})
            continue
        before[name] = summary(instance["State"]["Name"], tags_of(instance), metadata_of(instance), profile_of(instance))
        result, needs_profile = converge(module, client, wanted, instance)
        if needs_profile:
            reprofile.append((result, wanted["profile"]))
        if result["state"] in ("stopping", "stopped"):
            to_start.append(result)
            result["changed"] = True
        results.append(result)

    if reprofile and not module.check_mode:
        associations = ec2.instance_profile_associations(client, [result["instance_id"] for result, _profile in reprofile])
        for result, profile in reprofile:
            ec2.set_instance_profile(client, result["instance_id"], profile, associations.get(result["instance_id"]))
    waiter = Waiter(params["wait_timeout"], delay=2, max_delay=15)
    if module.check_mode:
        for result in to_start + [r for r in results if r["instance_id"] is None]:
            result["state"] = "running" if params["wait"] else "pending"
    elif to_start:
        stopping = [result["instance_id"] for result in to_start if result["state"] == "stopping"]
        if stopping:  # EC2 starts only a stopped instance
            wait_for(module, client, waiter, stopping, "stopped")
        started = ec2.start_instances(client, [result["instance_id"] for result in to_start])
        for result in to_start:
            result["state"] = started.get(result["instance_id"], "pending")
    waiting = [result["instance_id"] for result in results if result["instance_id"] and result["state"] != "running"]
    if params["wait"] and waiting and not module.check_mode:
        running = wait_for(module, client, waiter, waiting, "running")
        for result in results:
            result["state"] = running.get(result["instance_id"], result["state"])

    after = {}
    for wanted, result in zip(wanted_list, results):
        instance = found.get(wanted["name"])
        profile = wanted["profile"] or (profile_of(instance) if instance else None)
        after[wanted["name"]] = summary(result["state"], result["tags"], wanted["metadata"], profile)
    module.exit_json(changed=any(result["changed"] for result in results), instances=results, diff={"before": before, "after": after})


def main():
    argument_spec = dict(
        instances=dict(type="list", elements="dict", required=True, options=dict(
            name=dict(type="str", required=True),
            image_id=dict(type="str"),
            image=dict(type="dict", options=dict(
                owner=dict(type="str", required=True),
                name=dict(type="str", required=True),
                architecture=dict(type="str", default="x86_64"),
            )),
            instance_type=dict(type="str", required=True),
            iam_instance_profile=dict(type="str"),
            key_name=dict(type="str", no_log=False),
            subnet_id=dict(type="str"),
            security_group_ids=dict(type="list", elements="str"),
            network_interface_id=dict(type="str"),
            volumes=dict(type="list", elements="dict", default=[], options=dict(VOLUME, device_name=dict(type="str", required=True))),
            root_volume=dict(type="dict", options=VOLUME),
            metadata_options=dict(type="dict", apply_defaults=True, options=dict(
                http_endpoint=dict(type="str", choices=["enabled", "disabled"], default="enabled"),
                http_tokens=dict(type="str", choices=["required", "optional"], default="required"),
                http_put_response_hop_limit=dict(type="int", default=1),
            )),
            user_data=dict(type="str"),
            tags=dict(type="dict", default={}),
        )),
        match_tags=dict(type="dict", default={}),
        purge_tags=dict(type="bool", default=True),
        wait=dict(type="bool", default=False),
        wait_timeout=dict(type="int", default=600),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    run(module)


if __name__ == "__main__":
    main()
