"""The lab's AWS endpoint refuses what AWS refuses (files/lab/aws_rules.py), with AWS's error codes.

Each test starts from a configuration the collection once sent (or could send) and moto alone took."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.helpers import free_port

ROOT = Path(__file__).resolve().parents[2]
REGION = "eu-west-1"


def start_server(quotas=None):
    port = free_port()
    env = dict(os.environ, DICOOGLE_LAB_QUOTAS=json.dumps(quotas or {}))
    proc = subprocess.Popen([sys.executable, str(ROOT / "files/lab/moto_server.py"), "-H", "127.0.0.1", "-p", str(port)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen("http://127.0.0.1:%d/moto-api/data.json" % port, timeout=1):
                return proc, port
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail("lab moto server did not start: %s" % proc.stderr.read().decode()[-2000:])
            time.sleep(0.2)


@pytest.fixture(scope="module")
def server():
    proc, port = start_server()
    yield port
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def client(server):
    """Clients of the shared server, reset first (the rules are on moto's classes and stay)."""
    urllib.request.urlopen(urllib.request.Request("http://127.0.0.1:%d/moto-api/reset" % server, method="POST"), timeout=10).read()
    return lambda service: _client(server, service)


def _client(port, service):
    return boto3.client(service, region_name=REGION, endpoint_url="http://127.0.0.1:%d" % port,
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def refused(call, code):
    with pytest.raises(ClientError) as error:
        call()
    assert error.value.response["Error"]["Code"] == code, error.value.response
    return error.value.response["Error"]["Message"]


def test_elastic_ip_quota_of_a_new_account(client):
    ec2 = client("ec2")
    for _n in range(5):
        ec2.allocate_address(Domain="vpc")
    refused(lambda: ec2.allocate_address(Domain="vpc"), "AddressLimitExceeded")


def test_vpc_quota_counts_the_default_vpc(client):
    ec2 = client("ec2")
    assert len(ec2.describe_vpcs()["Vpcs"]) == 1  # the region's default VPC
    for n in range(4):
        ec2.create_vpc(CidrBlock="10.%d.0.0/16" % n)
    refused(lambda: ec2.create_vpc(CidrBlock="10.9.0.0/16"), "VpcLimitExceeded")


def test_internet_gateway_quota(client):
    ec2 = client("ec2")
    for _n in range(4):  # the default VPC has the fifth
        ec2.create_internet_gateway()
    refused(ec2.create_internet_gateway, "InternetGatewayLimitExceeded")


def test_nat_gateways_per_zone(client):
    ec2 = client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    zone_a = ec2.create_subnet(VpcId=vpc, CidrBlock="10.1.1.0/24", AvailabilityZone=REGION + "a")["Subnet"]["SubnetId"]
    zone_b = ec2.create_subnet(VpcId=vpc, CidrBlock="10.1.2.0/24", AvailabilityZone=REGION + "b")["Subnet"]["SubnetId"]
    nats = [ec2.create_nat_gateway(SubnetId=zone_a, ConnectivityType="private")["NatGateway"]["NatGatewayId"] for _n in range(5)]
    refused(lambda: ec2.create_nat_gateway(SubnetId=zone_a, ConnectivityType="private"), "NatGatewayLimitExceeded")
    ec2.create_nat_gateway(SubnetId=zone_b, ConnectivityType="private")  # another zone: its own quota
    ec2.delete_nat_gateway(NatGatewayId=nats[0])  # a deleted gateway no longer counts
    ec2.create_nat_gateway(SubnetId=zone_a, ConnectivityType="private")


def test_interface_endpoints_per_vpc(client):
    ec2 = client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.1.1.0/24")["Subnet"]["SubnetId"]
    for n in range(50):
        ec2.create_vpc_endpoint(VpcId=vpc, ServiceName="com.amazonaws.%s.svc%d" % (REGION, n),
                                VpcEndpointType="Interface", SubnetIds=[subnet])
    refused(lambda: ec2.create_vpc_endpoint(VpcId=vpc, ServiceName="com.amazonaws.%s.logs" % REGION,
                                            VpcEndpointType="Interface", SubnetIds=[subnet]), "VpcEndpointLimitExceeded")
    # gateway endpoints are another quota
    ec2.create_vpc_endpoint(VpcId=vpc, ServiceName="com.amazonaws.%s.s3" % REGION, VpcEndpointType="Gateway")


def test_raised_quotas_are_enforced_and_reported():
    proc, port = start_server({"L-0263D0A3": 7})
    try:
        ec2 = _client(port, "ec2")
        for _n in range(7):
            ec2.allocate_address(Domain="vpc")
        refused(lambda: ec2.allocate_address(Domain="vpc"), "AddressLimitExceeded")
        quotas = _client(port, "service-quotas")
        assert quotas.get_service_quota(ServiceCode="ec2", QuotaCode="L-0263D0A3")["Quota"]["Value"] == 7
        assert quotas.get_service_quota(ServiceCode="vpc", QuotaCode="L-F678F1CE")["Quota"]["Value"] == 5
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_an_unknown_quota_code_stops_the_server():
    proc = subprocess.run([sys.executable, str(ROOT / "files/lab/moto_server.py"), "-p", str(free_port())],
                          env=dict(os.environ, DICOOGLE_LAB_QUOTAS='{"L-NOPE": 1}'), capture_output=True, text=True, timeout=60,
                          check=False)
    assert proc.returncode != 0 and "L-NOPE" in proc.stderr


def _load_balancer(client, name="web"):
    ec2, elb = client("ec2"), client("elbv2")
    vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
    subnets = [s["SubnetId"] for s in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]][:2]
    return elb, elb.create_load_balancer(Name=name, Subnets=subnets)["LoadBalancers"][0]["LoadBalancerArn"]


def _bucket(client, name, algorithm):
    s3 = client("s3")
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    default = {"SSEAlgorithm": algorithm}
    if algorithm == "aws:kms":
        default["KMSMasterKeyID"] = client("kms").create_key()["KeyMetadata"]["Arn"]
    s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={
        "Rules": [{"ApplyServerSideEncryptionByDefault": default}]})
    return s3


def test_network_load_balancer_access_logs_may_use_a_kms_bucket(client):
    ec2, elb = client("ec2"), client("elbv2")
    subnets = [s["SubnetId"] for s in ec2.describe_subnets()["Subnets"]][:2]
    arn = elb.create_load_balancer(Name="nlb", Subnets=subnets, Type="network")["LoadBalancers"][0]["LoadBalancerArn"]
    _bucket(client, "logs-kms", "aws:kms")
    elb.modify_load_balancer_attributes(LoadBalancerArn=arn, Attributes=[
        {"Key": "access_logs.s3.enabled", "Value": "true"}, {"Key": "access_logs.s3.bucket", "Value": "logs-kms"}])


def test_load_balancer_access_logs_only_to_sse_s3_buckets(client):
    elb, arn = _load_balancer(client)
    _bucket(client, "logs-kms", "aws:kms")
    _bucket(client, "logs-s3", "AES256")

    def logs_to(bucket):
        return lambda: elb.modify_load_balancer_attributes(LoadBalancerArn=arn, Attributes=[
            {"Key": "access_logs.s3.enabled", "Value": "true"}, {"Key": "access_logs.s3.bucket", "Value": bucket}])

    assert "logs-kms" in refused(logs_to("logs-kms"), "InvalidConfigurationRequest")
    refused(logs_to("no-such-bucket"), "InvalidConfigurationRequest")
    logs_to("logs-s3")()
    elb.modify_load_balancer_attributes(LoadBalancerArn=arn, Attributes=[{"Key": "access_logs.s3.enabled", "Value": "false"}])


def test_server_access_logs_only_to_sse_s3_buckets(client):
    s3 = _bucket(client, "images", "aws:kms")
    _bucket(client, "target-kms", "aws:kms")
    _bucket(client, "target-s3", "AES256")
    for bucket in ("target-kms", "target-s3"):
        s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"}, "Action": "s3:PutObject",
            "Resource": "arn:aws:s3:::%s/*" % bucket}]}))

    def logging(bucket):
        return lambda: s3.put_bucket_logging(
            Bucket="images", BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": bucket, "TargetPrefix": "s3/"}})

    refused(logging("target-kms"), "InvalidTargetBucketForLogging")
    logging("target-s3")()


def test_cognito_domain_prefixes(client):
    idp = client("cognito-idp")
    pool = idp.create_user_pool(PoolName="users")["UserPool"]["Id"]
    for prefix, word in (("myaws-lab", "aws"), ("amazon-pacs", "amazon"), ("pacs-cognito", "cognito")):
        assert word in refused(lambda: idp.create_user_pool_domain(UserPoolId=pool, Domain=prefix), "InvalidParameterException")
    refused(lambda: idp.create_user_pool_domain(UserPoolId=pool, Domain="Upper-Case"), "InvalidParameterException")
    refused(lambda: idp.create_user_pool_domain(UserPoolId=pool, Domain="x" * 64), "InvalidParameterException")
    idp.create_user_pool_domain(UserPoolId=pool, Domain="dicoogle-lab-web")


@pytest.mark.parametrize("name", ["x" * 33, "ends-with-", "-starts", "internal-web"])
def test_load_balancer_names(client, name):
    elb, _arn = _load_balancer(client, "fine-" + "x" * 27)  # 32 characters: accepted
    ec2 = client("ec2")
    subnets = [s["SubnetId"] for s in ec2.describe_subnets()["Subnets"]][:2]
    refused(lambda: elb.create_load_balancer(Name=name, Subnets=subnets), "ValidationError")


def test_iam_name_lengths(client):
    iam = client("iam")
    trust = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "ecs-tasks.amazonaws.com"}}]})
    iam.create_role(RoleName="r" * 64, AssumeRolePolicyDocument=trust)
    refused(lambda: iam.create_role(RoleName="r" * 65, AssumeRolePolicyDocument=trust), "ValidationError")
    refused(lambda: iam.create_instance_profile(InstanceProfileName="p" * 129), "ValidationError")
    document = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]})
    refused(lambda: iam.create_policy(PolicyName="p" * 129, PolicyDocument=document), "ValidationError")
    refused(lambda: iam.put_role_policy(RoleName="r" * 64, PolicyName="p" * 129, PolicyDocument=document), "ValidationError")


def test_efs_creation_token_length(client):
    efs = client("efs")
    efs.create_file_system(CreationToken="t" * 64)
    refused(lambda: efs.create_file_system(CreationToken="t" * 65), "BadRequest")


def test_cognito_user_pool_name_length(client):
    refused(lambda: client("cognito-idp").create_user_pool(PoolName="u" * 129), "InvalidParameterException")


def test_certificate_first_name_length(client):
    acm = client("acm")
    acm.request_certificate(DomainName="a" * 50 + ".example.org", ValidationMethod="DNS")  # 62
    refused(lambda: acm.request_certificate(DomainName="a" * 60 + ".example.org", ValidationMethod="DNS"), "ValidationException")


def test_a_service_whose_task_reads_a_secret_by_a_bare_name_is_refused(client):
    ecs, sm, ssm = client("ecs"), client("secretsmanager"), client("ssm")
    arn = sm.create_secret(Name="unit/ca-cert", SecretString="x")["ARN"]
    ssm.put_parameter(Name="unit-param", Value="x", Type="SecureString")
    ecs.create_cluster(clusterName="unit")

    def family(name, value_from):
        container = {"name": "c", "image": "nginx", "memory": 128, "secrets": [{"name": "S", "valueFrom": value_from}]}
        return ecs.register_task_definition(family=name, containerDefinitions=[container])["taskDefinition"]["taskDefinitionArn"]

    # a Secrets Manager ARN, or an SSM parameter's name: ECS starts the tasks
    ecs.create_service(cluster="unit", serviceName="by-arn", taskDefinition=family("by-arn", arn), desiredCount=1)
    ecs.create_service(cluster="unit", serviceName="by-param", taskDefinition=family("by-param", "unit-param"), desiredCount=1)
    # a secret's bare name is no SSM parameter: every task would fail to start
    bare = family("bare", "unit/ca-cert")
    message = refused(lambda: ecs.create_service(cluster="unit", serviceName="bare", taskDefinition=bare, desiredCount=1),
                      "InvalidParameterException")
    assert "'unit/ca-cert' is no SSM parameter" in message and "secret S" in message
    refused(lambda: ecs.update_service(cluster="unit", service="by-arn", taskDefinition=bare), "InvalidParameterException")


def test_an_alarm_notifies_an_encrypted_topic_only_through_a_key_cloudwatch_may_use(client):
    kms, sns, cloudwatch = client("kms"), client("sns"), client("cloudwatch")
    account = "123456789012"
    root = {"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::%s:root" % account}, "Action": "kms:*", "Resource": "*"}
    alarms = {"Sid": "Alarms", "Effect": "Allow", "Principal": {"Service": "cloudwatch.amazonaws.com"},
              "Action": ["kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "*",
              "Condition": {"StringEquals": {"aws:SourceAccount": account}}}
    keys = {name: kms.create_key(Policy=json.dumps({"Version": "2012-10-17", "Statement": statements}))["KeyMetadata"]["Arn"]
            for name, statements in (("root-only", [root]), ("alarms", [root, alarms]),
                                     ("decrypt-only", [root, dict(alarms, Action="kms:Decrypt")]))}
    kms.create_alias(AliasName="alias/unit-alarms", TargetKeyId=keys["alarms"])
    topics = {}
    for name, key in (("plain", None), ("root-only", keys["root-only"]), ("alarms", keys["alarms"]), ("decrypt-only", keys["decrypt-only"]),
                      ("by-alias", "alias/unit-alarms"), ("aws-managed", "alias/aws/sns")):
        topics[name] = sns.create_topic(Name=name, Attributes={"KmsMasterKeyId": key} if key else {})["TopicArn"]

    def alarm(topic, actions="AlarmActions"):
        return lambda: cloudwatch.put_metric_alarm(
            AlarmName="unit/" + topic, Namespace="AWS/CertificateManager", MetricName="DaysToExpiry", Statistic="Minimum",
            Dimensions=[{"Name": "CertificateArn", "Value": "arn:aws:acm:eu-west-1:%s:certificate/x" % account}], Period=86400,
            EvaluationPeriods=1, Threshold=30, ComparisonOperator="LessThanThreshold", **{actions: [topics[topic]]})

    for topic in ("plain", "alarms", "by-alias"):
        alarm(topic)()
    message = refused(alarm("root-only"), "InvalidParameterValue")
    assert keys["root-only"] in message and "kms:Decrypt and kms:GenerateDataKey" in message and "sns-key-management" in message
    assert "kms:GenerateDataKey" in refused(alarm("decrypt-only", "OKActions"), "InvalidParameterValue")
    assert "AWS managed key" in refused(alarm("aws-managed", "InsufficientDataActions"), "InvalidParameterValue")
    assert sorted(a["AlarmName"] for a in cloudwatch.describe_alarms()["MetricAlarms"]) == ["unit/alarms", "unit/by-alias", "unit/plain"]


def test_flow_logs_deliver_under_an_s3_prefix(client):
    """A moto gap the lab's server fixes: the destination's prefix is not part of the bucket's name."""
    ec2 = client("ec2")
    client("s3").create_bucket(Bucket="logs", CreateBucketConfiguration={"LocationConstraint": REGION})
    vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    answer = ec2.create_flow_logs(ResourceIds=[vpc], ResourceType="VPC", TrafficType="ALL", LogDestinationType="s3",
                                  LogDestination="arn:aws:s3:::logs/flow-logs/")
    assert answer["Unsuccessful"] == []
    [flow] = ec2.describe_flow_logs()["FlowLogs"]
    assert flow["LogDestination"] == "arn:aws:s3:::logs/flow-logs/"
    missing = ec2.create_flow_logs(ResourceIds=[vpc], ResourceType="VPC", TrafficType="ALL", LogDestinationType="s3",
                                   LogDestination="arn:aws:s3:::no-such-bucket/flow-logs/")
    assert "does not exist" in missing["Unsuccessful"][0]["Error"]["Message"]


def test_load_balancer_attributes_are_reported_with_their_defaults(client):
    """A moto gap the lab's server fixes: every attribute of the type is reported, set or not, as AWS reports it
    (amazon.aws.elb_application_lb reads access_logs.s3.enabled of a new ALB)."""
    elb, arn = _load_balancer(client)
    attributes = {a["Key"]: a["Value"] for a in elb.describe_load_balancer_attributes(LoadBalancerArn=arn)["Attributes"]}
    assert attributes["access_logs.s3.enabled"] == "false" and attributes["idle_timeout.timeout_seconds"] == "60"
    assert attributes["routing.http.drop_invalid_header_fields.enabled"] == "false" and attributes["routing.http2.enabled"] == "true"
    elb.modify_load_balancer_attributes(LoadBalancerArn=arn, Attributes=[{"Key": "routing.http.drop_invalid_header_fields.enabled", "Value": "true"}])
    attributes = {a["Key"]: a["Value"] for a in elb.describe_load_balancer_attributes(LoadBalancerArn=arn)["Attributes"]}
    assert attributes["routing.http.drop_invalid_header_fields.enabled"] == "true" and attributes["access_logs.s3.enabled"] == "false"
