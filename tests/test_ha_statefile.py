"""The statefile device without a twin: every failure of the iSCSI path is an OSError, and a command that
does not come back never holds the heartbeat longer than the device's timeout."""

from __future__ import annotations

import threading

import pytest

from simlab.ha.statefile import BLOCK, IscsiStatefile, decode, encode
from xenlab import iscsi


class Region:
    """A statefile region whose commands can be made to hang (a pulled cable) or fail (a dead session)."""

    def __init__(self) -> None:
        self.data = bytearray(BLOCK * 3)
        self.hang = threading.Event()
        self.release = threading.Event()
        self.error: Exception | None = None

    def _wait(self) -> None:
        if self.error is not None:
            raise self.error
        if self.hang.is_set():
            self.release.wait(10)

    def read(self, offset: int, length: int) -> bytes:
        self._wait()
        return bytes(self.data[offset : offset + length])

    def write(self, offset: int, data: bytes) -> None:
        self._wait()
        self.data[offset : offset + len(data)] = data


@pytest.fixture
def region() -> Region:
    return Region()


@pytest.fixture
def device(region: Region):
    dev = IscsiStatefile("xen1", lambda: region, timeout=0.2)
    yield dev
    region.release.set()
    dev.close()


def test_reads_what_was_written(device: IscsiStatefile) -> None:
    device.write(BLOCK, encode({"host": "a", "seq": 3}))
    assert decode(device.read(BLOCK, BLOCK)) == {"host": "a", "seq": 3}


def test_a_command_without_answer_is_a_timeout_then_the_path_stays_busy(device: IscsiStatefile, region: Region) -> None:
    region.hang.set()
    with pytest.raises(TimeoutError, match="xen1: statefile read got no answer within 0.2 s"):
        device.read(0, BLOCK)
    with pytest.raises(OSError, match="previous command is still outstanding"):
        device.write(BLOCK, encode({"host": "a"}))
    region.hang.clear()
    region.release.set()
    for _ in range(50):  # the stuck command ends (libiscsi's own timeout); the next one goes through
        try:
            device.read(0, BLOCK)
            break
        except OSError:
            threading.Event().wait(0.05)
    else:
        pytest.fail("the device never recovered after the stuck command ended")


def test_an_iscsi_failure_is_an_oserror_naming_the_session(device: IscsiStatefile, region: Region) -> None:
    region.error = iscsi.IscsiError("io", "READ on iqn.x lun 1: session failed")
    with pytest.raises(OSError, match="statefile read: READ on iqn.x lun 1: session failed"):
        device.read(0, BLOCK)


def test_no_session_is_an_oserror() -> None:
    def no_session() -> Region:
        raise iscsi.IscsiError("io", "xen2 has no iSCSI session to HeartBeat SR for VDI Statefile for HA")

    dev = IscsiStatefile("xen2", no_session, timeout=0.2)
    try:
        with pytest.raises(OSError, match="xen2 has no iSCSI session to HeartBeat SR"):
            dev.write(0, encode({}))
    finally:
        dev.close()
