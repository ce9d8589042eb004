"""Secrets in running configurations: mask them, find any left, write backups only when clean.

A running config prints shared keys, community strings and password hashes (reversible ``cipher``
text too: Huawei's ``%^%#…%^%#`` and Comware's ``$c$3$…`` decrypt with public tools). Backups and
journal diffs keep the command and replace only the secret value with ``MASK``, so a change to a
key still shows as a changed line while the value never reaches a file, a log or git.

One table of rules per platform family; each rule's capture groups are the secret values and
nothing else, so neighbouring words (``ssh server cipher aes128_gcm``, ``password expire 0``)
stay visible and their changes stay in the backups. Where each syntax comes from is in
``tests/unit/network/masking/PROVENANCE.md``; the real-syntax lines are tested in
``tests/unit/network/test_masking.py``.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

MASK = "******"

# A secret value: a double-quoted string (may hold spaces) or one word.
V = r'("[^"]*"|\S+)'
# Huawei prints reversible ciphertext between fixed delimiters (VRP5 %$%$ / %@%@, VRP5.1x and
# VRPv8 %^%#, VRPv8 R19+ %+%#); the text between may hold any printable character but a space.
HUAWEI_CIPHERTEXT = r"(%\^%#\S*?%\^%#|%\+%#\S*?%\+%#|%\$%\$\S*?%\$%\$|%@%@\S*?%@%@)"
# Comware 7 ciphertext ($c$3$) and hash ($h$6$), crypt(3) hashes as Cisco-like systems print them.
DOLLAR_HASH = r"(\$[ch]\$\d\$\S+|\$(?:1|5|6|8|9)\$\S+)"


@dataclass(frozen=True)
class SecretRule:
    name: str
    pattern: re.Pattern[str]


def _rules(*pairs: tuple[str, str]) -> tuple[SecretRule, ...]:
    return tuple(SecretRule(name, re.compile(regex, re.IGNORECASE)) for name, regex in pairs)


# Huawei VRP5 and VRPv8. Keyword after the command: cipher / irreversible-cipher / simple / plain.
HUAWEI = _rules(
    ("ciphertext token", HUAWEI_CIPHERTEXT),
    # local-user X password irreversible-cipher V; set authentication password cipher V;
    # super password level 15 cipher V; peer 10.1.1.1 password cipher V
    ("password", r"\bpassword\s+(?:level\s+\d+\s+)?(?:irreversible-cipher|cipher|simple|sha256)\s+" + V),
    # snmp-agent community read cipher V (VRP5 before 5.130 printed the plain community)
    ("snmp community", r"\bsnmp-agent\s+community\s+(?:read|write)\s+(?:(?:cipher|simple)\s+)?" + V),
    # snmp-agent target-host ... params securityname cipher V, or in clear before v1/v2c (VRP5
    # prints `params securityname public v2c`): for v1/v2c the security name is the community
    ("snmp target community", r"\bsecurityname\s+cipher\s+" + V),
    ("snmp target community", r"\bsecurityname\s+" + V + r"(?=\s+v(?:1|2c)\b)"),
    # snmp-agent usm-user v3 U authentication-mode sha cipher V privacy-mode aes128 cipher V;
    # ospf authentication-mode md5 1 cipher V; ntp-service authentication-keyid 1
    # authentication-mode md5 cipher V; isis authentication-mode md5 cipher V
    # (RIP: md5 usual / nonstandard KEY-ID before the keyword)
    ("authentication key", r"\bauthentication-mode\s+(?:md5|hmac-\S+|sha\S*|simple)\s+"
                           r"(?:(?:usual|nonstandard)\s+)?(?:\d+\s+)?(?:(?:cipher|plain|simple)\s+)" + V),
    ("privacy key", r"\bprivacy-mode\s+\S+\s+(?:cipher|simple)\s+" + V),
    # radius-server shared-key cipher V; hwtacacs-server shared-key cipher V;
    # radius-server authentication 10.1.1.1 1812 shared-key cipher V
    ("shared key", r"\bshared-key\s+(?:(?:cipher|simple)\s+)?" + V),
    ("pre-shared key", r"\bpre-shared-key\s+(?:(?:cipher|simple)\s+)?" + V),
    ("key string", r"\bkey-string\s+(?:(?:cipher|plain|simple)\s+)?" + V),
    # trusted-ca load pfx-ca FILE auth-code cipher V (ssl policy)
    ("certificate auth code", r"\bauth-code\s+(?:cipher\s+)?" + V),
)

# H3C Comware 7.
COMWARE = _rules(
    ("ciphertext token", DOLLAR_HASH),
    # password hash V / password cipher V / password simple V (local-user view);
    # super password role network-admin hash V
    ("password", r"\bpassword\s+(?:role\s+\S+\s+)?(?:hash|cipher|simple)\s+" + V),
    ("snmp community", r"\bsnmp-agent\s+community\s+(?:read|write)\s+(?:(?:cipher|simple)\s+)?" + V),
    # snmp-agent usm-user v3 U G cipher authentication-mode sha V privacy-mode aes128 V: the
    # cipher keyword comes before authentication-mode; ospf authentication-mode md5 1 cipher V
    ("authentication key", r"\bauthentication-mode\s+(?:md5|hmac-\S+|sha\S*|simple)\s+(?:(?:rfc\d+|usual|nonstandard)\s+)?"
                           r"(?:\d+\s+(?:cipher|plain|simple)\s+|(?:cipher|plain|simple)\s+)?"
                           r"(?!privacy-mode\b)" + V),
    ("privacy key", r"\bprivacy-mode\s+(?:des56|3des|aes\d*)\s+(?:(?:cipher|simple)\s+)?" + V),
    # key authentication cipher V / key accounting cipher V (radius/hwtacacs scheme);
    # pre-shared-key address 10.1.1.1 key cipher V (ike keychain)
    ("scheme key", r"\bkey\s+(?:(?:authentication|authorization|accounting)\s+)?(?:cipher|simple)\s+" + V),
    ("snmp target community", r"\bsecurityname\s+(?:cipher\s+)?" + V + r"(?=\s+v(?:1|2c)\b)"),
)

# Ruijie RGOS and ZTE ZXROS print Cisco IOS syntax for all of these: an optional encryption
# type digit (0 plain, 5 MD5, 7 Vigenère, 8/9 scrypt/PBKDF2) before the value.
# Words that follow a secret keyword in another family's syntax (Huawei ``shared-key cipher V``)
# or name a setting, never a value: a Cisco-like rule must not take them for the secret.
NOT_A_VALUE = r"(?!(?:cipher|simple|plain|hash|irreversible-cipher|encrypted|ciphertext|expire|policy|min-length|aging|history)\b)"
TYPE = r"(?:(?:\d|encrypted)\s+)?" + NOT_A_VALUE
CISCO_LIKE = _rules(
    ("ciphertext token", DOLLAR_HASH),
    ("enable secret", r"^\s*enable\s+(?:secret|password)\s+(?:level\s+\d+\s+)?" + TYPE + V),
    # username X [privilege N] password 7 V / secret 5 V
    ("user password", r"^\s*username\s+\S+\b.*?\b(?:password|secret)\s+" + TYPE + V),
    # line vty: password 7 V (a line of its own, indented)
    ("line password", r"^\s+(?:password|secret)\s+" + TYPE + V),
    ("snmp community", r"^\s*snmp-server\s+community\s+(?:encrypted\s+)?" + TYPE + V),
    ("snmp host community", r"^\s*snmp-server\s+host\s+\S+.*?\bversion\s+(?:1|2c)\s+" + NOT_A_VALUE + V),
    # snmp-server user U G v3 [encrypted] auth sha V priv aes128 V (Cisco: priv aes 128 V)
    ("snmp auth key", r"\bauth\s+(?:md5|sha\S*)\s+" + NOT_A_VALUE + V),
    ("snmp priv key", r"\bpriv\s+(?:des\S*|3des|aes(?:\s*(?:128|192|256))?)\s+" + NOT_A_VALUE + V),
    # tacacs-server [host H] key [7] V; radius-server [host H ...] key [7] V
    ("aaa server key", r"^\s*(?:tacacs|radius)-server\b.*?\bkey\s+(?:encrypted\s+|ciphertext\s+)?" + TYPE + V),
    # ntp authentication-key 1 md5 [7] V (IOS prints the type after the value: ... md5 V 7)
    ("ntp key", r"\bntp\s+authentication-key\s+\d+\s+\S+\s+" + TYPE + V),
    ("ospf md5 key", r"\bmessage-digest-key\s+\d+\s+md5\s+" + TYPE + V),
    ("ospf key", r"\bip\s+ospf\s+authentication-key\s+" + TYPE + V),
    ("isakmp key", r"\bcrypto\s+isakmp\s+key\s+" + TYPE + V),
    ("bgp password", r"\bneighbor\s+\S+\s+password\s+" + TYPE + V),
    ("key string", r"\bkey-string\s+" + TYPE + V),
    ("pre-shared key", r"\bpre-shared-key\s+(?:ascii\s+|hex\s+)?" + TYPE + V),
)

FAMILY = {"huawei": HUAWEI, "huawei_vrpv8": HUAWEI, "hp_comware": COMWARE,
          "ruijie_os": CISCO_LIKE, "zte_zxros": CISCO_LIKE}
ALL_RULES = HUAWEI + COMWARE + CISCO_LIKE


def rules_for(platform: str | None, family_only: bool = False) -> tuple[SecretRule, ...]:
    """The platform's own table first, then (unless ``family_only``) every other table as a net:
    another family's syntax never appears in a real config, so the net costs nothing there, and
    a line pasted from elsewhere or a platform we do not know is still masked."""
    own = FAMILY.get(platform or "", ())
    return own if family_only else own + tuple(r for r in ALL_RULES if r not in own)


def _secret_spans(line: str, rules: tuple[SecretRule, ...]) -> list[tuple[int, int, str]]:
    spans = []
    for rule in rules:
        for match in rule.pattern.finditer(line):
            for group in range(1, (match.lastindex or 0) + 1):
                if match.start(group) >= 0:
                    spans.append((match.start(group), match.end(group), rule.name))
    return spans


def mask_line(line: str, platform: str | None = None, family_only: bool = False) -> str:
    """The line with every secret value replaced by MASK (idempotent: MASK masks to itself)."""
    spans = sorted(_secret_spans(line, rules_for(platform, family_only)))
    out, pos = [], 0
    for start, end, _ in spans:
        if start < pos:  # overlapping rules (a ciphertext token inside a password rule)
            continue
        out += [line[pos:start], MASK]
        pos = end
    return "".join(out) + line[pos:]


def mask_text(text: str, platform: str | None = None, family_only: bool = False) -> str:
    return "\n".join(mask_line(line, platform, family_only) for line in text.split("\n"))


def unmasked(text: str, platform: str | None = None) -> list[tuple[int, str]]:
    """(line number, rule name) of every secret value still in clear; never the value itself."""
    found = []
    for number, line in enumerate(text.split("\n"), 1):
        for start, end, name in _secret_spans(line, rules_for(platform)):
            value = line[start:end]
            if value != MASK and value.strip('"') != MASK:
                found.append((number, name))
    return found


class UnmaskedSecret(ValueError):
    """A file was about to be written with a secret in clear."""


def private_dir(path: Path) -> None:
    """Create ``path`` and its missing parents 0700 (folders that already exist keep their mode)."""
    missing = []
    while not path.exists():
        missing.append(path)
        path = path.parent
    for folder in reversed(missing):
        folder.mkdir(mode=0o700, exist_ok=True)
        os.chmod(folder, 0o700)  # mkdir's mode is filtered by the umask


def write_private(path: str | os.PathLike, text: str, platform: str | None = None) -> Path:
    """Write ``text`` atomically as a 0600 file (folders created 0700), or raise UnmaskedSecret.

    The refusal names the file, line numbers and the kind of secret, never the value. A file
    whose content is already ``text`` is not rewritten (backups change only when the config does),
    but its mode is still brought to 0600.
    """
    path = Path(path)
    leftover = unmasked(text, platform)
    if leftover:
        where = ", ".join(f"line {n} ({name})" for n, name in leftover[:10])
        raise UnmaskedSecret(f"{path}: refusing to write an unmasked secret: {where}")
    private_dir(path.parent)
    if path.exists() and path.read_text(encoding="utf-8") == text:
        os.chmod(path, 0o600)
        return path
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def open_private_append(path: str | os.PathLike):
    """A text file opened for appending, created 0600 in 0700 folders (journals)."""
    path = Path(path)
    private_dir(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    if os.fstat(fd).st_mode & 0o077:
        os.fchmod(fd, 0o600)  # a journal created by an older version
    return os.fdopen(fd, "a", encoding="utf-8")


def check_backups(folder: str | os.PathLike) -> list[str]:
    """Problems in a backup folder, one per file: secrets in clear, files or folders others can read."""
    problems = []
    root = Path(folder)
    for path in sorted(root.rglob("*")):
        # symlinks (<device>.pre-ipv6.cfg -> the change's file) point at files checked anyway;
        # hidden names are git's own folder and write_private's temporary files
        if path.is_symlink() or any(part.startswith(".") for part in path.relative_to(root).parts):
            continue
        mode = path.stat().st_mode & 0o777
        if path.is_dir():
            if mode & 0o077:
                problems.append(f"{path}: folder mode {mode:04o}, expected 0700")
            continue
        if not path.name.endswith(".cfg"):
            continue
        if mode & 0o077:
            problems.append(f"{path}: file mode {mode:04o}, expected 0600")
        try:
            leftover = unmasked(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError as err:
            problems.append(f"{path}: not UTF-8 text ({err.reason} at byte {err.start})")
            continue
        if leftover:
            where = ", ".join(f"line {n} ({name})" for n, name in leftover[:10])
            problems.append(f"{path}: unmasked secret: {where}")
    return problems


def check_backups_command(folder: str) -> int:
    """`govops net check-backups DIR`: exit 1 (and say where) if a backup must not be committed."""
    if not Path(folder).is_dir():
        print(f"check-backups: {folder}: not a directory", file=sys.stderr)
        return 2
    problems = check_backups(folder)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s): do not commit these backups; re-run `govops net backup` "
              "(it masks and writes 0600) or fix the modes with chmod", file=sys.stderr)
    return 1 if problems else 0
