"""The bench's lab: `netjob_lab` in separate processes (shards), on ports the OS picks.

Each shard binds port 0 for every device (so a busy 127.0.0.1:20022 or any other taken
port never stops a run) and, once every device listens, writes its inventory and the
known_hosts lines of its devices; the bench merges them. The lab's host key and the
known_hosts file live in the lab's own temporary folder: runs never read or grow
~/.netjob/known_hosts, and every system's run finds the keys already known (as a
user's second run does).

    python bench/labproc.py SHARD_FOLDER DEVICES FIRST LATENCY_MS LOGIN_LATENCY_MS
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

TICKS = os.sysconf("SC_CLK_TCK")
SHARD_DEVICES = 2500  # devices per lab process (one asyncio loop each)


class LabProcess:
    """The lab for one scenario: `shards` processes serving `devices` devices in all."""

    def __init__(
        self, devices: int, latency_ms: int, login_latency_ms: int, shards: int = 0
    ) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="bench-lab-"))
        self.inventory = self.folder / "lab.yaml"
        self.known_hosts = self.folder / "known_hosts"
        self.procs: list[subprocess.Popen[bytes]] = []
        shards = shards or -(-devices // SHARD_DEVICES)
        per = -(-devices // shards)
        outs = []
        for first in range(1, devices + 1, per):
            out = self.folder / f"shard-{first}"
            cmd = [sys.executable, __file__, str(out), str(min(per, devices - first + 1))]
            cmd += [str(first), str(latency_ms), str(login_latency_ms)]
            self.procs.append(subprocess.Popen(cmd, stdout=subprocess.DEVNULL))
            outs.append(out)
        try:
            self._merge(outs)
        except BaseException:
            self.stop()
            raise

    def _merge(self, outs: list[Path]) -> None:
        deadline = time.monotonic() + 300
        while not all((out / "ready").exists() for out in outs):
            if time.monotonic() > deadline or any(p.poll() is not None for p in self.procs):
                raise SystemExit("bench: the lab did not start (see its error above)")
            time.sleep(0.05)
        merged = yaml.safe_load((outs[0] / "lab.yaml").read_text())
        for out in outs[1:]:
            merged["hosts"].update(yaml.safe_load((out / "lab.yaml").read_text())["hosts"])
        self.inventory.write_text(yaml.safe_dump(merged, sort_keys=False))
        self.known_hosts.write_text("".join((out / "known_hosts").read_text() for out in outs))

    def env(self) -> dict[str, str]:
        """The environment of a measured process: the lab's credentials and known_hosts,
        and TMPDIR in the lab's folder, so what it makes (reports, inventories) goes when
        the lab stops."""
        tmp = self.folder / "tmp"
        tmp.mkdir(exist_ok=True)
        return {
            **os.environ,
            "TMPDIR": str(tmp),
            "NETJOB_KNOWN_HOSTS": str(self.known_hosts),
            "NETJOB_LAB_PASSWORD": "lab-password",
            "NETJOB_LAB_SECRET": "lab-enable",
        }

    def cpu(self) -> float:
        return sum(process_cpu(proc.pid) for proc in self.procs)

    def measured(self, script: str, args: list[str], what: str) -> dict[str, Any]:
        """`python script measure ARGS...` against this lab, in a fresh process: its last
        line, a JSON object, with the lab's CPU during the run added as `lab_cpu_s`."""
        before = self.cpu()
        done = subprocess.run(
            [sys.executable, script, "measure", *args],
            capture_output=True,
            text=True,
            check=False,
            timeout=3600,
            env=self.env(),
        )
        if done.returncode != 0:
            raise SystemExit(f"bench: {what} failed:\n{done.stderr[-3000:]}")
        result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        result["lab_cpu_s"] = self.cpu() - before
        return result

    def stop(self) -> None:
        try:
            for proc in self.procs:
                proc.terminate()
            for proc in self.procs:
                try:
                    proc.wait(30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(30)
        finally:
            # Its host key, inventories, known_hosts and the measured runs' files.
            shutil.rmtree(self.folder, ignore_errors=True)


def process_cpu(pid: int) -> float:
    """User + system seconds of a live process (its own, not its children's)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def serve(out: Path, devices: int, first: int, latency_ms: int, login_latency_ms: int) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import asyncssh

    from netjob_lab.inventory import inventory_yaml
    from netjob_lab.server import Lab, LabConfig

    out.mkdir(parents=True)
    key_file = out.parent / "host_key"  # one key for every shard: made by the first
    if first == 1:
        tmp = out.parent / ".host_key"
        tmp.write_bytes(asyncssh.generate_private_key("ssh-ed25519").export_private_key())
        tmp.chmod(0o600)
        tmp.replace(key_file)
    while not key_file.exists():
        time.sleep(0.02)
    config = LabConfig(
        devices=devices,
        port=0,  # the OS picks a free port per device
        first=first,
        latency_ms=latency_ms,
        login_latency_ms=login_latency_ms,
        host_key_file=str(key_file),
    )
    lab = Lab(config).start()
    public = asyncssh.read_private_key(str(key_file)).export_public_key().decode().split()
    (out / "lab.yaml").write_text(inventory_yaml(lab.endpoints, config))
    (out / "known_hosts").write_text(
        "".join(f"[{e.host}]:{e.port} {public[0]} {public[1]}\n" for e in lab.endpoints)
    )
    (out / "ready").touch()  # last: every file above is complete
    lab.serve_forever()


if __name__ == "__main__":
    folder, *numbers = sys.argv[1:]
    n, start, cmd_ms, login_ms = (int(x) for x in numbers)
    serve(Path(folder), n, start, cmd_ms, login_ms)
