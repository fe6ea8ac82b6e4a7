# -*- coding: utf-8 -*-
# Copyright: dicoogle.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The preflight's arithmetic and its table: quotas against their use and a deployment's needs."""

from __future__ import annotations

from collections import Counter

from ansible.errors import AnsibleFilterError


def _tags(resource):
    tags = resource.get("tags") or resource.get("Tags") or {}
    if isinstance(tags, list):
        return {t.get("Key"): t.get("Value") for t in tags}
    return tags


def _others(resources, deployment, tag_key):
    """The resources that are not the deployment's (its own are already counted in its needs)."""
    return [r for r in resources if _tags(r).get(tag_key) != deployment]


def _in_use(resource, usage, deployment, tag_key):
    if resource == "new_vpc":
        return 0  # counted in VPCs the deployment makes: nothing else is in them
    if resource not in usage:
        raise AnsibleFilterError("quota_rows: no usage given for resource %r" % resource)
    if resource == "nat_gateway":  # the quota is per zone: the busiest zone counts
        busiest = Counter(n.get("availability_zone") or "?" for n in _others(usage[resource], deployment, tag_key))
        return max(busiest.values(), default=0)
    return len(_others(usage[resource], deployment, tag_key))


def quota_rows(needs, quotas, usage, deployment, tag_key):
    """One row per quota: needed (the deployment's) + in use (everything else) against the account's value."""
    values = {q["quota_code"]: q for q in quotas}
    rows = []
    for need in needs:
        code = need["quota"]["quota_code"]
        if code not in values:
            raise AnsibleFilterError("quota_rows: quota %s was not read" % code)
        quota = int(values[code]["value"])
        needed = int(need["needed"])
        used = _in_use(need["resource"], usage, deployment, tag_key)
        ok = used + needed <= quota
        found = "%d in use of %d (%s %s)" % (used, quota, values[code].get("source", "applied"), code)
        if not ok:
            found += ": ask AWS for %d more (Service Quotas) or free some" % (used + needed - quota)
        rows.append({"check": need["check"], "needed": str(needed), "found": found, "ok": ok})
    return rows


def preflight_table(rows):
    """The rows as aligned text lines: check, needed, found, verdict."""
    header = {"check": "CHECK", "needed": "NEEDED", "found": "FOUND", "verdict": "VERDICT"}
    lines = [dict(r, verdict="ok" if r["ok"] else "FAIL") for r in rows]
    widths = {k: min(60, max(len(str(r[k])) for r in [header] + lines)) for k in ("check", "needed", "found")}
    fmt = "{check:<%d}  {needed:<%d}  {found:<%d}  {verdict}" % (widths["check"], widths["needed"], widths["found"])
    return [fmt.format(**{k: str(v) for k, v in r.items()}) for r in [header] + lines]


class FilterModule:
    def filters(self):
        return {"quota_rows": quota_rows, "preflight_table": preflight_table}
