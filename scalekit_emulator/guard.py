"""What stands between a gRPC call and a servicer, in the order Scalekit applies it:

1. the bearer token (UNAUTHENTICATED when missing, invalid or expired);
2. the method's ``auth_option`` from the SDK's descriptors (PERMISSION_DENIED for a caller kind
   the method does not allow, e.g. an API client calling a dashboard-only method);
3. the simulated network latency and any fault a test injected;
4. UNIMPLEMENTED, naming the method, for what the emulator does not implement;
5. the request's ``buf.validate`` rules, checked by Buf's own protovalidate (INVALID_ARGUMENT
   naming the field);
6. the servicer, whose BackendErrors become statuses with the ErrorInfo detail the SDK unpacks.

Everything runs inside the worker thread that serves the call, so a delay delays only that call.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Collection, Mapping

import grpc
import protovalidate
from google.protobuf.any_pb2 import Any as AnyMessage
from google.rpc import status_pb2
from grpc_status import rpc_status
from scalekit.v1.errdetails.errdetails_pb2 import ErrorInfo

from .descriptors import CALLER_LABELS, MethodRule
from .errors import BackendError
from .faults import FaultRegistry

log = logging.getLogger("scalekit_emulator")


def abort(context: grpc.ServicerContext, code: str, message: str) -> None:
    """Abort as Scalekit does: a status with an ErrorInfo detail the SDK unpacks."""
    detail = AnyMessage()
    detail.Pack(ErrorInfo(error_code=code))
    status = status_pb2.Status(code=grpc.StatusCode[code].value[0], message=message, details=[detail])
    context.abort_with_status(rpc_status.to_status(status))


def _field(violation: protovalidate.Violation) -> str:
    """``organization.metadata["a"] (key)``: the field a violation is about, as a caller wrote it."""
    parts = []
    for element in violation.proto.field.elements if violation.proto.field is not None else ():
        subscript = getattr(element.subscript, "value", None) if element.subscript is not None else None
        parts.append(element.field_name + (f"[{subscript!r}]" if subscript is not None else ""))
    return ".".join(parts) + (" (key)" if violation.proto.for_key else "") if parts else "request"


def violations(request: object) -> str | None:
    """The request's buf.validate violations as one sentence, or None when it is valid."""
    try:
        protovalidate.validate(request)
    except protovalidate.ValidationError as error:
        return "; ".join(f"{_field(v)}: {v.proto.message}" for v in error.violations) or str(error)
    return None


class Guard(grpc.ServerInterceptor):
    def __init__(
        self,
        *,
        rules: Mapping[str, MethodRule],
        implemented: Collection[str],
        caller_of: Callable[[str], int | None],
        faults: FaultRegistry,
        latency_s: float = 0.0,
    ) -> None:
        self._rules = rules
        self._implemented = frozenset(implemented)
        self._caller_of = caller_of  # token -> caller kind, or None when the token is not valid
        self._faults = faults
        self.latency_s = latency_s
        self._guarded: dict[str, grpc.RpcMethodHandler] = {}  # built once per method, not per call

    def intercept_service(self, continuation, handler_call_details):  # noqa: ANN001, ANN201 - grpc's API
        path = handler_call_details.method
        guarded = self._guarded.get(path)
        if guarded is None:
            handler = continuation(handler_call_details)
            rule = self._rules.get(path)
            if handler is None or handler.unary_unary is None or rule is None:
                return handler
            guarded = self._guarded[path] = self._guard(handler, rule)
        return guarded

    def _caller(self, context: grpc.ServicerContext) -> int | None:
        # The SDK sends its token twice: as metadata on each call and as the channel's call
        # credentials. After a re-authentication the two differ, so any valid bearer will do.
        for key, value in context.invocation_metadata():
            if key == "authorization":
                caller = self._caller_of(value.split(" ", 1)[-1].strip())
                if caller is not None:
                    return caller
        return None

    def _guard(self, handler: grpc.RpcMethodHandler, rule: MethodRule) -> grpc.RpcMethodHandler:
        inner = handler.unary_unary
        implemented = rule.path in self._implemented
        refusal = (
            f"{rule.name} is not available to {{caller}}: Scalekit allows it for "
            f"{rule.authentication_name} callers only"
        )

        def guarded(request, context):  # noqa: ANN001 - grpc's handler signature
            if not rule.open_to_anyone:
                caller = self._caller(context)
                if caller is None:
                    abort(context, "UNAUTHENTICATED", "access token is missing, invalid or expired")
                if not rule.allows(caller):
                    abort(
                        context,
                        "PERMISSION_DENIED",
                        refusal.format(caller=CALLER_LABELS.get(caller, "this caller")),
                    )
            if self.latency_s:
                time.sleep(self.latency_s)
            fault = self._faults.take(rule.name)
            if fault is not None:
                if fault.delay_seconds:
                    time.sleep(fault.delay_seconds)
                if fault.code:
                    abort(context, fault.code, fault.message)
            if not implemented:
                abort(
                    context,
                    "UNIMPLEMENTED",
                    f"{rule.service}.{rule.name} is not implemented by the Scalekit emulator",
                )
            problem = violations(request)
            if problem:
                abort(context, "INVALID_ARGUMENT", f"invalid {rule.request.name}: {problem}")
            try:
                return inner(request, context)
            except BackendError as exc:
                abort(context, exc.code, exc.message)
            except Exception:
                # A defect of the emulator, not of the request: say so rather than blame the caller.
                log.exception("%s failed inside the emulator", rule.name)
                abort(context, "INTERNAL", f"{rule.name} failed inside the Scalekit emulator")

        return grpc.unary_unary_rpc_method_handler(
            guarded,
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )
