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

Pinned: pysnmp <7.2 (pyproject.toml); tests/unit/monitoring/test_snmp_fastusm.py fails if the
hooked method's signature, the decode line or the encode line changes.
"""

from __future__ import annotations

import threading

from pyasn1.codec.ber import decoder as pyasn1_decoder
from pyasn1.codec.ber import encoder as pyasn1_encoder
from pyasn1.error import PyAsn1Error
from pysnmp.proto import rfc1905
from pysnmp.proto.api import v2c
from pysnmp.proto.mpmod.rfc3412 import ScopedPDU, SNMPv3Message
from pysnmp.proto.secmod.rfc3414 import service as usm_service

from monitoring.snmp import ber

VARBINDS_ATTR = "_govops_varbinds"
OIDS_ATTR = "_govops_oids"
_REQUEST_TAGS = {rfc1905.GetRequestPDU.tagSet: ber.GET_REQUEST, rfc1905.GetNextRequestPDU.tagSet: ber.GET_NEXT_REQUEST,
                 rfc1905.GetBulkRequestPDU.tagSet: ber.GET_BULK_REQUEST}

_state = threading.local()  # .on: inside a FastUsm's process_incoming_message on this thread
# ScopedPDUs decoded each way, and requests encoded fast or materialized for pyasn1 (tests, debugging).
stats = {"fast": 0, "fallback": 0, "encoded": 0, "materialized": 0}


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
        elif isinstance(value, SNMPv3Message):  # a message whose ScopedPDU goes in the clear
            pdu = _plaintext_pdu(value)
            if pdu is not None:
                materialize(pdu)
        return pyasn1_encoder.encode(value, *args, **kwargs)


def install() -> None:
    """Put the proxies in pysnmp's USM module (idempotent; inert outside FastUsm's own PDUs)."""
    if not isinstance(usm_service.decoder, _Decoder):
        usm_service.decoder = _Decoder()
    if not isinstance(usm_service.encoder, _Encoder):
        usm_service.encoder = _Encoder()


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
    """Replace a fresh engine's USM (no users or timeline yet) with FastUsm."""
    install()
    engine.security_models[FastUsm.SECURITY_MODEL_ID] = FastUsm()


def plain_varbinds(pdu):
    """The fast path's plain varbinds of a response PDU, or None if pyasn1 decoded it."""
    return getattr(pdu, VARBINDS_ATTR, None)
