# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Route 53's calls for route53_zone_purge, each failing with a message that names what failed."""

from __future__ import annotations

from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from ansible_collections.dicoogle.aws.plugins.module_utils.aws import ErrorHandler

# Route 53 takes at most 1000 records a change batch; a record set can hold several.
CHANGES_PER_BATCH = 100


class Route53ErrorHandler(ErrorHandler):
    MISSING = ("NoSuchHostedZone",)


def client_of(module):
    # Route 53 refuses a change to a zone while its previous one is under way (PriorRequestNotComplete).
    return module.client("route53", retry_decorator=AWSRetry.jittered_backoff(catch_extra_error_codes=["PriorRequestNotComplete"]))


def zone_id(zone):
    """A zone's ID without its /hostedzone/ prefix."""
    return zone["Id"].split("/")[-1]


@Route53ErrorHandler.common_error_handler("list the hosted zones named {name}")
def zones_named(client, name):
    """Every hosted zone whose name is `name` (lower case, with its final dot). Zones come in the order of their
    names, so the listing starts at the name and stops at the first other one."""
    found, params = [], {"DNSName": name}
    while True:
        page = client.list_hosted_zones_by_name(aws_retry=True, **params)
        zones = page.get("HostedZones", [])
        found.extend(zone for zone in zones if zone["Name"] == name)
        if not page.get("IsTruncated") or any(zone["Name"] != name for zone in zones) or page.get("NextDNSName") != name:
            return found
        params = {"DNSName": page["NextDNSName"], "HostedZoneId": page["NextHostedZoneId"]}


@Route53ErrorHandler.list_error_handler("list the records of hosted zone {zone}", default_value=[])
def records_of(client, zone):
    """The zone's record sets; none when the zone is gone."""
    return client.get_paginator("list_resource_record_sets").paginate(HostedZoneId=zone).build_full_result()["ResourceRecordSets"]


@Route53ErrorHandler.deletion_error_handler("delete records {names} of hosted zone {zone}")
def delete_records(client, zone, records, names):
    """Deletes the record sets (exactly as listed) in batches; `names` names them in a failure's message."""
    for start in range(0, len(records), CHANGES_PER_BATCH):
        changes = [{"Action": "DELETE", "ResourceRecordSet": record} for record in records[start:start + CHANGES_PER_BATCH]]
        client.change_resource_record_sets(aws_retry=True, HostedZoneId=zone, ChangeBatch={"Changes": changes})
    return True


@Route53ErrorHandler.deletion_error_handler("delete hosted zone {zone}")
def delete_zone(client, zone):
    """True once deleted; False when it was already gone."""
    client.delete_hosted_zone(aws_retry=True, Id=zone)
    return True
