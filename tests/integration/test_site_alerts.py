"""The alerts of the shared site deployment (`make lab` against moto, tests/conftest.py's site fixture): the alert
topic under the deployment's KMS key, the web certificate's expiry alarm on ACM's DaysToExpiry metric, and the DICOM
PKI's scheduled check, one EventBridge Scheduler reminder per certificate at its end less the renewal window,
published to the topic through a role that may do nothing else."""

from __future__ import annotations

import datetime
import json

import pytest
from cryptography import x509

from tests.deployment import SITE_DEPLOYMENT as DEPLOYMENT
from tests.deployment import TAG_KEY, as_dict, key_arn

# The deployment (tests/conftest.py's site fixture) is shared with the other test_site_*.py files and
# tests/security/test_security_aws.py.
pytestmark = pytest.mark.integration

ACCOUNT, REGION = "123456789012", "eu-west-1"
TOPIC = "arn:aws:sns:%s:%s:%s-alerts" % (REGION, ACCOUNT, DEPLOYMENT)
GROUP = DEPLOYMENT + "-alerts"
ROLE = DEPLOYMENT + "-alerts-scheduler"
ALARM = DEPLOYMENT + "/web-certificate-expiry"
# alerts_pki_certificate_days and alerts_web_certificate_days: the pki role's renewal window, 30 days
WINDOW = datetime.timedelta(days=30)


def pki_certificates(site):
    """The CA and every leaf the pki role wrote, by name (not trust.crt, the CAs trusted: the CA's copy)."""
    return {path.stem: x509.load_pem_x509_certificate(path.read_bytes()) for path in sorted((site.state / "pki").glob("*.crt"))
            if path.name != "trust.crt"}


def reminders(aws_client):
    scheduler = aws_client("scheduler")
    return {s["Name"]: scheduler.get_schedule(GroupName=GROUP, Name=s["Name"])
            for s in scheduler.get_paginator("list_schedules").paginate(GroupName=GROUP).build_full_result()["Schedules"]}


def due(certificate):
    """The reminder's expression: the certificate's end less the window, in UTC, as at() takes it."""
    return "at(%s)" % (certificate.not_valid_after_utc - WINDOW).strftime("%Y-%m-%dT%H:%M:%S")


def test_the_topic_is_encrypted_with_the_deployments_key_and_tagged(site, aws_client):
    sns = aws_client("sns")
    assert TOPIC in [t["TopicArn"] for t in sns.list_topics()["Topics"]]
    assert sns.get_topic_attributes(TopicArn=TOPIC)["Attributes"]["KmsMasterKeyId"] == key_arn(aws_client)
    assert as_dict(sns.list_tags_for_resource(ResourceArn=TOPIC)["Tags"])[TAG_KEY] == DEPLOYMENT
    # the key lets CloudWatch alarms (of this account) use it: an encrypted topic gets their notifications only so
    policy = json.loads(aws_client("kms").get_key_policy(KeyId=key_arn(aws_client), PolicyName="default")["Policy"])
    [alarms] = [s for s in policy["Statement"] if s["Principal"] == {"Service": "cloudwatch.amazonaws.com"}]
    assert alarms["Effect"] == "Allow" and sorted(alarms["Action"]) == ["kms:Decrypt", "kms:GenerateDataKey*"]
    assert alarms["Condition"]["StringEquals"] == {"aws:SourceAccount": ACCOUNT}


def test_the_web_certificate_alarm_watches_acms_days_to_expiry(site, aws_client):
    acm = aws_client("acm")
    [certificate] = [c["CertificateArn"] for c in acm.list_certificates()["CertificateSummaryList"]
                     if as_dict(acm.list_tags_for_certificate(CertificateArn=c["CertificateArn"]).get("Tags", [])).get(TAG_KEY) == DEPLOYMENT]
    [alarm] = aws_client("cloudwatch").describe_alarms(AlarmNames=[ALARM])["MetricAlarms"]
    assert (alarm["Namespace"], alarm["MetricName"], alarm["Statistic"], alarm["Period"]) == ("AWS/CertificateManager", "DaysToExpiry", "Minimum", 86400)
    assert alarm["Dimensions"] == [{"Name": "CertificateArn", "Value": certificate}]
    assert (alarm["ComparisonOperator"], alarm["Threshold"], alarm["EvaluationPeriods"]) == ("LessThanThreshold", WINDOW.days, 1)
    # an expired certificate's metric stops: its alarm keeps its state rather than going back to OK
    assert alarm["TreatMissingData"] == "ignore"
    assert alarm["AlarmActions"] == [TOPIC] and alarm["OKActions"] == [] and alarm["InsufficientDataActions"] == []


def test_one_reminder_per_pki_certificate_at_its_end_less_the_window(site, aws_client):
    scheduler = aws_client("scheduler")
    group = scheduler.get_schedule_group(Name=GROUP)
    assert group["State"] == "ACTIVE"
    assert as_dict(scheduler.list_tags_for_resource(ResourceArn=group["Arn"])["Tags"])[TAG_KEY] == DEPLOYMENT
    certificates = pki_certificates(site)
    assert {"ca", "nginx", "ghostunnel", "client", "storage", "web"} <= set(certificates)
    found = reminders(aws_client)
    assert sorted(found) == sorted("certificate-" + name for name in certificates)
    for name, certificate in certificates.items():
        reminder = found["certificate-" + name]
        end = certificate.not_valid_after_utc.strftime("%Y-%m-%dT%H:%M:%SZ")
        assert reminder["ScheduleExpression"] == due(certificate) and reminder["ScheduleExpressionTimezone"] == "UTC", name
        assert reminder["FlexibleTimeWindow"] == {"Mode": "OFF"} and reminder["State"] == "ENABLED"
        # kept once it has run, so that the next run changes nothing
        assert reminder["ActionAfterCompletion"] == "NONE"
        assert reminder["Target"]["Arn"] == TOPIC
        assert reminder["Target"]["RoleArn"] == "arn:aws:iam::%s:role/%s" % (ACCOUNT, ROLE)
        message = reminder["Target"]["Input"]
        assert DEPLOYMENT in message and end in message, message
        if name == "ca":
            assert "CA certificate" in message and "-e rotate_ca=true" in message, message
        else:
            assert "the certificate %s " % name in message and "rotate_certificates=%s " % name in message, message
            assert "playbooks/rotate.yml" in message


def test_the_schedulers_role_may_only_publish_to_the_topic(site, aws_client):
    iam = aws_client("iam")
    role = iam.get_role(RoleName=ROLE)["Role"]
    assert as_dict(iam.list_role_tags(RoleName=ROLE)["Tags"])[TAG_KEY] == DEPLOYMENT
    [trust] = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "scheduler.amazonaws.com"} and trust["Action"] == "sts:AssumeRole"
    assert trust["Condition"]["StringEquals"] == {
        "aws:SourceAccount": ACCOUNT, "aws:SourceArn": "arn:aws:scheduler:%s:%s:schedule-group/%s" % (REGION, ACCOUNT, GROUP)}
    assert iam.list_attached_role_policies(RoleName=ROLE)["AttachedPolicies"] == []
    [name] = iam.list_role_policies(RoleName=ROLE)["PolicyNames"]
    statements = {s["Sid"]: s for s in iam.get_role_policy(RoleName=ROLE, PolicyName=name)["PolicyDocument"]["Statement"]}
    publish, encrypt = statements["PublishTheRemindersToTheAlertTopic"], statements["EncryptThemWithTheTopicsKeyThroughSns"]
    assert len(statements) == 2 and publish["Action"] == "sns:Publish" and publish["Resource"] == TOPIC
    assert sorted(encrypt["Action"]) == ["kms:Decrypt", "kms:GenerateDataKey*"] and encrypt["Resource"] == key_arn(aws_client)
    assert encrypt["Condition"] == {"StringEquals": {"kms:ViaService": "sns.%s.amazonaws.com" % REGION}}


@pytest.mark.changes_deployment
def test_a_reissued_leaf_moves_exactly_its_reminder(site, aws_client):
    """The client's leaf re-issued (pki_renew_now) and stored (foundation), then the alerts role alone (finding its
    key and the web certificate by themselves): its reminder moves to the new end, the others stay; again, nothing."""
    before = reminders(aws_client)
    renewed = ["-e", json.dumps({"pki_renew_now": ["client"]})]
    for role, extra in (("pki", renewed), ("foundation", []), ("alerts", [])):
        run = site.play("tests/integration/playbooks/role_alone.yml", "-e", "role_name=" + role, *extra)
        assert run.rc == 0, run
    assert run.changed == 1, run  # the alerts role's run: the client's schedule, nothing else
    after = reminders(aws_client)
    client = pki_certificates(site)["client"]
    assert after["certificate-client"]["ScheduleExpression"] == due(client) != before["certificate-client"]["ScheduleExpression"]
    assert client.not_valid_after_utc.strftime("%Y-%m-%dT%H:%M:%SZ") in after["certificate-client"]["Target"]["Input"]
    assert {name for name in before if before[name]["ScheduleExpression"] != after[name]["ScheduleExpression"]} == {"certificate-client"}
    assert {name: after[name]["Target"]["Input"] for name in after if name != "certificate-client"} == {
        name: before[name]["Target"]["Input"] for name in before if name != "certificate-client"}
    again = site.play("tests/integration/playbooks/role_alone.yml", "-e", "role_name=alerts")
    assert again.rc == 0 and again.changed == 0, again
