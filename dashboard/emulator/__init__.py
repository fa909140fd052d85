"""A local Scalekit environment that the real ``scalekit-sdk-python`` talks to over TLS.

Layout (after moto): ``backend.py`` holds state and rules, ``servicers.py`` and ``web.py`` are the
wire adapters, ``front.py`` routes one TLS port by ALPN, ``server.py`` ties them together.
"""

from .faults import Fault
from .server import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, Emulator

__all__ = ["DEFAULT_CLIENT_ID", "DEFAULT_CLIENT_SECRET", "Emulator", "Fault"]
