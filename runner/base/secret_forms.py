"""The building blocks of the secret patterns (runner/base/platforms.py holds each family's
own), and the forms added after a probe found them leaking: AAA `server-private`, VRRP
text authentication, IS-IS passwords, the config-key master key, NHRP, OSPFv3 IPsec, L2TP
tunnel passwords, Cisco TrustSec, and tokens and passphrases written into banners and
descriptions. tests/data/secret_lines.yaml holds a real line of each, per platform.
"""

from __future__ import annotations

# The value: a quoted string whole, or a run of non-blanks up to a closing quote and the
# punctuation after it (netjob's "rejected 'LINE': ..." too); never a `(` (prose: "check
# the password (or password_env)") nor a word ending in a colon ("enable secret ignored:
# ...").
SECRET = (
    r"(?P<value>\"[^\"\n]*\"|(?!\(|[A-Za-z]+:(?:\s|$))"
    r"\S+?(?=(?:['\"][,;:)\]}]*)?(?:\s|$)))"
)
# A keyword starts here: `key` but not `pre-shared-key` nor `nopassword`; a diff's `-`
# before a line is no hyphen of a keyword.
B = r"(?:(?<![\w-])|(?<=^-)|(?<=[\s'\"]-))"
SP = r"[ \t]+"
# Where a config statement starts: a line's start, a quote or a `(`, or after a colon or
# a `)` (netmiko's "Invalid input detected at command: key 7 ...", "read_channel: ...",
# "Pattern found: (PATTERN) key 7 ..."); then a diff marker, `>>>`, or a prompt
# (`r1(config-line)#`, `RP/0/RP0/CPU0:r1(config)#`, `user@r1#`, `[~r1-aaa]`).
STATEMENT = (
    r"(?:^|(?<=['\"(])|(?<=[:)][ \t]))(?:[+-]|>>>|[\w./:@~-]{1,64}(?:\([^)\n]{0,40}\))?[#>]"
    r"|[\[<][^\]>\n]{1,80}[\]>])?[ \t]*"
)
# A key chain's key number, alone on its line (or before a closing quote or bracket, a
# comma, `\r`, `\n`).
KEY_ID = r"[ \t]+[0-9]{1,3}(?:[ \t]*$|['\"\r),]|\\n)"


def cisco_forms(t: str) -> tuple[str, ...]:
    """IOS, IOS-XE, NX-OS, EOS and IOS-XR forms beyond the common ones; `t` is the family's
    optional type word before a value (`7`, `encrypted`), with the blanks around it."""
    # IS-IS's words between a password keyword and its value (IOS-XR: `hmac-md5 encrypted`).
    isis = rf"(?:{SP}(?:hmac-md5|text|clear|encrypted|[0-9]))*{SP}"
    return (
        # `server-private 192.0.2.10 auth-port 1812 key 7 ...` under `aaa group server`.
        rf"{B}server-private{SP}\S+{SP}(?:\S+{SP}){{0,6}}?key{t}{SECRET}",
        # VRRP: `vrrp 1 authentication text ...` (IOS), EOS's `vrrp 1 peer authentication
        # text ...`, NX-OS's `authentication text ...` under `vrrp 1`.
        rf"{STATEMENT}(?:vrrp{SP}\S+{SP}(?:(?:ipv4|peer){SP})?)?authentication{SP}text{SP}{SECRET}",
        # IS-IS: `area-password`, `domain-password`, IOS-XR's `lsp-password` and
        # `hello-password`, an interface's `isis password ... level-1`.
        rf"{B}(?:area|domain|lsp|hello)-password{isis}{SECRET}",
        rf"{B}isis{SP}password{isis}{SECRET}",
        # EOS: `isis authentication key 0 ...` under an interface, `authentication key 0
        # ...` under `router isis`.
        rf"{STATEMENT}(?:isis{SP})?authentication{SP}key(?:{SP}level-[12])?{t}{SECRET}",
        # IOS-XR's VRRP: `vrrp 1 text-authentication ...`.
        rf"{B}text-authentication{SP}{SECRET}",
        # The master key that type 6 secrets are encrypted with.
        rf"{B}key{SP}config-key{SP}password-encrypt{SP}{SECRET}",
        rf"{B}(?:ipv6{SP}|ip{SP})?nhrp{SP}authentication{SP}{SECRET}",
        # OSPFv3 IPsec: `ipv6 ospf authentication ipsec spi 256 sha1 KEY`, `ospfv3
        # encryption ipsec spi 1001 esp aes-cbc 128 0 KEY sha1 0 KEY` (EOS: `sha1 passphrase
        # 0 KEY`); the encryption key and the authentication key each.
        rf"{B}spi{SP}[0-9]+{SP}(?:md5|sha1)(?:{SP}passphrase)?{t}{SECRET}",
        rf"{B}spi{SP}[0-9]+{SP}esp{SP}(?:3des|des|aes-cbc{SP}[0-9]+|aes-[0-9]+)"
        rf"(?:{SP}passphrase)?{t}{SECRET}",
        # The encryption's words and key before the authentication: bounded, so a line of
        # many `spi 1 esp` is read in linear time.
        rf"{B}spi{SP}[0-9]+{SP}esp{SP}[^\n]{{0,160}}?{B}(?:md5|sha1)(?:{SP}passphrase)?{t}{SECRET}",
        rf"{B}l2tp{SP}tunnel{SP}password{t}{SECRET}",
        # TrustSec: the device's credentials (exec), SXP's default password.
        rf"{B}cts{SP}(?:credentials{SP}id{SP}\S+|sxp{SP}default){SP}password{t}{SECRET}",
    )


# Junos keys under a longer keyword: IS-IS's `hello-authentication-key "$9$..."`.
# Words joined by single hyphens, from a word's start: a run of hyphens or a long word is
# read once, never again from each of its characters.
JUNOS_FORMS = (rf"(?<![\w-])(?:[a-z0-9]+-)+authentication-key{SP}(?P<value>\"[^\"\n]*\")",)

VRP_FORMS = (
    # `vrrp vrid 1 authentication-mode simple plain ...`, IS-IS's `isis
    # authentication-mode simple plain ...`, `area-authentication-mode md5 plain ...`.
    rf"{B}(?:area-|domain-)?authentication-mode{SP}(?:simple|md5|hmac-sha256)"
    rf"(?:{SP}[0-9]+)?{SP}plain{SP}{SECRET}",
)

# Whatever the platform, a token or a passphrase written into a banner, a description or
# any text: `api_token=...`, `client_secret: ...`, `wpa_passphrase=...` (hostapd's), an
# HTTP `Authorization: Bearer ...`. The name ends right before its `=` or `:`, so prose
# that merely mentions a secret ("enable secret ignored: ...") keeps its words.
_NAMES = (
    r"(?:[\w-]*(?:token|passphrase|secret|passw(?:or)?d|psk)"
    r"|(?:api|auth|access|private|secret|shared)[_-]?key)"
)
ANYWHERE = (
    # A JSON key is quoted on both sides (`"api_token": "..."`); a name followed by a
    # quote alone ends a quoted line (`'username admin nopassword': % Invalid input`).
    rf"(?:(?<=\"){_NAMES}\"|{B}{_NAMES})(?:[ \t]*=|:)[ \t]*{SECRET}",
    rf"{B}bearer{SP}(?P<value>[A-Za-z0-9._~+/-]{{12,}}=*)",
)
