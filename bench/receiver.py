"""A fast webhook receiver for the benchmarks: raw asyncio HTTP/1.1 with keep-alive, in a thread."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from dataclasses import dataclass, field


@dataclass
class Arrival:
    """One webhook as received."""

    webhook_id: str
    article_id: str
    at: float


@dataclass
class Receiver:
    """Listens on 127.0.0.1:port and records every alert; answers 204."""

    port: int
    arrivals: list[Arrival] = field(default_factory=list)

    def start(self) -> None:
        """Serve in a background thread with its own event loop."""
        ready = threading.Event()

        def serve() -> None:
            loop = asyncio.new_event_loop()
            server = loop.run_until_complete(asyncio.start_server(self._handle, "127.0.0.1", self.port, backlog=512))
            self._loop, self._server = loop, server
            ready.set()
            loop.run_forever()

        threading.Thread(target=serve, daemon=True).start()
        ready.wait(10)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                headers = {}
                for line in head.split(b"\r\n")[1:]:
                    if b":" in line:
                        k, v = line.split(b":", 1)
                        headers[k.strip().lower()] = v.strip()
                body = await reader.readexactly(int(headers.get(b"content-length", b"0")))
                now = time.time()
                data = json.loads(body)["data"]
                self.arrivals.append(Arrival(headers[b"webhook-id"].decode(), data["article"]["id"], now))
                writer.write(b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\n\r\n")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    def stop(self) -> None:
        """Stop serving."""
        self._loop.call_soon_threadsafe(self._loop.stop)
