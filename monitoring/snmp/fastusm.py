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

Pinned: pysnmp <7.2 (pyproject.toml); tests/unit/monitoring/test_snmp_fastusm.py fails if the
hooked method's signature or the decode line changes.
"""

from __future__ import annotations

import threading

from pyasn1.codec.ber import decoder as pyasn1_decoder
from pysnmp.proto import rfc1905
from pysnmp.proto.api import v2c
from pysnmp.proto.mpmod.rfc3412 import ScopedPDU
from pysnmp.proto.secmod.rfc3414 import service as usm_service

from monitoring.snmp import ber

VARBINDS_ATTR = "_govops_varbinds"

_state = threading.local()  # .on: inside a FastUsm's process_incoming_message on this thread
stats = {"fast": 0, "fallback": 0}  # ScopedPDUs decoded each way (tests, debugging)


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


def install() -> None:
    """Put the proxy in pysnmp's USM module (idempotent; inert outside FastUsm)."""
    if not isinstance(usm_service.decoder, _Decoder):
        usm_service.decoder = _Decoder()


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
