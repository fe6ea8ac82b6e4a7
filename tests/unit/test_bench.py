"""The benchmarks' own parsing: which AWS call a recorded request was, the slowest tasks of a
profile_tasks recap, and the report table."""

from __future__ import annotations

import ast
import base64

import pytest

from bench.host_config import archive_sha256
from bench.provisioning import MUTATING, api_call, recap, slowest_tasks
from bench.run import table
from labkit import ROOT

SCOPE = "AWS4-HMAC-SHA256 Credential=testing/20261126/eu-west-1/%s/aws4_request, SignedHeaders=host, Signature=0"


def test_json_protocol_calls_are_named_by_their_target():
    entry = {"headers": {"Authorization": SCOPE % "ecs", "X-Amz-Target": "AmazonEC2ContainerServiceV20141113.CreateService"},
             "method": "POST", "url": "http://127.0.0.1:5000/", "body": "{}"}
    assert api_call(entry) == ("ecs", "CreateService")


def test_query_protocol_calls_are_named_by_their_action_even_in_an_encoded_body():
    body = base64.b64encode(b"Action=CreateNatGateway&Version=2016-11-15&SubnetId=subnet-1").decode()
    entry = {"headers": {"Authorization": SCOPE % "ec2"}, "method": "POST", "url": "http://127.0.0.1:5000/", "body": body, "body_encoded": True}
    assert api_call(entry) == ("ec2", "CreateNatGateway")


def test_rest_calls_are_named_by_method_and_path():
    entry = {"headers": {"authorization": SCOPE % "s3"}, "method": "PUT", "url": "http://127.0.0.1:5000/bench-images?versioning", "body": ""}
    assert api_call(entry) == ("s3", "PUT /bench-images")
    assert api_call({"headers": {}, "method": "GET", "url": "http://127.0.0.1:5000/moto-api/data.json"})[0] == "unsigned"


OUTPUT = """PLAY RECAP *********************************************************************
localhost                  : ok=171  changed=70   unreachable=0    failed=0    skipped=12   rescued=0    ignored=0

TASKS RECAP ********************************************************************
Thursday 26 November 2026  07:40:00 +0000 (0:00:01.000)       0:02:54.000 ******
===============================================================================
dicoogle.aws.network : Create the NAT gateways ------------------------- 41.20s
dicoogle.aws.edge_hosts : Launch the hosts ----------------------------- 12.05s
dicoogle.aws.pki : Issue the leaf certificates - one per host ----------- 3.50s
"""


def test_slowest_tasks_come_from_the_recap_in_order():
    assert slowest_tasks(OUTPUT, 2) == [("dicoogle.aws.network : Create the NAT gateways", 41.2), ("dicoogle.aws.edge_hosts : Launch the hosts", 12.05)]
    # a name that contains a dash keeps it
    assert slowest_tasks(OUTPUT)[2] == ("dicoogle.aws.pki : Issue the leaf certificates - one per host", 3.5)


def test_recap_sums_the_hosts():
    assert recap(OUTPUT) == {"ok": 171, "changed": 70, "unreachable": 0, "failed": 0, "skipped": 12}


def test_table_aligns_columns_under_a_header_rule():
    lines = table([("Figure", "Value", "Method"), ("Converge", "174 s", "site.yml")]).splitlines()
    assert lines[0] == "| Figure   | Value | Method   |"
    assert lines[1] == "|----------|-------|----------|"
    assert lines[2] == "| Converge | 174 s | site.yml |"


def test_reads_are_not_counted_as_changes():
    assert all(MUTATING.match(a) for a in ("CreateVpc", "AdminCreateUser", "AdminSetUserPassword", "PUT /bench-images", "RunInstances"))
    assert not any(MUTATING.match(a) for a in ("AdminGetUser", "DescribeVpcs", "GetBucketPolicy", "ListTagsForResource", "GET /bench-images"))


DSC = """Format: 3.0 (quilt)
Source: dcmtk
Checksums-Sha1:
 0000000000000000000000000000000000000000 6641083 dcmtk_3.6.7.orig.tar.gz
Checksums-Sha256:
 1111111111111111111111111111111111111111111111111111111111111111 6641083 dcmtk_3.6.7.orig.tar.gz
 2222222222222222222222222222222222222222222222222222222222222222 60092 dcmtk_3.6.7-9~deb12u4.debian.tar.xz
Files:
 33333333333333333333333333333333 6641083 dcmtk_3.6.7.orig.tar.gz
"""


def test_the_source_archive_is_pinned_by_the_sha256_its_dsc_lists():
    assert archive_sha256(DSC, "dcmtk_3.6.7.orig.tar.gz") == "1" * 64
    assert archive_sha256(DSC, "dcmtk_3.6.7-9~deb12u4.debian.tar.xz") == "2" * 64
    with pytest.raises(ValueError):
        archive_sha256(DSC, "dcmtk_3.6.8.orig.tar.gz")


def test_the_benchmarks_import_nothing_from_the_tests():
    """What bench/ shares with tests/ lives in labkit: the benchmarks run without the test suite."""
    sources = sorted((ROOT / "bench").glob("*.py"))
    assert len(sources) > 1
    for source in sources:
        modules = set()
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.Import):
                modules.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                modules.add(node.module)
        assert not [m for m in modules if m == "tests" or m.startswith("tests.")], source.name
