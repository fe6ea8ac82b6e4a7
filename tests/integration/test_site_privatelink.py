"""PrivateLink in the shared site deployment: the internal NLB offered to the client VPC."""

from __future__ import annotations

import pytest

from tests.deployment import SITE_DEPLOYMENT as DEPLOYMENT
from tests.deployment import as_dict

# The deployment (tests/conftest.py's site fixture) is shared with the other test_site_*.py files and
# tests/security/test_security_aws.py.
pytestmark = pytest.mark.integration


def test_privatelink_offers_the_nlb_to_the_client_vpc(site, aws_client):
    elb = aws_client("elbv2")
    [nlb] = elb.describe_load_balancers(Names=[DEPLOYMENT + "-pacs"])["LoadBalancers"]
    assert nlb["Scheme"] == "internal"
    attributes = {a["Key"]: a["Value"] for a in elb.describe_load_balancer_attributes(LoadBalancerArn=nlb["LoadBalancerArn"])["Attributes"]}
    # TCP listeners: an NLB would write no access log, so none is configured
    assert attributes["access_logs.s3.enabled"] == "false"
    listeners = elb.describe_listeners(LoadBalancerArn=nlb["LoadBalancerArn"])["Listeners"]
    # only the tunnels' mutual TLS crosses PrivateLink: no listener for the engine's plain DIMSE port 1045
    assert sorted((l["Protocol"], l["Port"]) for l in listeners) == [("TCP", 11045), ("TCP", 16666)]
    groups = elb.describe_target_groups(LoadBalancerArn=nlb["LoadBalancerArn"])["TargetGroups"]
    assert sorted((g["Port"], g["TargetType"]) for g in groups) == [(11045, "ip"), (16666, "ip")]
    ec2 = aws_client("ec2")
    [service] = [c for c in ec2.describe_vpc_endpoint_service_configurations()["ServiceConfigurations"]
                 if as_dict(c.get("Tags", [])).get("Name") == DEPLOYMENT + "-pacs"]
    assert service["NetworkLoadBalancerArns"] == [nlb["LoadBalancerArn"]]
    [endpoint] = [e for e in ec2.describe_vpc_endpoints()["VpcEndpoints"] if e["ServiceName"] == service["ServiceName"]]
    [group] = ec2.describe_security_groups(GroupIds=[g["GroupId"] for g in endpoint["Groups"]])["SecurityGroups"]
    [client_host] = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": [DEPLOYMENT + "-client-host"]}])["SecurityGroups"]
    assert sorted(p["FromPort"] for p in group["IpPermissions"]) == [11045, 16666]
    assert all(p["UserIdGroupPairs"][0]["GroupId"] == client_host["GroupId"] and not p["IpRanges"] for p in group["IpPermissions"])
