"""Where a device's client CPU goes: py-spy samples of one netjob process, sorted into the
stages of a device's life (issue 16, item 1) and scaled to the CPU time the process used.

py-spy attaches to the measured process once its imports are done and stops when the run
ends, so only the run is sampled. Without pausing the process (--nonblocking) it records
the threads the kernel has running or ready to run, not those asleep on a socket, a lock
or the GIL; a stage's share of those samples x the process's measured CPU time is the
stage's CPU. An estimate: a thread ready but waiting for one of the 2 cores counts as
running, so a stage that wakes many threads at once weighs a little more than it costs
(the samples add up to ~1.5x the CPU time on this machine; blocking mode, which pauses
every thread, made it ~5x and is not used). With `gil=True` only the thread holding the
GIL is sampled: who keeps the others waiting (fewer samples; work outside the GIL, such
as the kernel's, is missing from it).

Each sampled stack goes to the first category below that one of its frames matches
(frames read as `function (module/file.py:line)`); independently of that, a stack that
passes through netmiko's or netjob's reading and pattern matching counts as prompt
matching too (a column of its own: it is part of enable, session preparation and the
command). Needs py-spy (pip install py-spy) and ptrace (root, or
/proc/sys/kernel/yama/ptrace_scope 0).
"""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path
from typing import Any

_F = r"[\w<>.]*"  # a qualified function name's prefix (Class.method)
CATEGORIES: list[tuple[str, str]] = [
    ("imports (lazy, once per run)", r"^_find_and_load "),
    ("progress display", r"\(runner/report/console\.py|\(rich/"),
    ("redaction", r"\(runner/base/redact\.py"),
    ("output store", r"\(runner/report/(output_store|noise|drift)\.py"),
    (
        "host files (log, JSON)",
        r"\(runner/(report/(run_folder|disk)|base/safe_files|render/save_paths)\.py",
    ),
    ("run report, HTML, history", r"\(runner/report/(html|history)\.py"),
    (
        "key exchange, host key",
        r"\(paramiko/(kex_\w+|hostkeys|ecdsakey|ed25519key|rsakey)\.py|\(runner/device/hostkeys\.py"
        rf"|^{_F}(_negotiate_keys|_parse_kex_init|_send_kex_init|_activate_inbound"
        r"|_activate_outbound|_parse_newkeys|_compute_key|_verify_key) ",
    ),
    ("authentication", r"\(paramiko/auth_handler\.py|^SSHClient\._auth "),
    (
        "channel, PTY",
        # paramiko's: runner.device.login's open_session is the whole login, below.
        rf"^{_F}(open_session|open_channel|get_pty|invoke_shell|_parse_channel_open_success"
        r"|_set_transport|_request_success) \((?!runner/)",
    ),
    ("enable", rf"^{_F}(_enable|_enable_known_prompt|enable|check_enable_mode) "),
    (
        "session preparation",
        rf"^{_F}(session_preparation|_try_session_preparation|set_base_prompt|disable_paging"
        r"|set_terminal_width|_test_channel_read|_verify_echo|_quick_mode_check) ",
    ),
    ("disconnect", rf"^{_F}(disconnect|cleanup|_detach) |^NetmikoConnection\.close "),
    ("the command", rf"^{_F}(send_show|send_command|send_config|send_config_set) "),
    (
        "TCP and SSH handshake",
        rf"\(socket\.py|^{_F}(dial|_await_banner|create_connection|start_client|_check_banner"
        r"|establish_connection|_open|ConnectHandler|_login|_modify_connection_params) "
        r"|^BaseConnection\.__init__ ",
    ),
    # paramiko's reader thread per session: recv() on the socket (the kernel's share of
    # the network), then decrypting and dispatching packets to the channel.
    ("SSH transport thread: socket reads", r"^Packetizer\.read_all "),
    ("SSH transport thread: packets, ciphers", r"\(paramiko/|\(cryptography/"),
    ("netjob: scheduling, steps, logging", r"\(runner/|\(logging/|\(queue\.py"),
]
PROMPT = re.compile(
    rf"^{_F}(read_until_pattern|read_until_prompt|read_channel|_read_channel|find_prompt"
    r"|read_channel_timing|_wait_for_data|read_or_wait|until_pattern|watched|_heard) "
)
_RULES = [(name, re.compile(pattern)) for name, pattern in CATEGORIES]
OTHER = "other (threads, interpreter)"


def classify(frames: list[str]) -> tuple[str, bool]:
    """(category, passes through prompt matching) of one stack, outermost frame first."""
    prompt = any(PROMPT.search(f) for f in frames)
    for name, rule in _RULES:
        if any(rule.search(f) for f in frames):
            return name, prompt
    return OTHER, prompt


def breakdown(raw: Path, cpu_s: float, devices: int) -> list[dict[str, Any]]:
    """Per category: samples, share of all samples and CPU ms per device."""
    samples: Counter[str] = Counter()
    prompt: Counter[str] = Counter()
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = [f for f in stack.split(";") if not f.startswith("thread (")]
        name, matching = classify(frames)
        samples[name] += int(count)
        prompt[name] += int(count) if matching else 0
    total = sum(samples.values()) or 1
    per_device_ms = cpu_s / devices * 1000
    order = [name for name, _ in CATEGORIES] + [OTHER]
    return [
        {
            "category": name,
            "samples": samples[name],
            "share": samples[name] / total,
            "ms_per_device": samples[name] / total * per_device_ms,
            "prompt_matching_ms_per_device": prompt[name] / total * per_device_ms,
        }
        for name in order
        if samples[name]
    ]


def table(rows: list[dict[str, Any]], title: str) -> str:
    lines = [
        title,
        "",
        "| stage | CPU ms per device | share | of which reading, prompt matching ms | samples |",
        "|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['category']} | {row['ms_per_device']:.2f} | {row['share']:.1%} "
            f"| {row['prompt_matching_ms_per_device']:.2f} | {row['samples']} |"
        )
    total = sum(row["ms_per_device"] for row in rows)
    matching = sum(row["prompt_matching_ms_per_device"] for row in rows)
    lines.append(
        f"| **all** | **{total:.2f}** | 100% | {matching:.2f} | "
        f"{sum(row['samples'] for row in rows)} |"
    )
    return "\n".join(lines)


class Sampler:
    """py-spy recording the process `pid` (the caller) until stop()."""

    def __init__(self, pid: int, out: Path, rate: int = 250, gil: bool = False) -> None:
        spy = shutil.which("py-spy") or str(Path(__import__("sys").executable).parent / "py-spy")
        if not Path(spy).exists():
            raise SystemExit("bench --profile needs py-spy: pip install py-spy")
        cmd = [spy, "record", "--pid", str(pid), "--format", "raw", "-o", str(out)]
        cmd += ["--rate", str(rate), "--nonblocking"] + (["--gil"] if gil else [])
        self.proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        assert self.proc.stdout is not None
        first = self.proc.stdout.readline()  # "Sampling process ..." once attached
        if "Sampling" not in first:
            raise SystemExit(f"bench --profile: py-spy could not attach: {first.strip()}")
        time.sleep(0.2)

    def stop(self) -> str:
        self.proc.send_signal(signal.SIGINT)
        said, _ = self.proc.communicate(timeout=120)
        return said
