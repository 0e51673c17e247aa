"""Ansible Vault values (`!vault |` in an Ansible inventory, group_vars/ or host_vars/)
and whole files `ansible-vault encrypt` wrote, decrypted by ansible-core's own VaultLib:
netjob holds no cipher code. ansible-core is the optional extra `netjob[ansible]` and is
imported only when a vaulted value is met.

    vault = Vault.from_file(Path("~/.vault_pass"))   # --vault-password-file (a script: its output)
    vault = Vault(getpass("Vault password: "))       # --ask-vault-pass
    vault.decrypt(value, "group_vars/all.yml:3")     # the plain text, or a LoadError
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from runner.base import user_files
from runner.base.errors import InputError, LoadError
from runner.load.yamlio import Vaulted, load_yaml, parse_yaml

INSTALL = "pip install 'netjob[ansible]'"


@dataclass(frozen=True)
class Vault:
    password: str = field(repr=False)
    _plain: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_file(cls, path: Path) -> Vault:
        """Ansible's rule: an executable file is a script whose output is the password;
        another file holds it (surrounding whitespace dropped)."""
        path = path.expanduser()
        try:
            if os.access(path, os.X_OK) and path.is_file():
                found = subprocess.run(
                    [str(path.resolve())], capture_output=True, check=True, timeout=60
                ).stdout
            else:
                found = user_files.read_bytes(path, 1 << 20)
        except user_files.FileRefused as exc:
            raise InputError(f"--vault-password-file {path}: {exc}", path=path) from None
        except (OSError, subprocess.SubprocessError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc)
            raise InputError(
                f"--vault-password-file {path}: cannot read: {reason}", path=path
            ) from None
        password = found.decode("utf-8", errors="replace").strip()
        if not password:
            raise InputError(f"--vault-password-file {path}: the file is empty", path=path)
        return cls(password)

    def decrypt(self, value: Vaulted, where: str) -> str:
        # Each decryption costs a key derivation (~50 ms): a group's value shared by a
        # thousand hosts is decrypted once.
        if value.ciphertext not in self._plain:
            lib = _vault_lib(self.password, where)
            from ansible.errors import AnsibleError

            try:
                plain = lib.decrypt(value.ciphertext.encode())
            except AnsibleError as exc:  # a wrong password, a damaged value
                reason = " ".join(str(exc).split())[:200]
                raise LoadError(
                    f"{where}: cannot decrypt this !vault value: {reason}; check the vault password"
                ) from None
            self._plain[value.ciphertext] = plain.decode("utf-8")
        return self._plain[value.ciphertext]


def load_vaulted(path: Path, vault: Vault | None) -> Any:
    """A YAML file, decrypted first when it is a whole file `ansible-vault encrypt` wrote
    (group_vars/, host_vars/, the inventory itself). Lines in messages are the plain text's."""
    data = load_yaml(path)  # a vaulted file reads as one string: its header and hex lines
    if isinstance(data, str) and data.startswith(HEADER):
        text = path.read_text(encoding="utf-8")
        plain = reveal(Vaulted(text, 1), vault, f"{path} (a file ansible-vault encrypted)")
        return parse_yaml(plain, str(path), path=path)
    return data


HEADER = "$ANSIBLE_VAULT;"


def reveal(value: Vaulted, vault: Vault | None, where: str) -> str:
    """The plain text of a vaulted value, or an error that says what to install or pass."""
    if vault is None:
        _vault_lib(None, where)  # first: is ansible-core there at all?
        raise LoadError(
            f"{where}: an Ansible Vault value; run with --vault-password-file FILE "
            "or --ask-vault-pass"
        )
    return vault.decrypt(value, where)


def _vault_lib(password: str | None, where: str) -> Any:
    try:
        from ansible.parsing.vault import VaultLib, VaultSecret
    except ImportError:
        raise LoadError(
            f"{where}: an Ansible Vault value; decrypting it needs ansible-core: {INSTALL}"
        ) from None
    if password is None:
        return None
    return VaultLib([("default", VaultSecret(password.encode()))])
