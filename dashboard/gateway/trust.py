"""Which certificate authorities the SDK trusts: the gateway's business, since it owns Scalekit.

The SDK's requests and gRPC's C core read their roots from the environment and nowhere else, so
this is the one place Portal Desk writes ``os.environ``: to reach libraries, never to tell
another part of Portal Desk something."""

from __future__ import annotations

import os


def trust_ca_bundle(path: str) -> None:
    """Make the SDK's HTTP and gRPC clients trust ``path``.

    gRPC reads GRPC_DEFAULT_SSL_ROOTS_FILE_PATH once per process, before its first secure
    channel, so this must run before any Scalekit client is built. Both variables are
    overwritten: machines often preset them to the system bundle, which lacks the emulator CA.
    """
    os.environ["REQUESTS_CA_BUNDLE"] = path
    os.environ["GRPC_DEFAULT_SSL_ROOTS_FILE_PATH"] = path
