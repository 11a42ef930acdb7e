"""Read the server name (SNI) of a TLS ClientHello without consuming it.

Python's ssl module fixes a connection's allowed TLS versions when the socket is wrapped, and
negotiates the version before the SNI callback runs, so a per-zone minimum cannot be applied
from `sni_callback`. Peeking at the ClientHello first (MSG_PEEK, the bytes stay in the socket)
lets the server pick a context whose `minimum_version` is the zone's before OpenSSL sees a
byte; OpenSSL then refuses older clients itself with a protocol_version alert, as Cloudflare does.
"""

from __future__ import annotations

import socket
import struct

_HANDSHAKE = 0x16
_CLIENT_HELLO = 0x01
_SERVER_NAME = 0x0000


def peek_server_name(sock: socket.socket) -> str | None:
    """The host name the client asked for, or None (no SNI, not TLS, or a garbled hello).

    Waits (within the socket's timeout) until the whole first TLS record has arrived."""
    head = sock.recv(5, socket.MSG_PEEK | socket.MSG_WAITALL)
    if len(head) < 5 or head[0] != _HANDSHAKE:
        return None
    (length,) = struct.unpack("!H", head[3:5])
    record = sock.recv(5 + length, socket.MSG_PEEK | socket.MSG_WAITALL)
    try:
        return server_name(record[5:])
    except (IndexError, struct.error, UnicodeDecodeError):
        return None


def server_name(hello: bytes) -> str | None:
    """SNI from a ClientHello handshake message (RFC 8446 4.1.2, RFC 6066 3)."""
    if hello[0] != _CLIENT_HELLO:
        return None
    pos = 4 + 2 + 32  # handshake header, legacy_version, random
    pos += 1 + hello[pos]  # session id
    pos += 2 + struct.unpack_from("!H", hello, pos)[0]  # cipher suites
    pos += 1 + hello[pos]  # compression methods
    end = pos + 2 + struct.unpack_from("!H", hello, pos)[0]
    pos += 2
    while pos + 4 <= end:
        ext_type, ext_len = struct.unpack_from("!HH", hello, pos)
        pos += 4
        if ext_type == _SERVER_NAME:
            # server_name_list length (2), name_type (1, host_name = 0), name length (2), name
            if hello[pos + 2] != 0:
                return None
            (name_len,) = struct.unpack_from("!H", hello, pos + 3)
            return hello[pos + 5:pos + 5 + name_len].decode("ascii").lower()
        pos += ext_len
    return None
