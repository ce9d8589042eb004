"""Backup masking on real-syntax lines of the five platforms (issue #14, problem 10).

The lines and their sources are in masking/secret_lines.yml and masking/PROVENANCE.md.
"""

from __future__ import annotations

import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from govops import vendors
from network import config, masking

DATA = yaml.safe_load((Path(__file__).parent / "masking" / "secret_lines.yml").read_text())
SECRET_LINES = DATA["secret_lines"]
PLAIN_LINES = DATA["plain_lines"]
GOVOPS = str(Path(sys.executable).with_name("govops"))  # the console script, as users run it
PLATFORMS = ("huawei", "huawei_vrpv8", "hp_comware", "ruijie_os", "zte_zxros")


def _id(row: dict) -> str:
    return f"{row['platform']}:{row['line'].strip()[:40]}"


def _backup(row: dict) -> str:
    """The line as it lands in a backup: through the same normalisation the backups use."""
    return config.normalise_text(f"#\n{row['line']}\n#\nreturn\n", vendors.get(row["platform"]))


def test_data_covers_every_platform_with_enough_lines():
    assert len(SECRET_LINES) >= 20
    assert {row["platform"] for row in SECRET_LINES} == set(PLATFORMS)


@pytest.mark.parametrize("row", SECRET_LINES, ids=_id)
def test_secret_lines_are_masked_in_backups(row):
    text = _backup(row)
    for secret in row["secrets"]:
        assert secret not in text
    assert text.count(masking.MASK) == len(row["secrets"])
    # the command stays: a changed key still shows as a changed line
    assert text.split("\n")[1].split()[0] == row["line"].split()[0]


@pytest.mark.parametrize("row", SECRET_LINES, ids=_id)
def test_the_platforms_own_table_masks_its_lines(row):
    """Each family's table is complete for its platform, without the other tables' help."""
    masked = masking.mask_line(row["line"], row["platform"], family_only=True)
    assert all(secret not in masked for secret in row["secrets"])


@pytest.mark.parametrize("row", PLAIN_LINES, ids=_id)
def test_settings_that_are_not_secrets_stay_visible(row):
    assert _backup(row).split("\n")[1] == row["line"].rstrip()
    for platform in PLATFORMS:  # nor does any other family's rule hide them
        assert masking.mask_line(row["line"], platform) == row["line"]


@pytest.mark.parametrize("row", SECRET_LINES, ids=_id)
def test_masking_is_idempotent_and_masked_text_has_no_secret_left(row):
    once = masking.mask_line(row["line"], row["platform"])
    assert masking.mask_line(once, row["platform"]) == once
    assert masking.unmasked(once, row["platform"]) == []
    assert masking.unmasked(row["line"], row["platform"]), "the check must see the clear secret"


def test_both_sides_of_a_comparison_are_masked_alike():
    running = "#\nsnmp-agent community read cipher %^%#Old-Cipher%^%#\nssh server cipher aes256_ctr\n#\nreturn\n"
    rotated = running.replace("%^%#Old-Cipher%^%#", "%^%#New-Cipher%^%#")
    assert config.normalise_text(running, vendors.get("huawei")) == config.normalise_text(rotated, vendors.get("huawei"))
    # a real setting change is still a difference
    hardened = running.replace("aes256_ctr", "aes256_gcm")
    assert config.normalise_text(running, vendors.get("huawei")) != config.normalise_text(hardened, vendors.get("huawei"))
    # and a masked backup compared with a fresh fetch: masking the masked text changes nothing
    once = config.normalise_text(running, vendors.get("huawei"))
    assert config.normalise_text(once, vendors.get("huawei")) == once


def test_write_private_creates_0600_in_0700_folders_and_refuses_clear_secrets(tmp_path):
    target = tmp_path / "backups" / "xinyu" / "core-1.cfg"
    masking.write_private(target, "sysname core-1\nsnmp-agent community read cipher ******\n", "huawei")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert stat.S_IMODE(target.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "backups").stat().st_mode) == 0o700

    leaky = "sysname core-1\ntacacs-server key 7 060e0b2d4f1a0b0e\n"
    with pytest.raises(masking.UnmaskedSecret) as err:
        masking.write_private(target, leaky, "ruijie_os")
    assert str(target) in str(err.value) and "line 2" in str(err.value)
    assert "060e0b2d4f1a0b0e" not in str(err.value)
    assert "tacacs" not in target.read_text()  # the old content is untouched
    assert not list(target.parent.glob(".*.tmp"))


def test_write_private_tightens_an_old_0644_backup(tmp_path):
    target = tmp_path / "r1.cfg"
    target.write_text("sysname r1\n")
    target.chmod(0o644)
    masking.write_private(target, "sysname r1\n")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_check_backups_command_finds_clear_secrets_and_open_modes(tmp_path):
    folder = tmp_path / "backups"
    masking.write_private(folder / "xinyu" / "ok.cfg", "sysname ok\n")
    leaked = folder / "xinyu" / "leaky.cfg"
    leaked.write_text("sysname leaky\n snmp-agent usm-user v3 u g cipher authentication-mode sha "
                      "$c$3$Bn6Mh2Ty7Ur4 privacy-mode aes128 $c$3$Ka5Zs8Xd3C\n")
    run = subprocess.run([GOVOPS, "net", "check-backups", str(folder)],
                         capture_output=True, text=True, cwd=Path(__file__).resolve().parents[3])
    assert run.returncode == 1, run.stderr
    assert "leaky.cfg: unmasked secret: line 2" in run.stdout
    assert "leaky.cfg: file mode 0644" in run.stdout
    assert "Bn6Mh2Ty7Ur4" not in run.stdout + run.stderr
    assert "ok.cfg" not in run.stdout

    leaked.unlink()
    run = subprocess.run([GOVOPS, "net", "check-backups", str(folder)],
                         capture_output=True, text=True, cwd=Path(__file__).resolve().parents[3])
    assert run.returncode == 0, run.stdout + run.stderr


def test_net_backup_files_are_private_and_an_unmasked_one_is_refused(tmp_path):
    from govops.sot import load_inventory
    from network import backup

    inv = load_inventory(Path(__file__).resolve().parents[3] / "inventories" / "lab")
    clean, leaky = sorted(inv.devices)[:2]
    fetched = {
        clean: backup.Fetched(clean, config.normalise_text("#\nsysname x\n#\nreturn\n", vendors.get(inv.devices[clean].platform))),
        # what a fetch normalised by a masking that misses a syntax would hand over
        leaky: backup.Fetched(leaky, "sysname y\nradius-server key Radius-Shared-1\n"),
    }
    written = backup.write_backups(inv, fetched, tmp_path / "backups")
    assert written == [backup.backup_path(tmp_path / "backups", inv, clean)]
    assert stat.S_IMODE(written[0].stat().st_mode) == 0o600
    assert stat.S_IMODE(written[0].parent.stat().st_mode) == 0o700
    assert "unmasked secret" in fetched[leaky].error and "Radius-Shared-1" not in fetched[leaky].error
    assert not backup.backup_path(tmp_path / "backups", inv, leaky).exists()


def test_change_journal_is_created_0600_in_a_0700_folder(tmp_path):
    from network.journal import Journal

    path = tmp_path / "journal" / "ipv6-upgrade.jsonl"
    Journal(path).record("core-1", "precheck", "ok", "VRPv8")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    path.chmod(0o644)  # written by an older version: tightened on the next record
    Journal(path).record("core-1", "done", "upgraded")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(path.read_text().splitlines()) == 2


def test_pre_commit_hook_refuses_a_commit_with_a_clear_secret(tmp_path):
    repo = tmp_path / "backups"
    masking.write_private(repo / "xinyu" / "core-1.cfg", "sysname core-1\n")
    hook = Path(__file__).resolve().parents[3] / "network" / "hooks" / "pre-commit-backups"
    env = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "HOME": str(tmp_path),
           "GIT_AUTHOR_NAME": "ops", "GIT_AUTHOR_EMAIL": "ops@example.org",
           "GIT_COMMITTER_NAME": "ops", "GIT_COMMITTER_EMAIL": "ops@example.org"}

    def git(*args):
        return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, env=env)

    git("init", "-q")
    (repo / ".git" / "hooks" / "pre-commit").symlink_to(hook)
    git("add", "-A")
    assert git("commit", "-qm", "clean").returncode == 0
    # a backup written by hand (or by an older tool): mode 0644, an SNMPv3 key in clear
    (repo / "xinyu" / "core-1.cfg").write_text("sysname core-1\nsnmp-server user u g v3 auth sha K3y-1 priv aes128 K3y-2\n")
    (repo / "xinyu" / "core-1.cfg").chmod(0o644)
    refused = git("commit", "-qam", "leak")
    assert refused.returncode != 0
    assert "core-1.cfg: unmasked secret: line 2" in refused.stdout + refused.stderr
    assert "K3y-1" not in refused.stdout + refused.stderr
    assert git("log", "--oneline").stdout.count("\n") == 1


@pytest.mark.parametrize("platform, line, expected", [
    # RIP keys (Huawei `md5 usual`, Comware `md5 rfc2453`): the words before the key stay
    ("huawei", " rip authentication-mode md5 usual plain Rip-Key", " rip authentication-mode md5 usual plain ******"),
    ("hp_comware", " rip authentication-mode md5 rfc2453 plain Rip-2", " rip authentication-mode md5 rfc2453 plain ******"),
    # another family's rule (the safety net) must not take a keyword for the value
    ("huawei", " radius-server authentication 10.1.1.1 1812 shared-key cipher Radius-K",
     " radius-server authentication 10.1.1.1 1812 shared-key cipher ******"),
    ("hp_comware", " password cipher $c$3$AbC", " password cipher ******"),
])
def test_only_the_value_is_masked(platform, line, expected):
    assert masking.mask_line(line, platform) == expected
