"""Stack settings: what differs between stacks and is not in the source of truth.

Read from Pulumi config (namespace ``govops-cloud``) by the program, and from
``pulumi/Pulumi.<stack>.yaml`` by ``govops cloud plan``/``drift``, which run without the CLI.
Secrets never pass through here as plain values: a centre's credentials come either from the
clouds.yaml entry it names (``cloud``) or from the stack's encrypted config ``credentials``
(:func:`credentials_from_config`), which stays a secret ``Output`` all the way into the providers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

PROJECT = "govops-cloud"
PULUMI_DIR = Path(__file__).resolve().parents[2] / "pulumi"


@dataclass(frozen=True)
class CentreAccess:
    """How the program reaches one centre's OpenStack API."""

    auth_url: str
    region: str = "RegionOne"
    cloud: str | None = None          # clouds.yaml entry holding the credentials (preferred)
    local_asn: int = 65101            # the centre's BGP speaker (private ASN)
    # Password authentication of the operator account, its secret in the stack config
    # (`credentials.<centre>.password`). Tenant providers re-scope this account to each tenant
    # project; an application credential cannot do that (Keystone binds it to the project it
    # was created in), so it is only used by the centre's admin provider.
    user_name: str | None = None
    user_domain_name: str = "Default"
    project_name: str | None = None   # the admin project the centre's own provider scopes to
    project_domain_name: str = "Default"
    application_credential_id: str | None = None   # secret: `credentials.<centre>.application_credential_secret`


# Cloud images per OS family, each published for both architectures of the xinchuang pools
# (Kylin V10, UOS 20 and openEuler 22.03 all ship aarch64 and x86_64 builds). Uploaded from the
# centre's image mirror by Glance web-download; `hw_architecture` makes Nova place them right.
IMAGES: dict[str, dict[str, str]] = {
    "kylin-server-v10-sp3": {"os_distro": "kylin", "os_version": "V10 SP3"},
    "uos-server-20-1070e": {"os_distro": "uos", "os_version": "20 1070e"},
    "openeuler-22.03-lts-sp4": {"os_distro": "openeuler", "os_version": "22.03 LTS SP4"},
}


@dataclass(frozen=True)
class StackSettings:
    inventory: str
    operator: str = "cloud-ops@xinyu.example"    # owner of platform and tenant resources
    image: str = "kylin-server-v10-sp3"          # OS family of a system whose catalogue entry names none
    image_mirror: str = "https://mirror.cloud.xinyu.example/images"   # <mirror>/<family>-<arch>.qcow2
    extranet_asn: int = 65000                    # the extranet core's ASN (BGP peer)
    tenant_ipv4_pool: str = "198.18.128.0/17"    # tenant-private IPv4 (SNAT), sample range
    centres: dict[str, CentreAccess] = field(default_factory=dict)

    def access(self, centre_id: str) -> CentreAccess:
        return self.centres.get(centre_id) or CentreAccess(auth_url=f"https://{centre_id}.cloud.xinyu.example:5000/v3")


SECRET_FIELDS = ("password", "application_credential_secret")


def credentials_from_config():
    """The stack's encrypted ``credentials`` (centre -> {password, application_credential_secret}),
    as a secret Output, or None when the stack keeps its credentials in clouds.yaml.

    Set with ``pulumi config set --secret --path 'credentials.<centre>.password' …`` (pulumi/README.md)."""
    import pulumi

    return pulumi.Config().get_secret_object("credentials")


def centre_secret(credentials, centre_id: str, field: str):
    """One secret of one centre, still a secret Output (None when the stack has no credentials)."""
    if credentials is None:
        return None
    return credentials.apply(lambda c: ((c or {}).get(centre_id) or {}).get(field))


def from_config(values: dict) -> StackSettings:
    """From a flat mapping of config keys without the namespace (what Pulumi.<stack>.yaml holds).

    A secret typed in plain text into ``centres`` is refused (ValueError): it would be committed."""
    for cid, spec in (values.get("centres") or {}).items():
        plain = sorted(set(spec or {}) & set(SECRET_FIELDS))
        if plain:
            raise ValueError(f"config centres.{cid}: {', '.join(plain)} must not be plain config; set it "
                             f"encrypted: pulumi config set --secret --path 'credentials.{cid}.{plain[0]}' …")
    centres = {cid: CentreAccess(**{k: v for k, v in (spec or {}).items() if k in CentreAccess.__dataclass_fields__})
               for cid, spec in (values.get("centres") or {}).items()}
    simple = {k: values[k] for k in ("inventory", "operator", "image", "image_mirror", "extranet_asn",
                                     "tenant_ipv4_pool")
              if k in values}
    if simple.get("image", "kylin-server-v10-sp3") not in IMAGES:
        raise ValueError(f"config image: unknown OS image family {simple['image']!r}; expected one of "
                         f"{', '.join(IMAGES)}")
    return StackSettings(**simple, centres=centres)


def stack_file(stack: str, pulumi_dir: Path = PULUMI_DIR) -> Path:
    """The config file of a stack; a split stack (`<env>.platform.<c>`, `<env>.tenant.<d>`) without one of
    its own shares its environment's `Pulumi.<env>.yaml` (only its secrets need a file of its own)."""
    own = pulumi_dir / f"Pulumi.{stack}.yaml"
    return own if own.exists() or "." not in stack else pulumi_dir / f"Pulumi.{stack.split('.', 1)[0]}.yaml"


def read_stack_config(stack: str, pulumi_dir: Path = PULUMI_DIR) -> dict:
    """The plain (non-secret) values of a stack's config, keys without the ``govops-cloud:`` namespace."""
    path = stack_file(stack, pulumi_dir)
    data = yaml.safe_load(path.read_text()) or {}
    out = {}
    for key, value in (data.get("config") or {}).items():
        ns, _, name = key.partition(":")
        if ns == PROJECT and not (isinstance(value, dict) and "secure" in value):
            out[name] = value
    return out


def load_stack_settings(stack: str, pulumi_dir: Path = PULUMI_DIR) -> StackSettings:
    """Settings of a stack; a relative inventory path is relative to the Pulumi project directory."""
    values = read_stack_config(stack, pulumi_dir)
    settings = from_config(values)
    inv = Path(settings.inventory)
    if not inv.is_absolute():
        inv = (pulumi_dir / inv).resolve()
    return StackSettings(**{**settings.__dict__, "inventory": str(inv)})
