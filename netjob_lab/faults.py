"""Per-device faults, and their command-line syntax `HOST=FAULT[:VALUE]`.

    r003=auth_fail          the right password is rejected
    r003=refuse             TCP connection refused (the port is bound, never listening)
    r003=silent             TCP accepted, but no SSH banner is ever sent
    r003=garbage_banner     TCP accepted, then an HTTP answer instead of an SSH banner, and
                            the connection closed (another service on the SSH port)
    r003=close_auth         the connection closes while the password is checked
    r003=close_after_auth   the password is accepted, then the connection closes when the
                            client asks for its shell
    r003=hang               login succeeds, then the shell never answers
    r003=drop               the connection closes halfway through `show running-config`
                            (Junos: `show configuration`)
    r003=legacy             the SSH server offers only diffie-hellman-group1/14-sha1 key
                            exchanges, aes128-cbc/3des-cbc and hmac-sha1 (an old switch)
    r003=pager              `terminal length 0` does not take: long outputs stop at the
                            platform's `--More--` prompt until a key is pressed
    r003=latency:MS         every command answers MS milliseconds late
    r003=login_latency:MS   the password is accepted MS milliseconds late
    r003=big_config:MB      `show running-config` is about MB megabytes long (up to 64)
    r003=session_limit:N    beyond N concurrent sessions, a session is refused at login
    r003=reject:CMD         CMD (abbreviations allowed) is refused, in the platform's words
    r003=stale_prompt:N     the N-th show/display command of each session is answered late:
                            a bare prompt first, its output only when the client types again
    r003=flash_free:BYTES   flash: has only BYTES free (`dir flash:` says so; an SCP put of
                            a larger file is refused before its first byte)
    r003=cut_after_commit:S right after each commit (Junos, IOS-XR and EOS commits, timed
                            or not; IOS: leaving config mode after `configure terminal
                            revert timer`) every session of the device is dropped and new
                            connections are refused for S seconds (of the lab's clock, see
                            LabConfig.clock_speed): a change that cut the management path
    r003=link_up_after:N    links take time to come up: `show ip interface brief` gives
                            every interface's protocol as down the first N times it is
                            asked (counted over all sessions), then as configured

Give several faults to one device by repeating the option; `parse_faults` merges them.

What reject:CMD prints. CMD is matched against the command as understood (keywords in
full, so `reject:write mem` covers `wr m`), in every mode: exec, config lines (Junos `set
...`), commits and saves. Nothing of a refused command is applied.

    platform   config line / exec command          commit or save
    IOS        % Invalid input detected at '^'     write / copy run start: Building
               marker. (caret at the line start)   configuration... + % Error opening
                                                   nvram:/startup-config (Permission denied)
    EOS        % Invalid input (at token 0: ...)   % Error copying system:/running-config to
                                                   flash:/startup-config (Permission denied)
    NX-OS      % Invalid command at '^' marker.    copy run start: a 0% progress bar +
                                                   Configuration update aborted: request
                                                   was aborted
    IOS-XR     % Invalid input detected at '^'     commit: % Failed to commit one or more
               marker.                             configuration items during a pseudo-atomic
                                                   operation. All changes made have been
                                                   reverted. Please issue 'show configuration
                                                   failed [inheritance]' ... (also for `yes`
                                                   at the Uncommitted question); XR has no save
    Junos      syntax error. (caret)               commit: error: configuration check-out
                                                   failed / error: commit failed
    Huawei     Error: Unrecognized command found   save: Error: Failed to save the
               at '^' position.                    configuration file. (before the question)

stale_prompt:N counts the commands whose first word is `show` or `display` in each SSH
session, from 1 (netmiko's own session set-up sends none). The answer to the N-th one is
held back: right after its echo the device sends a line break and the prompt, as if the
command had printed nothing; the held output (and the prompt after it) goes out when the
client next types anything, ahead of the echo of what it typed. The session is back in
step after that, the N-th output having come one command late.

What netmiko 4.8 (`ConnectHandler(device_type="cisco_ios")`) raises for each, as
tests/test_lab.py checks:

    auth_fail       NetmikoAuthenticationException from ConnectHandler, at once
    refuse          NetmikoTimeoutException("TCP connection to device failed. ...")
                    from ConnectHandler, at once
    silent          NetmikoTimeoutException from ConnectHandler after banner_timeout
                    (15 s by default); its text is paramiko's "'No existing session' ..."
    hang            netmiko.ReadTimeout ("Pattern not detected: 'terminal width 511'")
                    from ConnectHandler after read_timeout (10 s by default). Note that
                    ReadTimeout is a ReadException, NOT a NetmikoTimeoutException.
    drop            netmiko.ReadTimeout from send_command after its read_timeout: netmiko
                    does not notice the closed channel, and the partial output is lost
    latency:MS      nothing, unless MS exceeds read_timeout: then netmiko.ReadTimeout
    login_latency   nothing, unless MS exceeds auth_timeout: then
                    NetmikoAuthenticationException ("... Authentication timeout.")
    big_config      nothing, if read_timeout covers the transfer (5 MB: under 1 s)
    session_limit   paramiko.ChannelException(1, "Administratively prohibited") from
                    ConnectHandler (from invoke_shell): a paramiko SSHException, not a
                    netmiko exception. The lab's reason ("% session limit of N reached
                    on r009; try later") reaches only paramiko's ERROR log.
    reject:CMD      no exception: the output holds "% Invalid input detected at '^'
                    marker."; send_config_set(..., error_pattern="% Invalid") raises
                    ConfigInvalidException. A refused commit: cisco_xr and
                    juniper_junos commit() raise ValueError("Commit failed with the
                    following errors: ..."). A refused save: save_config() returns the
                    refusal text, no exception (huawei: without asking [Y/N])
    stale_prompt:N  no exception, and wrong data: send_command() of the N-th show command
                    returns "" at once; the next send_command() returns its own output
                    (netmiko drops what comes before its command's echo), so the N-th
                    output is silently lost. A client that reads up to the prompt without
                    checking the echo stores the N-th output under the next command, and
                    every later output one command late.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class DeviceFaults:
    auth_fail: bool = False
    refuse: bool = False
    silent: bool = False
    hang: bool = False
    drop: bool = False
    garbage_banner: bool = False
    close_auth: bool = False
    close_after_auth: bool = False
    pager: bool = False
    latency_ms: int = 0
    login_latency_ms: int = 0
    big_config_mb: float = 0.0
    session_limit: int | None = None
    reject: tuple[str, ...] = ()
    stale_prompt: int = 0  # the N-th show/display command of a session; 0: none
    legacy: bool = False  # speaks only SHA-1 DH key exchanges, CBC ciphers, hmac-sha1
    flash_free: int | None = None  # bytes free on flash:; None: a factory flash
    cut_after_commit: float = 0.0  # seconds without access after each commit; 0: none
    link_up_after: int = 0  # `show ip interface brief` answers with links down N times

    def merge(self, other: DeviceFaults) -> DeviceFaults:
        """Both sets of faults; where both set a value, `other`'s wins (rejects add up)."""
        limit = self.session_limit
        return DeviceFaults(
            auth_fail=self.auth_fail or other.auth_fail,
            refuse=self.refuse or other.refuse,
            silent=self.silent or other.silent,
            hang=self.hang or other.hang,
            drop=self.drop or other.drop,
            garbage_banner=self.garbage_banner or other.garbage_banner,
            close_auth=self.close_auth or other.close_auth,
            close_after_auth=self.close_after_auth or other.close_after_auth,
            pager=self.pager or other.pager,
            latency_ms=other.latency_ms or self.latency_ms,
            login_latency_ms=other.login_latency_ms or self.login_latency_ms,
            big_config_mb=other.big_config_mb or self.big_config_mb,
            session_limit=other.session_limit if other.session_limit is not None else limit,
            reject=self.reject + other.reject,
            stale_prompt=other.stale_prompt or self.stale_prompt,
            legacy=self.legacy or other.legacy,
            flash_free=other.flash_free if other.flash_free is not None else self.flash_free,
            cut_after_commit=other.cut_after_commit or self.cut_after_commit,
            link_up_after=other.link_up_after or self.link_up_after,
        )


def _count(text: str) -> int:
    if not text.isdigit():
        raise ValueError(f"{text!r} is not a whole number")
    return int(text)


def _positive(text: str) -> int:
    if _count(text) < 1:
        raise ValueError(f"{text!r} is not 1 or more")
    return int(text)


def _megabytes(text: str) -> float:
    value = float(text)
    if not 0 < value <= 64:
        raise ValueError(f"{text!r} is not between 0 and 64")
    return value


def _command(text: str) -> str:
    if not text.strip():
        raise ValueError("the command is empty")
    return text.strip()


_FLAGS = {
    "auth_fail": DeviceFaults(auth_fail=True),
    "refuse": DeviceFaults(refuse=True),
    "silent": DeviceFaults(silent=True),
    "hang": DeviceFaults(hang=True),
    "drop": DeviceFaults(drop=True),
    "garbage_banner": DeviceFaults(garbage_banner=True),
    "close_auth": DeviceFaults(close_auth=True),
    "close_after_auth": DeviceFaults(close_after_auth=True),
    "pager": DeviceFaults(pager=True),
    "legacy": DeviceFaults(legacy=True),
}
_VALUED: dict[str, tuple[Callable[[str], DeviceFaults], str]] = {
    # fault name: (value → faults, an example value for error messages)
    "latency": (lambda v: DeviceFaults(latency_ms=_count(v)), "50"),
    "login_latency": (lambda v: DeviceFaults(login_latency_ms=_count(v)), "2000"),
    "big_config": (lambda v: DeviceFaults(big_config_mb=_megabytes(v)), "5"),
    "session_limit": (lambda v: DeviceFaults(session_limit=_count(v)), "2"),
    "reject": (lambda v: DeviceFaults(reject=(_command(v),)), "show running-config"),
    "stale_prompt": (lambda v: DeviceFaults(stale_prompt=_positive(v)), "2"),
    "flash_free": (lambda v: DeviceFaults(flash_free=_count(v)), "1000000"),
    "cut_after_commit": (lambda v: DeviceFaults(cut_after_commit=_positive(v)), "120"),
    "link_up_after": (lambda v: DeviceFaults(link_up_after=_positive(v)), "3"),
}
FAULT_NAMES = (*_FLAGS, *_VALUED)


def parse_fault(spec: str) -> tuple[str, DeviceFaults]:
    """`"r004=latency:50"` → `("r004", DeviceFaults(latency_ms=50))`; ValueError if malformed."""
    host, equals, fault = spec.partition("=")
    name, colon, value = fault.partition(":")
    host, name = host.strip(), name.strip()
    if not equals or not host or not name:
        raise ValueError(f"fault {spec!r} is not HOST=FAULT; try r003=auth_fail or r004=latency:50")
    if name in _FLAGS:
        if colon:
            raise ValueError(f"fault {spec!r}: {name} takes no value; try {host}={name}")
        return host, _FLAGS[name]
    if name not in _VALUED:
        raise ValueError(f"fault {spec!r}: unknown fault {name!r}; known: {', '.join(FAULT_NAMES)}")
    make, example = _VALUED[name]
    if not colon:
        raise ValueError(f"fault {spec!r}: {name} needs a value; try {host}={name}:{example}")
    try:
        return host, make(value.strip())
    except ValueError as exc:
        raise ValueError(f"fault {spec!r}: {exc}; try {host}={name}:{example}") from None


def parse_faults(specs: Iterable[str]) -> dict[str, DeviceFaults]:
    """Several `HOST=FAULT` strings, merged per host."""
    faults: dict[str, DeviceFaults] = {}
    for spec in specs:
        host, fault = parse_fault(spec)
        faults[host] = faults.get(host, DeviceFaults()).merge(fault)
    return faults
