"""W5 echo server on asyncio or uvloop, streams or protocols: the Python
peers of W5 (run by bench/run.py). Prints "port N", serves for SECONDS, then
prints its user and system CPU time, like the C servers. With W5_TLS_CERT
and W5_TLS_KEY set it serves W5-TLS instead: the same echo with
ssl=SSLContext (the ssl module) on the server.

    python3 w5_python.py asyncio|uvloop streams|protocols [SECONDS=11]
"""
import asyncio
import os
import resource
import ssl
import sys


class Echo(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        self.transport.write(data)


async def handle(reader, writer):
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            writer.write(data)
            await writer.drain()
    except (ConnectionError, ssl.SSLError):
        pass
    writer.close()


async def main(kind, seconds):
    loop = asyncio.get_running_loop()
    tls = None
    if os.environ.get("W5_TLS_CERT"):
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(os.environ["W5_TLS_CERT"], os.environ["W5_TLS_KEY"])
    if kind == "protocols":
        server = await loop.create_server(Echo, "127.0.0.1", 0, ssl=tls)
    else:
        server = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=tls)
    print(f"port {server.sockets[0].getsockname()[1]}", flush=True)
    await asyncio.sleep(seconds)
    server.close()
    ru = resource.getrusage(resource.RUSAGE_SELF)
    print(f"cpu user {ru.ru_utime:.3f} s sys {ru.ru_stime:.3f} s", flush=True)


if __name__ == "__main__":
    impl, kind = sys.argv[1], sys.argv[2]
    seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 11.0
    if impl == "uvloop":
        import uvloop

        uvloop.install()
    asyncio.run(main(kind, seconds))
