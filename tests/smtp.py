"""A real SMTP server for tests: aiosmtpd on a loopback port, keeping what it receives."""

import email
import email.policy

from aiosmtpd.controller import Controller


class SmtpServer:
    """Started with ``start()`` (until then nothing listens on ``port``); ``messages`` holds
    each email received, parsed."""

    def __init__(self, port: int):
        self.port = port
        self.messages: list[email.message.EmailMessage] = []
        self._controller = None

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        return "250 Message accepted for delivery"

    def start(self) -> None:
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
