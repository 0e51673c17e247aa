"""Who is blamed for a session cut through a bastion (runner.device.jump.blamed)."""

from __future__ import annotations

from typing import cast

from runner.base.errors import DeviceError, JumpFailedError, NoCommonAlgorithmsError
from runner.device import jump


class _Through:
    def __init__(self, fault: DeviceError | None) -> None:
        self.fault = fault

    def blame(self, ask: bool) -> DeviceError | None:
        return self.fault


CUT = NoCommonAlgorithmsError("127.0.0.1:2001 closed the connection during the key exchange")


def test_a_key_exchange_cut_through_a_silent_bastion_blames_the_bastion() -> None:
    """With 450 hosts behind an sshd that was SIGSTOPped, three hosts in their key exchange
    read 'no algorithm in common' (the device seemed to close): the bastion's fault."""
    silent = JumpFailedError("bastion root@127.0.0.1:22 stopped answering")
    error = jump.blamed(CUT, cast(jump.Through, _Through(silent)))
    assert isinstance(error, JumpFailedError)
    assert "stopped answering" in str(error) and "no_common_algorithms" in str(error)


def test_through_a_healthy_bastion_no_algorithm_in_common_stands() -> None:
    assert jump.blamed(CUT, cast(jump.Through, _Through(None))) is CUT
