"""Errors a check run can meet before it can assert anything; str() is one line naming the device."""

from __future__ import annotations


class DeviceError(Exception):
    """A device could not be used: unreachable, timed out, or refused the login."""

    def __init__(self, device: str, problem: str) -> None:
        self.device, self.problem = device, problem
        super().__init__(f"{device}: {problem}")


class Unreachable(DeviceError):
    """No answer within the bounded timeout (or connection refused)."""


class LoginFailed(DeviceError):
    """The device answered and refused the credentials (or the enable secret)."""
