"""Rules AWS enforces that moto 5.2 does not, enforced by the lab's AWS endpoint.

moto accepts configurations that AWS refuses: a quota exceeded, a name too long, a log bucket that
AWS cannot write to. Each rule below cites the AWS page that states it and answers with the error
code AWS answers with, so the lab refuses what a real account would refuse, at the same step.

Quotas are a new account's defaults. A server that stands for an account with raised quotas (the
tests run several deployments on one server) gets them from DICOOGLE_LAB_QUOTAS, a JSON object of
Service Quotas codes to values, as a user asks AWS for more; GetServiceQuota answers with the same
values.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re

from moto.acm.models import AWSCertificateManagerBackend
from moto.cloudwatch.exceptions import InvalidParameterValue as CloudWatchInvalidParameterValue
from moto.cloudwatch.models import CloudWatchBackend
from moto.cognitoidp.models import CognitoIdpBackend
from moto.core.exceptions import JsonRESTError
from moto.ec2.exceptions import EC2ClientError
from moto.ec2.models.elastic_ip_addresses import ElasticAddressBackend
from moto.ec2.models.internet_gateways import InternetGatewayBackend
from moto.ec2.models.nat_gateways import NatGatewayBackend
from moto.ec2.models.vpcs import VPCBackend
from moto.efs.exceptions import BadRequest
from moto.efs.models import EFSBackend
from moto.ecs.exceptions import InvalidParameterException as ECSInvalidParameterException
from moto.ecs.models import EC2ContainerServiceBackend
from moto.elbv2.exceptions import ELBClientError
from moto.elbv2.models import ELBv2Backend
from moto.iam.exceptions import ValidationError as IAMValidationError
from moto.iam.models import IAMBackend
from moto.kms.models import kms_backends
from moto.s3.exceptions import InvalidTargetBucketForLogging
from moto.s3.models import FakeBucket, s3_backends
from moto.servicequotas.models import ServiceQuotasBackend
from moto.sns.models import sns_backends
from moto.ssm.models import ssm_backends

# Amazon VPC quotas: https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html
# Elastic IP addresses: https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/elastic-ip-addresses-eip.html#using-instance-addressing-limit
QUOTAS = {
    "L-0263D0A3": {"ServiceCode": "ec2", "QuotaName": "EC2-VPC Elastic IPs", "Value": 5.0},
    "L-F678F1CE": {"ServiceCode": "vpc", "QuotaName": "VPCs per Region", "Value": 5.0},
    "L-A4707A72": {"ServiceCode": "vpc", "QuotaName": "Internet gateways per Region", "Value": 5.0},
    "L-FE5A380F": {"ServiceCode": "vpc", "QuotaName": "NAT gateways per Availability Zone", "Value": 5.0},
    "L-29B6F2EB": {"ServiceCode": "vpc", "QuotaName": "Interface VPC endpoints per VPC", "Value": 50.0},
}


def load_quotas():
    """The quota table with DICOOGLE_LAB_QUOTAS applied; an unknown code is an error, not ignored."""
    raised = json.loads(os.environ.get("DICOOGLE_LAB_QUOTAS") or "{}")
    unknown = sorted(set(raised) - set(QUOTAS))
    if unknown:
        raise SystemExit("DICOOGLE_LAB_QUOTAS: unknown quota codes %s (known: %s)" % (unknown, sorted(QUOTAS)))
    for code, value in raised.items():
        QUOTAS[code]["Value"] = float(value)


def quota(code):
    return int(QUOTAS[code]["Value"])


def _wrap(cls, name, check):
    """Run check(self, *args, **kwargs) before cls.name; check raises AWS's error."""
    original = getattr(cls, name)

    def wrapper(self, *args, **kwargs):
        check(self, *args, **kwargs)
        return original(self, *args, **kwargs)

    wrapper.__wrapped__ = original
    setattr(cls, name, wrapper)


def _arg(args, kwargs, index, name):
    return kwargs[name] if name in kwargs else (args[index] if len(args) > index else None)


# --- Quotas -----------------------------------------------------------------------------------

def _eip_quota(self, *args, **kwargs):
    if len(self.addresses) >= quota("L-0263D0A3"):
        raise EC2ClientError("AddressLimitExceeded", "The maximum number of addresses has been reached.")


def _vpc_quota(self, *args, **kwargs):
    if len(self.vpcs) >= quota("L-F678F1CE"):
        raise EC2ClientError("VpcLimitExceeded", "The maximum number of VPCs has been reached.")


def _igw_quota(self, *args, **kwargs):
    # A region's default VPC comes with its internet gateway on AWS; moto's has none: counted here.
    attached = {igw.vpc.id for igw in self.internet_gateways.values() if igw.vpc is not None}
    defaults_without = [vpc for vpc in self.vpcs.values() if vpc.is_default and vpc.id not in attached]
    if len(self.internet_gateways) + len(defaults_without) >= quota("L-A4707A72"):
        raise EC2ClientError("InternetGatewayLimitExceeded", "The maximum number of internet gateways has been reached.")


def _nat_quota(self, *args, **kwargs):
    zone = self.get_subnet(_arg(args, kwargs, 0, "subnet_id")).availability_zone
    in_zone = [nat for nat in self.nat_gateways.values()
               if nat.state in ("pending", "available") and self.get_subnet(nat.subnet_id).availability_zone == zone]
    if len(in_zone) >= quota("L-FE5A380F"):
        raise EC2ClientError("NatGatewayLimitExceeded", "The maximum number of NAT Gateways has been reached.")


def _interface_endpoint_quota(self, *args, **kwargs):
    endpoint_type = _arg(args, kwargs, 2, "endpoint_type")
    if (endpoint_type or "").lower() != "interface":
        return
    vpc_id = _arg(args, kwargs, 0, "vpc_id")
    in_vpc = [ep for ep in self.vpc_end_points.values()
              if ep.vpc_id == vpc_id and (ep.vpc_endpoint_type or "").lower() == "interface" and ep.state != "deleted"]
    if len(in_vpc) >= quota("L-29B6F2EB"):
        raise EC2ClientError("VpcEndpointLimitExceeded", "The maximum number of VPC endpoints has been reached.")


def _get_service_quota(self, service_code, quota_code):
    """Service Quotas' GetServiceQuota: the lab's quotas as applied to the account."""
    if quota_code in QUOTAS and QUOTAS[quota_code]["ServiceCode"] == service_code:
        entry = QUOTAS[quota_code]
        return {"ServiceCode": service_code, "QuotaCode": quota_code, "QuotaName": entry["QuotaName"],
                "Value": entry["Value"], "Unit": "None", "Adjustable": True, "GlobalQuota": False,
                "QuotaArn": "arn:aws:servicequotas:%s:%s:%s/%s" % (self.region_name, self.account_id, service_code, quota_code)}
    return _original_get_service_quota(self, service_code, quota_code)


_original_get_service_quota = ServiceQuotasBackend.get_service_quota


# --- Log delivery -----------------------------------------------------------------------------

def _algorithms(encryption):
    """Every SSEAlgorithm of a bucket's default encryption, however moto nests it."""
    if isinstance(encryption, dict):
        return [v for k, v in encryption.items() if k == "SSEAlgorithm"] + [
            a for v in encryption.values() for a in _algorithms(v)]
    if isinstance(encryption, list):
        return [a for v in encryption for a in _algorithms(v)]
    return []


def _sse_s3_only(bucket):
    """AES256 or no default encryption (S3 applies SSE-S3 to every new object since 2023)."""
    return all(algorithm == "AES256" for algorithm in _algorithms(bucket.encryption))


# ALB access logs: "The only server-side encryption option that's supported is Amazon S3-managed
# keys (SSE-S3)" https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html
# AWS tests the bucket with a write when the attribute is set, and answers this error. (An NLB also
# accepts SSE-KMS with a customer managed key, so the rule is the ALB's alone.)
def _access_log_bucket(self, arn, attrs):
    balancer = self.load_balancers.get(arn)
    if str(attrs.get("access_logs.s3.enabled", "false")).lower() != "true" or getattr(balancer, "type", None) != "application":
        return
    name = attrs.get("access_logs.s3.bucket") or ""
    bucket = s3_backends[self.account_id]["aws"].buckets.get(name)
    if bucket is None or not _sse_s3_only(bucket):
        raise ELBClientError("InvalidConfigurationRequest",
                             "Access Denied for bucket: %s. Please check S3bucket permission" % name)


# S3 server access logs: "You can use default bucket encryption on the destination bucket only if
# you use server-side encryption with Amazon S3 managed keys (SSE-S3)"
# https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html
# AWS takes the configuration and then delivers nothing; the lab refuses it, so the loss shows.
def _logging_target(self, logging_config, bucket_backend):
    if logging_config:
        target = bucket_backend.buckets.get(logging_config.get("TargetBucket"))
        if target is not None and not _sse_s3_only(target):
            raise InvalidTargetBucketForLogging(
                "The destination bucket %s uses SSE-KMS default encryption; server access logs are "
                "delivered only to buckets encrypted with SSE-S3." % target.name)


# --- Alarm notifications to encrypted topics ---------------------------------------------------

# "CloudWatch ... To enable compatibility between event sources from AWS services and encrypted topics ... Use
# a customer managed key ... [whose] key policy [allows] the service principal ... kms:GenerateDataKey* and
# kms:Decrypt" (cloudwatch.amazonaws.com): https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
# The AWS managed key alias/aws/sns cannot serve: its policy cannot be changed
# (https://repost.aws/knowledge-center/cloudwatch-configure-alarm-sns). AWS takes such an alarm and then fails
# each notification ("CloudWatch Alarms does not have authorization to access the SNS topic encryption key", in
# the alarm's history); the lab refuses the alarm, so the loss shows. The statement's conditions are not
# evaluated here.
SNS_TOPIC_ARN = re.compile(r"^arn:aws[a-z-]*:sns:([a-z0-9-]+):(\d{12}):[A-Za-z0-9_.-]+$")
ALARM_KEY_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey")
ALARM_PRINCIPAL = "cloudwatch.amazonaws.com"


def _listed(value):
    return [value] if isinstance(value, str) else list(value or [])


def _allows(statement, principal, action):
    """Whether one key policy statement lets the service principal call the action."""
    if statement.get("Effect") != "Allow":
        return False
    principals = statement.get("Principal")
    if principals not in ("*", {"AWS": "*"}) and principal not in _listed((principals or {}).get("Service")):
        return False
    return any(fnmatch.fnmatchcase(action.lower(), pattern.lower()) for pattern in _listed(statement.get("Action")))


def alarm_key_problem(account_id, region, key_id):
    """Why CloudWatch alarms cannot use the key of an encrypted topic; None when they can."""
    if key_id.startswith("alias/aws/") or ":alias/aws/" in key_id:
        return "the AWS managed key %s, whose policy cannot allow cloudwatch.amazonaws.com" % key_id
    backend = kms_backends[account_id][region]
    try:
        key = backend.describe_key(key_id)
    except (KeyError, TypeError, AttributeError):  # an unknown id, or an alias of no key
        return "the KMS key %s, which does not exist" % key_id
    statements = json.loads(key.policy or "{}").get("Statement") or []
    statements = [statements] if isinstance(statements, dict) else statements
    missing = [action for action in ALARM_KEY_ACTIONS if not any(_allows(st, ALARM_PRINCIPAL, action) for st in statements)]
    if missing:
        return "the KMS key %s, whose policy does not allow cloudwatch.amazonaws.com %s" % (key.arn, " and ".join(missing))
    return None


def _alarm_topic_keys(self, *args, **kwargs):
    actions = [arn for index, name in ((10, "alarm_actions"), (14, "ok_actions"), (15, "insufficient_data_actions"))
               for arn in _arg(args, kwargs, index, name) or []]
    for arn in actions:
        match = SNS_TOPIC_ARN.match(arn)
        topic = sns_backends[match.group(2)][match.group(1)].topics.get(arn) if match else None
        key_id = getattr(topic, "kms_master_key_id", "") if topic is not None else ""
        problem = alarm_key_problem(match.group(2), match.group(1), key_id) if key_id else None
        if problem:
            raise CloudWatchInvalidParameterValue(
                "The alarm action %s is an SNS topic encrypted with %s: CloudWatch could not deliver its notifications "
                "(https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services)" % (arn, problem))


# --- Names ------------------------------------------------------------------------------------

# Load balancer names: at most 32 alphanumeric characters or hyphens, neither first nor last a
# hyphen, not beginning with "internal-".
# https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html
ELB_NAME = re.compile(r"^(?!internal-)[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$")
# (Target group names: moto 5.2 checks the same rule itself.)


def _load_balancer_name(self, name, *args, **kwargs):
    if not ELB_NAME.match(name or ""):
        raise ELBClientError("ValidationError", "The load balancer name '%s' is not valid: at most 32 alphanumeric "
                             "characters or hyphens, not beginning or ending with a hyphen" % name)


# IAM: role names at most 64 characters, instance profile and policy names at most 128.
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html#reference_iam-quotas-names
def _iam_name(limit, what):
    def check(self, name, *args, **kwargs):
        if len(name or "") > limit:
            raise IAMValidationError("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: "
                                     "Member must have length less than or equal to %d" % (name, what, limit))
    return check


# EFS: a creation token is 1 to 64 characters.
# https://docs.aws.amazon.com/efs/latest/ug/API_CreateFileSystem.html
def _efs_token(self, creation_token, *args, **kwargs):
    if not 1 <= len(creation_token or "") <= 64:
        raise BadRequest("CreationToken '%s' must be 1 to 64 characters" % creation_token)


# Cognito: a user pool name is 1 to 128 characters.
# https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserPool.html
def _user_pool_name(self, name, *args, **kwargs):
    if not 1 <= len(name or "") <= 128:
        raise JsonRESTError("InvalidParameterException", "PoolName '%s' must be 1 to 128 characters" % name)


# Cognito prefix domains: lowercase letters, digits and hyphens, at most 63, neither first nor
# last a hyphen, and no reserved word ("aws", "amazon", "cognito").
# https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-assign-domain-prefix.html
COGNITO_PREFIX = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
COGNITO_RESERVED = ("aws", "amazon", "cognito")


def _user_pool_domain(self, user_pool_id, domain, custom_domain_config=None):
    if custom_domain_config:
        return
    if not COGNITO_PREFIX.match(domain or ""):
        raise JsonRESTError("InvalidParameterException",
                            "Domain '%s' is not valid: 1 to 63 lowercase letters, digits or hyphens" % domain)
    for word in COGNITO_RESERVED:
        if word in domain:
            raise JsonRESTError("InvalidParameterException", "Domain cannot contain reserved word: %s" % word)


# ACM: "The first domain name you enter cannot exceed 64 octets, including periods" (it becomes the
# certificate's subject common name). https://docs.aws.amazon.com/acm/latest/APIReference/API_RequestCertificate.html
def _certificate_domain(self, domain_name, *args, **kwargs):
    if len(domain_name or "") > 64:
        raise JsonRESTError("ValidationException", "The first domain name can be no longer than 64 characters.")


# --- Task definitions ---------------------------------------------------------------------------

# ECS secrets: "valueFrom: ... either the full ARN of the AWS Secrets Manager secret or the full ARN
# of the parameter in the SSM Parameter Store ... If the SSM Parameter Store parameter exists in the
# same Region as the task you're launching, then you can use either the full ARN or name of the
# parameter." https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Secret.html
# AWS registers any string and fails each task of the service as it starts; the lab refuses the
# service (created or updated) at once, naming the secret.
def _service_secrets(self, task_definition_str):
    if not task_definition_str:
        return
    definition = self.describe_task_definition(task_definition_str)
    parameters = ssm_backends[self.account_id][self.region_name]
    for container in definition.container_definitions:
        for secret in container.get("secrets") or []:
            source = secret.get("valueFrom", "")
            if not source.startswith("arn:") and source not in parameters.get_parameters([source]):
                raise ECSInvalidParameterException(
                    "ResourceInitializationError: unable to pull secrets: container %s, secret %s: %r is no SSM parameter "
                    "of this region (a Secrets Manager secret is read by its full ARN)" % (container.get("name"), secret.get("name"), source))


def _create_service_secrets(self, *args, **kwargs):
    _service_secrets(self, _arg(args, kwargs, 3, "task_definition_str"))


def _update_service_secrets(self, service_properties):
    _service_secrets(self, service_properties.get("task_definition"))


RULES = [
    (ElasticAddressBackend, "allocate_address", _eip_quota),
    (VPCBackend, "create_vpc", _vpc_quota),
    (InternetGatewayBackend, "create_internet_gateway", _igw_quota),
    (NatGatewayBackend, "create_nat_gateway", _nat_quota),
    (VPCBackend, "create_vpc_endpoint", _interface_endpoint_quota),
    (ELBv2Backend, "modify_load_balancer_attributes", _access_log_bucket),
    (FakeBucket, "set_logging", _logging_target),
    (ELBv2Backend, "create_load_balancer", _load_balancer_name),
    (IAMBackend, "create_role", _iam_name(64, "roleName")),
    (IAMBackend, "create_instance_profile", _iam_name(128, "instanceProfileName")),
    (IAMBackend, "create_policy", lambda self, *a, **k: _iam_name(128, "policyName")(self, _arg(a, k, 3, "policy_name"))),
    (IAMBackend, "put_role_policy", lambda self, *a, **k: _iam_name(128, "policyName")(self, _arg(a, k, 1, "policy_name"))),
    (EFSBackend, "create_file_system", _efs_token),
    (CognitoIdpBackend, "create_user_pool", _user_pool_name),
    (CognitoIdpBackend, "create_user_pool_domain", _user_pool_domain),
    (AWSCertificateManagerBackend, "request_certificate", _certificate_domain),
    (EC2ContainerServiceBackend, "create_service", _create_service_secrets),
    (EC2ContainerServiceBackend, "update_service", _update_service_secrets),
    (CloudWatchBackend, "put_metric_alarm", _alarm_topic_keys),
]


def install():
    """Apply the quota overrides and every rule; returns the rules' names for the server's banner."""
    load_quotas()
    for cls, name, check in RULES:
        _wrap(cls, name, check)
    ServiceQuotasBackend.get_service_quota = _get_service_quota
    return ["quotas " + ", ".join("%s=%d" % (entry["QuotaName"], entry["Value"]) for entry in QUOTAS.values())] + [
        "%s.%s" % (rule[0].__name__, rule[1]) for rule in RULES]
