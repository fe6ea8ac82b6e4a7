"""The front door of the shared site deployment: the ALB with Cognito's sign-in before nginx, and
the ACM certificate requested and validated through DNS."""

from __future__ import annotations

import re

import pytest

from tests.deployment import SITE_DEPLOYMENT as DEPLOYMENT
from tests.deployment import WEB_USER, key_arn, tagged_resources

# The deployment (tests/conftest.py's site fixture) is shared with the other test_site_*.py files and
# tests/security/test_security_aws.py.
pytestmark = pytest.mark.integration

AUTOMATION_USER = "pacs-automation@lab.dicoogle.test"


def test_front_door_signs_users_in_with_cognito_before_nginx(site, aws_client):
    elb, cognito, route53 = aws_client("elbv2"), aws_client("cognito-idp"), aws_client("route53")
    [alb] = elb.describe_load_balancers(Names=[DEPLOYMENT + "-web"])["LoadBalancers"]
    assert alb["Scheme"] == "internet-facing" and alb["Type"] == "application"
    attributes = {a["Key"]: a["Value"] for a in elb.describe_load_balancer_attributes(LoadBalancerArn=alb["LoadBalancerArn"])["Attributes"]}
    assert attributes["access_logs.s3.enabled"] == "true" and attributes["access_logs.s3.prefix"] == "alb"
    assert attributes["access_logs.s3.bucket"] == "%s-logs-123456789012-eu-west-1" % DEPLOYMENT
    assert attributes["routing.http.drop_invalid_header_fields.enabled"] == "true"
    [listener] = elb.describe_listeners(LoadBalancerArn=alb["LoadBalancerArn"])["Listeners"]
    assert (listener["Protocol"], listener["Port"], listener["SslPolicy"]) == ("HTTPS", 443, "ELBSecurityPolicy-TLS13-1-2-2021-06")
    assert listener["DefaultActions"][0]["Type"] == "fixed-response"
    [certificate] = listener["Certificates"]
    cert = aws_client("acm").describe_certificate(CertificateArn=certificate["CertificateArn"])["Certificate"]
    hostname = "dicoogle-eu-west-1.lab.dicoogle.test"
    assert cert["DomainName"] == hostname
    [rule] = [r for r in elb.describe_rules(ListenerArn=listener["ListenerArn"])["Rules"] if not r["IsDefault"]]
    assert rule["Conditions"][0]["Values"] == ["/*"]
    auth, forward = sorted(rule["Actions"], key=lambda a: a["Order"])
    assert auth["Type"] == "authenticate-cognito" and forward["Type"] == "forward"
    [group] = elb.describe_target_groups(TargetGroupArns=[forward["TargetGroupArn"]])["TargetGroups"]
    assert (group["TargetGroupName"], group["Protocol"], group["Port"], group["TargetType"]) == (DEPLOYMENT + "-web", "HTTPS", 8443, "ip")
    config = auth["AuthenticateCognitoConfig"]
    pool_id = config["UserPoolArn"].split("/")[-1]
    pool = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert pool["Name"] == DEPLOYMENT + "-users" and pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    assert pool["Policies"]["PasswordPolicy"]["MinimumLength"] == 14 and pool["MfaConfiguration"] == "OPTIONAL"
    assert config["OnUnauthenticatedRequest"] == "authenticate" and config["UserPoolDomain"] == pool["Domain"]
    client = cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=config["UserPoolClientId"])["UserPoolClient"]
    assert client["AllowedOAuthFlows"] == ["code"] and client["ClientSecret"]
    assert client["CallbackURLs"] == ["https://%s/oauth2/idpresponse" % hostname]
    user = cognito.admin_get_user(UserPoolId=pool_id, Username=WEB_USER)
    assert user["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    # the playbooks' own user signs in unattended: a permanent password, kept under the deployment's key
    automation = cognito.admin_get_user(UserPoolId=pool_id, Username=AUTOMATION_USER)
    assert automation["UserStatus"] == "CONFIRMED" and automation["Enabled"] is True
    secret = aws_client("secretsmanager").describe_secret(SecretId=DEPLOYMENT + "/web-automation")
    # kept as the role names the key (its alias): the key it resolves to is the deployment's
    assert aws_client("kms").describe_key(KeyId=secret["KmsKeyId"])["KeyMetadata"]["Arn"] == key_arn(aws_client)
    [zone] = [z for z in route53.list_hosted_zones()["HostedZones"] if z["Name"] == "lab.dicoogle.test." and not z["Config"]["PrivateZone"]]
    [record] = [r for r in route53.list_resource_record_sets(HostedZoneId=zone["Id"])["ResourceRecordSets"] if r["Name"] == hostname + "."]
    assert record["Type"] == "A" and record["AliasTarget"]["DNSName"].rstrip(".").lower() == alb["DNSName"].lower()


def test_front_door_requests_and_validates_its_certificate_through_dns(site, aws_client, run_playbook, tmp_path):
    """The AWS defaults (front_door_certificate: acm, the domain's public zone exists and is not the
    deployment's), as another deployment (it-acm) on the site's network, requested early as site.yml
    does: ACM's validation record is published in the public zone, the role's own pass skips the zone
    lookup and the request done earlier and waits for ISSUED (moto issues after its validation wait),
    the listener uses it; teardown removes records and certificate and leaves the zone."""
    route53 = aws_client("route53")
    zone_id = route53.create_hosted_zone(Name="acm.dicoogle.test", CallerReference=str(tmp_path))["HostedZone"]["Id"]
    ec2 = aws_client("ec2")
    subnets = [s["SubnetId"] for s in ec2.describe_subnets(Filters=[{"Name": "tag:Name", "Values": [DEPLOYMENT + "-pacs-public-*"]}])["Subnets"]]
    [group] = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": [DEPLOYMENT + "-alb"]}])["SecurityGroups"]
    [vpc] = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": [DEPLOYMENT + "-pacs"]}])["Vpcs"]
    extra = {
        "dicoogle_deployment": "it-acm", "dicoogle_state_dir": str(tmp_path), "role_state": "present",
        "dicoogle_public_domain": "acm.dicoogle.test", "front_door_create_public_zone": False, "front_door_certificate": "acm",
        "front_door_vpc_id": vpc["VpcId"], "front_door_subnet_ids": subnets, "front_door_security_group_id": group["GroupId"],
        "front_door_log_bucket_name": "%s-logs-123456789012-eu-west-1" % DEPLOYMENT, "front_door_kms_alias": "alias/" + DEPLOYMENT,
        "front_door_users": [], "front_door_certificate_wait_timeout": 180,
    }
    up = run_playbook("tests/integration/playbooks/front_door.yml", extra_vars=dict(extra, early_request="true"))
    try:
        assert up.rc == 0, up
        # done in the early pass, skipped in the role's own
        for task, statuses in (("Create the public hosted zone", ["skipping", "skipping"]), ("Find the public hosted zone of the domain", ["ok", "skipping"]),
                               ("Request the web certificate from ACM", ["changed", "skipping"])):
            assert re.findall(r"^TASK \[dicoogle\.aws\.front_door : %s.*\n(ok|changed|skipping):" % task, up.output, re.M) == statuses, (task, up)
        acm, elb = aws_client("acm"), aws_client("elbv2")
        [summary] = [c for c in acm.list_certificates()["CertificateSummaryList"] if c["DomainName"] == "dicoogle-eu-west-1.acm.dicoogle.test"]
        cert = acm.describe_certificate(CertificateArn=summary["CertificateArn"])["Certificate"]
        assert cert["Type"] == "AMAZON_ISSUED" and cert["Status"] == "ISSUED"
        record = cert["DomainValidationOptions"][0]["ResourceRecord"]
        [zone] = [z for z in route53.list_hosted_zones()["HostedZones"] if z["Name"] == "acm.dicoogle.test."]
        sets = route53.list_resource_record_sets(HostedZoneId=zone["Id"])["ResourceRecordSets"]
        assert any(r["Name"] == record["Name"] and r["Type"] == "CNAME" and r["ResourceRecords"][0]["Value"] == record["Value"] for r in sets)
        [alb] = elb.describe_load_balancers(Names=["it-acm-web"])["LoadBalancers"]
        [listener] = elb.describe_listeners(LoadBalancerArn=alb["LoadBalancerArn"])["Listeners"]
        assert listener["Certificates"][0]["CertificateArn"] == cert["CertificateArn"]
    finally:
        down = run_playbook("tests/integration/playbooks/front_door.yml", extra_vars=dict(extra, role_state="absent"))
        left = {r["Type"] for r in route53.list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"]}
        if left <= {"NS", "SOA"}:
            route53.delete_hosted_zone(Id=zone_id)
    assert down.rc == 0, down
    assert tagged_resources(aws_client, "it-acm") == []
    # the domain's own zone stays, without the deployment's records
    assert left == {"NS", "SOA"}, left
