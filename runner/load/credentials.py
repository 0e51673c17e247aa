"""Each host's credentials, resolved before anything connects: written in the inventory,
read from the environment variable it names, or asked for once per distinct need (-k,
-K); a missing one is an error naming the inventory format's own key."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Mapping

from runner.base.errors import InputError
from runner.base.models import Credentials, Host
from runner.base.secret_tokens import weak

notes = logging.getLogger("runner.notes")  # the CLI prints them, one line each, on stderr

Prompt = Callable[[str], str]

# Each inventory format's own key for a credential, for messages (netjob: `*_env`).
_KEYS = {
    "ansible": {"password": "ansible_password", "secret": "ansible_become_password"},
    "nornir": {"password": "password", "secret": "secret"},
}
_EXAMPLES = {"ansible": " (e.g. \"{{ lookup('env', 'NAME') }}\")"}


def resolve_credentials(
    hosts: Iterable[Host],
    environ: Mapping[str, str] | None = None,
    prompt: Prompt | None = None,
    needs_enable: bool = True,
) -> dict[str, Credentials]:
    """Credentials per host, from plain text, the named environment variable, or a prompt
    (asked once per distinct need, not once per host). Missing ones fail before any connection,
    but for an enable secret a job does not need (`needs_enable` False: show steps only):
    those hosts log in without enable mode, and a note says so once."""
    env = os.environ if environ is None else environ
    asked: dict[str, str] = {}
    result = {}
    unset: set[str] = set()
    for host in hosts:
        options = host.connection
        # With a key or the agent, a password is only a fallback: none set is fine.
        keyed = bool(options.key_file or options.use_agent or options.ssh_config)
        if keyed and host.password is None and not env.get(host.password_env or ""):
            password = None
        else:
            password = _secret(
                host, "password", host.password, host.password_env, env, prompt, asked
            )
        if not needs_enable and host.secret is None and not env.get(host.secret_env or ""):
            secret = None  # unprivileged: a show the device refuses there says why
            unset |= {host.secret_env} if host.secret_env else set()
        else:
            secret = _secret(host, "secret", host.secret, host.secret_env, env, None, asked)
        passphrase = _secret(host, "passphrase", None, options.passphrase_env, env, None, asked)
        result[host.name] = Credentials(host.username, password, secret, passphrase)
    _note_weak(result)
    if unset:
        notes.info(
            "%s not set: this job has show steps only, so its hosts log in without enable "
            "mode (a show the device refuses there says so)",
            ", ".join(f"${name}" for name in sorted(unset)),
        )
    return result


def _note_weak(credentials: Mapping[str, Credentials]) -> None:
    """Say once which credentials cannot be told from the words devices print: they are
    masked only where they stand as a secret (runner.base.secret_tokens), so a device's
    `admin down` stays as it said it while `password admin` loses its value."""
    named = []
    for kind in ("password", "secret", "passphrase"):
        hosts = [n for n, c in credentials.items() if (v := getattr(c, kind)) and weak(v)]
        if hosts:
            more = f" and {len(hosts) - 3} more" if len(hosts) > 3 else ""
            named.append(f"the {kind} of {', '.join(hosts[:3])}{more}")
    if named:
        notes.warning(
            "%s: short or a plain word (under 6 characters, only letters, only digits or "
            "only punctuation), masked only where it stands as a secret (after password, "
            "secret, key; in quotes; after = or :), not where a device prints the same word "
            "(`admin down`); a longer one with letters and digits is masked wherever it "
            "stands alone",
            "; ".join(named),
        )


def _secret(
    host: Host,
    kind: str,
    plain: str | None,
    env_name: str | None,
    env: Mapping[str, str],
    prompt: Prompt | None,
    asked: dict[str, str],
) -> str | None:
    if plain is not None:
        return plain
    key = _KEYS.get(host.origin, {}).get(kind, f"{kind}_env")
    if env_name:
        if env.get(env_name):
            return env[env_name]
        if prompt is None:
            named = (
                f"{key} is lookup('env', '{env_name}'), and ${env_name}"
                if host.origin == "ansible"
                else f"{kind}_env names ${env_name}, which"
            )
            ask = "-k/--ask-pass" if kind == "password" else "-K/--ask-become-pass"
            raise InputError(
                f"host {host.name}: {named} is not set (or empty); "
                f"export {env_name}=... or run with {ask}"
            )
    if prompt is None:
        if kind == "password":
            example = _EXAMPLES.get(host.origin, "")
            raise InputError(
                f"host {host.name}: no password; set {key}{example} in the "
                "inventory or run with --ask-pass"
            )
        return None
    label = env_name or f"{host.username or 'user'}@{kind}"
    if label not in asked:
        asked[label] = prompt(f"{kind.capitalize()} for {label}: ")
    return asked[label]
