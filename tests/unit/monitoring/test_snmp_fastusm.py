"""The SNMPv3 fast path (monitoring/snmp/fastusm.py) without an agent: the decrypted ScopedPDU
as pyasn1 encodes it, read by ber.decode_scoped_response and by pyasn1, must agree; anything the
reader rejects must reach pyasn1 unchanged; and the pysnmp line it hooks must still be there.
(Against a real snmpd over v3 authPriv: tests/unit/monitoring/test_snmp_transport.py.)"""

from __future__ import annotations

import inspect
import random

import pytest
from pyasn1.codec.ber import decoder, encoder
from pyasn1.error import PyAsn1Error
from pysnmp.proto import rfc1902, rfc1905
from pysnmp.proto.api import v2c, verdec
from pysnmp.proto.mpmod import rfc3412 as mp_v3
from pysnmp.proto.mpmod.rfc3412 import ScopedPDU, SNMPv3Message
from pysnmp.proto.secmod.rfc3414 import service

from monitoring.snmp import ber, fastusm
from monitoring.snmp.transport import plain


def sample_varbinds(n: int):
    out = []
    for i in range(1, n + 1):
        out += [((1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 1, i), rfc1902.OctetString(f"GE0/0/{i}".encode())),
                ((1, 3, 6, 1, 2, 1, 31, 1, 1, 1, 6, i), rfc1902.Counter64(2**63 + i)),
                ((1, 3, 6, 1, 2, 1, 2, 2, 1, 8, i), rfc1902.Integer(i % 3)),
                ((1, 3, 6, 1, 2, 1, 2, 2, 1, 10, i), rfc1902.Counter32(2**32 - i)),
                ((1, 3, 6, 1, 2, 1, 4, 20, 1, 1, i), rfc1902.IpAddress("10.0.0.1")),
                ((1, 3, 6, 1, 2, 1, 1, 3, i), rfc1902.TimeTicks(i)),
                ((1, 3, 6, 1, 2, 1, 1, 2, i), rfc1902.ObjectIdentifier((1, 3, 6, 1, 4, 1, 2011, i))),
                ((1, 3, 6, 1, 2, 1, 2, 2, 1, 5, i), rfc1902.Gauge32(10**9))]
    out += [((1, 3, 6, 1, 9), rfc1905.NoSuchObject("")), ((1, 3, 6, 1, 9, 1), rfc1905.EndOfMibView(""))]
    return out


def scoped_plaintext(varbinds, pdu=None, engine_id=b"\x80\x00\x1f\x88\x80abc", name=b"") -> bytes:
    """A ScopedPDU as an agent's USM encrypts it, encoded by pyasn1 (BER as pysnmp sends it)."""
    if pdu is None:
        pdu = rfc1905.ResponsePDU()
        v2c.apiPDU.set_defaults(pdu)
        v2c.apiPDU.set_request_id(pdu, 123456)
    v2c.apiPDU.set_varbinds(pdu, varbinds)
    scoped = ScopedPDU()
    scoped[0], scoped[1] = engine_id, name
    scoped.setComponentByPosition(2)
    scoped.getComponentByPosition(2).setComponentByType(pdu.tagSet, pdu, verifyConstraints=False,
                                                        matchTags=False, matchConstraints=False)
    return encoder.encode(scoped)


def via_proxy(data: bytes):
    """Decode as pysnmp's USM does, with the fast path switched on (as inside FastUsm)."""
    fastusm.install()
    fastusm._state.on = True
    try:
        return service.decoder.decode(data, asn1Spec=ScopedPDU())
    finally:
        fastusm._state.on = False


def header(scoped):
    pdu = scoped[2].getComponent()
    return (bytes(scoped[0]), bytes(scoped[1]), pdu.tagSet, int(v2c.apiPDU.get_request_id(pdu)),
            int(v2c.apiPDU.get_error_status(pdu)), int(pdu[2]))  # error-index raw (see transport)


@pytest.mark.parametrize("n", [0, 1, 40])
def test_fast_scoped_pdu_equals_pyasn1(n):
    data = scoped_plaintext(sample_varbinds(n), name=b"vrf-a")
    ref, _ = decoder.decode(data, asn1Spec=ScopedPDU())
    before = dict(fastusm.stats)
    got, rest = via_proxy(data)
    assert fastusm.stats["fast"] == before["fast"] + 1 and rest == b""
    assert header(got) == header(ref)
    pdu = got[2].getComponent()
    assert fastusm.plain_varbinds(pdu) == [(tuple(o), plain(v)) for o, v in v2c.apiPDU.get_varbinds(ref[2].getComponent())]
    assert list(v2c.apiPDU.get_varbinds(pdu)) == []  # the varbinds travel only as plain values


def test_des_padding_after_the_scoped_pdu_is_ignored_as_pysnmp_ignores_it():
    data = scoped_plaintext(sample_varbinds(2)) + b"\x00" * 5
    got, _ = via_proxy(data)
    assert len(fastusm.plain_varbinds(got[2].getComponent())) == 18


def test_the_proxy_is_inert_outside_fast_usm_and_for_other_specs():
    data = scoped_plaintext(sample_varbinds(3))
    fastusm.install()
    before = dict(fastusm.stats)
    got, _ = service.decoder.decode(data, asn1Spec=ScopedPDU())  # not inside FastUsm
    assert fastusm.plain_varbinds(got[2].getComponent()) is None
    assert len(v2c.apiPDU.get_varbinds(got[2].getComponent())) == 26
    assert fastusm.stats == before
    assert service.decoder.decode(encoder.encode(rfc1902.Integer(7)))[0] == 7  # delegates the rest


def test_reports_and_other_pdus_go_to_pyasn1():
    """A Report (discovery, notInTimeWindow) must reach pysnmp with its varbinds: pysnmp reads them."""
    report = rfc1905.ReportPDU()
    v2c.apiPDU.set_defaults(report)
    data = scoped_plaintext([((1, 3, 6, 1, 6, 3, 15, 1, 1, 4, 0), rfc1902.Counter32(1))], pdu=report)
    before = dict(fastusm.stats)
    got, _ = via_proxy(data)
    assert fastusm.stats["fallback"] == before["fallback"] + 1
    assert got[2].getComponent().tagSet == rfc1905.ReportPDU.tagSet
    assert len(v2c.apiPDU.get_varbinds(got[2].getComponent())) == 1


def _outcome(fn, data):
    try:
        scoped, _ = fn(data)
    except PyAsn1Error as exc:
        return ("error", type(exc).__name__)
    pdu = scoped[2].getComponent()
    rows = fastusm.plain_varbinds(pdu)
    if rows is None:
        rows = [(tuple(o), plain(v)) for o, v in v2c.apiPDU.get_varbinds(pdu)]
    return ("ok", header(scoped), rows)


def test_truncated_and_corrupted_plaintexts_fall_back_to_pyasn1_with_its_outcome():
    """Every truncation, and random corruption: whatever the reader accepts pyasn1 reads the same
    way; whatever it rejects is decided by pyasn1 exactly as without the fast path."""
    good = scoped_plaintext(sample_varbinds(3))
    indefinite = bytes([0x30, 0x80]) + good[2:] + b"\x00\x00"  # BER pyasn1 accepts, the reader does not
    assert _outcome(via_proxy, indefinite) == _outcome(lambda d: decoder.decode(d, asn1Spec=ScopedPDU()), indefinite)
    cases = [good[:cut] for cut in range(len(good))] + [indefinite]
    rnd = random.Random(3)
    for _ in range(1500):
        data = bytearray(good)
        data[rnd.randrange(len(data))] = rnd.randrange(256)
        cases.append(bytes(data))
    fallbacks = 0
    for data in cases:
        before = fastusm.stats["fallback"]
        fast = _outcome(via_proxy, data)
        fallbacks += fastusm.stats["fallback"] - before
        if fastusm.stats["fallback"] > before:  # rejected: pyasn1 alone decided
            assert fast == _outcome(lambda d: decoder.decode(d, asn1Spec=ScopedPDU()), data)
        else:  # accepted: a well-formed Response; pyasn1 must agree where it can read it
            ref = _outcome(lambda d: decoder.decode(d, asn1Spec=ScopedPDU()), data)
            if ref[0] == "ok":
                assert fast == ref
    assert fallbacks >= len(good)  # every truncation fell back


def test_the_pysnmp_line_fastusm_hooks_is_still_there():
    """fastusm replaces the `decoder` and `encoder` globals of pysnmp's USM module and overrides
    its process_incoming_message: fail loudly if a pysnmp upgrade moves any of them."""
    src = inspect.getsource(service.SnmpUSMSecurityModel.process_incoming_message)
    assert "decoder.decode(decryptedData, asn1Spec=scopedPduSpec)" in src
    assert list(inspect.signature(service.SnmpUSMSecurityModel.process_incoming_message).parameters) == [
        "self", "snmpEngine", "messageProcessingModel", "maxMessageSize", "securityParameters",
        "securityModel", "securityLevel", "wholeMsg", "msg"]
    assert hasattr(service, "decoder") and hasattr(service, "encoder")
    gen = inspect.getsource(service.SnmpUSMSecurityModel._SnmpUSMSecurityModel__generate_request_or_response_message)
    assert "dataToEncrypt = encoder.encode(scopedPDU)" in gen
    assert fastusm.FastUsm.SECURITY_MODEL_ID == 3


def test_an_error_status_with_index_reaches_the_client_from_the_fast_path():
    import asyncio

    from monitoring.snmp.transport import _v3_result
    pdu = rfc1905.ResponsePDU()
    v2c.apiPDU.set_defaults(pdu)
    v2c.apiPDU.set_error_status(pdu, 5)
    v2c.apiPDU.set_error_index(pdu, 2)
    scoped, _ = via_proxy(scoped_plaintext(sample_varbinds(1), pdu=pdu))
    loop = asyncio.new_event_loop()
    try:
        fut = loop.create_future()
        _v3_result(None, None, None, scoped[2].getComponent(), fut)
        status, index, rows = fut.result()
    finally:
        loop.close()
    assert (status, index, len(rows)) == (5, 2, 10)


def _materialized_copy(pdu):
    ref = pdu.clone()
    v2c.apiPDU.set_defaults(ref)
    for i in range(3):
        ref.setComponentByPosition(i, pdu.getComponentByPosition(i))
    v2c.apiPDU.set_varbinds(ref, [(o, v2c.null) for o in getattr(pdu, fastusm.OIDS_ATTR)])
    return ref


def _scoped(pdu, engine_id=b"\x80\x00\x1f\x88\x80abc", name=b""):
    scoped = ScopedPDU()
    scoped[0], scoped[1] = engine_id, name
    scoped.setComponentByPosition(2)
    scoped.getComponentByPosition(2).setComponentByType(pdu.tagSet, pdu, verifyConstraints=False,
                                                        matchTags=False, matchConstraints=False)
    return scoped


@pytest.mark.parametrize("bulk", [True, False])
def test_fast_request_encoding_is_byte_identical_to_pyasn1(bulk):
    rnd = random.Random(5)
    fastusm.install()
    for n in (1, 14, 60):  # 60 OIDs: a PDU longer than 255 octets (two-octet lengths)
        oids = [(1, 3, 6, 1, 2, 1, 31, 1, 1, 1, rnd.randrange(1, 20), rnd.choice([1, 127, 128, 2**31 - 1, 2**32 - 1]))
                for _ in range(n)] + [(2, 999, 1), (1, 3)]
        pdu = fastusm.request_pdu(oids, bulk, 25)
        for engine_id, name in ((b"", b""), (b"\x80" * 32, b"ctx-" * 40)):
            before = fastusm.stats["encoded"]
            fast = service.encoder.encode(_scoped(pdu, engine_id, name))
            assert fastusm.stats["encoded"] == before + 1
            assert fast == encoder.encode(_scoped(_materialized_copy(pdu), engine_id, name))
        assert len(v2c.apiPDU.get_varbinds(pdu)) == 0, "the fast path never builds pyasn1 varbinds"


def test_a_request_sent_in_the_clear_or_unencodable_gets_real_varbinds_first():
    """If anything but the authPriv ScopedPDU encoder meets such a PDU, it is materialized, never sent empty."""
    fastusm.install()
    oids = [(1, 3, 6, 1, 2, 1, 2, 2, 1, 2)]
    msg = SNMPv3Message()
    msg[0] = 3
    hdr = msg.setComponentByPosition(1).getComponentByPosition(1)
    hdr[0], hdr[1], hdr[2], hdr[3] = 1, 65507, b"\x01", 3
    msg[2] = b""
    pdu = fastusm.request_pdu(oids, True, 10)
    msg.setComponentByPosition(3).getComponentByPosition(3).setComponentByPosition(0, _scoped(pdu))
    wire = service.encoder.encode(msg)
    assert [tuple(o) for o, _ in v2c.apiPDU.get_varbinds(pdu)] == oids
    assert encoder.encode(_scoped(_materialized_copy(pdu))) in wire
    bad = fastusm.request_pdu([(7, 1)], False)  # not encodable by the fast encoder: pyasn1 decides
    with pytest.raises(PyAsn1Error):
        service.encoder.encode(_scoped(bad))
    assert len(v2c.apiPDU.get_varbinds(bad)) == 1


# -- message headers: version, SNMPv3Message, UsmSecurityParameters -----------------------------

def v3_message(msg_id=7, max_size=65507, flags=b"\x07", model=3, security=b"\x30\x00", data=b"\x01" * 40,
               plaintext=None, version=3) -> bytes:
    """An SNMPv3 message as an agent sends it (BER written out here, so that values outside
    pysnmp's ranges can be sent too; pyasn1 reads the valid ones back in the tests)."""
    t = ber._tlv
    header = t(0x30, ber._int(msg_id) + ber._int(max_size) + t(0x04, flags) + ber._int(model))
    body = plaintext if plaintext is not None else t(0x04, data)
    return t(0x30, ber._int(version) + header + t(0x04, security) + body)


def security_parameters(engine_id=b"\x80\x00\x1f\x88\x80abc", boots=3, time=12345, user=b"gmuser",
                        auth=b"\x00" * 12, priv=b"\x11" * 8) -> bytes:
    t = ber._tlv
    return t(0x30, t(0x04, engine_id) + ber._int(boots) + ber._int(time) + t(0x04, user) + t(0x04, auth)
             + t(0x04, priv))


def _receiving(fn, data):
    fastusm.install()
    fastusm._state.receiving = fastusm._state.on = True
    try:
        return fn(data)
    finally:
        fastusm._state.receiving = fastusm._state.on = False


def _message_outcome(fn, data):
    try:
        value, rest = fn(data)
    except PyAsn1Error as exc:
        return ("error", type(exc).__name__)
    return ("ok", type(value).__name__, encoder.encode(value), bytes(rest), value.prettyPrint())


def _mp_proxy(data):
    return mp_v3.decoder.decode(data, asn1Spec=SNMPv3Message())


def _mp_pyasn1(data):
    return decoder.decode(data, asn1Spec=SNMPv3Message())


MESSAGES = [v3_message(), v3_message(msg_id=2147483647, max_size=484, flags=b"\x03", data=b"\x99" * 300,
                                     security=security_parameters(user=b"u" * 32, engine_id=b"")),
            v3_message(msg_id=0, data=b"", security=b"")]


@pytest.mark.parametrize("data", MESSAGES)
def test_fast_v3_message_equals_pyasn1(data):
    before = fastusm.stats["header"]
    assert _receiving(lambda d: _message_outcome(_mp_proxy, d), data) == _message_outcome(_mp_pyasn1, data)
    assert fastusm.stats["header"] == before + 1
    msg, _ = fastusm.decode_v3_message(data)
    assert msg == _mp_pyasn1(data)[0] and msg[3].getName() == "encryptedPDU"


@pytest.mark.parametrize("data", [security_parameters(), security_parameters(engine_id=b"", boots=0, time=0, user=b"",
                                                                             auth=b"", priv=b""),
                                  security_parameters(boots=2147483647, time=2147483647, user=b"x" * 32,
                                                      engine_id=b"e" * 200)])
def test_fast_security_parameters_equal_pyasn1(data):
    spec = service.UsmSecurityParameters()
    fast = _receiving(lambda d: _message_outcome(lambda x: service.decoder.decode(x, asn1Spec=spec), d), data)
    assert fast == _message_outcome(lambda x: decoder.decode(x, asn1Spec=spec), data)
    assert fastusm.decode_security_parameters(data)[0] == decoder.decode(data, asn1Spec=spec)[0]


def test_fast_message_version_equals_pysnmps():
    msg = v2c.Message()
    v2c.apiMessage.set_defaults(msg)
    pdu = rfc1905.ResponsePDU()
    v2c.apiPDU.set_defaults(pdu)
    v2c.apiMessage.set_pdu(msg, pdu)
    v2 = encoder.encode(msg)
    for data in (v2, *MESSAGES):
        assert _receiving(verdec.decode_message_version, data) == fastusm._pysnmp_decode_message_version(data)
        assert isinstance(_receiving(verdec.decode_message_version, data), type(fastusm._pysnmp_decode_message_version(data)))


def test_header_readers_refuse_what_they_do_not_read_and_pyasn1_decides():
    """A plaintext msgData (a discovery Report goes in the clear), values outside pysnmp's ranges,
    every truncation and random corruption: the proxy's outcome is pyasn1's."""
    report = v3_message(flags=b"\x04", plaintext=scoped_plaintext(sample_varbinds(1)))
    with pytest.raises(ber.BerError):
        fastusm.decode_v3_message(report)
    out_of_range = [v3_message(model=1), v3_message(max_size=100), v3_message(flags=b"\x03\x03")]
    for data in out_of_range:
        with pytest.raises(ber.BerError):
            fastusm.decode_v3_message(data)
    with pytest.raises(ber.BerError):
        fastusm.decode_security_parameters(security_parameters(user=b"u" * 33))
    good = MESSAGES[1]
    cases = [report, *out_of_range] + [good[:cut] for cut in range(len(good))]
    rnd = random.Random(5)
    for _ in range(1000):
        data = bytearray(good)
        data[rnd.randrange(len(data))] = rnd.randrange(256)
        cases.append(bytes(data))
    for data in cases:
        assert _receiving(lambda d: _message_outcome(_mp_proxy, d), data) == _message_outcome(_mp_pyasn1, data)
        try:
            ref = fastusm._pysnmp_decode_message_version(data)
        except Exception as exc:  # noqa: BLE001 - pysnmp's reader also raises pyasn1's TypeError on some
            ref = type(exc).__name__
        try:
            got = _receiving(verdec.decode_message_version, data)
        except Exception as exc:  # noqa: BLE001
            got = type(exc).__name__
        # Where pysnmp's reader reads a version the fast one reads the same (or leaves it to pysnmp's);
        # where pysnmp's fails, so does the fast one (a garbage datagram is dropped as before).
        assert got == ref if not isinstance(ref, str) else isinstance(got, str), (data.hex(), ref, got)
    sp = security_parameters()
    spec = service.UsmSecurityParameters()
    for data in [sp[:cut] for cut in range(len(sp))]:
        fast = _receiving(lambda d: _message_outcome(lambda x: service.decoder.decode(x, asn1Spec=spec), d), data)
        assert fast == _message_outcome(lambda x: decoder.decode(x, asn1Spec=spec), data)


def test_header_proxies_are_inert_outside_a_govops_engines_receive():
    fastusm.install()
    before = dict(fastusm.stats)
    assert _message_outcome(_mp_proxy, MESSAGES[0]) == _message_outcome(_mp_pyasn1, MESSAGES[0])
    assert verdec.decode_message_version(MESSAGES[0]) == 3
    assert fastusm.stats == before


def test_the_pysnmp_lines_the_header_readers_hook_are_still_there():
    from pysnmp.entity import engine as pysnmp_engine
    from pysnmp.proto import rfc3412 as dispatcher_module

    prep = inspect.getsource(mp_v3.SnmpV3MessageProcessingModel.prepare_data_elements)
    assert "decoder.decode(wholeMsg, asn1Spec=self._snmpMsgSpec)" in prep
    assert hasattr(mp_v3, "decoder")
    recv = inspect.getsource(dispatcher_module.MsgAndPduDispatcher.receive_message)
    assert "verdec.decode_message_version(wholeMsg)" in recv
    assert list(inspect.signature(dispatcher_module.MsgAndPduDispatcher.receive_message).parameters) == [
        "self", "snmpEngine", "transportDomain", "transportAddress", "wholeMsg"]
    cb = inspect.getsource(pysnmp_engine.SnmpEngine._SnmpEngine__receive_message_callback)
    assert "self.message_dispatcher.receive_message(" in cb
    usm = inspect.getsource(service.SnmpUSMSecurityModel.process_incoming_message)
    assert "decoder.decode(\n            securityParameters, asn1Spec=self.__securityParametersSpec\n        )" in usm


def test_a_govops_engine_receives_with_the_fast_headers_and_others_do_not():
    from pysnmp.hlapi.v3arch.asyncio import SnmpEngine
    ours, theirs = SnmpEngine(), SnmpEngine()
    fastusm.use_fast_usm(ours)
    seen = []
    fastusm.decode_message_version, orig = (lambda d: seen.append(fastusm._state.receiving) or orig(d),
                                            fastusm.decode_message_version)
    try:
        for engine in (ours, theirs):
            engine.message_dispatcher.receive_message(engine, (1, 3, 6, 1, 6, 1, 1), ("127.0.0.1", 1), MESSAGES[0])
    finally:
        fastusm.decode_message_version = orig
    assert seen == [True] and not getattr(fastusm._state, "receiving", False)


def _pysnmp_message(msg_id, max_size, flags, security, encrypted):
    """An outgoing SNMPv3Message built as pysnmp's message processing and USM build it."""
    msg = SNMPv3Message()
    msg.setComponentByPosition(0, 3)
    hd = msg.setComponentByPosition(1).getComponentByPosition(1)
    for k, v in enumerate((msg_id, max_size, flags, 3)):
        hd.setComponentByPosition(k, v)
    msg.setComponentByPosition(2, security, verifyConstraints=False)
    msg.setComponentByPosition(3).getComponentByPosition(3).setComponentByPosition(1, encrypted)
    return msg


def _pysnmp_security_parameters(engine_id, boots, time, user, auth, priv):
    sp = service.UsmSecurityParameters()
    for k, v in enumerate((engine_id, boots, time, user, auth, priv)):
        sp.setComponentByPosition(k, v, verifyConstraints=False, matchTags=False, matchConstraints=False)
    return sp


@pytest.mark.parametrize("fields", [(1, 65507, b"\x07", b"\x30\x00", b"\x01" * 40),
                                    (2147483647, 484, b"\x03", b"s" * 130, b"\x99" * 70000), (0, 1500, b"\x00", b"", b"")])
def test_fast_message_encoding_is_byte_identical_to_pyasn1(fields):
    msg = _pysnmp_message(*fields)
    before = fastusm.stats["header_encoded"]
    assert service.encoder.encode(msg) == encoder.encode(msg)
    assert fastusm.stats["header_encoded"] == before + 1


@pytest.mark.parametrize("fields", [(b"\x80\x00\x1f\x88\x80abc", 3, 12345, b"gmuser", "\x00" * 12, b"\x11" * 8),
                                    (b"", 0, 0, b"", b"", b""),
                                    (b"e" * 200, 2147483647, 2147483647, b"u" * 32, b"a" * 48, b"p" * 300)])
def test_fast_security_parameters_encoding_is_byte_identical_to_pyasn1(fields):
    # pysnmp puts a str of 12 NULs as the HMAC placeholder ("extra-wild hack") and overwrites it in the octets.
    sp = _pysnmp_security_parameters(*fields)
    assert service.encoder.encode(sp) == encoder.encode(sp)


def test_what_the_fast_encoders_do_not_write_goes_to_pyasn1():
    plain = SNMPv3Message()
    plain.setComponentByPosition(0, 3)
    assert fastusm.encode_v3_message(plain) is None  # no header, no msgData: pyasn1 raises as before
    with pytest.raises(PyAsn1Error):
        service.encoder.encode(plain)
    assert fastusm.encode_security_parameters(service.UsmSecurityParameters()) is None
    in_the_clear = _pysnmp_message(1, 65507, b"\x04", b"", b"")
    in_the_clear.setComponentByPosition(3).getComponentByPosition(3).setComponentByPosition(
        0, decoder.decode(scoped_plaintext(sample_varbinds(1)), asn1Spec=ScopedPDU())[0])
    assert fastusm.encode_v3_message(in_the_clear) is None
    assert service.encoder.encode(in_the_clear) == encoder.encode(in_the_clear)


def test_the_pysnmp_encode_lines_the_fast_encoders_take_are_still_there():
    gen = inspect.getsource(service.SnmpUSMSecurityModel._SnmpUSMSecurityModel__generate_request_or_response_message)
    assert "2, encoder.encode(securityParameters), verifyConstraints=False" in gen
    assert "wholeMsg = encoder.encode(msg)" in gen
