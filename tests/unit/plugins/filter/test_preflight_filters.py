from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.dicoogle.aws.plugins.filter.preflight import preflight_table, quota_rows

TAG = "dicoogle:deployment"
NEEDS = [
    {"quota": {"service_code": "ec2", "quota_code": "L-0263D0A3"}, "check": "Elastic IPs per region", "resource": "elastic_ip", "needed": "2"},
    {"quota": {"service_code": "vpc", "quota_code": "L-FE5A380F"}, "check": "NAT gateways per zone", "resource": "nat_gateway", "needed": 2},
    {"quota": {"service_code": "vpc", "quota_code": "L-29B6F2EB"}, "check": "interface endpoints per VPC", "resource": "new_vpc", "needed": 4},
]
QUOTAS = [
    {"service_code": "ec2", "quota_code": "L-0263D0A3", "value": 5.0, "source": "applied"},
    {"service_code": "vpc", "quota_code": "L-FE5A380F", "value": 5.0, "source": "default"},
    {"service_code": "vpc", "quota_code": "L-29B6F2EB", "value": 50.0, "source": "applied"},
]


def usage(eips=0, own_eips=0, nats_in_a=0):
    return {
        "elastic_ip": [{"tags": {}}] * eips + [{"tags": {TAG: "pacs"}}] * own_eips,
        "nat_gateway": [{"availability_zone": "eu-west-1a", "tags": {}}] * nats_in_a + [{"availability_zone": "eu-west-1b", "tags": {}}],
    }


def test_a_new_account_fits():
    rows = quota_rows(NEEDS, QUOTAS, usage(), "pacs", TAG)
    assert [r["ok"] for r in rows] == [True, True, True]
    assert rows[0]["found"].startswith("0 in use of 5")


def test_use_by_others_counts_and_the_deployments_own_does_not():
    # 3 others + 2 needed = 5: fits; the deployment's own 2 are its need, not extra use
    assert quota_rows(NEEDS, QUOTAS, usage(eips=3, own_eips=2), "pacs", TAG)[0]["ok"]
    row = quota_rows(NEEDS, QUOTAS, usage(eips=4), "pacs", TAG)[0]
    assert not row["ok"] and "ask AWS for 1 more" in row["found"]


def test_nat_gateways_count_in_the_busiest_zone():
    row = quota_rows(NEEDS, QUOTAS, usage(nats_in_a=4), "pacs", TAG)[1]
    assert not row["ok"] and row["found"].startswith("4 in use of 5")


def test_a_quota_not_read_is_an_error():
    with pytest.raises(AnsibleFilterError, match="L-29B6F2EB"):
        quota_rows(NEEDS, QUOTAS[:2], usage(), "pacs", TAG)


def test_the_table_aligns_and_gives_each_verdict():
    lines = preflight_table([{"check": "a", "needed": "1", "found": "x", "ok": True},
                             {"check": "longer check", "needed": "2", "found": "y", "ok": False}])
    assert lines[0].split() == ["CHECK", "NEEDED", "FOUND", "VERDICT"]
    assert lines[1].endswith("ok") and lines[2].endswith("FAIL")
    # every column starts where its header does
    assert lines[1].index("1 ") == lines[0].index("NEEDED") == lines[2].index("2 ")
    assert lines[1].index("x") == lines[0].index("FOUND") == lines[2].index("y")
