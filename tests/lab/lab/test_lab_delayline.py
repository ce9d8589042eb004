"""The delay line's nfnetlink_queue messages (no root needed; the live fault is in test_lab_faults)."""

from __future__ import annotations

import struct

import pytest

from lab import delayline


def packet_message(packet_id: int, queue: int = 7) -> bytes:
    hdr = delayline._attr(delayline.NFQA_PACKET_HDR, struct.pack("!IHB", packet_id, 0x0800, 4))
    mark = delayline._attr(3, struct.pack("!I", 0))
    return delayline._message(delayline.NFQNL_MSG_PACKET, queue, hdr + mark)


def test_packet_ids_are_read_from_every_message_of_a_datagram():
    assert delayline._packet_ids(packet_message(41) + packet_message(42)) == [41, 42]


def test_a_netlink_error_is_raised():
    error = struct.pack("=IHHII", 36, delayline.NLMSG_ERROR, 0, 1, 0) + struct.pack("=i", -16) + b"\0" * 16
    with pytest.raises(OSError, match="EBUSY"):
        delayline._packet_ids(error)


def test_verdict_message_layout():
    msg = delayline._message(delayline.NFQNL_MSG_VERDICT, 7,
                             delayline._attr(delayline.NFQA_VERDICT_HDR, struct.pack("!II", delayline.NF_ACCEPT, 41)))
    length, kind = struct.unpack_from("=IH", msg)
    assert length == len(msg) == 16 + 4 + 12
    assert kind == (3 << 8) | 1
    assert msg[18:20] == struct.pack("!H", 7)  # queue number, big-endian, in nfgenmsg
    assert struct.unpack_from("!II", msg, 24) == (1, 41)


@pytest.mark.parametrize("text, seconds", [("30ms", 0.03), ("1s", 1.0), ("500us", 0.0005), ("2.5ms", 0.0025)])
def test_parse_delay(text, seconds):
    assert delayline.parse_delay(text) == pytest.approx(seconds)


def test_parse_delay_refuses_garbage():
    with pytest.raises(ValueError, match="30ms"):
        delayline.parse_delay("soon")
