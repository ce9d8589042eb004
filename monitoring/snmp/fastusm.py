"""SNMPv3: pysnmp's USM does the security, the fast BER reader decodes the decrypted ScopedPDU.

Why: in a v3 authPriv scrape ~63 % of the CPU was pyasn1 decoding the decrypted ScopedPDU
inside pysnmp's USM (`processIncomingMsg`, RFC 3414 3.2.8a), one typed object per OID and value
(bench/snmp_exporter/RESULTS.md). The seam is the single line of pysnmp 7.1 where the USM,
having checked the time window and the HMAC and decrypted the PDU, decodes the plaintext:

    scopedPDU, rest = decoder.decode(decryptedData, asn1Spec=scopedPduSpec)

`decoder` is a module global of pysnmp.proto.secmod.rfc3414.service; it is replaced by a proxy
that calls pyasn1 exactly as before, except while `FastUsm.process_incoming_message` runs (only
the engines SnmpClient creates use FastUsm) and the spec is a ScopedPDU. Then the plaintext is
read by ber.decode_scoped_response; the ScopedPDU handed back to pysnmp is a real pyasn1 one with
the same contextEngineID, contextName, PDU type, request-id, error-status and error-index, and
an empty varbind list; the varbinds, already plain Python, ride along on the PDU object as
`_govops_varbinds` (pyasn1 objects accept `_`-prefixed attributes). pysnmp's message
processing and command generator use only those header fields of a Response (request-id match,
context match), so everything pysnmp checks it still checks. Anything else takes pyasn1's path:
a Report (engine discovery, notInTimeWindow, unknown user: pysnmp reads their varbinds),
another PDU type, or a plaintext the reader rejects (BerError: corrupt, truncated, a wrong
key's garbage), which then fails in pyasn1 exactly as it did before (decryptionError).

The other way, the same module's `encoder` gets a proxy too: a request built by request_pdu()
keeps its (OID, NULL) varbinds as plain tuples (no pyasn1 objects), and when the USM encodes
that ScopedPDU for encryption (`dataToEncrypt = encoder.encode(scopedPDU)`) ber.encode_scoped_request
writes the octets pyasn1 would (tested byte for byte). Any other encoding of such a PDU (a
message sent in the clear, an OID the encoder refuses) first gives it real pyasn1 varbinds.

Before the USM, each received message was decoded twice more with pyasn1 (~20 % of a v3 walk):
its version (`verdec.decode_message_version`, called by pysnmp's message dispatcher) and the
whole SNMPv3Message (`decoder.decode(wholeMsg, asn1Spec=self._snmpMsgSpec)` in the v3 message
processing module); the USM then decodes the message's UsmSecurityParameters (`decoder.decode(
securityParameters, asn1Spec=...)`, the same proxy as above). While one of govops' engines
receives a message (`use_fast_usm` wraps that engine's own dispatcher), these read the octets
with ber.py's helpers and return the same pyasn1 objects, built field by field: an SNMPv3Message
whose msgData is an encryptedPDU (authPriv), UsmSecurityParameters, the version Integer. The
same value constraints as pysnmp's specs are checked; anything else (a plaintext msgData such as
a discovery Report, a value out of range, indefinite lengths, garbage) goes to pyasn1 unchanged.

Pinned: pysnmp <7.2 (pyproject.toml); tests/unit/monitoring/test_snmp_fastusm.py fails if the
hooked method's signature, the decode lines, the encode line or the version call changes.
"""

from __future__ import annotations

import threading

from pyasn1.codec.ber import decoder as pyasn1_decoder
from pyasn1.codec.ber import encoder as pyasn1_encoder
from pyasn1.error import PyAsn1Error
from pyasn1.type import univ
from pysnmp.proto import rfc1905
from pysnmp.proto.api import v2c, verdec
from pysnmp.proto.mpmod import rfc3412 as mp_v3
from pysnmp.proto.mpmod.rfc3412 import ScopedPDU, SNMPv3Message
from pysnmp.proto.secmod.rfc3414 import service as usm_service
from pysnmp.proto.secmod.rfc3414.service import UsmSecurityParameters

from monitoring.snmp import ber

VARBINDS_ATTR = "_govops_varbinds"
OIDS_ATTR = "_govops_oids"
_REQUEST_TAGS = {rfc1905.GetRequestPDU.tagSet: ber.GET_REQUEST, rfc1905.GetNextRequestPDU.tagSet: ber.GET_NEXT_REQUEST,
                 rfc1905.GetBulkRequestPDU.tagSet: ber.GET_BULK_REQUEST}

_state = threading.local()  # .on: inside a FastUsm's process_incoming_message on this thread
# .receiving: inside a govops engine's message dispatcher (receive_message) on this thread
# ScopedPDUs decoded each way, and requests encoded fast or materialized for pyasn1 (tests, debugging);
# "header": messages whose version, SNMPv3Message and security parameters were read fast.
stats = {"fast": 0, "fallback": 0, "encoded": 0, "materialized": 0, "header": 0, "header_fallback": 0,
         "header_encoded": 0}
_MAX = 2147483647  # the value ranges of pysnmp's HeaderData / UsmSecurityParameters / msgVersion


def _octets(buf: bytes, i: int, end: int) -> tuple[bytes, int]:
    start, stop = ber._header(buf, i, ber._OCTET_STRING, end)
    return buf[start:stop], stop


def _in_range(value: int, low: int) -> int:
    if not low <= value <= _MAX:
        raise ber.BerError(f"{value} out of range")
    return value


def decode_message_version(buf: bytes) -> univ.Integer:
    """The version of an SNMP message, as verdec.decode_message_version returns it. Raises BerError."""
    i, stop = ber._header(buf, 0, ber._SEQUENCE, len(buf))
    if stop != len(buf):  # pysnmp's reader has its own views on such a datagram: let it decide
        raise ber.BerError("message length does not match the datagram")
    version, _ = ber._integer(buf, i, stop)
    return univ.Integer(version)


def decode_v3_message(buf: bytes) -> tuple[SNMPv3Message, bytes]:
    """An authPriv SNMPv3Message (msgData an encryptedPDU) as pyasn1 decodes it with pysnmp's spec,
    and the octets after it. Raises BerError for anything else."""
    i, stop = ber._header(buf, 0, ber._SEQUENCE, len(buf))
    version, i = ber._integer(buf, i, stop)
    j, header_end = ber._header(buf, i, ber._SEQUENCE, stop)
    msg_id, j = ber._integer(buf, j, header_end)
    max_size, j = ber._integer(buf, j, header_end)
    flags, j = _octets(buf, j, header_end)
    model, j = ber._integer(buf, j, header_end)
    if j != header_end or len(flags) != 1:
        raise ber.BerError("not an SNMPv3 header")
    security, i = _octets(buf, header_end, stop)
    encrypted, i = _octets(buf, i, stop)  # a plaintext ScopedPDU (tag 0x30) is refused here
    if i != stop:
        raise ber.BerError("trailing octets in the message")
    msg = SNMPv3Message()
    msg.setComponentByPosition(0, _in_range(version, 0))
    header = msg.setComponentByPosition(1).getComponentByPosition(1)
    header.setComponentByPosition(0, _in_range(msg_id, 0))
    header.setComponentByPosition(1, _in_range(max_size, 484))
    header.setComponentByPosition(2, flags)
    header.setComponentByPosition(3, _in_range(model, 3))
    msg.setComponentByPosition(2, security)
    msg.setComponentByPosition(3).getComponentByPosition(3).setComponentByPosition(1, encrypted)
    return msg, buf[stop:]


def decode_security_parameters(buf: bytes) -> tuple[UsmSecurityParameters, bytes]:
    """UsmSecurityParameters as pyasn1 decodes them with pysnmp's spec. Raises BerError."""
    i, stop = ber._header(buf, 0, ber._SEQUENCE, len(buf))
    engine_id, i = _octets(buf, i, stop)
    boots, i = ber._integer(buf, i, stop)
    time_, i = ber._integer(buf, i, stop)
    user, i = _octets(buf, i, stop)
    auth, i = _octets(buf, i, stop)
    priv, i = _octets(buf, i, stop)
    if i != stop or len(user) > 32:
        raise ber.BerError("not USM security parameters")
    sp = UsmSecurityParameters()
    for k, value in enumerate((engine_id, _in_range(boots, 0), _in_range(time_, 0), user, auth, priv)):
        sp.setComponentByPosition(k, value)
    return sp, buf[stop:]


def scoped_pdu(rsp: ber.ScopedResponse) -> ScopedPDU:
    """A pyasn1 ScopedPDU with rsp's header fields, no varbinds, and rsp's plain varbinds attached."""
    pdu = rfc1905.ResponsePDU()
    v2c.apiPDU.set_defaults(pdu)
    v2c.apiPDU.set_request_id(pdu, rsp.request_id)
    v2c.apiPDU.set_error_status(pdu, rsp.error_status)
    v2c.apiPDU.set_error_index(pdu, rsp.error_index)
    setattr(pdu, VARBINDS_ATTR, rsp.varbinds)
    scoped = ScopedPDU()
    scoped.setComponentByPosition(0, rsp.context_engine_id)
    scoped.setComponentByPosition(1, rsp.context_name)
    scoped.setComponentByPosition(2)
    # As pysnmp's own rfc3412.prepare_outgoing_message puts a PDU into a ScopedPDU.
    scoped.getComponentByPosition(2).setComponentByType(pdu.tagSet, pdu, verifyConstraints=False,
                                                        matchTags=False, matchConstraints=False)
    return scoped


class _Decoder:
    """Stands in for the pyasn1 BER decoder module inside pysnmp's USM module."""

    def __getattr__(self, name):
        return getattr(pyasn1_decoder, name)

    def decode(self, substrate, *args, asn1Spec=None, **kwargs):  # noqa: N803 (pyasn1's name)
        if getattr(_state, "on", False) and isinstance(asn1Spec, UsmSecurityParameters) and not args and not kwargs:
            try:
                return decode_security_parameters(bytes(substrate))
            except (ber.BerError, PyAsn1Error):
                stats["header_fallback"] += 1
        if getattr(_state, "on", False) and isinstance(asn1Spec, ScopedPDU) and not args and not kwargs:
            try:
                rsp = ber.decode_scoped_response(bytes(substrate))
            except ber.BerError:
                stats["fallback"] += 1  # not a Response we read: pyasn1 decides (a Report, or garbage)
            else:
                stats["fast"] += 1
                return scoped_pdu(rsp), b""
        return pyasn1_decoder.decode(substrate, *args, asn1Spec=asn1Spec, **kwargs)


def request_pdu(oids, bulk: bool, max_repetitions: int = 0):
    """A Get/GetBulk request PDU whose (OID, NULL) varbinds are kept as plain tuples: building
    them as pyasn1 objects and encoding those was ~40 % of a v3 request's CPU. Only FastUsm's
    engines may send it: the encoder proxy writes its ScopedPDU from the tuples."""
    if bulk:
        pdu = rfc1905.GetBulkRequestPDU()
        v2c.apiBulkPDU.set_defaults(pdu)
        v2c.apiBulkPDU.set_max_repetitions(pdu, max_repetitions)
    else:
        pdu = rfc1905.GetRequestPDU()
        v2c.apiPDU.set_defaults(pdu)
    setattr(pdu, OIDS_ATTR, list(oids))
    return pdu


def materialize(pdu) -> None:
    """Give a request_pdu() its pyasn1 varbinds, for any encoding other than the fast one."""
    oids = getattr(pdu, OIDS_ATTR, None)
    if oids is not None and not len(v2c.apiPDU.get_varbinds(pdu)):
        stats["materialized"] += 1
        v2c.apiPDU.set_varbinds(pdu, [(o, v2c.null) for o in oids])


def _plaintext_pdu(msg):
    """The PDU of an SNMPv3 message sent in the clear (noAuthNoPriv/authNoPriv), else None."""
    try:
        data = msg.getComponentByPosition(3)
        if data.getName() != "plaintext":
            return None
        return data.getComponent().getComponentByPosition(2).getComponent()
    except PyAsn1Error:
        return None


class _Encoder:
    """Stands in for the pyasn1 BER encoder module inside pysnmp's USM module."""

    def __getattr__(self, name):
        return getattr(pyasn1_encoder, name)

    def encode(self, value, *args, **kwargs):
        if isinstance(value, ScopedPDU):  # authPriv: the plaintext to encrypt
            try:
                pdu = value.getComponentByPosition(2).getComponent()
            except PyAsn1Error:
                pdu = None
            if getattr(pdu, OIDS_ATTR, None) is not None and pdu.tagSet in _REQUEST_TAGS and not args and not kwargs:
                try:
                    data = ber.encode_scoped_request(
                        bytes(value.getComponentByPosition(0)), bytes(value.getComponentByPosition(1)),
                        _REQUEST_TAGS[pdu.tagSet], int(pdu.getComponentByPosition(0)),
                        int(pdu.getComponentByPosition(1)), int(pdu.getComponentByPosition(2)), getattr(pdu, OIDS_ATTR))
                except ber.BerError:
                    materialize(pdu)
                else:
                    stats["encoded"] += 1
                    return data
            elif pdu is not None:
                materialize(pdu)
        elif isinstance(value, SNMPv3Message):
            pdu = _plaintext_pdu(value)
            if pdu is not None:  # a message whose ScopedPDU goes in the clear
                materialize(pdu)
            elif not args and not kwargs:
                data = encode_v3_message(value)
                if data is not None:
                    stats["header_encoded"] += 1
                    return data
        elif isinstance(value, UsmSecurityParameters) and not args and not kwargs:
            data = encode_security_parameters(value)
            if data is not None:
                stats["header_encoded"] += 1
                return data
        return pyasn1_encoder.encode(value, *args, **kwargs)


def _uint(value) -> bytes:
    n = int(value)
    if n < 0:  # ber._int is minimal for non-negative numbers only; none of these fields is negative
        raise ber.BerError("negative")
    return ber._int(n)


def encode_v3_message(msg) -> bytes | None:
    """The octets pyasn1 writes for an authPriv SNMPv3Message (msgData an encryptedPDU), else None.
    pysnmp encodes each outgoing message this way twice (before and after the HMAC); tested byte
    for byte against pyasn1."""
    try:
        data = msg.getComponentByPosition(3)
        if data.getName() != "encryptedPDU":
            return None
        hd = msg.getComponentByPosition(1)
        t = ber._tlv
        header = t(ber._SEQUENCE, _uint(hd.getComponentByPosition(0)) + _uint(hd.getComponentByPosition(1))
                   + t(ber._OCTET_STRING, bytes(hd.getComponentByPosition(2))) + _uint(hd.getComponentByPosition(3)))
        return t(ber._SEQUENCE, _uint(msg.getComponentByPosition(0)) + header
                 + t(ber._OCTET_STRING, bytes(msg.getComponentByPosition(2)))
                 + t(ber._OCTET_STRING, bytes(data.getComponent())))
    except (PyAsn1Error, ber.BerError, TypeError, ValueError):
        return None  # a component without a value, or another type: pyasn1 decides (and raises as before)


def encode_security_parameters(sp) -> bytes | None:
    """The octets pyasn1 writes for UsmSecurityParameters, else None (tested byte for byte)."""
    try:
        t, o = ber._tlv, ber._OCTET_STRING
        return t(ber._SEQUENCE, t(o, bytes(sp.getComponentByPosition(0))) + _uint(sp.getComponentByPosition(1))
                 + _uint(sp.getComponentByPosition(2)) + t(o, bytes(sp.getComponentByPosition(3)))
                 + t(o, bytes(sp.getComponentByPosition(4))) + t(o, bytes(sp.getComponentByPosition(5))))
    except (PyAsn1Error, ber.BerError, TypeError, ValueError):
        return None


class _MessageDecoder:
    """Stands in for the pyasn1 BER decoder module inside pysnmp's SNMPv3 message processing module."""

    def __getattr__(self, name):
        return getattr(pyasn1_decoder, name)

    def decode(self, substrate, *args, asn1Spec=None, **kwargs):  # noqa: N803 (pyasn1's name)
        if getattr(_state, "receiving", False) and isinstance(asn1Spec, SNMPv3Message) and not args and not kwargs:
            try:
                msg = decode_v3_message(bytes(substrate))
            except (ber.BerError, PyAsn1Error):
                stats["header_fallback"] += 1  # a Report in the clear, or not ours to read: pyasn1 decides
            else:
                stats["header"] += 1
                return msg
        return pyasn1_decoder.decode(substrate, *args, asn1Spec=asn1Spec, **kwargs)


_pysnmp_decode_message_version = verdec.decode_message_version


def _decode_message_version(wholeMsg):  # noqa: N803 (pysnmp's name)
    if getattr(_state, "receiving", False):
        try:
            return decode_message_version(bytes(wholeMsg))
        except ber.BerError:
            pass  # pysnmp's own reader raises its ProtocolError for it
    return _pysnmp_decode_message_version(wholeMsg)


def install() -> None:
    """Put the proxies in pysnmp's USM and v3 MP modules and its version reader (idempotent; inert
    outside FastUsm's own PDUs and govops engines' receiving)."""
    if not isinstance(usm_service.decoder, _Decoder):
        usm_service.decoder = _Decoder()
    if not isinstance(usm_service.encoder, _Encoder):
        usm_service.encoder = _Encoder()
    if not isinstance(mp_v3.decoder, _MessageDecoder):
        mp_v3.decoder = _MessageDecoder()
    if verdec.decode_message_version is not _decode_message_version:
        verdec.decode_message_version = _decode_message_version


class FastUsm(usm_service.SnmpUSMSecurityModel):
    """pysnmp's USM, with the fast ScopedPDU reader switched on for its incoming messages."""

    def process_incoming_message(self, snmpEngine, *args, **kwargs):  # noqa: N803 (pysnmp's name)
        install()
        _state.on = True
        try:
            return super().process_incoming_message(snmpEngine, *args, **kwargs)
        finally:
            _state.on = False


def use_fast_usm(engine) -> None:
    """Replace a fresh engine's USM (no users or timeline yet) with FastUsm, and switch the fast
    message header readers on while this engine's own dispatcher receives a message."""
    install()
    engine.security_models[FastUsm.SECURITY_MODEL_ID] = FastUsm()
    dispatcher = engine.message_dispatcher
    receive = dispatcher.receive_message  # the bound method of this engine's dispatcher only

    def receive_message(*args, **kwargs):
        _state.receiving = True
        try:
            return receive(*args, **kwargs)
        finally:
            _state.receiving = False

    dispatcher.receive_message = receive_message


def plain_varbinds(pdu):
    """The fast path's plain varbinds of a response PDU, or None if pyasn1 decoded it."""
    return getattr(pdu, VARBINDS_ATTR, None)
