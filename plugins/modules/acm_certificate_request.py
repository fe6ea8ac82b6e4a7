#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: acm_certificate_request
short_description: Request a public certificate from AWS Certificate Manager, validated through DNS
version_added: 0.1.0
description:
  - Requests a certificate that Amazon issues and renews (an C(AMAZON_ISSUED) certificate), validated with DNS
    records, and returns the records to create (for example with M(amazon.aws.route53)). M(community.aws.acm_certificate)
    only imports certificates made elsewhere.
  - The certificate is found by its domain name and its tags, so a re-run never requests a second one. A certificate
    is found when its C(DomainName) is O(domain_name) and its tags include every tag in O(tags). Giving O(tags) a tag
    the certificate lacks therefore requests a new certificate; with O(purge_tags=true), the tags it has and
    O(tags) lacks are removed.
  - ACM cannot change the names or the key algorithm of a certificate. Asking for others on an existing certificate
    fails with a message that says so, instead of requesting another one silently.
  - Optionally waits until ACM has issued the certificate, which needs the validation records in DNS.
  - Supports check mode and diff.
author:
  - dicoogle.aws maintainers (@dicoogle-aws)
options:
  domain_name:
    description:
      - Fully qualified domain name of the certificate (its subject's common name), such as C(pacs.example.org),
        64 characters at most.
      - A wildcard is allowed as the first label only, such as C(*.example.org).
    type: str
    required: true
  subject_alternative_names:
    description:
      - Other names the certificate covers, with the same rules as O(domain_name) (253 characters at most each).
        O(domain_name) is always covered and need not be listed.
      - An existing certificate with other names is not changed (ACM cannot change them); the module fails instead.
    type: list
    elements: str
    default: []
  key_algorithm:
    description:
      - Algorithm of the certificate's key pair. An existing certificate with another algorithm is not changed
        (ACM cannot change it); the module fails instead.
    type: str
    choices: [RSA_2048, EC_prime256v1, EC_secp384r1]
    default: RSA_2048
  state:
    description:
      - Whether the certificate should exist.
      - With V(absent), the certificate is deleted unless a load balancer, a CloudFront distribution or another
        service still uses it; the module then fails and names them.
    type: str
    choices: [present, absent]
    default: present
  tags:
    description:
      - Tags of the certificate. With O(state=present), at least one tag is required, because the tags are how a
        re-run finds the certificate among those of the same domain name.
      - With O(state=absent), only a certificate that has these tags is deleted. Without tags, the one certificate
        Amazon issued for O(domain_name) is deleted, and the module fails when there are several.
    type: dict
    aliases: [resource_tags]
  wait:
    description:
      - Whether to wait until ACM has issued the certificate, which happens a few minutes after the validation
        records exist in DNS.
      - Without waiting, the certificate is returned as it is, usually with status C(PENDING_VALIDATION).
    type: bool
    default: false
  wait_timeout:
    description: How many seconds to wait for the certificate to be issued, with O(wait=true).
    type: int
    default: 600
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
notes:
  - ACM lists the validation records a few seconds after the request; the module waits up to a minute for them.
  - A certificate for a CloudFront distribution must be requested in C(us-east-1).
  - Each request carries an idempotency token derived from the domain name, the other names, the key algorithm and
    the tags; within an hour, ACM answers the same request with the same certificate.
"""

EXAMPLES = r"""
- name: Request the certificate of the PACS's web front end
  dicoogle.aws.acm_certificate_request:
    domain_name: pacs.example.org
    subject_alternative_names:
      - viewer.example.org
    tags:
      "dicoogle:deployment": dicoogle
      Name: pacs-web
  register: certificate

- name: Create the validation records in the hosted zone
  amazon.aws.route53:
    zone: example.org
    record: "{{ item.name }}"
    type: "{{ item.type }}"
    value: "{{ item.value }}"
    ttl: 300
    overwrite: true
  loop: "{{ certificate.certificate.validation_records }}"

- name: Wait until ACM has issued it
  dicoogle.aws.acm_certificate_request:
    domain_name: pacs.example.org
    subject_alternative_names:
      - viewer.example.org
    tags:
      "dicoogle:deployment": dicoogle
      Name: pacs-web
    wait: true
    wait_timeout: 1800

- name: Delete it
  dicoogle.aws.acm_certificate_request:
    domain_name: pacs.example.org
    tags:
      Name: pacs-web
    state: absent
"""

RETURN = r"""
certificate:
  description: The certificate; empty when absent, and when check mode would request it.
  returned: always
  type: dict
  contains:
    arn:
      description: ARN, for load balancer listeners and CloudFront distributions.
      type: str
      sample: arn:aws:acm:eu-west-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0
    domain_name:
      description: Domain name (common name).
      type: str
      sample: pacs.example.org
    subject_alternative_names:
      description: Every name the certificate covers, the domain name included, as ACM lists them.
      type: list
      elements: str
      sample: [pacs.example.org, viewer.example.org]
    status:
      description: Status, such as C(PENDING_VALIDATION) or C(ISSUED).
      type: str
      sample: PENDING_VALIDATION
    key_algorithm:
      description: Key algorithm, spelt as in O(key_algorithm).
      type: str
      sample: RSA_2048
    tags:
      description: Tags.
      type: dict
      sample: {"Name": "pacs-web"}
    validation_records:
      description:
        - DNS records that validate the names, one per distinct record (a name and its wildcard share one).
        - They must stay in DNS for ACM to renew the certificate.
      type: list
      elements: dict
      contains:
        domain_name:
          description: Name the record validates.
          type: str
          sample: pacs.example.org
        name:
          description: Name of the record.
          type: str
          sample: _3b2c4e5f6a7b8c9d0e1f2a3b4c5d6e7f.pacs.example.org.
        type:
          description: Type of the record.
          type: str
          sample: CNAME
        value:
          description: Value of the record.
          type: str
          sample: _0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d.mhbtsbpdnt.acm-validations.aws.
"""

import hashlib
import json
import re

from ansible.module_utils.common.text.converters import to_text

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import is_ansible_aws_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list

from ansible_collections.dicoogle.aws.plugins.module_utils import acm
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import Waiter
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import fails_on_aws_errors
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import reconcile_tags

FAILED_STATUSES = ("FAILED", "VALIDATION_TIMED_OUT", "REVOKED", "EXPIRED")
LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
DNS_NAME = re.compile(r"^(\*\.)?(%s\.)+%s$" % (LABEL, LABEL))
RECORDS_TIMEOUT = 60
RECORDS_POLL = 2
ISSUE_MAX_POLL = 15


def check_name(module, option, name, max_length):
    if "*" in name and not (name.startswith("*.") and "*" not in name[2:]):
        module.fail_json(msg="%s %r has a wildcard that is not the whole first label: only '*.' at the start is allowed, "
                             "such as '*.example.org'" % (option, name))
    if len(name) > max_length or not DNS_NAME.match(name) or name.rsplit(".", 1)[-1].isdigit():
        module.fail_json(msg="%s %r is not a fully qualified DNS name of %d characters at most: labels of letters, digits "
                             "and '-' (not at either end) separated by dots, such as 'pacs.example.org'" % (option, name, max_length))


def validate(module):
    params = module.params
    params["domain_name"] = params["domain_name"].strip().rstrip(".").lower()
    # ACM limits the first name (the common name) to 64 characters, the others to 253
    check_name(module, "domain_name", params["domain_name"], 64)
    sans = []
    for name in params["subject_alternative_names"]:
        name = to_text(name).strip().rstrip(".").lower()
        check_name(module, "subject_alternative_names", name, 253)
        if name not in sans:
            sans.append(name)
    params["subject_alternative_names"] = sans
    if params["tags"] is not None:
        params["tags"] = {to_text(k): to_text(v) for k, v in params["tags"].items()}
    if params["state"] == "present" and not params["tags"]:
        module.fail_json(msg="tags must name at least one tag with state=present: a re-run finds the certificate by its "
                             "domain name and its tags, so without them it would request a new certificate each time")
    for key, value in (params["tags"] or {}).items():
        if not 1 <= len(key) <= 128 or key.lower().startswith("aws:"):
            module.fail_json(msg="tag key %r must be 1-128 characters and not start with 'aws:'" % key)
        if len(value) > 256:
            module.fail_json(msg="the value of tag %r must be 256 characters at most" % key)
    if params["wait_timeout"] <= 0:
        module.fail_json(msg="wait_timeout must be a number of seconds above 0, got %d" % params["wait_timeout"])


def idempotency_token(params):
    """The same request gets the same token, so that ACM answers a repeated request (within an hour) with the same
    certificate instead of a second one."""
    request = [params["domain_name"], sorted(params["subject_alternative_names"]), params["key_algorithm"],
               sorted((params["tags"] or {}).items())]
    return hashlib.sha256(json.dumps(request).encode("utf-8")).hexdigest()[:32]


def find(client, module):
    """The certificate Amazon issued for domain_name whose tags include the wanted ones: (arn, tags) or None."""
    params = module.params
    wanted = params["tags"] or {}
    found = []
    for summary in acm.live_certificates(client):
        if summary.get("DomainName", "").lower() != params["domain_name"]:
            continue
        if summary.get("Type", "AMAZON_ISSUED") != "AMAZON_ISSUED":
            continue  # imported or private certificates are not this module's
        tags = acm.certificate_tags(client, summary["CertificateArn"])
        if all(tags.get(k) == v for k, v in wanted.items()):
            found.append((summary["CertificateArn"], tags))
    if len(found) > 1:
        module.fail_json(msg="%d certificates for %s have the tags %s: %s. Delete the extra ones, or give a tag that only "
                             "one of them has" % (len(found), params["domain_name"], json.dumps(wanted, sort_keys=True),
                                                  ", ".join(sorted(arn for arn, _tags in found))))
    return found[0] if found else None


def has_records(certificate):
    options = certificate.get("DomainValidationOptions", [])
    return bool(options) and all(o.get("ResourceRecord") for o in options)


def wait_for_records(client, module, arn):
    """ACM fills in the validation records a few seconds after the request (and may not even know the certificate yet)."""
    unknown = []

    def read():
        try:
            return acm.describe_certificate(client, arn)
        except is_ansible_aws_error_code("ResourceNotFoundException") as e:
            unknown.append(e.exception)
            return None

    def listed(certificate):
        return certificate is not None and (has_records(certificate) or certificate.get("Status") != "PENDING_VALIDATION")

    def timed_out(certificate):
        if certificate is None:
            module.fail_json_aws(unknown[-1], msg="ACM returned certificate %s for %s but does not know it %d seconds later"
                                                  % (arn, module.params["domain_name"], RECORDS_TIMEOUT))
        module.warn("ACM has not listed every validation record of %s after %d seconds; run the task again to get them"
                    % (arn, RECORDS_TIMEOUT))
        return certificate

    return Waiter(RECORDS_TIMEOUT, RECORDS_POLL).until(read, timed_out, done=listed)


def validation_records(certificate):
    records, names = [], set()
    for option in certificate.get("DomainValidationOptions", []):
        record = option.get("ResourceRecord")
        if not record or record["Name"] in names:
            continue
        names.add(record["Name"])
        records.append({"domain_name": option["DomainName"], "name": record["Name"], "type": record["Type"],
                        "value": record["Value"]})
    return records


def records_text(certificate):
    records = ["%s %s %s" % (r["name"], r["type"], r["value"]) for r in validation_records(certificate)]
    return "; ".join(records) or "(ACM lists none yet)"


def wait_until_issued(client, module, certificate):
    params = module.params
    arn = certificate["CertificateArn"]

    def issued(certificate):
        status = certificate.get("Status")
        if status in FAILED_STATUSES:
            module.fail_json(msg="certificate %s for %s is %s, it will not be issued: %s. Remove it (state=absent) and "
                                 "request it again" % (arn, params["domain_name"], status, certificate.get("FailureReason", "no reason given")))
        return status == "ISSUED"

    def timed_out(certificate):
        module.fail_json(msg="certificate %s for %s is still %s after %d seconds. ACM issues it once these validation "
                             "records exist in public DNS: %s"
                             % (arn, params["domain_name"], certificate.get("Status"), params["wait_timeout"], records_text(certificate)))

    return Waiter(params["wait_timeout"], 1, ISSUE_MAX_POLL).until(lambda: acm.describe_certificate(client, arn), timed_out,
                                                                   done=issued, current=certificate)


def key_algorithm(certificate):
    # the API documents RSA_2048, ACM answers RSA-2048
    return certificate.get("KeyAlgorithm", "").replace("-", "_")


def immutable_differences(module, certificate):
    params = module.params
    found = []
    current_names = set(n.lower() for n in certificate.get("SubjectAlternativeNames", [])) | {params["domain_name"]}
    wanted_names = set(params["subject_alternative_names"]) | {params["domain_name"]}
    if current_names != wanted_names:
        found.append("subject_alternative_names (%s, not %s)" % (", ".join(sorted(current_names)), ", ".join(sorted(wanted_names))))
    if key_algorithm(certificate) != params["key_algorithm"]:
        found.append("key_algorithm (%s, not %s)" % (key_algorithm(certificate), params["key_algorithm"]))
    return found


def request(client, module):
    params = module.params
    kwargs = dict(KeyAlgorithm=params["key_algorithm"], IdempotencyToken=idempotency_token(params),
                  Tags=ansible_dict_to_boto3_tag_list(params["tags"]))
    if params["subject_alternative_names"]:
        kwargs["SubjectAlternativeNames"] = params["subject_alternative_names"]
    return acm.request_certificate(client, params["domain_name"], kwargs)


def retag(client, module, arn, current_tags):
    params = module.params
    return reconcile_tags(module, current_tags, params["tags"], params["purge_tags"],
                          lambda to_add, to_remove: acm.retag_certificate(client, arn, current_tags, to_add, to_remove))


def ensure_present(client, module, found):
    params = module.params
    if found is None:
        if module.check_mode:
            return True, None, {}
        arn = request(client, module)
        certificate = wait_for_records(client, module, arn)
        tags = dict(params["tags"])
        changed = True
    else:
        arn, tags = found
        certificate = acm.describe_certificate(client, arn)
        differences = immutable_differences(module, certificate)
        if differences:
            module.fail_json(msg="certificate %s for %s has other %s, which ACM cannot change: remove it (state=absent) and "
                                 "request it again" % (arn, params["domain_name"], " and ".join(differences)))
        changed, tags = retag(client, module, arn, tags)
        if not has_records(certificate) and certificate.get("Status") == "PENDING_VALIDATION":
            certificate = wait_for_records(client, module, arn)
    if params["wait"] and not module.check_mode:
        certificate = wait_until_issued(client, module, certificate)
    return changed, certificate, tags


def ensure_absent(client, module, found):
    if found is None:
        return False
    arn = found[0]
    if module.check_mode:
        return True
    try:
        acm.delete_certificate(client, arn)
    except is_ansible_aws_error_code("ResourceInUseException") as e:
        users = acm.describe_certificate(client, arn).get("InUseBy", [])
        module.fail_json_aws(e.exception, msg="certificate %s for %s is in use by %s: stop using it there (such as the load balancer "
                                              "listener) before deleting it" % (arn, module.params["domain_name"], ", ".join(users) or "other resources"))
    return True


def shape(certificate, tags):
    if not certificate:
        return {}
    return {
        "arn": certificate["CertificateArn"],
        "domain_name": certificate.get("DomainName"),
        "subject_alternative_names": certificate.get("SubjectAlternativeNames", []),
        "status": certificate.get("Status"),
        "key_algorithm": key_algorithm(certificate),
        "tags": tags,
        "validation_records": validation_records(certificate),
    }


@fails_on_aws_errors
def run(module):
    client = acm.client_of(module)
    found = find(client, module)
    before = {"arn": found[0], "tags": found[1]} if found else {}
    if module.params["state"] == "present":
        changed, certificate, tags = ensure_present(client, module, found)
        result = shape(certificate, tags)
    else:
        changed = ensure_absent(client, module, found)
        result = {}
    after = {"arn": result["arn"], "tags": result["tags"]} if result else {}
    if module.check_mode and module.params["state"] == "present" and found is None:
        after = {"arn": "(requested)", "tags": module.params["tags"]}
    module.exit_json(changed=changed, certificate=result, diff=dict(before=before, after=after))


def main():
    argument_spec = dict(
        domain_name=dict(type="str", required=True),
        subject_alternative_names=dict(type="list", elements="str", default=[]),
        key_algorithm=dict(type="str", choices=["RSA_2048", "EC_prime256v1", "EC_secp384r1"], default="RSA_2048"),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
        wait=dict(type="bool", default=False),
        wait_timeout=dict(type="int", default=600),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    validate(module)
    run(module)


if __name__ == "__main__":
    main()
