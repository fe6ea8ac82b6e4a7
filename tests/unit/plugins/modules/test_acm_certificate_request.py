from __future__ import annotations

import re
import time

import pytest
from botocore.stub import Stubber
from moto import settings as moto_settings
from moto.acm.models import acm_backends
from moto.core import DEFAULT_ACCOUNT_ID

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper
from ansible_collections.dicoogle.aws.plugins.modules import acm_certificate_request

REGION = "eu-west-1"
TAGS = {"dicoogle:deployment": "unit", "Name": "pacs-web"}


def pacs(**extra):
    args = {"domain_name": "pacs.example.org", "tags": TAGS}
    args.update(extra)
    return args


def certificates(aws, domain="pacs.example.org"):
    listed = aws("acm").list_certificates()["CertificateSummaryList"]
    return [c["CertificateArn"] for c in listed if c["DomainName"] == domain]


def tags_of(aws, arn):
    return {t["Key"]: t.get("Value", "") for t in aws("acm").list_tags_for_certificate(CertificateArn=arn)["Tags"]}


@pytest.fixture
def recorded(monkeypatch, aws):
    """(operation, parameters) of every ACM call the module makes, for what moto ignores (KeyAlgorithm, Includes)."""
    calls = []
    original = AnsibleAWSModule.client

    def client(self, service, retry_decorator=None, **extra):
        wrapper = original(self, service, retry_decorator=retry_decorator, **extra)
        wrapper.client.meta.events.register("provide-client-params.acm.*",
                                            lambda params, model, **_kwargs: calls.append((model.name, dict(params))))
        return wrapper

    monkeypatch.setattr(AnsibleAWSModule, "client", client)
    return calls


@pytest.fixture
def calls_sent(recorded):
    return recorded


@pytest.fixture
def requests_sent(recorded):
    """A function: the parameters of every RequestCertificate call so far."""
    return lambda: [params for name, params in recorded if name == "RequestCertificate"]


@pytest.fixture
def acm_stub(monkeypatch, aws):
    """stub(*operations) sends these ACM operations of the module to botocore's Stubber, which it returns,
    and every other call to moto. Each test says which of moto's gaps its stubbed calls cover."""

    def stub(*operations):
        stubbed, real = aws("acm"), aws("acm")
        stubber = Stubber(stubbed)
        stubber.activate()

        class Routed:
            def __getattr__(self, name):
                return getattr(stubbed if name in operations else real, name)

            def get_paginator(self, name):
                return (stubbed if name in operations else real).get_paginator(name)

        def client(_self, service, retry_decorator=None, **_kwargs):
            assert service == "acm"
            return RetryingBotoClientWrapper(Routed(), retry_decorator)

        monkeypatch.setattr(AnsibleAWSModule, "client", client)
        return stubber

    return stub


def test_requests_a_dns_validated_certificate_and_returns_its_records(aws, run_module, requests_sent):
    sans = ["*.pacs.example.org", "viewer.example.org"]
    result = run_module(acm_certificate_request, pacs(subject_alternative_names=sans))
    assert result["changed"] is True
    [arn] = certificates(aws)
    assert tags_of(aws, arn) == TAGS
    [sent] = requests_sent()
    assert sent["ValidationMethod"] == "DNS" and sent["KeyAlgorithm"] == "RSA_2048"
    assert sent["SubjectAlternativeNames"] == sans
    assert re.match(r"^\w{1,32}$", sent["IdempotencyToken"])
    cert = result["certificate"]
    assert cert["arn"] == arn and cert["domain_name"] == "pacs.example.org" and cert["status"] == "PENDING_VALIDATION"
    assert set(cert["subject_alternative_names"]) == {"pacs.example.org", "*.pacs.example.org", "viewer.example.org"}
    assert cert["key_algorithm"] == "RSA_2048" and cert["tags"] == TAGS
    # pacs.example.org and *.pacs.example.org share one record
    names = sorted(r["name"] for r in cert["validation_records"])
    assert len(names) == 2 and names[0].endswith(".pacs.example.org.") and names[1].endswith(".viewer.example.org.")
    assert all(r["type"] == "CNAME" and r["value"] for r in cert["validation_records"])
    described = aws("acm").describe_certificate(CertificateArn=arn)["Certificate"]["DomainValidationOptions"]
    assert {r["name"] for r in cert["validation_records"]} == {o["ResourceRecord"]["Name"] for o in described}


def test_sends_the_key_algorithm_and_no_empty_names(aws, run_module, requests_sent):
    result = run_module(acm_certificate_request, pacs(key_algorithm="EC_prime256v1"))
    assert result["changed"] is True
    [sent] = requests_sent()
    assert sent["KeyAlgorithm"] == "EC_prime256v1"
    assert "SubjectAlternativeNames" not in sent


def test_lists_every_key_type_and_live_status(aws, run_module, calls_sent):
    # ACM lists RSA_2048 certificates only unless asked for the others; moto lists them all anyway
    run_module(acm_certificate_request, pacs())
    listed = [params for name, params in calls_sent if name == "ListCertificates"]
    assert listed
    assert {"EC_prime256v1", "EC_secp384r1", "RSA_2048"} <= set(listed[0]["Includes"]["keyTypes"])
    assert set(listed[0]["CertificateStatuses"]) == {"PENDING_VALIDATION", "ISSUED", "INACTIVE"}


def test_idempotency_token_is_stable_and_follows_the_request(aws, run_module, requests_sent):
    run_module(acm_certificate_request, pacs())
    run_module(acm_certificate_request, pacs(domain_name="viewer.example.org"))
    run_module(acm_certificate_request, pacs(tags={"Name": "other"}))
    first = acm_certificate_request.idempotency_token(dict(pacs(), subject_alternative_names=[], key_algorithm="RSA_2048"))
    assert requests_sent()[0]["IdempotencyToken"] == first
    assert len({s["IdempotencyToken"] for s in requests_sent()}) == 3


def test_second_run_finds_it_by_domain_and_tags_and_changes_nothing(aws, run_module):
    first = run_module(acm_certificate_request, pacs())
    again = run_module(acm_certificate_request, pacs())
    assert again["changed"] is False
    assert again["certificate"]["arn"] == first["certificate"]["arn"]
    assert again["certificate"]["validation_records"] == first["certificate"]["validation_records"]
    assert len(certificates(aws)) == 1
    # a subset of its tags finds it too (with purge_tags=false, nothing is removed)
    subset = run_module(acm_certificate_request, pacs(tags={"Name": "pacs-web"}, purge_tags=False))
    assert subset["changed"] is False and subset["certificate"]["arn"] == first["certificate"]["arn"]
    # other tags are another certificate
    other = run_module(acm_certificate_request, pacs(tags={"Name": "pacs-staging"}))
    assert other["changed"] is True and other["certificate"]["arn"] != first["certificate"]["arn"]
    assert len(certificates(aws)) == 2


def test_check_mode_reports_changes_and_makes_none(aws, run_module, requests_sent):
    result = run_module(acm_certificate_request, pacs(), check_mode=True)
    assert result["changed"] is True and result["certificate"] == {}
    assert certificates(aws) == [] and requests_sent() == []
    arn = run_module(acm_certificate_request, pacs())["certificate"]["arn"]
    aws("acm").add_tags_to_certificate(CertificateArn=arn, Tags=[{"Key": "extra", "Value": "x"}])
    purge = run_module(acm_certificate_request, pacs(), check_mode=True)
    assert purge["changed"] is True and purge["certificate"]["tags"] == TAGS
    assert tags_of(aws, arn) == dict(TAGS, extra="x")
    gone = run_module(acm_certificate_request, pacs(state="absent"), check_mode=True)
    assert gone["changed"] is True and certificates(aws) == [arn]


def test_purge_tags_removes_the_tags_not_given(aws, run_module):
    arn = run_module(acm_certificate_request, pacs())["certificate"]["arn"]
    aws("acm").add_tags_to_certificate(CertificateArn=arn, Tags=[{"Key": "extra", "Value": "x"}])
    kept = run_module(acm_certificate_request, pacs(purge_tags=False))
    assert kept["changed"] is False and tags_of(aws, arn) == dict(TAGS, extra="x")
    purged = run_module(acm_certificate_request, pacs())
    assert purged["changed"] is True and purged["certificate"]["arn"] == arn
    assert tags_of(aws, arn) == TAGS and purged["certificate"]["tags"] == TAGS
    assert purged["diff"]["before"]["tags"] == dict(TAGS, extra="x") and purged["diff"]["after"]["tags"] == TAGS


def test_other_names_or_key_algorithm_are_refused_not_requested_again(aws, run_module):
    run_module(acm_certificate_request, pacs(subject_alternative_names=["viewer.example.org"]))
    names = run_module(acm_certificate_request, pacs(subject_alternative_names=["other.example.org"]))
    assert names["failed"] is True
    assert "subject_alternative_names" in names["msg"] and "state=absent" in names["msg"] and "other.example.org" in names["msg"]
    key = run_module(acm_certificate_request, pacs(subject_alternative_names=["viewer.example.org"], key_algorithm="EC_secp384r1"))
    assert key["failed"] is True and "key_algorithm" in key["msg"] and "state=absent" in key["msg"]
    assert len(certificates(aws)) == 1
    # listing the domain name among the other names is no difference
    same = run_module(acm_certificate_request, pacs(subject_alternative_names=["pacs.example.org", "viewer.example.org"]))
    assert same["changed"] is False


def test_several_matching_certificates_fail_naming_them(aws, run_module):
    acm = aws("acm")
    arns = [acm.request_certificate(DomainName="pacs.example.org", ValidationMethod="DNS",
                                    Tags=[{"Key": k, "Value": v} for k, v in TAGS.items()])["CertificateArn"] for _copy in range(2)]
    result = run_module(acm_certificate_request, pacs())
    assert result["failed"] is True and all(arn in result["msg"] for arn in arns)
    assert len(certificates(aws)) == 2


def test_absent_deletes_only_the_tagged_certificate_then_changes_nothing(aws, run_module):
    ours = run_module(acm_certificate_request, pacs())["certificate"]["arn"]
    theirs = run_module(acm_certificate_request, pacs(tags={"Name": "someone-else"}))["certificate"]["arn"]
    gone = run_module(acm_certificate_request, pacs(state="absent"))
    assert gone["changed"] is True and gone["certificate"] == {}
    assert certificates(aws) == [theirs]
    assert ours not in certificates(aws)
    assert run_module(acm_certificate_request, pacs(state="absent"))["changed"] is False


def test_absent_without_tags_fails_when_several_certificates_have_the_name(aws, run_module):
    run_module(acm_certificate_request, pacs())
    run_module(acm_certificate_request, pacs(tags={"Name": "someone-else"}))
    result = run_module(acm_certificate_request, {"domain_name": "pacs.example.org", "state": "absent"})
    assert result["failed"] is True and "2 certificates" in result["msg"]
    assert len(certificates(aws)) == 2


def test_a_certificate_in_use_is_not_deleted_and_its_users_are_named(aws, run_module, acm_stub):
    arn = run_module(acm_certificate_request, pacs())["certificate"]["arn"]
    listener = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/pacs/0123456789abcdef/fedcba9876543210"
    acm_backends[DEFAULT_ACCOUNT_ID][REGION].set_certificate_in_use_by(arn, listener)
    # moto deletes a certificate in use: the Stubber answers DeleteCertificate as ACM does
    stubber = acm_stub("delete_certificate")
    stubber.add_client_error("delete_certificate", service_error_code="ResourceInUseException",
                             service_message="Certificate is in use", expected_params={"CertificateArn": arn})
    result = run_module(acm_certificate_request, pacs(state="absent"))
    assert result["failed"] is True and listener in result["msg"] and "in use" in result["msg"]
    stubber.assert_no_pending_responses()
    assert certificates(aws) == [arn]


def test_wait_returns_once_acm_has_issued_it(aws, run_module, monkeypatch):
    monkeypatch.setattr(moto_settings, "ACM_VALIDATION_WAIT", 2)
    pending = run_module(acm_certificate_request, pacs())
    assert pending["certificate"]["status"] == "PENDING_VALIDATION"
    started = time.monotonic()
    issued = run_module(acm_certificate_request, pacs(wait=True, wait_timeout=60))
    assert issued["changed"] is False and issued["certificate"]["status"] == "ISSUED"
    assert time.monotonic() - started < 30


def test_wait_timeout_names_the_records_to_create(aws, run_module):
    # moto issues a requested certificate only after settings.ACM_VALIDATION_WAIT (60) seconds
    result = run_module(acm_certificate_request, pacs(wait=True, wait_timeout=1))
    assert result["failed"] is True and "PENDING_VALIDATION" in result["msg"] and "after 1 seconds" in result["msg"]
    [arn] = certificates(aws)
    record = aws("acm").describe_certificate(CertificateArn=arn)["Certificate"]["DomainValidationOptions"][0]["ResourceRecord"]
    assert record["Name"] in result["msg"] and record["Value"] in result["msg"]


def describe_answer(arn, status, records=True, **extra):
    option = {"DomainName": "pacs.example.org", "ValidationDomain": "pacs.example.org", "ValidationMethod": "DNS",
              "ValidationStatus": "PENDING_VALIDATION"}
    if records:
        option["ResourceRecord"] = {"Name": "_abc.pacs.example.org.", "Type": "CNAME", "Value": "_def.acm-validations.aws."}
    certificate = {"CertificateArn": arn, "DomainName": "pacs.example.org", "SubjectAlternativeNames": ["pacs.example.org"],
                   "Status": status, "Type": "AMAZON_ISSUED", "KeyAlgorithm": "RSA-2048", "DomainValidationOptions": [option]}
    certificate.update(extra)
    return {"Certificate": certificate}


def test_a_failed_certificate_fails_the_wait_with_acm_reason(aws, run_module, acm_stub):
    arn = run_module(acm_certificate_request, pacs())["certificate"]["arn"]
    # moto never fails a certificate: the Stubber answers DescribeCertificate with a failed one
    stubber = acm_stub("describe_certificate")
    stubber.add_response("describe_certificate", describe_answer(arn, "FAILED", FailureReason="CAA_ERROR"), {"CertificateArn": arn})
    result = run_module(acm_certificate_request, pacs(wait=True))
    assert result["failed"] is True and "FAILED" in result["msg"] and "CAA_ERROR" in result["msg"]
    stubber.assert_no_pending_responses()


def test_records_acm_has_not_listed_yet_are_waited_for(aws, run_module, acm_stub):
    # moto lists the records at once; ACM takes a few seconds: the Stubber answers DescribeCertificate without them first
    stubber = acm_stub("request_certificate", "describe_certificate")
    arn = "arn:aws:acm:eu-west-1:123456789012:certificate/01234567-89ab-cdef-0123-456789abcdef"
    stubber.add_response("request_certificate", {"CertificateArn": arn})
    stubber.add_response("describe_certificate", describe_answer(arn, "PENDING_VALIDATION", records=False), {"CertificateArn": arn})
    stubber.add_response("describe_certificate", describe_answer(arn, "PENDING_VALIDATION"), {"CertificateArn": arn})
    real = aws("acm")

    result = run_module(acm_certificate_request, pacs())
    assert result["changed"] is True
    assert result["certificate"]["validation_records"] == [
        {"domain_name": "pacs.example.org", "name": "_abc.pacs.example.org.", "type": "CNAME", "value": "_def.acm-validations.aws."}]
    # ACM spells the key algorithm RSA-2048
    assert result["certificate"]["key_algorithm"] == "RSA_2048"
    stubber.assert_no_pending_responses()
    assert real.list_certificates()["CertificateSummaryList"] == []


def test_bad_input_is_named_before_any_call(aws, run_module, calls_sent):
    for args, named in (
        (pacs(domain_name="pacs.*.example.org"), "wildcard"),
        (pacs(domain_name="*pacs.example.org"), "wildcard"),
        (pacs(domain_name="-pacs.example.org"), "domain_name"),
        (pacs(domain_name="pacs..example.org"), "domain_name"),
        (pacs(domain_name="localhost"), "domain_name"),
        (pacs(domain_name="a" * 60 + ".example.org"), "64 characters"),
        (pacs(subject_alternative_names=["viewer example.org"]), "subject_alternative_names"),
        (pacs(tags={}), "tags"),
        ({"domain_name": "pacs.example.org"}, "re-run"),
        (pacs(tags={"aws:x": "y"}), "aws:"),
        (pacs(wait_timeout=0), "wait_timeout"),
    ):
        result = run_module(acm_certificate_request, args)
        assert result["failed"] is True and named in result["msg"], (args, result)
    assert calls_sent == [] and certificates(aws) == []
    # a wildcard as the first label, a trailing dot and capitals are fine
    ok = run_module(acm_certificate_request, pacs(domain_name="*.PACS.example.org."))
    assert ok["changed"] is True and ok["certificate"]["domain_name"] == "*.pacs.example.org"
