"""The lab's stand-in for a network load balancer's TCP listeners: each LISTEN_PORT=HOST:PORT
argument listens on every address at LISTEN_PORT and relays each connection's bytes, both ways
and untouched, to HOST:PORT (resolved per connection, as a target's address can change). Like a
TCP listener, it ends nothing and reads nothing: mutual TLS stays between the peers."""

import asyncio
import sys


async def relay(reader, writer):
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        try:
            writer.close()
        except OSError:
            pass


def forwarder(host, port):
    async def forward(client_reader, client_writer):
        try:
            target_reader, target_writer = await asyncio.open_connection(host, port)
        except OSError as error:
            print("forward to %s:%d failed: %s" % (host, port, error), flush=True)
            client_writer.close()
            return
        await asyncio.gather(relay(client_reader, target_writer), relay(target_reader, client_writer))
    return forward


async def main(listeners):
    servers = []
    for listener in listeners:
        listen, target = listener.split("=", 1)
        host, port = target.rsplit(":", 1)
        servers.append(await asyncio.start_server(forwarder(host, int(port)), port=int(listen)))
        print("listening on %s, forwarding to %s" % (listen, target), flush=True)
    await asyncio.gather(*(server.serve_forever() for server in servers))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
