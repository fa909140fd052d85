"""A local Scalekit environment that the real ``scalekit-sdk-python`` talks to over TLS.

Shaped like moto: ``backends/`` holds state and rules per service with no wire format;
``servicers/`` (gRPC, on the SDK's generated bases) and ``web/`` (REST, the mock admin portal,
the control API over HTTP) are the wire adapters; ``guard.py`` applies the rules the SDK's
descriptors state (``descriptors.py``); ``control.py`` is the control API; ``server.py`` ties
them together behind one TLS port (``front.py``).
"""

from .backends.portal import local_origins
from .faults import Fault
from .server import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, Emulator
from .web.portal import Branding

__all__ = ["DEFAULT_CLIENT_ID", "DEFAULT_CLIENT_SECRET", "Branding", "Emulator", "Fault", "local_origins"]
