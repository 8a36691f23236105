"""A local SMTP server on 127.0.0.1 (aiosmtpd) that keeps every message it receives, for tests of --send."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager

from conftest import need


@contextmanager
def smtp_sink() -> Iterator[tuple[int, list[tuple[list[str], bytes]]]]:
    """Yields (port, received); received fills with (envelope recipients, raw message) as messages arrive."""
    try:
        from aiosmtpd.controller import Controller
        from aiosmtpd.handlers import Sink
    except ImportError:
        need(False, "aiosmtpd (pip install aiosmtpd)")

    class Collect(Sink):
        def __init__(self) -> None:
            self.messages: list[tuple[list[str], bytes]] = []

        async def handle_DATA(self, server, session, envelope):
            self.messages.append((list(envelope.rcpt_tos), envelope.content))
            return "250 OK"

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    handler = Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, handler.messages
    finally:
        controller.stop()
