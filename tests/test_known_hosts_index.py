"""The known-hosts file is indexed by name: plain entries are found without scanning the
file, hashed ones (OpenSSH's HashKnownHosts) still are, unreadable lines are skipped."""

from __future__ import annotations

from pathlib import Path

import paramiko
import pytest

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


def test_a_key_is_decoded_only_for_a_name_looked_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 1,000-line file: loading it decodes no key; a lookup decodes that host's lines
    only (issue 16: every worker process decoded every key of a 10,000-host file)."""
    key, other = paramiko.ECDSAKey.generate(), paramiko.ECDSAKey.generate()
    file = tmp_path / "known_hosts"
    lines = [f"[127.0.0.1]:{port} {key.get_name()} {key.get_base64()}" for port in range(1000)]
    # A name on two lines (two key types, or a name listed with others): both count.
    lines.append(f"[127.0.0.1]:5,[127.0.0.1]:7 ssh-ed25519 {paramiko.Ed25519Key.__name__}")
    lines.append(f"[127.0.0.1]:7 {other.get_name()} {other.get_base64()}")
    file.write_text("\n".join(lines) + "\n")
    decoded: list[str] = []
    real = paramiko.hostkeys.HostKeyEntry.from_line

    def counted(line: str, lineno: int | None = None) -> paramiko.hostkeys.HostKeyEntry | None:
        decoded.append(line)
        return real(line, lineno)

    monkeypatch.setattr(paramiko.hostkeys.HostKeyEntry, "from_line", counted)
    store = KnownHosts(file)
    assert decoded == []
    found = store.lookup("[127.0.0.1]:7")
    # Three lines name it: its own, the unreadable shared one (skipped), the later key.
    assert len(decoded) == 3
    assert found[other.get_name()].asbytes() == other.asbytes()  # the later line wins
    assert store.lookup("[127.0.0.1]:7") == found  # decoded once
    assert len(decoded) == 3
    assert store.lookup("[127.0.0.1]:999")[key.get_name()].asbytes() == key.asbytes()
    assert len(decoded) == 4
