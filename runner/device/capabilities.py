"""What a device_type can do, where the platform table (runner.base.platforms) does not
say: for a device_type outside it, netmiko's class is asked (so this is the device room,
where netmiko may be imported; lazily, so `plan` and `hosts` stay light)."""

from __future__ import annotations

from typing import Any

from runner.base import platforms


def can_save(device_type: str) -> bool:
    """Whether `save: true` means anything on this platform: the table says for the
    platforms it knows; for others, whether netmiko's class has a save_config of its own
    (netmiko imported only then: `plan` and `hosts` stay light)."""
    info = platforms.lookup(device_type)
    if info.known:
        return info.save is not platforms.Save.NONE
    from netmiko.base_connection import BaseConnection

    driver = _netmiko_class(device_type)
    if driver is None:
        return True  # netmiko will refuse the device_type itself, in its own words
    save = driver.save_config
    return save is not BaseConnection.save_config and not _only_raises(save)


def can_configure(device_type: str) -> bool:
    """Whether config lines can be sent at all: netmiko's class for Cisco FTD has a
    send_config_set that only raises NotImplementedError ("Cannot change config on FTD
    via SSH"); found after connecting, that would read as netjob's own error."""
    if platforms.lookup(device_type).known:
        return True
    driver = _netmiko_class(device_type)
    return driver is None or not _only_raises(driver.send_config_set)


def _netmiko_class(device_type: str) -> Any:
    """netmiko's class for a device_type, None where netmiko has none (it refuses the
    device_type itself, in its own words); netmiko imported only when asked."""
    from netmiko.ssh_dispatcher import CLASS_MAPPER

    return CLASS_MAPPER.get(device_type)


def _only_raises(function: Any) -> bool:
    """netmiko says "no save here" (eltex, IOS-XR) by a save_config that only raises
    NotImplementedError."""
    import ast
    import inspect
    import textwrap

    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    except (OSError, TypeError, SyntaxError):
        return False
    body = [
        node
        for node in tree.body[0].body  # type: ignore[attr-defined]
        if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))
    ]
    return (
        len(body) == 1
        and isinstance(body[0], ast.Raise)
        and "NotImplementedError" in ast.unparse(body[0])
    )
