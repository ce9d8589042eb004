"""The fast SNMP Response reader agrees with pyasn1 on every value type and rejects what it cannot read."""

from __future__ import annotations

import inspect
import random

import pytest
from pyasn1.codec.ber import decoder, encoder
from pysnmp.hlapi.v1arch.dispatch import AbstractSnmpDispatcher
from pysnmp.proto import api, rfc1902, rfc1905

from monitoring.snmp import ber
from monitoring.snmp.transport import _Dispatcher, plain

V1, V2C = api.PROTOCOL_MODULES[api.SNMP_VERSION_1], api.PROTOCOL_MODULES[api.SNMP_VERSION_2C]
BIG_ARC = 2**32 - 1
VALUES = [
    rfc1902.Integer32(-2**31), rfc1902.Integer32(0), rfc1902.Integer32(-1), rfc1902.Integer32(2**31 - 1),
    rfc1902.OctetString(b""), rfc1902.OctetString("GigabitEthernet0/0/1"), rfc1902.OctetString(bytes(range(256)) * 2),
    rfc1902.OctetString("新余市政务外网".encode()), rfc1902.IpAddress("198.18.0.1"),
    rfc1902.Counter32(0), rfc1902.Counter32(2**32 - 1), rfc1902.Gauge32(2**31), rfc1902.TimeTicks(2**32 - 1),
    rfc1902.Counter64(0), rfc1902.Counter64(2**63), rfc1902.Counter64(2**64 - 1), rfc1902.Opaque(b"\x9f\x78\x04"),
    rfc1902.ObjectIdentifier((1, 3, 6, 1, 4, 1, 2011, 2, 23, 1)), rfc1902.ObjectIdentifier((2, 999, BIG_ARC)),
    rfc1905.NoSuchObject(""), rfc1905.NoSuchInstance(""), rfc1905.EndOfMibView(""), V2C.null,
]


def response(p, varbinds, request_id=4242, error_status=0, error_index=0, community="gm-ro") -> bytes:
    pdu = p.GetResponsePDU()
    p.apiPDU.set_defaults(pdu)
    p.apiPDU.set_request_id(pdu, request_id)
    p.apiPDU.set_error_status(pdu, error_status)
    p.apiPDU.set_error_index(pdu, error_index)
    p.apiPDU.set_varbinds(pdu, varbinds)
    msg = p.Message()
    p.apiMessage.set_defaults(msg)
    p.apiMessage.set_community(msg, community)
    p.apiMessage.set_pdu(msg, pdu)
    return encoder.encode(msg)


def via_pyasn1(p, data: bytes) -> list:
    msg, rest = decoder.decode(data, asn1Spec=p.Message())
    assert rest == b""
    return [(tuple(o), plain(v)) for o, v in p.apiPDU.get_varbinds(p.apiMessage.get_pdu(msg))]


def sample_varbinds(n: int, seed: int = 7) -> list:
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        oid = (1, 3, 6, 1, 2, 1, 31, 1, 1, 1, rnd.randint(1, 20), rnd.choice([1, 127, 128, 16383, 16384, BIG_ARC]), i)
        out.append((oid, VALUES[i % len(VALUES)]))
    return out


@pytest.mark.parametrize("n", [0, 1, len(VALUES), 300])
def test_v2c_response_decodes_like_pyasn1(n):
    data = response(V2C, sample_varbinds(n), request_id=2**31 - 1, error_status=5, error_index=2)
    rsp = ber.decode_response(data)
    assert (rsp.version, rsp.community, rsp.request_id, rsp.error_status, rsp.error_index) == (1, b"gm-ro", 2**31 - 1,
                                                                                                 5, 2)
    assert rsp.varbinds == via_pyasn1(V2C, data)
    assert len(rsp.varbinds) == n


def test_v1_response_and_exact_value_types():
    data = response(V1, [((1, 3, 6, 1, 2, 1, 1, 5, 0), V1.OctetString("core-1")),
                         ((1, 3, 6, 1, 2, 1, 1, 3, 0), V1.TimeTicks(12345))], request_id=-5)
    rsp = ber.decode_response(data)
    assert rsp.version == 0 and rsp.request_id == -5
    assert rsp.varbinds == [((1, 3, 6, 1, 2, 1, 1, 5, 0), b"core-1"), ((1, 3, 6, 1, 2, 1, 1, 3, 0), 12345)]
    end = ber.decode_response(response(V2C, [((1, 3), rfc1905.EndOfMibView(""))])).varbinds[0][1]
    assert end is ber.END_OF_MIB_VIEW


def test_unsigned_types_without_the_leading_zero_octet_read_as_unsigned():
    # Counter32 4294967295 as some agents send it: 0x41 04 ff ff ff ff (DER would want 00 ff ff ff ff).
    vb = bytes([0x30, 0x0B, 0x06, 0x03, 0x2B, 0x06, 0x01, 0x41, 0x04, 0xFF, 0xFF, 0xFF, 0xFF])
    pdu = bytes([0xA2, 0x0B + 2 + 9, 0x02, 0x01, 0x01, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x30, len(vb)]) + vb
    msg = bytes([0x02, 0x01, 0x01, 0x04, 0x01, 0x63]) + pdu
    data = bytes([0x30, len(msg)]) + msg
    assert ber.decode_response(data).varbinds == [((1, 3, 6, 1), 2**32 - 1)]


def test_what_it_cannot_read_raises_ber_error_never_something_else():
    good = response(V2C, sample_varbinds(12))
    request = bytearray(good)
    request[request.index(0xA2)] = 0xA0  # a GetRequest, not a Response
    v3ish = bytearray(good)
    v3ish[4] = 3  # msgVersion 3
    indefinite = bytearray(good)
    indefinite[1] = 0x80
    for bad in (b"", b"\x30", bytes(request), bytes(v3ish), bytes(indefinite), good + b"\x00"):
        with pytest.raises(ber.BerError):
            ber.decode_response(bad)
    for cut in range(len(good)):  # every truncation
        with pytest.raises(ber.BerError):
            ber.decode_response(good[:cut])
    rnd = random.Random(1)
    for _ in range(3000):  # random corruption: an error or some Response, never a crash
        data = bytearray(good)
        data[rnd.randrange(len(data))] = rnd.randrange(256)
        try:
            ber.decode_response(bytes(data))
        except ber.BerError:
            pass


def test_the_pysnmp_hook_still_exists_with_the_same_signature():
    """transport._Dispatcher overrides pysnmp's private receive callback: fail loudly if pysnmp changes it."""
    def params(fn):
        return list(inspect.signature(fn).parameters)
    assert params(_Dispatcher._recv_callback) == params(AbstractSnmpDispatcher._recv_callback)
    assert "_pendingReqs" in inspect.getsource(AbstractSnmpDispatcher.send_pdu)
