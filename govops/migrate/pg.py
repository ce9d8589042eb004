"""PostgreSQL replication layout of a system, planned from the SoT and rendered from templates.

The system's DR tier (govops/cloud/dr.py) says which replicas it keeps: levels 5-6 a synchronous
standby in the same-city DR centre and an asynchronous one in the remote DR centre, levels 3-4 the
remote one only, levels 1-2 none (backups only). The centre roles come from centres.yml, the
hosts and their data-network addresses from hosts.yml, the passwords from the inventory's vault
(`vault_pg_replication_password`, `vault_pg_app_password`). `plan` checks all of it and raises one
PlanError listing every problem *before* anything is touched; `render` gives each node's
postgresql.conf / pg_hba.conf from templates/pg/.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from govops.cloud.dr import REPLICA_CENTRE_ROLE, Replication
from govops.cloud.dr import tier as dr_tier
from govops.sot import vault_password_file
from govops.sot.model import CentreRole

TEMPLATES = Path(__file__).parent / "templates" / "pg"
PORT = 5432
DATABASE = "govops"
REPLICATION_USER = "replicator"
APP_USER = "govops_app"
SECRETS = {"replication": "vault_pg_replication_password", "app": "vault_pg_app_password"}


class PlanError(ValueError):
    """Every problem found in the SoT for a database layout, each naming file and key."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("database DR layout cannot be built:\n  - " + "\n  - ".join(problems))


@dataclass(frozen=True)
class DbNode:
    host: str
    centre: str
    kind: str  # "primary" or a Replication value
    addr: str  # data-network address (the uplink's)

    @property
    def app_name(self) -> str:
        """application_name on the primary: what synchronous_standby_names and pg_stat_replication use."""
        return self.host.replace("-", "_")


@dataclass(frozen=True)
class Layout:
    system: str
    tier: int
    primary: DbNode
    standbys: tuple[DbNode, ...]
    app_networks: tuple[str, ...] = field(default=())

    @property
    def nodes(self) -> tuple[DbNode, ...]:
        return (self.primary, *self.standbys)

    @property
    def mode(self) -> str:
        return dr_tier(self.tier).mode

    @property
    def sync_names(self) -> str:
        sync = [s.app_name for s in self.standbys if s.kind == Replication.sync_same_city]
        return f"FIRST {len(sync)} ({', '.join(sync)})" if sync else ""

    def node(self, host: str) -> DbNode:
        return next(n for n in self.nodes if n.host == host)

    def standby(self, kind: Replication | str) -> DbNode:
        return next(n for n in self.standbys if n.kind == Replication(kind))


def plan(inv, system: str, primary: str, standbys: dict[str, str] | None = None) -> Layout:
    """The layout the tier asks for. `standbys` may name the host per replica kind; by default the
    first host (by name) of the centre with the replica's role. PlanError lists every problem."""
    problems: list[str] = []
    standbys = dict(standbys or {})
    if system not in inv.systems:
        raise PlanError([f"catalogue.yml: systems: no system {system!r}"])
    level = inv.systems[system].dr_tier
    t = dr_tier(level)
    where = f"catalogue.yml: systems[{system}].dr_tier={level} ({t.mode})"

    def node_for(host: str, kind: str, role: CentreRole | None) -> DbNode | None:
        h = inv.hosts.get(host)
        if h is None:
            problems.append(f"hosts.yml: no host {host!r} (wanted for the {kind} of {system})")
            return None
        centre = inv.centres.get(h.centre) if h.centre else None
        if centre is None:
            problems.append(f"hosts.yml: {host}.centre={h.centre!r}: not a centre in centres.yml")
            return None
        if role is not None and centre.role != role:
            problems.append(f"hosts.yml: {host}.centre={h.centre} has role {centre.role.value}; "
                            f"the {kind} replica needs a {role.value} centre")
        if h.uplink is None or h.uplink.ipv4 is None:
            problems.append(f"hosts.yml: {host}.uplink.ipv4 missing: replication needs a data-network address")
            return None
        return DbNode(host, centre.id, kind, str(h.uplink.ipv4.ip))

    p = node_for(primary, "primary", CentreRole.production)
    nodes = []
    for repl in t.replicas:
        role = REPLICA_CENTRE_ROLE[repl]
        host = standbys.pop(repl.value, None)
        if host is None:
            centres = sorted(c.id for c in inv.centres.values() if c.role == role)
            if not centres:
                problems.append(f"{where} promises a {repl.value} replica, but centres.yml has no centre "
                                f"with role {role.value}")
                continue
            hosts = sorted(n for n, h in inv.hosts.items() if h.centre in centres)
            if not hosts:
                problems.append(f"{where} promises a {repl.value} replica, but hosts.yml has no host in "
                                f"{', '.join(centres)}")
                continue
            host = hosts[0]
        n = node_for(host, repl.value, role)
        if n:
            nodes.append(n)
    for kind in standbys:
        problems.append(f"{where}: a {kind} standby was asked for, but the tier has none")
    if problems:
        raise PlanError(problems)
    return Layout(system, level, p, tuple(nodes), (str(inv.city.ipv4_blocks.segments),))


def secrets(inventory: str | Path) -> dict[str, str]:
    """The database passwords from the inventory's vaulted group_vars; PlanError names what is missing."""
    import yaml
    from ansible.parsing.vault import VaultLib, VaultSecret

    root = Path(inventory)
    pw_file = vault_password_file(root)
    found: dict[str, str] = {}
    vault = VaultLib([("default", VaultSecret(pw_file.read_text().strip().encode()))]) if pw_file else None
    for path in sorted((root / "group_vars" / "all").glob("*.yml")):
        raw = path.read_bytes()
        if raw.startswith(b"$ANSIBLE_VAULT"):
            if vault is None:
                continue
            raw = vault.decrypt(raw)
        data = yaml.safe_load(raw) or {}
        if isinstance(data, dict):
            found.update({k: str(v) for k, v in data.items() if k in SECRETS.values() and v})
    missing = [f"{root}/group_vars/all: vault variable {name} ({what} password) is missing or empty"
               + ("" if pw_file else "; no vault password file either")
               for what, name in SECRETS.items() if name not in found]
    if missing:
        raise PlanError(missing)
    return {what: found[name] for what, name in SECRETS.items()}


def render(layout: Layout, host: str, paths: dict[str, str], archive_command: str = "",
           bootstrap: bool = False, upstream: DbNode | None = None) -> dict[str, str]:
    """postgresql.conf and pg_hba.conf for one node. The conninfo names a passfile, never a password.
    `upstream`: stream from that node instead of the planned primary (fail-back: the production
    node follows the promoted standby until the switchover back)."""
    env = Environment(loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined, keep_trailing_newline=True,
                      trim_blocks=True, lstrip_blocks=True)
    node = layout.node(host)
    standby = upstream is not None or node.kind != "primary"
    conninfo = (f"host={(upstream or layout.primary).addr} port={PORT} user={REPLICATION_USER} application_name={node.app_name} "
                f"sslmode=verify-full sslrootcert={paths['tls']}/ca.crt passfile={paths['passfile']} "
                "connect_timeout=3")
    ctx = {"layout": layout, "node": node, "port": PORT, "paths": paths, "conninfo": conninfo,
           "replication_user": REPLICATION_USER, "app_user": APP_USER, "database": DATABASE,
           "app_networks": layout.app_networks, "archive_command": archive_command,
           "bootstrap": bootstrap, "standby": standby}
    return {name: env.get_template(f"{name}.j2").render(ctx) for name in ("postgresql.conf", "pg_hba.conf")}
