"""The platform table: everything netjob knows about a family of netmiko device_types, in
one place. Every other module asks this table; adding a platform touches this file only.

A device_type that netmiko knows but this table does not gets `generic()`: commands sent
as written, no remediation, netmiko finding the prompt before every command (one round trip
more, but no assumption about its shape), every refusal form of every family below, and a
note in the report that the platform is not one netjob knows.

Pure data and a few lookups: importing this module must stay cheap (no netmiko, no
hier_config), because `netjob plan`, `hosts` and `--help` read it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum

from runner.base import config_words, replaces
from runner.base.revert_timer import RevertTimer
from runner.base.secret_forms import ANYWHERE, JUNOS_FORMS, VRP_FORMS, cisco_forms
from runner.base.secret_forms import KEY_ID as _KEY_ID
from runner.base.secret_forms import SECRET as _SECRET
from runner.base.secret_forms import SP as _SP
from runner.base.secret_forms import STATEMENT as _STATEMENT
from runner.base.secret_forms import B as _B


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


def _ios_prompt(base: str) -> str:
    # The prompt netmiko learnt, as the LAST line of the output: the bare base prompt would
    # match `hostname r1` inside a running config and cut the output short.
    return rf"(?:^|[\r\n]){base}(?:\([^)\r\n]{{0,40}}\))?[>#]\s*$"


def _vrp_prompt(base: str) -> str:
    # `<NAME>` in user view, `[NAME]` or `[NAME-GigabitEthernet0/0/1]` in system view.
    # netmiko's base prompt drops the first character whatever it is: the bracket, or the
    # name's own first letter where a device (a simulator, a customised prompt) shows
    # `NAME>` with no bracket. Either way one character comes before it.
    return rf"(?:^|[\r\n])(?:HRP_.)?\S?{base}(?:-[^\]\r\n]{{0,60}})?[>\]#]\s*$"


def _junos_prompt(base: str) -> str:
    return rf"(?:^|[\r\n]){base}[>#%]\s*$"


class Refusals:
    """A platform's refusal forms as one regex, compiled when a session first asks: the
    table's dozen case-insensitive alternations cost a few ms to compile, which every
    `netjob --help` and `hosts` would pay at import (issue 13)."""

    FLAGS = re.MULTILINE | re.IGNORECASE

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern  # without its flags (the lab and netmiko's error_pattern add them)

    @functools.cached_property
    def regex(self) -> re.Pattern[str]:
        return re.compile(self.pattern, self.FLAGS)

    def search(self, text: str) -> re.Match[str] | None:
        return self.regex.search(text)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Refusals) and other.pattern == self.pattern

    def __hash__(self) -> int:
        return hash(self.pattern)

    def __repr__(self) -> str:
        return f"Refusals({self.pattern!r})"


def _rejects(*forms: str) -> Refusals:
    """A refusal is a line of its own (the device's words start it), in any letter case:
    devices print `% Invalid input`, `Unknown command`, `ERROR: ...` alike."""
    return Refusals(r"^[ \t]*(?:" + "|".join(forms) + r").*$")


# Refusal forms, as devices print them (matched case-insensitively, at a line's start).
_CISCO = (
    # Also without the `%`: simulators and some trains print a bare `Unknown command`.
    r"Unknown command",
    r"Invalid command",
    r"% ?Invalid input",
    r"% ?Incomplete command",
    r"% ?Ambiguous command",
    r"% ?Unknown command",
    r"% ?Invalid command",
    r"% ?Invalid parameter",
    r"% ?Unrecognized command",
    r"% ?Bad (?:mask|IP address|secret)",
    r"% ?Error[: ]",
    r"% ?Unavailable command",
    r"% ?Not supported",
    r"% ?Permission denied",
    r"% ?Authorization failed",
    r"% ?Command rejected",
    r"ERROR: ",
)
_XR_COMMIT = (r"% ?Failed to commit", r"% ?Commit failed", r"!! SEMANTIC ERRORS", *_CISCO)
_JUNOS = (
    r"syntax error",
    r"unknown command",
    r"error: ",
    r"missing argument",
    r"invalid (?:value|interface|ip address)",
    r"\S+: invalid",
)
_VRP = (
    r"Error: ",
    r"Unknown command",
    r"% ?Unrecognized command",
    r"% ?Incomplete command",
    r"% ?Too many parameters",
    r"% ?Wrong parameter",
    r"% ?Ambiguous command",
)
# Anything else netmiko speaks: every form above, and the usual words of other vendors.
_GENERIC = (
    *_CISCO,
    *_JUNOS,
    *_VRP,
    r"%?\s*(?:invalid|incomplete|ambiguous|unknown|unrecognized|unrecognised|bad|wrong)"
    r"\s+(?:input|command|parameter|argument|keyword|option|value)",
    r"command not found",
    r"(?:is )?not (?:a )?(?:valid|recognized|supported) command",
    r"error\b",
    r"% ",
)

# What drift leaves out: lines that change on every run without any change on the device.
_CLOCKS = (
    r" uptime is ",
    # `show clock`: "*11:43:06.544 UTC Tue Nov 24 2026" (a leading * or . means unsynced)
    r"^[*.]?\d{1,2}:\d{2}:\d{2}(\.\d+)? \S+ \w{3} \w{3} +\d{1,2} \d{4}$",
    r"^\w{3} \w{3} +\d{1,2} \d{1,2}:\d{2}:\d{2} \d{4}$",  # EOS: "Mon Dec  7 11:43:06 2026"
)
# `show interfaces` counters and rates: traffic, not configuration or state.
_COUNTERS = (
    r"^\s+\d+ (minute|second) (input|output) rate ",
    r"^\s+\d+ packets (input|output), \d+ bytes",
    r"^\s+Last input .*, output .*, output hang ",
    r"^\s+Last clearing of .show interface. counters ",
    r"^\s+Received \d+ broadcasts",
)
# What changes by the second in show outputs: dropped when outputs are compared (diff,
# drift), kept in a `save_to:` file, which holds what the device said (`show clock` saved
# is the clock, runner.report.noise).
SHOW_NOISE = frozenset((*_CLOCKS, *_COUNTERS))
_IOS_NOISE = (
    r"^Building configuration\.\.\.$",
    r"^Current configuration ?: \d+ bytes$",
    r"^! Last configuration change at ",
    r"^! NVRAM config last updated at ",
    r"^! No configuration change since last restart",
    r"^ntp clock-period \d+$",
    r"^System restarted at ",
    *_CLOCKS,
    *_COUNTERS,
)
_NXOS_NOISE = (r"^!Time: ", r"^!Running configuration last done at: ", *_CLOCKS, *_COUNTERS)
_EOS_NOISE = (r"^! Command: show ", r"^! Startup-config last modified at ", r"^Uptime: ", *_CLOCKS)
_XR_NOISE = (r"^Building configuration\.\.\.$", r"^!! Last configuration change at ", *_CLOCKS)
_JUNOS_NOISE = (
    r"^## Last commit: ",
    r"^## Last changed: ",
    r"^\s*System booted: ",
    r"^Current time: ",
)
_VRP_NOISE = (r"^!Software Version ", r"^!Last configuration was ", r" uptime is ")

# Lines that open a section: in a flat task (`interface Vlan200`, then `description mgmt`
# unindented, as netmiko users write them) the lines after one belong to it, as the
# device's own modal parser takes them, until the next opener or an `exit`.
_IOS_SECTIONS = (
    "interface ",
    "router ",
    "line ",
    "vlan ",
    "ip access-list ",
    "ipv6 access-list ",
    "route-map ",
    "policy-map ",
    "class-map ",
    "ip vrf ",
    "vrf definition ",
    "vrf context ",
    "key chain ",
    "crypto isakmp policy ",
    "crypto map ",
    "aaa group server ",
    "object-group ",
    "controller ",
    "track ",
    "ip sla ",
    "management ",
)
_VRP_SECTIONS = (
    "interface ",
    "ospf",
    "bgp ",
    "isis",
    "acl ",
    "aaa",
    "user-interface ",
    "vlan ",
    "ip vpn-instance ",
    "route-policy ",
    "traffic classifier ",
    "traffic behavior ",
    "traffic policy ",
)


# Secrets devices print in their configs, per family. Each entry is a regex string with a
# named group `value`: what it matched is masked, the rest of the match (the keywords, the
# type digit) stays, so a masked line still says what it was. Patterns are compiled with
# re.IGNORECASE and run on one line at a time, found anywhere in it: a config line shows up
# after a prompt (`r1(config)#enable secret 5 ...`), a diff marker, `>>> `, inside quotes or
# a debug log's `b'...'`, not only where a line begins. So every pattern needs words that
# only a config line has before the value; runner/base/redact.py scans only the lines holding
# one of its keywords (password, secret, key, community, cipher, auth, snmp, psk, md5, ...).
#
def _cisco_secrets(types: str) -> tuple[str, ...]:
    """The IOS forms, which EOS, NX-OS and IOS-XR share; `types` are the family's words
    between a keyword and its value (`7`, `5`, EOS's `sha512`, IOS-XR's `encrypted`)."""
    t = rf"(?:{_SP}(?:{types}))?{_SP}"  # an optional type, then the value
    return (
        # `password 7 ...` under a line, ` key 7 ...` under `tacacs server`: a bare keyword
        # only where a statement starts, so prose around such words is left alone. A key
        # chain's `key 1` and `key chain NAME` hold no secret.
        rf"{_STATEMENT}(?:password|secret|key(?!{_SP}(?:chain|config-key)\b|{_KEY_ID})){t}{_SECRET}",
        rf"{_B}enable{_SP}(?:secret|password)(?:{_SP}level{_SP}[0-9]+)?{t}{_SECRET}",
        rf"{_B}username{_SP}\S+{_SP}(?:\S+{_SP}){{0,6}}?(?:secret|password){t}{_SECRET}",
        rf"{_B}snmp-server{_SP}community{_SP}{_SECRET}",
        rf"{_B}snmp-server{_SP}host{_SP}\S+{_SP}(?:(?:traps|informs){_SP})?version{_SP}(?:1|2c){_SP}{_SECRET}",
        # SNMPv3 users: the auth and the priv password, each on its own.
        rf"{_B}snmp-server{_SP}user{_SP}.*?{_B}auth{_SP}(?:md5|sha\S*){t}{_SECRET}",
        rf"{_B}snmp-server{_SP}user{_SP}.*?{_B}priv"
        rf"(?:{_SP}(?:3des|des|aes)(?:[ \t-]?[0-9]+)?)?{t}{_SECRET}",
        rf"{_B}(?:tacacs|radius)-server{_SP}(?:host{_SP}\S+{_SP}(?:\S+{_SP}){{0,6}}?)?key{t}{_SECRET}",
        rf"{_B}neighbor{_SP}\S+{_SP}password{t}{_SECRET}",
        rf"{_B}crypto{_SP}isakmp{_SP}key{t}{_SECRET}",
        rf"{_B}ip{_SP}(?:ftp|http{_SP}client){_SP}password{t}{_SECRET}",
        rf"{_B}pre-shared-key{_SP}(?:address{_SP}\S+(?:{_SP}[0-9.]+)?|hostname{_SP}\S+){_SP}key{t}{_SECRET}",
        rf"{_B}pre-shared-key(?:{_SP}(?:local|remote))?(?!{_SP}(?:address|hostname|key-chain)\b){t}{_SECRET}",
        rf"{_B}ntp{_SP}authentication-key{_SP}[0-9]+{_SP}(?:md5|sha[0-9]*|cmac-aes-128|hmac-sha[0-9]*){t}{_SECRET}",
        # `ip ospf authentication-key 7 ...`, not NTP's `authentication-key 1 md5 ...`.
        rf"{_B}authentication-key(?!{_SP}[0-9]+{_SP}(?:md5|sha|cmac|hmac|type)){t}{_SECRET}",
        rf"{_B}message-digest-key{_SP}[0-9]+{_SP}(?:md5|sha[0-9]*){t}{_SECRET}",
        rf"{_B}key-string{t}{_SECRET}",
        rf"{_B}ppp{_SP}(?:chap|pap{_SP}sent-username{_SP}\S+){_SP}password{t}{_SECRET}",
        rf"{_B}standby(?:{_SP}[0-9]+)?{_SP}authentication(?:{_SP}text)?(?!{_SP}md5\b){_SP}{_SECRET}",
        rf"{_B}(?:psk{_SP}set-key|wpa-psk){_SP}(?:ascii|hex)(?:{_SP}[0-9])?{_SP}{_SECRET}",
        *cisco_forms(t),
    )


_IOS_SECRETS = _cisco_secrets(r"[0-9]{1,2}")
# A refusal may quote a secret's value alone (EOS: `enable password sha512 $6$...` →
# `% Invalid input (at token 3: '$6$...')`): the redactor masks every other place a value
# it found appears in the same text, so no pattern is needed for the quote itself.
_EOS_SECRETS = _cisco_secrets(r"[0-9]{1,2}|sha512")
_XR_SECRETS = (
    *_cisco_secrets(r"[0-9]{1,2}|encrypted|clear"),
    rf"{_B}key-string{_SP}(?:password|clear){_SP}{_SECRET}",
)
_JUNOS_SECRETS = (
    # Junos quotes its secrets and marks the curly form's lines `## SECRET-DATA`.
    rf"{_B}(?:encrypted-password|simple-password|secret|authentication-key|key|ascii-text"
    rf"|hexadecimal|password){_SP}(?P<value>\"[^\"\n]*\"|\$[0-9]\$\S+?(?=;|\s|$))",
    rf"{_B}encrypted-password{_SP}{_SECRET}",
    rf"{_SP}(?P<value>\"[^\"\n]*\"|[^\s;\"]+)(?=;[ \t]*## SECRET-DATA)",
    rf"{_B}type{_SP}\S+{_SP}value{_SP}{_SECRET}",  # NTP's `authentication-key 1 type md5 value`
    rf"{_B}snmp{_SP}community{_SP}{_SECRET}",
    rf"{_B}community{_SP}{_SECRET}(?=[ \t]*\{{)",  # `community public {` (also policy names)
    *JUNOS_FORMS,
)
_VRP_SECRETS = (
    # Huawei and H3C put `cipher` (lower case: paramiko's "Ciphers agreed" is prose)
    # before every stored secret: local users, SNMP, NTP, RADIUS and HWTACACS, OSPF, `super`.
    rf"{_B}(?-i:(?:irreversible-)?cipher){_SP}{_SECRET}",
    rf"{_B}snmp-agent{_SP}community{_SP}(?:read|write)(?!{_SP}cipher\b){_SP}{_SECRET}",
    rf"{_B}(?:password|shared-key|authentication|accounting){_SP}(?:simple|hash|plain){_SP}{_SECRET}",
    *VRP_FORMS,
)


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
    rejected: Refusals = field(default_factory=lambda: _rejects(*_GENERIC))
    commit_rejected: Refusals = field(default_factory=lambda: _rejects(*_GENERIC))
    running_config: str | None = None  # what the remediation reads (and backups take)
    remediator: Remediator = Remediator.NONE
    hier_platform: str = "GENERIC"  # hier_config's Platform member name
    comment_lines: str | None = None  # lines of the running config the remediation ignores
    sections: tuple[str, ...] = ()  # see _IOS_SECTIONS
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
    # Secrets its configs hold, as regex strings (see _cisco_secrets): every family's
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


# IOS's `[confirm]` and file-name questions (`Destination filename [startup-config]?`,
# `Delete filename [old.bin]?`): Enter takes what the brackets show.
_CISCO_ANSWERS = (
    (r"\[confirm\]\s*$", ""),
    (r"(?:Destination|Source|Delete) filename \[[^\]\r\n]*\]\?\s*$", ""),
)

_IOS_LIKE = {
    "prompt": _ios_prompt,
    "running_config": "show running-config",
    "remediator": Remediator.HIER,
    "sections": _IOS_SECTIONS,
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
    "prompt": _vrp_prompt,
    "enable": False,  # (netmiko's Comware enable() is system-view, not a privilege)
    "rejected": _rejects(*_VRP),
    "running_config": "display current-configuration",
    "remediator": Remediator.HIER,
    "comment_lines": r"^\s*#",
    "sections": _VRP_SECTIONS,
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
        rejected=_rejects(*_CISCO),
        hier_platform="CISCO_IOS",
        noise=_IOS_NOISE,
        secrets=_IOS_SECRETS,
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
        **_IOS_LIKE,  # type: ignore[arg-type]
    ),
    PlatformInfo(
        name="arista_eos",
        title="Arista EOS",
        enable_fast=True,
        napalm=("eos",),
        ansible=("eos", "arista.eos.eos"),
        rejected=_rejects(*_CISCO),
        hier_platform="ARISTA_EOS",
        noise=_EOS_NOISE,
        secrets=_EOS_SECRETS,
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
        **_IOS_LIKE,  # type: ignore[arg-type]
    ),
    PlatformInfo(
        name="cisco_nxos",
        title="Cisco NX-OS",
        napalm=("nxos", "nxos_ssh"),
        ansible=("nxos", "cisco.nxos.nxos"),
        rejected=_rejects(*_CISCO),
        hier_platform="CISCO_NXOS",
        shown_as=((r"^(\s*ntp server \S+(?: prefer)?)$", r"\1 use-vrf default"),),
        noise=_NXOS_NOISE,
        secrets=_IOS_SECRETS,
        replace=replaces.NXOS,
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
        rejected=_rejects(*_CISCO),
        commit_rejected=_rejects(*_XR_COMMIT),
        nothing_to_commit=r"% ?No configuration changes to commit",
        hier_platform="CISCO_XR",
        shown_nested=("ntp",),
        noise=_XR_NOISE,
        secrets=_XR_SECRETS,
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
        **_XR_LIKE,  # type: ignore[arg-type]
    ),
    PlatformInfo(
        name="juniper_junos",
        title="Juniper Junos",
        device_types=("juniper",),
        napalm=("junos",),
        ansible=("junos", "junipernetworks.junos.junos"),
        prompt=_junos_prompt,
        enable=False,
        commits=True,
        discard=("rollback 0", "exit configuration-mode"),
        save=Save.COMMIT,
        rejected=_rejects(*_JUNOS),
        commit_rejected=_rejects(*_JUNOS),
        running_config="show configuration | display set",
        remediator=Remediator.SET,
        hier_platform="JUNIPER_JUNOS",
        noise=_JUNOS_NOISE,
        secrets=_JUNOS_SECRETS,
        revert=RevertTimer(
            unit=60,
            least=1,
            most=65535,
            commit="commit confirmed {n}",
            confirm_in_config=True,
            how="`commit confirmed N` (minutes), then `commit`",
        ),
        replace=replaces.JUNOS,
    ),
    PlatformInfo(
        name="huawei",
        title="Huawei VRP",
        device_types=("huawei_vrp",),
        napalm=("huawei_vrp",),
        noise=_VRP_NOISE,
        secrets=_VRP_SECRETS,
        **_VRP_LIKE,  # type: ignore[arg-type]
    ),
    PlatformInfo(
        name="hp_comware",
        title="HPE Comware / H3C",
        device_types=("h3c_comware",),
        ansible=("comware", "hpe.comware.comware"),
        hier_platform="HP_COMWARE5",
        noise=_VRP_NOISE,
        secrets=_VRP_SECRETS,
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
