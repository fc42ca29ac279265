"""A tiny SMTP server that accepts every message and writes it down (for the mail drill).

    python bench/drills/smtp_sink.py --port 2525 --out messages.jsonl

Speaks just enough SMTP for Django's backend (EHLO/HELO, MAIL, RCPT, DATA,
RSET, NOOP, QUIT; no TLS, no auth). Each accepted message is appended to --out
as one JSON line {"from", "to", "data"} *before* the 250 reply, so a message the
client was told is delivered is always on file. Prints "ready" once listening.
"""

import argparse
import asyncio
import json
import signal
import sys


class Sink:
    def __init__(self, path: str):
        self.file = open(path, "a", encoding="utf-8")  # kept open while the sink runs

    def record(self, sender: str, recipients: list[str], data: bytes) -> None:
        line = {"from": sender, "to": recipients, "data": data.decode("latin-1")}
        self.file.write(json.dumps(line) + "\n")
        self.file.flush()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        def reply(text: str) -> None:
            writer.write(text.encode() + b"\r\n")

        sender, recipients = "", []
        reply("220 bench-sink ESMTP")
        try:
            while True:
                await writer.drain()
                raw = await reader.readline()
                if not raw:
                    break
                line = raw.decode("latin-1").rstrip("\r\n")
                verb = line[:4].upper()
                if verb == "EHLO":
                    reply("250-bench-sink\r\n250-8BITMIME\r\n250 SMTPUTF8")
                elif verb == "HELO":
                    reply("250 bench-sink")
                elif verb == "MAIL":
                    sender, recipients = line.split(":", 1)[1].strip(), []
                    reply("250 OK")
                elif verb == "RCPT":
                    recipients.append(line.split(":", 1)[1].strip().strip("<>"))
                    reply("250 OK")
                elif verb == "DATA":
                    reply("354 End data with <CR><LF>.<CR><LF>")
                    await writer.drain()
                    lines = []
                    while True:
                        data = await reader.readline()
                        if not data:
                            return
                        if data in (b".\r\n", b".\n"):
                            break
                        lines.append(data[1:] if data.startswith(b"..") else data)
                    self.record(sender, recipients, b"".join(lines))
                    reply("250 OK queued")
                elif verb in ("RSET", "NOOP"):
                    if verb == "RSET":
                        sender, recipients = "", []
                    reply("250 OK")
                elif verb == "QUIT":
                    reply("221 Bye")
                    await writer.drain()
                    break
                else:
                    reply("502 Command not implemented")
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()


async def serve(port: int, path: str) -> None:
    sink = Sink(path)
    server = await asyncio.start_server(sink.handle, "127.0.0.1", port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    async with server:
        await stop.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description="An SMTP server that keeps what it receives.")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    asyncio.run(serve(args.port, args.out))


if __name__ == "__main__":
    main()
