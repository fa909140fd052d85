"""The relay's floor for bench/relay.py: the same HTTP stack calling the SDK and nothing else.

    python -m bench.relay_floor --url-file F --orgs org_1,org_2,…

``POST /i/<token>`` calls the Scalekit SDK's ``generate_portal_link`` for an organization and
answers 303 to the link: no history, no rate limits, no pages, no middleware. It runs on
uvicorn with the relay's own settings (``dashboard/relay/__main__.py``: proxy headers, no server
header, the access log), on a socket of its own bound to port 0, so whatever the relay adds to
this is the relay's cost. The SDK reads SCALEKIT_* and the emulator's CA bundle from the
environment, as the relay does.
"""

from __future__ import annotations

import argparse
import os
import socket
import zlib
from pathlib import Path

import uvicorn
from scalekit import ScalekitClient
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route


def floor_app(client: ScalekitClient, org_ids: list[str]) -> Starlette:
    async def open_(request: Request) -> Response:
        # The token picks an organization, as an invitation would: spread like the relay's opens.
        org_id = org_ids[zlib.crc32(request.path_params["token"].encode()) % len(org_ids)]
        link = await run_in_threadpool(client.organization.generate_portal_link, org_id)
        return RedirectResponse(link.location, status_code=303)

    def health(request: Request) -> Response:
        return PlainTextResponse("ok")

    return Starlette(
        routes=[Route("/i/{token}", open_, methods=["POST"]), Route("/healthz", health, methods=["GET"])]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url-file", required=True)
    parser.add_argument("--orgs", required=True, help="organization ids, comma-separated")
    args = parser.parse_args()
    client = ScalekitClient(
        os.environ["SCALEKIT_ENVIRONMENT_URL"],
        os.environ["SCALEKIT_CLIENT_ID"],
        os.environ["SCALEKIT_CLIENT_SECRET"],
    )
    listening = socket.create_server(("127.0.0.1", 0))
    config = uvicorn.Config(
        floor_app(client, args.orgs.split(",")),
        proxy_headers=True,
        forwarded_allow_ips="127.0.0.1",
        server_header=False,
    )
    host, port = listening.getsockname()[:2]
    partial = Path(args.url_file + ".partial")
    partial.write_text(f"http://{host}:{port}\n")
    partial.replace(args.url_file)
    uvicorn.Server(config).run(sockets=[listening])


if __name__ == "__main__":
    main()
