#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: route53_zone_purge
short_description: Delete Route 53 hosted zones of a name together with every record in them
version_added: 0.1.0
description:
  - Deletes the public or the private hosted zones of a domain name (optionally only those with a given comment,
    since zones of one name can coexist), from any state - first every record set of each zone but the zone's own
    C(SOA) and C(NS) records (Route 53 deletes a zone only when they are all that is left), then the zone. A private
    zone is deleted whichever VPCs it is associated with.
  - What is already gone counts as done, so an interrupted run is resumed by running it again; a second run
    changes nothing.
  - Supports check mode, which finds everything and deletes nothing.
  - Fills a gap of amazon.aws, whose M(amazon.aws.route53_zone) with O(amazon.aws.route53_zone#module:state=absent)
    deletes an empty zone only, which leaves listing its records (with M(amazon.aws.route53_info), which warns that
    its return values are deprecated) and deleting them one per call.
author:
  - dicoogle.aws maintainers (@dicoogle-aws)
options:
  name:
    description: The zones' domain name, such as C(dicoogle.internal) (with or without its final dot).
    type: str
    required: true
  private_zone:
    description: Whether the private zones of the name are deleted (V(true)), or its public zones (V(false)).
    type: bool
    default: false
  comment:
    description:
      - Only the zones with exactly this comment are deleted.
      - Not given, every zone of the name and kind is.
    type: str
notes:
  - Needs C(route53:ListHostedZonesByName), C(route53:ListResourceRecordSets), C(route53:ChangeResourceRecordSets)
    and C(route53:DeleteHostedZone).
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Delete the deployment's private zone with its records
  dicoogle.aws.route53_zone_purge:
    name: dicoogle.internal
    private_zone: true
    comment: dicoogle private names
"""

RETURN = r"""
hosted_zones:
  description: The zones deleted (in check mode, that would be), each with the records deleted from it.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The zone's ID, without C(/hostedzone/).
      type: str
      sample: Z0123456789ABCDEFGHIJ
    name:
      description: The zone's name, with its final dot.
      type: str
      sample: dicoogle.internal.
    comment:
      description: The zone's comment.
      type: str
      sample: dicoogle private names
    private_zone:
      description: Whether the zone is private.
      type: bool
    records:
      description: The record sets deleted from the zone, as C(<name> <type>).
      type: list
      elements: str
      sample: ["storage.dicoogle.internal. A"]
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.dicoogle.aws.plugins.module_utils import route53
from ansible_collections.dicoogle.aws.plugins.module_utils.aws import fails_on_aws_errors


def wanted_zones(module, client, name):
    comment = module.params["comment"]
    return [zone for zone in route53.zones_named(client, name)
            if bool(zone.get("Config", {}).get("PrivateZone")) == module.params["private_zone"]
            and (comment is None or zone.get("Config", {}).get("Comment", "") == comment)]


def records_to_delete(client, zone):
    """The zone's record sets but its own SOA and NS records."""
    return [record for record in route53.records_of(client, route53.zone_id(zone))
            if not (record["Name"] == zone["Name"] and record["Type"] in ("SOA", "NS"))]


@fails_on_aws_errors
def run(module):
    name = module.params["name"].lower().rstrip(".") + "."
    client = route53.client_of(module)
    deleted = []
    for zone in wanted_zones(module, client, name):
        zone_id = route53.zone_id(zone)
        records = records_to_delete(client, zone)
        labels = ["%s %s" % (record["Name"], record["Type"]) for record in records]
        if not module.check_mode:
            if records:
                route53.delete_records(client, zone_id, records, labels)
            if not route53.delete_zone(client, zone_id):
                continue  # deleted meanwhile
        deleted.append({"id": zone_id, "name": zone["Name"], "comment": zone.get("Config", {}).get("Comment", ""),
                        "private_zone": bool(zone.get("Config", {}).get("PrivateZone")), "records": labels})
    module.exit_json(changed=bool(deleted), hosted_zones=deleted)


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        private_zone=dict(type="bool", default=False),
        comment=dict(type="str"),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    run(module)


if __name__ == "__main__":
    main()
