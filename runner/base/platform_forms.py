"""What devices print, per family, that the platform table (runner.base.platforms) names
for each platform: the prompt's shape, the refusal forms, the lines that change on every
run (noise), the lines that open a config section, and where secrets stand in a config.

Data and two small builders only: the table is the one place that says which platform
has which; this module has no platform names.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from runner.base.secret_forms import JUNOS_FORMS, VRP_FORMS, cisco_forms
from runner.base.secret_forms import KEY_ID as _KEY_ID
from runner.base.secret_forms import SECRET as _SECRET
from runner.base.secret_forms import SP as _SP
from runner.base.secret_forms import STATEMENT as _STATEMENT
from runner.base.secret_forms import B as _B


def ios_prompt(base: str) -> str:
    # The prompt netmiko learnt, as the LAST line of the output: the bare base prompt would
    # match `hostname r1` inside a running config and cut the output short.
    return rf"(?:^|[\r\n]){base}(?:\([^)\r\n]{{0,40}}\))?[>#]\s*$"


def vrp_prompt(base: str) -> str:
    # `<NAME>` in user view, `[NAME]` or `[NAME-GigabitEthernet0/0/1]` in system view.
    # netmiko's base prompt drops the first character whatever it is: the bracket, or the
    # name's own first letter where a device (a simulator, a customised prompt) shows
    # `NAME>` with no bracket. Either way one character comes before it.
    return rf"(?:^|[\r\n])(?:HRP_.)?\S?{base}(?:-[^\]\r\n]{{0,60}})?[>\]#]\s*$"


def junos_prompt(base: str) -> str:
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


def rejects(*forms: str) -> Refusals:
    """A refusal is a line of its own (the device's words start it), in any letter case:
    devices print `% Invalid input`, `Unknown command`, `ERROR: ...` alike."""
    return Refusals(r"^[ \t]*(?:" + "|".join(forms) + r").*$")


# Refusal forms, as devices print them (matched case-insensitively, at a line's start).
CISCO = (
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
XR_COMMIT = (r"% ?Failed to commit", r"% ?Commit failed", r"!! SEMANTIC ERRORS", *CISCO)
JUNOS = (
    r"syntax error",
    r"unknown command",
    r"error: ",
    r"missing argument",
    r"invalid (?:value|interface|ip address)",
    r"\S+: invalid",
)
VRP = (
    r"Error: ",
    r"Unknown command",
    r"% ?Unrecognized command",
    r"% ?Incomplete command",
    r"% ?Too many parameters",
    r"% ?Wrong parameter",
    r"% ?Ambiguous command",
)
# Anything else netmiko speaks: every form above, and the usual words of other vendors.
GENERIC = (
    *CISCO,
    *JUNOS,
    *VRP,
    r"%?\s*(?:invalid|incomplete|ambiguous|unknown|unrecognized|unrecognised|bad|wrong)"
    r"\s+(?:input|command|parameter|argument|keyword|option|value)",
    r"command not found",
    r"(?:is )?not (?:a )?(?:valid|recognized|supported) command",
    r"error\b",
    r"% ",
)

# What drift leaves out: lines that change on every run without any change on the device.
CLOCKS = (
    r" uptime is ",
    # `show clock`: "*11:43:06.544 UTC Tue Nov 24 2026" (a leading * or . means unsynced)
    r"^[*.]?\d{1,2}:\d{2}:\d{2}(\.\d+)? \S+ \w{3} \w{3} +\d{1,2} \d{4}$",
    r"^\w{3} \w{3} +\d{1,2} \d{1,2}:\d{2}:\d{2} \d{4}$",  # EOS: "Mon Dec  7 11:43:06 2026"
)
# `show interfaces` counters and rates: traffic, not configuration or state.
COUNTERS = (
    r"^\s+\d+ (minute|second) (input|output) rate ",
    r"^\s+\d+ packets (input|output), \d+ bytes",
    r"^\s+Last input .*, output .*, output hang ",
    r"^\s+Last clearing of .show interface. counters ",
    r"^\s+Received \d+ broadcasts",
)
# What changes by the second in show outputs: dropped when outputs are compared (diff,
# drift), kept in a `save_to:` file, which holds what the device said (`show clock` saved
# is the clock, runner.report.noise).
SHOW_NOISE = frozenset((*CLOCKS, *COUNTERS))
IOS_NOISE = (
    r"^Building configuration\.\.\.$",
    r"^Current configuration ?: \d+ bytes$",
    r"^! Last configuration change at ",
    r"^! NVRAM config last updated at ",
    r"^! No configuration change since last restart",
    r"^ntp clock-period \d+$",
    r"^System restarted at ",
    *CLOCKS,
    *COUNTERS,
)
NXOS_NOISE = (r"^!Time: ", r"^!Running configuration last done at: ", *CLOCKS, *COUNTERS)
EOS_NOISE = (r"^! Command: show ", r"^! Startup-config last modified at ", r"^Uptime: ", *CLOCKS)
XR_NOISE = (r"^Building configuration\.\.\.$", r"^!! Last configuration change at ", *CLOCKS)
JUNOS_NOISE = (
    r"^## Last commit: ",
    r"^## Last changed: ",
    r"^\s*System booted: ",
    r"^Current time: ",
)
VRP_NOISE = (r"^!Software Version ", r"^!Last configuration was ", r" uptime is ")

# Lines that open a section: in a flat task (`interface Vlan200`, then `description mgmt`
# unindented, as netmiko users write them) the lines after one belong to it, as the
# device's own modal parser takes them, until the next opener or an `exit`.
IOS_SECTIONS = (
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
VRP_SECTIONS = (
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
def cisco_secrets(types: str) -> tuple[str, ...]:
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


IOS_SECRETS = cisco_secrets(r"[0-9]{1,2}")
# A refusal may quote a secret's value alone (EOS: `enable password sha512 $6$...` →
# `% Invalid input (at token 3: '$6$...')`): the redactor masks every other place a value
# it found appears in the same text, so no pattern is needed for the quote itself.
EOS_SECRETS = cisco_secrets(r"[0-9]{1,2}|sha512")
XR_SECRETS = (
    *cisco_secrets(r"[0-9]{1,2}|encrypted|clear"),
    rf"{_B}key-string{_SP}(?:password|clear){_SP}{_SECRET}",
)
JUNOS_SECRETS = (
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
VRP_SECRETS = (
    # Huawei and H3C put `cipher` (lower case: paramiko's "Ciphers agreed" is prose)
    # before every stored secret: local users, SNMP, NTP, RADIUS and HWTACACS, OSPF, `super`.
    rf"{_B}(?-i:(?:irreversible-)?cipher){_SP}{_SECRET}",
    rf"{_B}snmp-agent{_SP}community{_SP}(?:read|write)(?!{_SP}cipher\b){_SP}{_SECRET}",
    rf"{_B}(?:password|shared-key|authentication|accounting){_SP}(?:simple|hash|plain){_SP}{_SECRET}",
    *VRP_FORMS,
)


@dataclass(frozen=True)
class Setup:
    """netmiko's session set-up commands (width, paging), in its order, sent in one write
    after the first prompt instead of its session_preparation (runner.device.setup);
    `ansi`: the driver strips ANSI escapes, as that session_preparation would have said."""

    commands: tuple[str, ...]
    ansi: bool = False


CISCO_SETUP = Setup(("terminal width 511", "terminal length 0"))
CISCO_SETUP_ANSI = Setup(CISCO_SETUP.commands, ansi=True)  # EOS, NX-OS
JUNOS_SETUP = Setup(
    ("set cli screen-width 511", "set cli complete-on-space off", "set cli screen-length 0")
)
