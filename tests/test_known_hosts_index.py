"""The known-hosts file is indexed by name: plain entries are found without scanning the
file, hashed ones (OpenSSH's HashKnownHosts) still are, unreadable lines are skipped."""

from __future__ import annotations

from pathlib import Path

import paramiko

from runner.device.hostkeys import KnownHosts


def test_plain_and_hashed_entries_are_found_and_a_bad_line_is_skipped(tmp_path: Path) -> None:
    plain, hashed, learnt = (paramiko.ECDSAKey.generate() for _ in range(3))
    file = tmp_path / "known_hosts"
    hashed_name = paramiko.HostKeys.hash_host("[127.0.0.1]:2200")
    file.write_text(
        f"[127.0.0.1]:2100 {plain.get_name()} {plain.get_base64()}\n"
        "this line is not a key\n"
        f"{hashed_name} {hashed.get_name()} {hashed.get_base64()}\n"
    )
    store = KnownHosts(file)
    assert store.lookup("[127.0.0.1]:2100")[plain.get_name()].asbytes() == plain.asbytes()
    assert store.lookup("[127.0.0.1]:2200")[hashed.get_name()].asbytes() == hashed.asbytes()
    assert store.lookup("[127.0.0.1]:2300") == {}
    store.learn("[127.0.0.1]:2300", learnt)
    assert KnownHosts(file).lookup("[127.0.0.1]:2300")  # appended, read back
