"""The platform table: everything netjob knows about a family of netmiko device_types, in
one place. Every other module asks this table; adding a platform touches this file only
(a new family's refusal, noise, section and secret forms: runner.base.platform_forms).

A device_type that netmiko knows but this table does not gets `generic()`: commands sent
as written, no remediation, netmiko finding the prompt before every command (one round trip
more, but no assumption about its shape), every refusal form of every family below, and a
note in the report that the platform is not one netjob knows.

Pure data and a few lookups: importing this module must stay cheap (no netmiko, no
hier_config), because `netjob plan`, `hosts` and `--help` read it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum

from runner.base import config_words, replaces
from runner.base import platform_forms as forms
from runner.base.platform_forms import SHOW_NOISE as SHOW_NOISE
from runner.base.platform_forms import Refusals as Refusals
from runner.base.revert_timer import RevertTimer
from runner.base.secret_forms import ANYWHERE


class Save(str, Enum):
    """How a platform keeps its configuration across a reload."""

    NETMIKO = "netmiko"  # netmiko's save_config() (write memory, copy run start, save)
    COMMIT = "commit"  # the commit that applies a change also keeps it (Junos, IOS-XR)
    NONE = "none"  # no save: `save_config: true` is refused when the job is loaded


class Remediator(str, Enum):
    """How a config task is compared with the running config before anything is sent: what
    computes its remediation (runner.device.remediation)."""

    HIER = "hier"  # hier_config, indentation-structured configs
    SET = "set"  # flat `set` lines (Junos `| display set`)
    NONE = "none"  # not compared: sent as written, with a note


@dataclass(frozen=True, kw_only=True)
class PlatformInfo:
    """What netjob knows about one family of netmiko device_types."""

    name: str  # the family's netmiko device_type, e.g. "cisco_ios"
    title: str  # for people: "Cisco IOS / IOS-XE"
    known: bool = True  # False: generic() behaviour for a device_type not in the table
    # Other netmiko device_types of the family (without _ssh/_telnet), and foreign names
    # for it: NAPALM drivers (Nornir), Ansible's network_os and collections.
    device_types: tuple[str, ...] = ()
    napalm: tuple[str, ...] = ()
    ansible: tuple[str, ...] = ()
    # The prompt, given netmiko's base prompt (regex-escaped); None: netmiko finds it.
    prompt: Callable[[str], str] | None = None
    enable: bool = True  # has a privileged mode reached with an enable secret
    # `enable` answers with `#` (enabled) or `>` (refused): no "am I enabled?" round trips.
    enable_fast: bool = False
    config_mode: bool = True
    commits: bool = False  # config edits a candidate that only `commit` applies
    # Sent after a refused line or commit, to drop the candidate and leave config mode.
    discard: tuple[str, ...] = ()
    save: Save = Save.NETMIKO
    rejected: Refusals = field(default_factory=lambda: forms.rejects(*forms.GENERIC))
    commit_rejected: Refusals = field(default_factory=lambda: forms.rejects(*forms.GENERIC))
    running_config: str | None = None  # what the remediation reads (and backups take)
    remediator: Remediator = Remediator.NONE
    hier_platform: str = "GENERIC"  # hier_config's Platform member name
    comment_lines: str | None = None  # lines of the running config the remediation ignores
    sections: tuple[str, ...] = ()  # see forms.IOS_SECTIONS
    section_exits: tuple[str, ...] = ("exit",)
    # How a flat task is read (runner.base.flat_config): each section's commands, keyed by
    # its opener in `sections`, and the commands taken only at the global level.
    section_words: config_words.SectionWords = ()
    global_words: tuple[str, ...] = ()
    negations: tuple[str, ...] = ("no", "default")  # a line negating the command after it
    # One-line commands the device shows as a section: `ntp server X` is `ntp` / ` server X`
    # in an IOS-XR running config. A flat task line with such a prefix is compared so.
    shown_nested: tuple[str, ...] = ()
    # (regex, replacement): how the device shows a line it was given, such as NX-OS adding
    # its default `use-vrf default`. Only the comparison uses them; the line is sent as
    # the task wrote it.
    shown_as: tuple[tuple[str, str], ...] = ()
    # The commit's answer when the candidate equals the running config: nothing changed.
    nothing_to_commit: str | None = None
    # The prompt's last character in config mode, read up to it to tell the mode: netmiko
    # otherwise waits for 2 s of silence (VRP, Comware) several times per config step.
    config_prompt_end: str | None = None
    # netmiko's delay factor: 0.02 where netjob waits on the prompt itself; 1.0 (netmiko's
    # default) where the driver's login leans on its sleeps to drain late answers (VRP's
    # and Comware's session preparation sleep, then clear the buffer).
    delay_factor: float = 0.02
    noise: tuple[str, ...] = ()
    # Secrets its configs hold, as regex strings (see forms.cisco_secrets): every family's
    # are applied to all output, since a run mixes platforms; see secret_patterns().
    secrets: tuple[str, ...] = ()
    # Built-in answers (regex, answer) to the questions everyday exec commands ask (`copy
    # running-config startup-config`, `delete`, `clear counters`): tried after a task's own
    # `prompts:`. "" is Enter, which takes the default the question shows.
    answers: tuple[tuple[str, str], ...] = ()
    # The device's confirm-or-revert timer (`--confirm`); None: it has none, refused.
    revert: RevertTimer | None = None
    # `netjob rollback`: how the whole running config is replaced with a kept one; None:
    # refused (runner.base.replaces says which platforms have one, and why not the others).
    replace: replaces.Replace | None = None
    # The session's set-up in one write (forms.Setup); None: netmiko's session_preparation.
    setup: forms.Setup | None = None


# IOS's `[confirm]` and file-name questions (`Destination filename [startup-config]?`,
# `Delete filename [old.bin]?`): Enter takes what the brackets show.
_CISCO_ANSWERS = (
    (r"\[confirm\]\s*$", ""),
    (r"(?:Destination|Source|Delete) filename \[[^\]\r\n]*\]\?\s*$", ""),
)

_IOS_LIKE = {
    "prompt": forms.ios_prompt,
    "running_config": "show running-config",
    "remediator": Remediator.HIER,
    "sections": forms.IOS_SECTIONS,
    "section_words": config_words.CISCO_SECTIONS,
    "global_words": config_words.CISCO_GLOBAL,
}
# IOS-XR's interfaces take `ipv4 address`, and fewer sections are read from flat lines.
_XR_LIKE = {
    **_IOS_LIKE,
    "section_words": config_words.XR_SECTIONS,
    "global_words": config_words.XR_GLOBAL,
}

# VRP and Comware share their command line: `<name>`/`[name]` views, `#`-separated
# configs, `quit` out of a section, and netmiko drivers that lean on sleeps at login.
_VRP_LIKE = {
    "prompt": forms.vrp_prompt,
    "enable": False,  # (netmiko's Comware enable() is system-view, not a privilege)
    "rejected": forms.rejects(*forms.VRP),
    "running_config": "display current-configuration",
    "remediator": Remediator.HIER,
    "comment_lines": r"^\s*#",
    "sections": forms.VRP_SECTIONS,
    "section_exits": ("quit",),
    "section_words": config_words.VRP_SECTIONS,
    "global_words": config_words.VRP_GLOBAL,
    "negations": ("undo",),
    "config_prompt_end": r"[>\]]\s*$",
    "delay_factor": 1.0,
}

TABLE: tuple[PlatformInfo, ...] = (
    PlatformInfo(
        name="cisco_ios",
        title="Cisco IOS / IOS-XE",
        enable_fast=True,
        device_types=("cisco_xe",),
        napalm=("ios",),
        ansible=("ios", "cisco.ios.ios"),
        rejected=forms.rejects(*forms.CISCO),
        hier_platform="CISCO_IOS",
        noise=forms.IOS_NOISE,
        secrets=forms.IOS_SECRETS,
        answers=_CISCO_ANSWERS,
        # Cisco's "Configuration Rollback Confirmed Change": needs `archive` / `path`.
        revert=RevertTimer(
            unit=60,
            least=1,
            most=120,
            enter="configure terminal revert timer {n}",
            confirm=("configure confirm",),
            how="`configure terminal revert timer N` (minutes; needs `archive` `path`), "
            "then `configure confirm`",
        ),
        replace=replaces.IOS,
        setup=forms.CISCO_SETUP,
        **_IOS_LIKE,  # type: ignore[arg-type]
    ),
    PlatformInfo(
        name="arista_eos",
        title="Arista EOS",
        enable_fast=True,
        napalm=("eos",),
        ansible=("eos", "arista.eos.eos"),
        rejected=forms.rejects(*forms.CISCO),
        hier_platform="ARISTA_EOS",
        noise=forms.EOS_NOISE,
        secrets=forms.EOS_SECRETS,
        revert=RevertTimer(
            unit=1,
            least=1,
            most=86399,
            enter="configure session {session}",
            commit="commit timer {hms}",
            confirm=("configure session {session} commit",),
            how="`configure session NAME`, the lines, `commit timer hh:mm:ss`, then "
            "`configure session NAME commit`",
        ),
        replace=replaces.EOS,
        setup=forms.CISCO_SETUP_ANSI,
        **_IOS_LIKE,  # type: ignore[arg-type]
    ),
    PlatformInfo(
        name="cisco_nxos",
        title="Cisco NX-OS",
        napalm=("nxos", "nxos_ssh"),
        ansible=("nxos", "cisco.nxos.nxos"),
        rejected=forms.rejects(*forms.CISCO),
        hier_platform="CISCO_NXOS",
        shown_as=((r"^(\s*ntp server \S+(?: prefer)?)$", r"\1 use-vrf default"),),
        noise=forms.NXOS_NOISE,
        secrets=forms.IOS_SECRETS,
        replace=replaces.NXOS,
        setup=forms.CISCO_SETUP_ANSI,
        **_IOS_LIKE,  # type: ignore[arg-type]
    ),
    PlatformInfo(
        name="cisco_xr",
        title="Cisco IOS-XR",
        napalm=("iosxr",),
        ansible=("iosxr", "cisco.iosxr.iosxr"),
        enable=False,
        commits=True,
        discard=("abort",),
        save=Save.COMMIT,
        rejected=forms.rejects(*forms.CISCO),
        commit_rejected=forms.rejects(*forms.XR_COMMIT),
        nothing_to_commit=r"% ?No configuration changes to commit",
        hier_platform="CISCO_XR",
        shown_nested=("ntp",),
        noise=forms.XR_NOISE,
        secrets=forms.XR_SECRETS,
        answers=_CISCO_ANSWERS,
        revert=RevertTimer(
            unit=1,
            least=30,
            most=65535,
            commit="commit confirmed {n}",
            confirm_in_config=True,
            how="`commit confirmed N` (seconds), then `commit`",
        ),
        replace=replaces.XR,
        setup=forms.CISCO_SETUP,
        **_XR_LIKE,  # type: ignore[arg-type]
    ),
    PlatformInfo(
        name="juniper_junos",
        title="Juniper Junos",
        device_types=("juniper",),
        napalm=("junos",),
        ansible=("junos", "junipernetworks.junos.junos"),
        prompt=forms.junos_prompt,
        enable=False,
        commits=True,
        discard=("rollback 0", "exit configuration-mode"),
        save=Save.COMMIT,
        rejected=forms.rejects(*forms.JUNOS),
        commit_rejected=forms.rejects(*forms.JUNOS),
        running_config="show configuration | display set",
        remediator=Remediator.SET,
        hier_platform="JUNIPER_JUNOS",
        noise=forms.JUNOS_NOISE,
        secrets=forms.JUNOS_SECRETS,
        revert=RevertTimer(
            unit=60,
            least=1,
            most=65535,
            commit="commit confirmed {n}",
            confirm_in_config=True,
            how="`commit confirmed N` (minutes), then `commit`",
        ),
        replace=replaces.JUNOS,
        setup=forms.JUNOS_SETUP,
    ),
    PlatformInfo(
        name="huawei",
        title="Huawei VRP",
        device_types=("huawei_vrp",),
        napalm=("huawei_vrp",),
        noise=forms.VRP_NOISE,
        secrets=forms.VRP_SECRETS,
        **_VRP_LIKE,  # type: ignore[arg-type]
    ),
    PlatformInfo(
        name="hp_comware",
        title="HPE Comware / H3C",
        device_types=("h3c_comware",),
        ansible=("comware", "hpe.comware.comware"),
        hier_platform="HP_COMWARE5",
        noise=forms.VRP_NOISE,
        secrets=forms.VRP_SECRETS,
        **_VRP_LIKE,  # type: ignore[arg-type]
    ),
)

DEFAULT = "cisco_ios"  # a host's platform when its inventory names none

# Other tools' names for netmiko device_types the table does not know (generic behaviour),
# and scrapli's (nornir_scrapli inventories), each mapped only where it names one netmiko
# driver for certain. tests/test_platform_names.py checks every target is netmiko's.
OTHER_NAMES: dict[str, str] = {
    "cisco_iosxe": "cisco_xe",  # scrapli
    "cisco_iosxr": "cisco_xr",  # scrapli
    "asa": "cisco_asa",
    "cisco.asa.asa": "cisco_asa",
    "vyos.vyos.vyos": "vyos",
    "routeros": "mikrotik_routeros",
    "ros": "mikrotik_routeros",  # napalm-ros
    "community.routeros.routeros": "mikrotik_routeros",
    "dellos10": "dell_os10",
    "dellemc.os10.os10": "dell_os10",
    "dellos9": "dell_force10",  # OS9 is FTOS, Force10's
    "dellemc.os9.os9": "dell_force10",
    "dellos6": "dell_os6",
    "dellemc.os6.os6": "dell_os6",
    "exos": "extreme_exos",
    "community.network.exos": "extreme_exos",
    "slxos": "extreme_slx",
    "community.network.slxos": "extreme_slx",
    "voss": "extreme_vsp",
    "community.network.voss": "extreme_vsp",
    "icx": "ruckus_fastiron",
    "community.network.icx": "ruckus_fastiron",
    "aireos": "cisco_wlc",
    "community.network.aireos": "cisco_wlc",
    "onyx": "mellanox_mlnxos",
    "mellanox.onyx.onyx": "mellanox_mlnxos",
    "edgeos": "ubiquiti_edgerouter",
    "community.network.edgeos": "ubiquiti_edgerouter",
    "edgeswitch": "ubiquiti_edgeswitch",
    "community.network.edgeswitch": "ubiquiti_edgeswitch",
    "panos": "paloalto_panos",  # napalm-panos
    "sros": "nokia_sros",  # napalm-sros
}
# Names that could mean more than one netmiko driver: refused, with what to write instead.
# NetBox platform slugs as NetBox's own docs and the netbox-community device type library
# write them → netmiko device_type. A slug that is itself a netjob platform name (cisco_ios,
# NAPALM's ios) needs no entry; the file's `platforms:` adds or overrides entries.
NETBOX_SLUGS: dict[str, str] = {
    "cisco-ios": "cisco_ios",
    "cisco-ios-xe": "cisco_xe",
    "ios-xe": "cisco_xe",
    "cisco-ios-xr": "cisco_xr",
    "ios-xr": "cisco_xr",
    "cisco-nx-os": "cisco_nxos",
    "nx-os": "cisco_nxos",
    "arista-eos": "arista_eos",
    "juniper-junos": "juniper_junos",
    "huawei-vrp": "huawei",
    "vrp": "huawei",
}
AMBIGUOUS: dict[str, str] = {
    **dict.fromkeys(
        ("ce", "community.network.ce"),
        "Huawei CloudEngine runs VRP V8, which commits its changes; write huawei_vrpv8 "
        "(netmiko's two-stage commit driver) or huawei (changes take effect as sent)",
    ),
    "autodetect": "netjob does not guess a platform; name the device_type "
    "(netmiko's SSHDetect can tell you which)",
}

_SUFFIX = re.compile(r"_(ssh|telnet|serial)$")
_BY_NAME: dict[str, PlatformInfo] = {
    name: info for info in TABLE for name in (info.name, *info.device_types)
}
_FOREIGN: dict[str, str] = {
    **{alias: info.name for info in TABLE for alias in (*info.napalm, *info.ansible)},
    **OTHER_NAMES,
}


def family(device_type: str) -> str:
    """A device_type without its transport suffix: `cisco_ios_telnet` → `cisco_ios`."""
    return _SUFFIX.sub("", device_type)


def lookup(device_type: str) -> PlatformInfo:
    """The table's entry for a netmiko device_type (`_ssh`/`_telnet` ignored), or the
    generic behaviour for one the table does not know."""
    return _BY_NAME.get(family(device_type)) or generic(device_type)


def generic(device_type: str) -> PlatformInfo:
    return PlatformInfo(name=family(device_type), title=device_type, known=False, delay_factor=1.0)


def from_foreign(name: str) -> str | None:
    """A netmiko device_type for a NAPALM driver, an Ansible network_os (or collection)
    or a scrapli platform; None for a name the table does not map."""
    return _FOREIGN.get(name)


def foreign_names() -> dict[str, str]:
    """Every other tool's name the table maps, and its netmiko device_type."""
    return dict(_FOREIGN)


def secret_patterns() -> tuple[str, ...]:
    """Every family's secret patterns, each once, in table order: redaction applies them
    all to everything, since a run mixes platforms and logs quote any of them."""
    return tuple(dict.fromkeys([*(p for info in TABLE for p in info.secrets), *ANYWHERE]))


SUPPORT_HEADER = (
    "device_type",
    "platform",
    "enable",
    "config",
    "commit",
    "save",
    "remediation",
)


def support_rows() -> list[tuple[str, ...]]:
    """What netjob does on each platform it knows: a row per platform (names in Markdown
    backticks), under SUPPORT_HEADER."""
    rows: list[tuple[str, ...]] = []
    for info in TABLE:
        names = ", ".join(f"`{name}`" for name in (info.name, *info.device_types))
        commit = "`commit`, checked; refused: discarded" if info.commits else "—"
        save = {
            Save.NETMIKO: "netmiko's save, checked",
            Save.COMMIT: "the commit keeps it",
            Save.NONE: "none (`save_config: true` refused)",
        }[info.save]
        remediation = {
            Remediator.HIER: "hier_config",
            Remediator.SET: "`set` lines",
            Remediator.NONE: "sent as written",
        }[info.remediator]
        enable = "yes" if info.enable else "none (secret ignored)"
        row = (names, info.title, enable, "stops at the first refused line", commit, save)
        rows.append((*row, remediation))
    first = ("any other netmiko device_type", "generic", "netmiko's")
    config = "stops at the first refused line (every form above; none: refused)"
    commit = "netmiko's `commit()` where the driver has one, checked"
    save = "netmiko's, checked (none: refused)"
    rows.append((*first, config, commit, save, "sent as written"))
    return rows


def support_table() -> str:
    """What netjob does on each platform it knows, as the README's Markdown table."""
    lines = ["| " + " | ".join(SUPPORT_HEADER) + " |", "|" + "---|" * len(SUPPORT_HEADER)]
    lines += ["| " + " | ".join(row) + " |" for row in support_rows()]
    return "\n".join(lines) + "\n"
