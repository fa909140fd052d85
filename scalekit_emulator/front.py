"""One TLS port for everything the SDK reaches: ALPN ``h2`` goes to the gRPC server, anything
else (``http/1.1``) to the REST server. Both sit on loopback ports behind this front.

The SDK expects token, keys and gRPC on the same host:port, as Scalekit serves them; Python's
gRPC server cannot answer HTTP/1.1, so a small TLS-terminating byte pipe does the routing.
"""

from __future__ import annotations

import asyncio
import ssl
import threading
from pathlib import Path

_CHUNK = 64 * 1024


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(_CHUNK):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError):
        return  # the other side went away; closing (finally) ends the peer pipe too
    finally:
        if not writer.is_closing():
            writer.close()


class TLSFront:
    def __init__(
        self, host: str, port: int, cert_file: Path, key_file: Path, grpc_port: int, rest_port: int
    ) -> None:
        self._host, self._port = host, port
        self._targets = {"h2": grpc_port, "http/1.1": rest_port}
        self._ssl = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self._ssl.load_cert_chain(cert_file, key_file)
        self._ssl.set_alpn_protocols(["h2", "http/1.1"])
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.base_events.Server | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, name="emulator-tls-front", daemon=True)
        self.port = 0

    def start(self) -> int:
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(self._listen(), self._loop)
        self.port = future.result(timeout=10)
        return self.port

    async def _listen(self) -> int:
        self._server = await asyncio.start_server(self._serve, self._host, self._port, ssl=self._ssl)
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        ssl_object = writer.get_extra_info("ssl_object")
        protocol = ssl_object.selected_alpn_protocol() if ssl_object else None
        target = self._targets.get(protocol or "http/1.1", self._targets["http/1.1"])
        upstream: asyncio.StreamWriter | None = None
        try:
            up_reader, upstream = await asyncio.open_connection("127.0.0.1", target)
            await asyncio.gather(_pipe(reader, upstream), _pipe(up_reader, writer))
        except (OSError, asyncio.CancelledError):
            # A refused upstream, or stop() cancelling open connections. Finishing normally
            # matters: asyncio's stream callback asks a cancelled handler task for its exception
            # and logs a traceback.
            for end in (writer, upstream):
                if end is not None:
                    end.close()

    def stop(self) -> None:
        async def _close() -> None:
            if self._server is not None:
                self._server.close()
                # Don't wait_closed(): open keep-alive connections would hold it forever.
            tasks = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            # Let every connection finish its cancellation before the loop stops under it.
            await asyncio.gather(*tasks, return_exceptions=True)

        if self._thread.is_alive():
            asyncio.run_coroutine_threadsafe(_close(), self._loop).result(timeout=5)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=5)
