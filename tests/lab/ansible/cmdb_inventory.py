#!/usr/bin/env python3
"""A dynamic inventory script (Ansible's script inventory protocol: ``--list`` / ``--host NAME``), standing
in for a CMDB export: it emits the hosts, groups and host variables of the YAML inventory named by
$GOVOPS_CMDB_HOSTS (a hosts.yml), as JSON with ``_meta.hostvars``.

Placed in a directory beside ``group_vars/`` (and the IPv6 plan), Ansible adds those group variables
to what it emits, as it does for any inventory source; govops builds its SoT from that directory
(the ``inventory_dir`` Ansible gives every host of this source).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import yaml


def walk(name: str, body: dict, out: dict, hostvars: dict) -> None:
    body = body or {}
    group = out.setdefault(name, {})
    if body.get("hosts"):
        group["hosts"] = sorted(body["hosts"])
        for host, hvars in body["hosts"].items():
            hostvars.setdefault(host, {}).update(hvars or {})
    if body.get("vars"):
        group["vars"] = body["vars"]
    if body.get("children"):
        group["children"] = sorted(body["children"])
        for child, child_body in body["children"].items():
            walk(child, child_body, out, hostvars)


def main(argv: list[str]) -> int:
    source = os.environ.get("GOVOPS_CMDB_HOSTS")
    if not source or not Path(source).is_file():
        print(f"{argv[0]}: GOVOPS_CMDB_HOSTS: expected the path of a hosts.yml, found {source!r}", file=sys.stderr)
        return 2
    data = yaml.safe_load(Path(source).read_text(encoding="utf-8")) or {}
    out: dict = {}
    hostvars: dict = {}
    walk("all", data.get("all") or {}, out, hostvars)
    if len(argv) > 2 and argv[1] == "--host":
        print(json.dumps(hostvars.get(argv[2], {})))
        return 0
    out["_meta"] = {"hostvars": hostvars}
    print(json.dumps(out, indent=1, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
