"""RFC 5424 messages, RFC 6587/5425 octet-counted frames, and the TLS connection that carries them."""

from __future__ import annotations

import re
import select
import socket
import ssl

from security.sa.schema import Event

# Placeholder private enterprise number: 32473 is IANA's example PEN (RFC 5612). Replace with the
# city's own PEN once registered; receivers key on the SD-ID "govops@<PEN>".
PEN = 32473
SD_ID = f"govops@{PEN}"
APP_NAME = "govops-sa"
# facility 13 = "log audit" (RFC 5424 table 1): these are security-relevant records.
FACILITY = 13
# RFC 5425 §4.3.1: receivers SHOULD accept 8192 octets; bigger events are shortened, never split.
MAX_MESSAGE = 8192

_PRINTUSASCII = re.compile(r"[^\x21-\x7e]")


def _header_field(value: str, limit: int) -> str:
    value = _PRINTUSASCII.sub("_", value)[:limit]
    return value or "-"


def _sd_escape(value: str) -> str:
    # RFC 5424 §6.3.3: '"', '\' and ']' are escaped inside PARAM-VALUE.
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("]", "\\]")


def format_message(event: Event, hostname: str) -> bytes:
    """Render one event as an RFC 5424 message whose MSG is the event's JSON."""
    pri = FACILITY * 8 + event.severity
    sd = f'[{SD_ID} id="{_sd_escape(event.id)}" source="{_sd_escape(event.source)}"]'
    header = (
        f"<{pri}>1 {event.timestamp} {_header_field(hostname, 255)} {APP_NAME} - "
        f"{_header_field(event.source, 32)} {sd} "
    ).encode("ascii")
    msg = event.to_json().encode("ascii")
    if len(header) + len(msg) > MAX_MESSAGE:
        msg = _shorten(event, MAX_MESSAGE - len(header))
    return header + msg


def _shorten(event: Event, room: int) -> bytes:
    body = dict(event.body)
    body.pop("labels", None)
    body["govops"] = {**body["govops"], "truncated": True}
    shortened = Event(event.id, event.source, event.severity, event.timestamp, body)
    msg = shortened.to_json().encode("ascii")
    excess = len(msg) - room
    if excess > 0:
        body["message"] = body["message"][: max(0, len(body["message"]) - excess - 16)] + "..."
        msg = shortened.to_json().encode("ascii")
    return msg


def frame(message: bytes) -> bytes:
    """Octet-counting framing: MSG-LEN SP SYSLOG-MSG (RFC 6587 §3.4.1, RFC 5425 §4.3)."""
    return b"%d %s" % (len(message), message)


def client_context(cafile: str, certfile: str | None = None, keyfile: str | None = None) -> ssl.SSLContext:
    """Verify the platform against our CA only (not the system store) and check its name."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # check_hostname + CERT_REQUIRED by default
    try:
        context.load_verify_locations(cafile=cafile)
        if certfile:
            context.load_cert_chain(certfile, keyfile)
    except (OSError, ssl.SSLError) as err:
        # ssl names neither file; the operator needs to know which one
        files = ", ".join(f for f in (cafile, certfile, keyfile) if f)
        raise OSError(f"cannot load TLS material ({files}): {err.strerror or err}") from None
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.check_hostname = True
    context.verify_mode = ssl.CERT_REQUIRED
    return context


class UnconfirmedDelivery(ConnectionError):
    """The connection broke or timed out before the receiver showed it had read what we sent."""


class SyslogTlsConnection:
    """One TLS connection to the SA platform; raises OSError (incl. ssl errors) on any failure."""

    def __init__(self, host: str, port: int, context: ssl.SSLContext, server_name: str, timeout: float = 10.0):
        raw = socket.create_connection((host, port), timeout=timeout)
        try:
            self._sock = context.wrap_socket(raw, server_hostname=server_name)
        except BaseException:
            raw.close()
            raise

    def send(self, data: bytes) -> None:
        self.check_alive()
        self._sock.sendall(data)
        self.check_alive()

    def check_alive(self) -> None:
        """A syslog receiver never talks back: anything readable means it closed or reset the stream."""
        if self._sock.pending() or select.select([self._sock], [], [], 0)[0]:
            timeout = self._sock.gettimeout()
            self._sock.settimeout(0)
            try:
                data = self._sock.recv(1)
            except (ssl.SSLWantReadError, BlockingIOError):
                return  # a TLS 1.3 session ticket or similar, not application data
            finally:
                self._sock.settimeout(timeout)
            if not data:
                raise ConnectionResetError("the receiver closed the connection")

    def confirm_and_close(self, timeout: float = 10.0) -> None:
        """Prove the receiver read everything we sent, then close; raise OSError when that is not shown.

        Syslog over TLS has no acknowledgement. TLS delivers records in order, so a peer that answers
        our close_notify, or closes cleanly (FIN) after it, has read every earlier record. A peer that
        died with unread data resets the connection (RST) or stays silent: then nothing is confirmed.
        """
        self._sock.settimeout(timeout)
        try:
            self._sock.unwrap()
        except ssl.SSLEOFError:
            pass  # clean TCP close without close_notify (many receivers, Python's ssl among them)
        except OSError as err:
            raise UnconfirmedDelivery(f"the receiver did not confirm the batch ({err})") from None
        finally:
            self.close()

    def close(self) -> None:
        try:
            self._sock.close()
        except OSError:
            pass
