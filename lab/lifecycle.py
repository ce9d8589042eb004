"""`lab up`, `lab down` and `lab status`: build, tear down and inspect a lab by prefix."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import yaml

from govops.sot.model import Inventory
from lab import frr, hosts, netns, snmp
from lab.state import Lab, LabNotRunning, ensure_key, run_dir
from lab.topology import DEFAULT_IGP, IGPS, LabTopology, Node, build_topology

Step = Callable[[str], None]
READY_TIMEOUT = 60.0


class LabError(RuntimeError):
    pass


# -- processes ---------------------------------------------------------------------------------
def start_time(pid: int) -> int | None:
    """Kernel start time of a PID (field 22 of /proc/PID/stat), to tell it from a reused PID."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    if fields[0] in ("Z", "X"):  # exited, not yet reaped: gone for our purposes
        _reap(pid)
        return None
    return int(fields[19])


def _reap(pid: int) -> None:
    try:
        os.waitpid(pid, os.WNOHANG)  # only succeeds for our own children (in-process `up`)
    except ChildProcessError:
        pass


def alive(record: dict | None) -> bool:
    # start None: the process was already gone when recorded (died at once)
    return bool(record) and record["start"] is not None and start_time(record["pid"]) == record["start"]


def process_record(pid: int) -> dict:
    """{"pid", "start"}: what `alive` checks later, so a reused PID is never mistaken for ours."""
    return {"pid": pid, "start": start_time(pid)}


_record = process_record


def listening(pid: int, port: int, proto: str) -> bool:
    """Is something in `pid`'s network namespace listening on `port` (tcp LISTEN / udp bound)?"""
    want = f":{port:04X} "
    for table in (proto, proto + "6"):
        try:
            lines = Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]
        except OSError:
            return False
        for line in lines:
            fields = line.split()
            if want in fields[1] + " " and (proto == "udp" or fields[3] == "0A"):
                return True
    return False


def wait_for(what: str, done: Callable[[], bool], timeout: float = READY_TIMEOUT) -> None:
    """Poll `done` (20 ms, backing off to 200 ms) until true; LabError after `timeout` s."""
    deadline = time.monotonic() + timeout
    delay = 0.02
    while not done():
        if time.monotonic() > deadline:
            raise LabError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(delay)
        delay = min(delay * 1.5, 0.2)


# -- up ------------------------------------------------------------------------------------------
def exists(prefix: str) -> bool:
    """Is there a lab (or what a crashed one left) under `prefix`?"""
    return bool(netns.existing(prefix)) or (run_dir(prefix) / "state.json").exists()


def up(inv: Inventory, prefix: str, twins: bool = True, step: Step = lambda _m: None) -> Lab:
    """Build the lab; on failure remove what was made and re-raise."""
    if exists(prefix):
        raise LabError(f"a lab with prefix {prefix!r} exists; run `govops lab down --prefix {prefix}` first")
    try:
        return _up(inv, prefix, twins, step)
    except BaseException as exc:
        kept = _keep_logs(prefix)
        down(prefix)
        if isinstance(exc, LabError) and kept:
            raise LabError(f"{exc}\n(logs kept in {kept})") from exc
        raise


def _keep_logs(prefix: str) -> Path | None:
    """Copy the logs of a failed `up` out of the run dir, which `down` removes."""
    rd = run_dir(prefix)
    if not rd.exists():
        return None
    kept = Path(f"/tmp/govops-lab-{prefix}-failed")
    shutil.rmtree(kept, ignore_errors=True)
    for log in [*rd.glob("logs/*"), *rd.glob("snmp/*/snmpd.log"), *rd.glob("snmp/*/snmpd.stderr"),
                *rd.glob("frr/*/*.log")]:
        dest = kept / log.relative_to(rd)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(log, dest)
    return kept


def lab_igp(inv: Inventory) -> str:
    """The lab's IGP: GOVOPS_LAB_IGP ("static" or "ospf"); by default OSPF (FRR) wherever the
    inventory has a routing design, as the real extranet runs, else static routes. "ospf" needs
    Debian's frr (`make setup`): a missing install is an error, never a silent fallback."""
    igp = os.environ.get("GOVOPS_LAB_IGP", "") or ("ospf" if inv.routing and inv.routing.ospf else DEFAULT_IGP)
    if igp not in IGPS:
        raise LabError(f"GOVOPS_LAB_IGP={igp!r}: expected one of {', '.join(IGPS)}")
    if igp == "ospf" and not (inv.routing and inv.routing.ospf):
        raise LabError(f"GOVOPS_LAB_IGP=ospf: the inventory {inv.path} has no `routing.ospf` design")
    if igp == "ospf" and not frr.available():
        raise LabError("GOVOPS_LAB_IGP=ospf: FRR is not installed (Debian `frr`); run `make setup`")
    return igp


def _up(inv: Inventory, prefix: str, twins: bool, step: Step) -> Lab:
    t0 = time.monotonic()
    igp = lab_igp(inv) if twins else "static"
    topo = build_topology(inv, prefix, igp)
    rd = run_dir(prefix)
    for sub in ("keys", "logs", "snmp", "hosts", "twins"):
        (rd / sub).mkdir(parents=True, exist_ok=True)
    os.chmod(rd, 0o755)  # sshd StrictModes: no group/world write on the authorized_keys path
    state: dict = {"prefix": prefix, "inventory": str(Path(inv.path).resolve()), "twins": twins, "igp": igp,
                   "namespaces": topo.namespaces(), "pids": {}, "processes": {}, "nodes": _nodes(topo),
                   "sites": {k: {"netns": v.netns, "device": v.device, "interface": v.interface,
                                 "ipv4": str(v.ipv4), "ipv6": str(v.ipv6)} for k, v in topo.sites.items()}}
    _write_state(rd, state)  # early, so a crash mid-way still leaves a record

    step("keys")
    workstation = ensure_key(rd / "id_ed25519", f"govops-lab-{prefix}")
    (rd / "authorized_keys").write_text(workstation + "\n")
    host_keys = {n.name: ensure_key(rd / "keys" / f"{n.name}_host_ed25519", n.name)
                 for n in topo.nodes.values() if n.kind != "mgmt"}

    step(f"{len(topo.nodes)} namespaces, {len(topo.veths)} veth pairs")
    netns.create(topo)
    if not twins:
        netns.apply_startup(topo)
    netns.configure_hosts(topo)
    netns.configure_sites(topo)

    procs: dict[str, dict] = {}
    routing: dict[str, dict] = {}  # FRR daemons: recorded (and killed by `down`) like the rest
    if igp == "ospf":
        step("FRR (zebra, ospfd, ospf6d) per device")
        for node in topo.devices():
            directory = rd / "frr" / node.name
            frr.prepare(directory, node.name)
            pids = frr.start(node.netns, directory, rd / "logs" / f"{node.name}.frr.log",
                             agentx=snmp.agentx_socket(rd / "snmp" / node.name))
            routing.update({f"{node.name}/{daemon}": _record(pid) for daemon, pid in pids.items()})
            state["records"] = {**state.get("records", {}), **routing}
            _write_state(rd, state)
        for node in topo.devices():
            directory = rd / "frr" / node.name
            wait_for(f"FRR of {node.name}", lambda node=node, directory=directory: all(
                _alive_or_fail(rec, key, rd) for key, rec in routing.items() if key.startswith(node.name + "/"))
                and frr.ready(directory))
    if twins:
        step("device twins")
        config_twins = twins_config(inv, topo, rd, workstation)
        _write_secret(rd / "twins.json", json.dumps(config_twins, indent=1))
        ready = Path(config_twins["ready_file"])
        ready.unlink(missing_ok=True)
        argv = [sys.executable, "-m", "lab.twins", "--config", str(rd / "twins.json")]
        twin = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=open(rd / "logs" / "twins.log", "ab"), start_new_session=True)
        procs["twins/twins"] = _record(twin.pid)
        state["processes"]["twins/twins"] = argv

    step("snmpd per device")
    snmp_configs = netns.parallel(lambda node: _snmpd_config(inv, node, rd), topo.devices())
    for node, config in zip(topo.devices(), snmp_configs, strict=True):
        _write_secret(rd / "snmp" / node.name / "snmpd.conf", config(True))
        procs[f"{node.name}/snmpd"] = _record(snmp.start(node.netns, rd / "snmp" / node.name))

    step("hosts (sshd in private mount/UTS namespaces)")
    for node in topo.hosts():
        host_dir = hosts.prepare(node, rd, rd / "authorized_keys")
        procs[f"{node.name}/sshd"] = _record(hosts.start(node, host_dir, rd / "logs" / f"{node.name}.sshd.log",
                                                          admin=inv.hosts[node.name].username))
    state["pids"] = {k: v["pid"] for k, v in {**procs, **routing}.items()}
    state["records"] = {**procs, **routing}
    _write_state(rd, state)

    step("waiting for sshd, snmpd and twins")
    for key, rec in procs.items():
        node, service = key.split("/")
        if service == "twins":
            wait_for("the twins' ready file", lambda rec=rec: _ready(rec, ready, rd))
        else:
            port, proto = (22, "tcp") if service == "sshd" else (161, "udp")
            wait_for(f"{service} of {node}", lambda rec=rec, port=port, proto=proto, key=key:
                  _alive_or_fail(rec, key, rd) and listening(rec["pid"], port, proto))

    # Both have read their configs: keep no vaulted value on disk.
    for node, config in zip(topo.devices(), snmp_configs, strict=True):
        (rd / "snmp" / node.name / "snmpd.conf").write_text(config(False))
    if twins:
        (rd / "twins.json").write_text(json.dumps(redacted_twins_config(config_twins), indent=1))

    if igp == "ospf":
        step("waiting for OSPF: adjacencies Full, every loopback learned")
        wait_ospf(inv, topo, rd)

    step("known_hosts, ssh_config, ansible inventory")
    write_access_files(inv, topo, rd, host_keys)
    state["up_seconds"] = round(time.monotonic() - t0, 2)
    _write_state(rd, state)
    return Lab.load(prefix)


def wait_ospf(inv: Inventory, topo: LabTopology, rd: Path, timeout: float = READY_TIMEOUT) -> None:
    """Each device has a Full adjacency on every link and an OSPF route to every other loopback."""
    loopbacks = {name: f"{dev.loopback_ipv4}/32" for name, dev in inv.devices.items()}
    for node in topo.devices():
        peers = len(inv.links_of(node.name))
        others = {p for name, p in loopbacks.items() if name != node.name}
        wait_for(f"OSPF on {node.name} ({peers} adjacencies, {len(others)} loopbacks)",
                 lambda node=node, peers=peers, others=others: frr.ospf_converged(rd / "frr" / node.name, peers, others),
                 timeout)


def _write_secret(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(text)


def redacted_twins_config(config: dict) -> dict:
    """twins.json as kept after the twins started: passwords removed (they live in the vault)."""
    removed = "(removed after start: inventory vault)"
    devices = []
    for d in config["devices"]:
        startup = d.get("startup", {})
        if startup.get("ospf"):
            startup = {**startup, "ospf": {**startup["ospf"], "md5_key": removed}}
        devices.append({**d, "password": removed, "startup": startup})
    return {**config, "devices": devices}


def _snmpd_config(inv: Inventory, node: Node, rd: Path) -> Callable[[bool], str]:
    """snmpd.conf text for a device (with or without secrets), from its namespace's ifIndexes."""
    ifindex = {link["ifname"]: link["ifindex"] for link in netns.links(node.netns)}
    dev = inv.devices[node.name]
    site = inv.sites.get(dev.site)
    location = (site.name_en or site.name) if site else dev.site
    return lambda secrets: snmp.render_config(node, dev, ifindex, location, secrets=secrets)


def _alive_or_fail(rec: dict, key: str, rd: Path) -> bool:
    if not alive(rec):
        raise LabError(f"{key} exited at start")
    return True


def _ready(rec: dict, ready: Path, rd: Path) -> bool:
    if ready.exists():
        return True
    if not alive(rec):
        tail = (rd / "logs" / "twins.log").read_text()[-2000:]
        raise LabError(f"the twins process exited at start:\n{tail}")
    return False


def _nodes(topo: LabTopology) -> dict[str, dict]:
    return {n.name: {"kind": n.kind, "netns": n.netns, "platform": n.platform,
                     "mgmt_ipv4": str(n.mgmt_ipv4), "mgmt_ipv6": str(n.mgmt_ipv6),
                     "interfaces": n.interfaces,
                     "data_ipv4": str(n.data_ipv4) if n.data_ipv4 else None,
                     "mgmt_port": topo.mgmt_ports.get(n.name)}
            for n in topo.nodes.values()}


def _write_state(rd: Path, state: dict) -> None:
    tmp = rd / "state.json.tmp"
    tmp.write_text(json.dumps(state, indent=1))
    tmp.replace(rd / "state.json")


def twins_config(inv: Inventory, topo: LabTopology, rd: Path, workstation_key: str) -> dict:
    """The config contract of lab/twins/README.md."""
    devices = []
    for node in topo.devices():
        dev = inv.devices[node.name]
        devices.append({
            "name": node.name, "platform": dev.platform, "netns": node.netns,
            "listen": [str(node.mgmt_ipv4.ip), str(node.mgmt_ipv6.ip)], "port": 22,
            "username": dev.username, "password": dev.password, "authorized_keys": [workstation_key],
            "host_key": str(rd / "keys" / f"{node.name}_host_ed25519"),
            "model": dev.model, "os_version": dev.os_version, "sysname": node.name,
            "mgmt_interface": "mgmt0", "interfaces": node.interfaces,
            "startup": {"interfaces": node.startup_interfaces, "static_routes_v4": node.static_routes_v4,
                        "vpn_tables": node.vpn_tables, **({"ospf": node.ospf} if node.ospf else {})},
            **({"frr_dir": str(rd / "frr" / node.name)} if node.ospf else {}),
        })
    return {"state_dir": str(rd / "twins"), "ready_file": str(rd / "twins" / "ready"), "time_scale": 1.0,
            "devices": devices}


def write_access_files(inv: Inventory, topo: LabTopology, rd: Path, host_keys: dict[str, str]) -> None:
    known, ssh_hosts = [], []
    for node in topo.nodes.values():
        if node.kind == "mgmt":
            continue
        kind, blob = host_keys[node.name].split()[:2]
        known.append(f"{node.name},{node.mgmt_ipv4.ip},{node.mgmt_ipv6.ip} {kind} {blob}")
        # Hosts: root, as a console would (the lab's own plumbing: migration rehearsals, tests); Ansible
        # and the audit log in as the inventory's named admin and escalate with sudo.
        user = inv.devices[node.name].username if node.kind == "device" else "root"
        ssh_hosts.append(f"Host {node.name}\n    HostName {node.mgmt_ipv4.ip}\n    User {user}\n")
    (rd / "known_hosts").write_text("\n".join(known) + "\n")
    (rd / "ssh_config").write_text(
        "# govops lab: ssh -F " + str(rd / "ssh_config") + " <node>  (from the mgmt namespace)\n"
        + _outside_mgmt_guard(rd.name)
        + "\n".join(ssh_hosts)
        + f"\nHost *\n    IdentityFile {rd / 'id_ed25519'}\n    IdentitiesOnly yes\n"
        f"    UserKnownHostsFile {rd / 'known_hosts'}\n    GlobalKnownHostsFile /dev/null\n"
        "    StrictHostKeyChecking yes\n    ConnectTimeout 10\n")
    host_names = [n.name for n in topo.hosts()]
    groups = {g: {"hosts": {h: None for h in members if h in host_names}}
              for g, members in inv.groups.items() if any(h in host_names for h in members) and g != "all"}
    ansible = {"all": {
        "vars": {"ansible_ssh_private_key_file": str(rd / "id_ed25519"),
                 "ansible_ssh_common_args": f"-F {rd / 'ssh_config'}",
                 "ansible_python_interpreter": "/usr/bin/python3"},
        "hosts": {n.name: {"ansible_host": str(n.mgmt_ipv4.ip), "ansible_user": inv.hosts[n.name].username}
                  for n in topo.hosts()},
        "children": groups,
    }}
    (rd / "ansible-inventory.yml").write_text(
        "# govops lab: run ansible from the mgmt namespace (govops lab exec -- ansible ...)\n"
        + yaml.safe_dump(ansible, sort_keys=False))


def _outside_mgmt_guard(prefix: str) -> str:
    """ssh_config lines that make any ssh using this file refuse outside a lab's mgmt namespace:
    from the root namespace the lab's addresses would be sought through the machine's default
    route. The message comes from the Match test itself (ssh's stderr, synchronous); the
    ProxyCommand then replaces the TCP connect with a command that fails, so nothing is sent."""
    message = (f"govops lab: refusing to reach lab host %n from outside the lab management namespace; "
               f"run it inside the lab: govops lab exec --prefix {prefix} -- ssh ...")
    return (
        "# Outside a lab's mgmt namespace: refuse before connecting (no packet leaves).\n"
        f"Match !exec \"ip netns identify | grep -q -- '-mgmt$' || {{ echo '{message}' >&2; false; }}\"\n"
        "    ProxyCommand /bin/false\n\n")


# -- down ----------------------------------------------------------------------------------------
def lab_processes(prefix: str, state: dict | None) -> list[int]:
    """PIDs the lab started: the recorded ones still alive, plus (after a crash with no state)
    any process with a thread inside one of the prefix's namespaces or running its twins config."""
    pids = {rec["pid"] for rec in (state or {}).get("records", {}).values() if alive(rec)}
    inodes = set()
    for ns in netns.existing(prefix):
        try:
            inodes.add(os.stat(netns.NETNS_DIR / ns).st_ino)
        except OSError:
            pass
    twins_cfg = str(run_dir(prefix) / "twins.json").encode()
    me = os.getpid()
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == me:
            continue
        try:
            if twins_cfg in (proc / "cmdline").read_bytes():
                pids.add(int(proc.name))
                continue
            for task in (proc / "task").iterdir():
                if os.stat(task / "ns" / "net").st_ino in inodes:
                    pids.add(int(proc.name))
                    break
        except OSError:
            continue
    return sorted(pids)


def down(prefix: str, step: Step = lambda _m: None) -> dict:
    """Remove everything the lab with `prefix` made. Idempotent; works without a state file."""
    rd = run_dir(prefix)
    state = None
    try:
        state = json.loads((rd / "state.json").read_text())
    except (OSError, ValueError):
        pass
    pids = lab_processes(prefix, state)
    step(f"stopping {len(pids)} processes")
    for pid in pids:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + 5
    while any(start_time(p) is not None for p in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    for pid in pids:
        if start_time(pid) is not None:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    namespaces = netns.existing(prefix)
    step(f"deleting {len(namespaces)} namespaces")
    netns.delete(namespaces)
    # Overlays were mounted only inside the hosts' mount namespaces, gone with their sshds.
    if rd.exists():
        subprocess.run(["rm", "-rf", "--one-file-system", str(rd)], check=False)
    return {"processes": len(pids), "namespaces": len(namespaces)}


# -- status --------------------------------------------------------------------------------------
def status(prefix: str) -> dict:
    try:
        lab = Lab.load(prefix)
    except LabNotRunning:
        return {"prefix": prefix, "up": False, "leftover_namespaces": netns.existing(prefix), "nodes": {}}
    present = set(netns.existing(prefix))
    records = lab.state.get("records", {})
    out: dict = {"prefix": prefix, "up": True, "run_dir": str(lab.run_dir), "nodes": {}}
    twins_rec = records.get("twins/twins")
    serving = _twins_serving(lab) if alive(twins_rec) else set()
    for name, info in lab.nodes.items():
        row: dict = {"kind": info["kind"], "netns": info["netns"], "netns_present": info["netns"] in present}
        if info["kind"] == "device":
            row["snmpd"] = alive(records.get(f"{name}/snmpd"))
            row["twin"] = name in serving if lab.state.get("twins") else None
        if info["kind"] == "host":
            row["sshd"] = alive(records.get(f"{name}/sshd"))
        if row["netns_present"] and info["interfaces"]:
            state = {link["ifname"]: link.get("operstate", "?") for link in netns.links(info["netns"])}
            row["links"] = {vendor: state.get(k, "absent") for vendor, k in info["interfaces"].items()}
        out["nodes"][name] = row
    return out


def _twins_serving(lab: Lab) -> set[str]:
    """Devices the twins process says it serves (its control socket's `ping`)."""
    from lab.twins import control

    try:
        return set(control.request(lab.twins_state_dir, {"op": "ping"}).get("devices", []))
    except (OSError, ValueError):
        return set()


def restart_snmpd(lab: Lab, device: str) -> None:
    """Start a device's snmpd again with the same config (fault `snmp NODE start`)."""
    from govops.sot import load_inventory

    inv = load_inventory(lab.inventory)
    node = build_topology(inv, lab.prefix).nodes[device]
    config = _snmpd_config(inv, node, lab.run_dir)
    directory = lab.run_dir / "snmp" / device
    _write_secret(directory / "snmpd.conf", config(True))
    pid = snmp.start(lab.netns(device), directory)
    rec = _record(pid)
    try:
        wait_for(f"snmpd of {device}", lambda: _alive_or_fail(rec, f"{device}/snmpd", lab.run_dir)
              and listening(pid, 161, "udp"))
    finally:
        (directory / "snmpd.conf").write_text(config(False))
    lab.state["records"][f"{device}/snmpd"] = rec
    lab.state["pids"][f"{device}/snmpd"] = pid
    _write_state(lab.run_dir, lab.state)


def stop_process(lab: Lab, key: str) -> None:
    rec = lab.state.get("records", {}).get(key)
    if alive(rec):
        os.kill(rec["pid"], signal.SIGTERM)
        wait_for(f"{key} to stop", lambda: not alive(rec), timeout=10)


__all__ = ["up", "down", "status", "Node", "LabError"]
