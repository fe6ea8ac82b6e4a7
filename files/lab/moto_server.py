"""The lab's AWS endpoint: moto's server with fixes for moto gaps that real AWS does not have.

Only the emulator is patched here; the collection's modules and roles stay as they run on AWS.
Each fix names the gap (see also README, "moto gaps").
"""

import json
import os
import sys

from moto.acm import models as acm_models
from moto.acm.responses import AWSCertificateManagerResponse
from moto.core.responses import ActionResult
from moto.datasync.responses import DataSyncResponse
from moto.ec2 import utils as ec2_utils
from moto.ec2.responses.vpc_peering_connections import VPCPeeringConnections
from moto.ec2.models import amis as ec2_amis
from moto.ec2.models.flow_logs import FlowLogsBackend
from moto.ec2.models.instances import Instance
from moto.ecs.responses import EC2ContainerServiceResponse
from moto.elbv2.models import FakeLoadBalancer
from moto.kms.models import KmsBackend
from moto.server import main

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import aws_rules  # noqa: E402  pylint: disable=wrong-import-position


def _accept_key_arn(method):
    # moto 5.2: EnableKey, DisableKey, ScheduleKeyDeletion and CancelKeyDeletion take only a bare
    # key id and fail with a 500 on a key ARN, which AWS accepts and amazon.aws.kms_key sends.
    def wrapper(self, key_id, *args, **kwargs):
        return method(self, self.get_key_id(key_id), *args, **kwargs)

    return wrapper


for _name in ("enable_key", "disable_key", "schedule_key_deletion", "cancel_key_deletion"):
    setattr(KmsBackend, _name, _accept_key_arn(getattr(KmsBackend, _name)))

# moto 5.2: DescribeTags reports NAT gateways as "nat-gateway" and Elastic IPs as
# "vpc-elastic-ip", where AWS says "natgateway" and "elastic-ip"; amazon.aws filters tags by the
# AWS names, finds none, and re-tags on every run (changed=1 on a converged deployment).
ec2_utils.EC2_PREFIX_TO_RESOURCE.update({"nat": "natgateway", "eipalloc": "elastic-ip"})


# moto 5.2 has no CreateLocationEfs / DescribeLocationEfs: the lab's DataSync EFS
# location is kept the way moto keeps its S3 locations, with AWS's URI efs://<region>.<fs id>/<dir>.
def _create_location_efs(self):
    file_system = self._get_param("EfsFilesystemArn").split("/")[-1]
    subdirectory = (self._get_param("Subdirectory") or "/").strip("/")
    uri = "efs://%s.%s/%s" % (self.region, file_system, subdirectory + "/" if subdirectory else "")
    metadata = {key: self._get_param(key) for key in
                ("Ec2Config", "AccessPointArn", "FileSystemAccessRoleArn", "InTransitEncryption")}
    return json.dumps({"LocationArn": self.datasync_backend.create_location(uri, metadata=metadata, typ="EFS")})


def _describe_location_efs(self):
    location = self._get_location(self._get_param("LocationArn"), typ="EFS")
    described = {"LocationArn": location.arn, "LocationUri": location.uri}
    described.update({key: value for key, value in location.metadata.items() if value is not None})
    return json.dumps(described)


# moto 5.2: DescribeVpcPeeringConnections ignores its filters and returns every peering of the
# region; amazon.aws.ec2_vpc_peering then takes another deployment's peering for its own.
_PEERING_FILTERS = {
    "requester-vpc-info.vpc-id": lambda pcx: [pcx.vpc.id],
    "accepter-vpc-info.vpc-id": lambda pcx: [pcx.peer_vpc.id],
    "status-code": lambda pcx: [pcx._status.code],  # pylint: disable=protected-access
    "vpc-peering-connection-id": lambda pcx: [pcx.id],
}
_describe_peerings = VPCPeeringConnections.describe_vpc_peering_connections


def _peering_matches(pcx, name, values):
    if name.startswith("tag:"):
        return pcx.get_filter_value(name) in values
    if name in _PEERING_FILTERS:
        return bool(set(_PEERING_FILTERS[name](pcx)) & set(values))
    return True  # a filter this fix does not know: as moto did


def _describe_vpc_peering_connections(self):
    filters = self._filters_from_querystring()
    if not filters:
        return _describe_peerings(self)
    ids = self._get_param("VpcPeeringConnectionIds", [])
    pcxs = [pcx for pcx in self.ec2_backend.describe_vpc_peering_connections(vpc_peering_ids=ids)
            if all(_peering_matches(pcx, name, values) for name, values in filters.items())]
    return ActionResult({"VpcPeeringConnections": pcxs})


# moto 5.2: ListTagsForResource of an ECS cluster created without tags leaves out "tags" (AWS
# answers "tags": []); dicoogle.aws.ecs_tags (as community.aws.ecs_tag) reads the key: KeyError 'tags'.
def _list_ecs_tags(self):
    tags = self.ecs_backend.list_tags_for_resource(self._get_param("resourceArn"))
    return ActionResult({"tags": tags or []})


# moto 5.2: GetCertificate returns an imported certificate's chain with moto's own root CA
# appended (or that root alone when no chain was imported); AWS returns the chain as imported,
# or the certificate itself. community.aws.acm_certificate compares them and re-imports every run.
def _get_certificate(self):
    bundle = self.acm_backend.get_certificate(self._get_param("CertificateArn"))
    root = acm_models.AWS_ROOT_CA + b"\n"
    chain = bundle.chain[:-len(root)].rstrip(b"\n") + b"\n" if bundle.chain.endswith(root) else bundle.chain
    if bundle.type == "IMPORTED" and chain.strip() == b"":
        chain = bundle.cert
    return ActionResult({"Certificate": bundle.cert.decode(), "CertificateChain": chain.decode()})


# moto 5.2: CreateService drops healthCheckGracePeriodSeconds and deploymentConfiguration
# (UpdateService keeps them): ecs_service then updates a new service on its second run, and the
# service would not show its deployment settings.
_create_service = EC2ContainerServiceResponse.create_service


def _create_service_keeping_settings(self):
    result = _create_service(self)
    for param, attribute in (("healthCheckGracePeriodSeconds", "health_check_grace_period_seconds"),
                             ("deploymentConfiguration", "deployment_configuration")):
        value = self._get_param(param)
        if value is not None:
            setattr(result.result["service"], attribute, value)
    return result


# moto 5.2's catalogue of public images (2017-2022) has no Debian 12 or Ubuntu 24.04: the lab's
# region offers one current image of each, as their publishers name and own them on AWS, so the
# edge_hosts role looks its AMI up exactly as it does on AWS.
ec2_amis.AMIS.extend([
    {"ami_id": "ami-0d3e1b2c4a5f60712", "name": "debian-12-amd64-20261101-2000", "owner_id": "136693071363",
     "description": "Debian 12 (20261101-2000)", "root_device_name": "/dev/xvda"},
    {"ami_id": "ami-0a7c9e2b1d3f40586", "name": "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20261101",
     "owner_id": "099720109477", "description": "Canonical, Ubuntu, 24.04, amd64 noble image",
     "root_device_name": "/dev/sda1"},
])
for _ami in ec2_amis.AMIS[-2:]:
    _ami.update({"state": "available", "public": True, "image_location": "amazon/" + _ami["name"], "sriov": "simple",
                 "root_device_type": "ebs", "image_type": "machine", "platform": None, "architecture": "x86_64",
                 "virtualization_type": "hvm", "hypervisor": "xen", "creation_date": "2026-11-01T20:00:00.000Z"})

# moto 5.2: a terminated instance keeps the network interfaces it does not delete attached
# ("in-use" for ever), where AWS detaches them; the storage host's reserved interface then blocks
# the deletion of the storage VPC.
_terminate_instance = Instance.terminate


def _terminate_detaching_interfaces(self):
    kept = [nic for nic in self.nics.values() if not nic.delete_on_termination]
    previous_state = _terminate_instance(self)
    for nic in kept:
        # detached as AWS does; the terminated instance still describes its last address
        nic.instance, nic.attachment_id, nic.attach_time, nic.device_index = None, None, None, None
        nic.status = "available"
    return previous_state


# moto 5.2: CreateFlowLogs takes an S3 destination's whole path (arn:aws:s3:::bucket/prefix/) for
# the bucket's name and reports "does not exist"; AWS delivers under the prefix. The bucket is
# checked, the flow log keeps the destination as given.
_create_flow_logs = FlowLogsBackend.create_flow_logs


def _create_flow_logs_with_prefix(self, **kwargs):
    destination = kwargs.get("log_destination") or ""
    if kwargs.get("log_destination_type") == "s3" and destination.count("/") > 0:
        kwargs["log_destination"] = destination.split("/", 1)[0]
        flows, unsuccessful = _create_flow_logs(self, **kwargs)
        for flow in flows:
            flow.log_destination = destination
        return flows, unsuccessful
    return _create_flow_logs(self, **kwargs)


# moto 5.2: DescribeLoadBalancerAttributes leaves out the attributes nobody set (access logs'
# "enabled" among them), where AWS reports each attribute of the load balancer's type with its
# default value (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_LoadBalancerAttribute.html);
# amazon.aws.elb_application_lb then fails with KeyError on the options that compare them.
_LOAD_BALANCER_DEFAULTS = {
    "application": {
        "access_logs.s3.enabled": "false", "idle_timeout.timeout_seconds": "60", "routing.http2.enabled": "true",
        "routing.http.desync_mitigation_mode": "defensive", "routing.http.drop_invalid_header_fields.enabled": "false",
        "routing.http.preserve_host_header.enabled": "false", "routing.http.x_amzn_tls_version_and_cipher_suite.enabled": "false",
        "routing.http.xff_client_port.enabled": "false", "routing.http.xff_header_processing.mode": "append",
        "waf.fail_open.enabled": "false", "load_balancing.cross_zone.enabled": "true",
    },
    "network": {"access_logs.s3.enabled": "false"},
}
_init_load_balancer = FakeLoadBalancer.__init__


def _init_load_balancer_with_defaults(self, *args, **kwargs):
    _init_load_balancer(self, *args, **kwargs)
    self.attrs.update(_LOAD_BALANCER_DEFAULTS.get(self.type, {}))


VPCPeeringConnections.describe_vpc_peering_connections = _describe_vpc_peering_connections
FakeLoadBalancer.__init__ = _init_load_balancer_with_defaults
EC2ContainerServiceResponse.create_service = _create_service_keeping_settings
Instance.terminate = _terminate_detaching_interfaces
FlowLogsBackend.create_flow_logs = _create_flow_logs_with_prefix
AWSCertificateManagerResponse.get_certificate = _get_certificate
EC2ContainerServiceResponse.list_tags_for_resource = _list_ecs_tags
DataSyncResponse.create_location_efs = _create_location_efs
DataSyncResponse.describe_location_efs = _describe_location_efs
RULES = aws_rules.install()
print("lab moto: AWS rules enforced: " + "; ".join(RULES) + " (see files/lab/aws_rules.py)", file=sys.stderr)
print("lab moto: patched KMS key ARNs, EC2 tag resource types, peering filters, DataSync EFS locations,"
      " ECS tag lists and service settings, ACM chains, Debian/Ubuntu AMIs, interfaces of terminated instances,"
      " S3 flow log prefixes, load balancers' default attributes (see files/lab/moto_server.py)",
      file=sys.stderr)

if __name__ == "__main__":
    main(sys.argv[1:])
