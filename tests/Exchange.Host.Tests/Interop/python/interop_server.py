"""gRPC for Python (python3-grpcio) serving exchange.v1.Diagnostics over mutual TLS.

A stand-in for a partner's server, for testing the hub's C# client against a gRPC implementation
written elsewhere. It binds 127.0.0.1 on a free port, requires a client certificate signed by --ca
and reports on stdout, one JSON object per line:
  {"event": "listening", "port": N, "versions": {...}}
  {"event": "call", "method": M, "caller": SPIFFE-ID, "time_remaining_ms": T|null}
  {"event": "ended", "method": M, "sent": N, "cancelled": true|false, "elapsed_ms": T}
It stops when its stdin closes (the test ended or died). Exit code 3: gRPC is not installed.

Behaviour mirrors the hub's DiagnosticsService: replies name the caller's SPIFFE ID (from its client
certificate), EchoStatus ends the call with that status, the x-grpc-test-echo-initial header and
x-grpc-test-echo-trailing-bin trailer are echoed, and PingStream sleeps interval_ms between replies
(so a client deadline is what ends a slow stream).

Usage: interop_server.py --ca ca.crt --cert server.crt --key server.key --descriptors diagnostics.pb
"""

import argparse
import json
import sys
import threading
import time
from concurrent import futures

from interop_common import ECHO_INITIAL, ECHO_TRAILING, SERVICE, Messages, read_bytes, status_code, versions
import grpc

_print_lock = threading.Lock()


def emit(**event):
    with _print_lock:
        print(json.dumps(event, sort_keys=True), flush=True)


def caller_of(context):
    """The client's SPIFFE ID (its URI SAN) as gRPC core reports it from the TLS handshake."""
    auth = context.auth_context()
    for key in ("peer_spiffe_id", "x509_uri", "x509_subject_alternative_name"):
        for value in auth.get(key, []):
            text = value.decode("utf-8") if isinstance(value, bytes) else value
            if text.startswith("spiffe://"):
                return text
    return ""


class Diagnostics:
    def __init__(self, messages):
        self.m = messages

    def _begin(self, method, context):
        metadata = dict(context.invocation_metadata())
        if ECHO_INITIAL in metadata:
            context.send_initial_metadata(((ECHO_INITIAL, metadata[ECHO_INITIAL]),))
        if ECHO_TRAILING in metadata:
            context.set_trailing_metadata(((ECHO_TRAILING, metadata[ECHO_TRAILING]),))
        remaining = context.time_remaining()
        caller = caller_of(context)
        emit(event="call", method=method, caller=caller,
             time_remaining_ms=None if remaining is None else int(remaining * 1000))
        return caller

    @staticmethod
    def _abort_if_requested(context, echo_status):
        if echo_status.code == 0:
            return
        if not 1 <= echo_status.code <= 16:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, "echo_status.code is not a gRPC status code (1-16).")
        context.abort(status_code(echo_status.code), echo_status.message)

    def _reply(self, caller, payload, sequence):
        now = time.time()
        reply = self.m.PingReply(
            caller=caller,
            party_id=caller.rsplit("/party/", 1)[-1] if "/party/" in caller else "",
            payload=payload,
            sequence=sequence,
            hub_version="python-grpcio/" + grpc.__version__)
        reply.server_time.seconds = int(now)
        reply.server_time.nanos = int((now - int(now)) * 1e9)
        return reply

    def ping(self, request, context):
        caller = self._begin("Ping", context)
        self._abort_if_requested(context, request.echo_status)
        return self._reply(caller, request.payload, 1)

    def ping_stream(self, request, context):
        caller = self._begin("PingStream", context)
        started = time.monotonic()
        terminated = threading.Event()
        context.add_callback(terminated.set)
        sent = 0
        try:
            for sequence in range(1, request.count + 1):
                # Sleeping on the termination event lets a deadline or a cancellation end the wait.
                if sequence > 1 and request.interval_ms > 0 and terminated.wait(request.interval_ms / 1000.0):
                    break
                if not context.is_active():
                    break
                yield self._reply(caller, request.payload, sequence)
                sent += 1
        finally:
            # Also when grpcio closes the generator at its yield (the call ended while a reply was
            # being sent), which skips everything after the loop.
            emit(event="ended", method="PingStream", sent=sent, cancelled=not context.is_active(),
                 elapsed_ms=int((time.monotonic() - started) * 1000))
        if context.is_active():
            self._abort_if_requested(context, request.echo_status)

    def ping_upload(self, request_iterator, context):
        caller = self._begin("PingUpload", context)
        messages = payload_bytes = 0
        for request in request_iterator:
            self._abort_if_requested(context, request.echo_status)
            messages += 1
            payload_bytes += len(request.payload)
        return self.m.PingSummary(caller=caller, messages=messages, payload_bytes=payload_bytes)

    def ping_echo(self, request_iterator, context):
        caller = self._begin("PingEcho", context)
        sequence = 0
        for request in request_iterator:
            self._abort_if_requested(context, request.echo_status)
            sequence += 1
            yield self._reply(caller, request.payload, sequence)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ca", required=True)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--descriptors", required=True)
    args = parser.parse_args()

    m = Messages(args.descriptors)
    service = Diagnostics(m)
    handler = grpc.method_handlers_generic_handler(SERVICE, {
        "Ping": grpc.unary_unary_rpc_method_handler(
            service.ping, request_deserializer=m.PingRequest.FromString, response_serializer=m.PingReply.SerializeToString),
        "PingStream": grpc.unary_stream_rpc_method_handler(
            service.ping_stream, request_deserializer=m.PingStreamRequest.FromString, response_serializer=m.PingReply.SerializeToString),
        "PingUpload": grpc.stream_unary_rpc_method_handler(
            service.ping_upload, request_deserializer=m.PingRequest.FromString, response_serializer=m.PingSummary.SerializeToString),
        "PingEcho": grpc.stream_stream_rpc_method_handler(
            service.ping_echo, request_deserializer=m.PingRequest.FromString, response_serializer=m.PingReply.SerializeToString),
    })
    credentials = grpc.ssl_server_credentials(
        [(read_bytes(args.key), read_bytes(args.cert))],
        root_certificates=read_bytes(args.ca),
        require_client_auth=True)

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=16), handlers=[handler])
    port = server.add_secure_port("127.0.0.1:0", credentials)
    if port == 0:
        sys.stderr.write("interop: could not bind 127.0.0.1:0\n")
        sys.exit(1)
    server.start()
    emit(event="listening", port=port, versions=versions())

    # Serve until the test closes our stdin (or its process goes away).
    sys.stdin.read()
    server.stop(grace=None).wait()


if __name__ == "__main__":
    main()
