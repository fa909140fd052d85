"""What stands between a gRPC call and a servicer, in the order Scalekit applies it:

1. the bearer token (UNAUTHENTICATED when missing, invalid or expired);
2. the method's ``auth_option`` from the SDK's descriptors (PERMISSION_DENIED for a caller kind
   the method does not allow, e.g. an API client calling a dashboard-only method, or, under the
   ``client-permissions`` reading, for a permission the API client lacks);
3. the ``rate-limit`` reading (RESOURCE_EXHAUSTED with RATE_LIMITED), the simulated network
   latency and any fault a test injected;
4. UNIMPLEMENTED, naming the method, for what the emulator does not implement;
5. the request's ``buf.validate`` rules, checked by Buf's own protovalidate (INVALID_ARGUMENT
   naming the field);
6. the servicer, whose BackendErrors become statuses with the ErrorInfo detail the SDK unpacks;
   under the ``lost-answer`` reading its answer is then dropped (UNAVAILABLE, the work done).

Everything runs inside the worker thread that serves the call, so a delay delays only that call.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Collection, Mapping
from typing import Any, NamedTuple

import grpc
import protovalidate
from google.protobuf.any_pb2 import Any as AnyMessage
from google.protobuf.duration_pb2 import Duration
from google.protobuf.message import Message
from google.rpc import error_details_pb2, status_pb2
from grpc_status import rpc_status
from scalekit.v1.errdetails.errdetails_pb2 import ErrorInfo

from .descriptors import CALLER_LABELS, CLIENT, MethodRule
from .errors import BackendError
from .faults import FaultRegistry
from .readings import Readings

log = logging.getLogger("scalekit_emulator")


def abort(
    context: grpc.ServicerContext, code: str, message: str, error_code: str = "", retry_after_s: int = 0
) -> None:
    """Abort as Scalekit does: a status with an ErrorInfo detail the SDK unpacks (first, as the
    SDK reads the first ErrorInfo), and for a rate limit a RetryInfo and a retry-after header."""
    info = AnyMessage()
    info.Pack(ErrorInfo(error_code=error_code or code))
    details = [info]
    if retry_after_s:
        retry = AnyMessage()
        retry.Pack(error_details_pb2.RetryInfo(retry_delay=Duration(seconds=retry_after_s)))
        details.append(retry)
    status = status_pb2.Status(code=grpc.StatusCode[code].value[0], message=message, details=details)
    answer = rpc_status.to_status(status)
    if retry_after_s:  # abort_with_status sends the status's own trailers only
        trailers = (*answer.trailing_metadata, ("retry-after", str(retry_after_s)))
        answer = _Status(answer.code, answer.details, trailers)
    context.abort_with_status(answer)


class _Status(
    NamedTuple(
        "_Status", [("code", Any), ("details", str), ("trailing_metadata", tuple[tuple[str, str], ...])]
    ),
    grpc.Status,
):
    pass


class RateLimit:
    """The ``rate-limit=N`` reading: N calls in any minute per environment (a sliding window on
    the environment's clock, so a test advancing the clock ends the wait)."""

    def __init__(self, per_minute: int, clock: Callable[[], dt.datetime]) -> None:
        self.per_minute = per_minute
        self._clock = clock
        self._calls: deque[dt.datetime] = deque()
        self._lock = threading.Lock()

    def take(self) -> int:
        """0 when the call may go ahead; else the seconds until one may."""
        now = self._clock()
        with self._lock:
            while self._calls and (now - self._calls[0]).total_seconds() >= 60:
                self._calls.popleft()
            if len(self._calls) >= self.per_minute:
                return max(1, math.ceil(60 - (now - self._calls[0]).total_seconds()))
            self._calls.append(now)
            return 0


class LostAnswers:
    """The ``lost-answer`` reading: the named methods run, then their answers are dropped."""

    def __init__(self, lost: Mapping[str, int | None]) -> None:
        self._left = dict(lost)
        self._lock = threading.Lock()

    def take(self, method: str) -> bool:
        with self._lock:
            if method not in self._left:
                return False
            left = self._left[method]
            if left is not None:
                if left <= 1:
                    del self._left[method]
                else:
                    self._left[method] = left - 1
            return True


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
        readings: Readings | None = None,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self._rules = rules
        self.readings = readings or Readings()
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self.apply_readings(self.readings)
        self._implemented = frozenset(implemented)
        self._caller_of = caller_of  # token -> caller kind, or None when the token is not valid
        self._faults = faults
        self.latency_s = latency_s
        self._guarded: dict[str, grpc.RpcMethodHandler] = {}  # built once per method, not per call
        # Calls received per method, whatever became of them: what a test counts ("one sweep").
        self.calls: Counter[str] = Counter()
        self._counting = threading.Lock()  # += on a Counter is not atomic across gRPC's threads

    def counted(self) -> dict[str, int]:
        with self._counting:
            return dict(self.calls)

    def reset_counts(self) -> None:
        with self._counting:
            self.calls.clear()

    def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], grpc.RpcMethodHandler | None],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler | None:
        path = handler_call_details.method
        guarded = self._guarded.get(path)
        if guarded is None:
            handler = continuation(handler_call_details)
            rule = self._rules.get(path)
            if handler is None or handler.unary_unary is None or rule is None:
                return handler
            guarded = self._guarded[path] = self._guard(handler, rule)
        return guarded

    def use_clock(self, clock: Callable[[], dt.datetime]) -> None:
        self._clock = clock
        self.apply_readings(self.readings)

    def apply_readings(self, readings: Readings) -> None:
        """(Re)start the readings' counters: a fresh minute, every lost answer still to lose."""
        self.readings = readings
        self._rate = RateLimit(readings.rate_limit, self._clock) if readings.rate_limit else None
        self._lost = LostAnswers(readings.lost_answers)

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

        def guarded(request: Message, context: grpc.ServicerContext) -> Message:
            with self._counting:
                self.calls[rule.name] += 1
            if not rule.open_to_anyone:
                caller = self._caller(context)
                if caller is None:
                    abort(context, "UNAUTHENTICATED", "access token is missing, invalid or expired")
                elif not rule.allows(caller):
                    abort(
                        context,
                        "PERMISSION_DENIED",
                        refusal.format(caller=CALLER_LABELS.get(caller, "this caller")),
                    )
                granted = self.readings.client_permissions
                lacks = (
                    granted is not None and rule.permissions and not granted.intersection(rule.permissions)
                )
                if caller == CLIENT and lacks:
                    abort(
                        context,
                        "PERMISSION_DENIED",
                        f"{rule.name} needs the permission {rule.permissions[-1]}, which this API "
                        "client does not have: grant it to the client in the Scalekit dashboard",
                    )
            rate = self._rate
            if rate is not None:
                wait = rate.take()
                if wait:
                    abort(
                        context,
                        "RESOURCE_EXHAUSTED",
                        f"RATE_LIMITED: more than {rate.per_minute} calls a minute in this environment; "
                        f"retry after {wait} s",
                        error_code="RATE_LIMITED",
                        retry_after_s=wait,
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
                answer = inner(request, context)
            except BackendError as exc:
                abort(context, exc.code, exc.message)
            except Exception:
                # A defect of the emulator, not of the request: say so rather than blame the caller.
                log.exception("%s failed inside the emulator", rule.name)
                abort(context, "INTERNAL", f"{rule.name} failed inside the Scalekit emulator")
            if self._lost.take(rule.name):
                # Done at the backend; the client never hears of it.
                abort(context, "UNAVAILABLE", "the connection was reset before the answer arrived")
            return answer

        return grpc.unary_unary_rpc_method_handler(
            guarded,
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )
