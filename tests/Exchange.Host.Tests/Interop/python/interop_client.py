"""gRPC for Python (python3-grpcio) as a client of exchange.v1.Diagnostics over mutual TLS.

Runs one case and prints one JSON object on stdout:
  {"case": ..., "versions": {...}, "result": {...}}
A call that ends with a non-OK status is a result too ("code", "details"); only a failure of the
script itself exits non-zero (1), with its traceback on stderr. Exit code 3: gRPC is not installed.

Usage: interop_client.py --target 127.0.0.1:PORT --ca ca.crt [--cert c.crt --key c.key]
                         --descriptors diagnostics.pb --case NAME [--params JSON]
"""

import argparse
import base64
import json
import queue
import ssl
import sys
import time
import urllib.parse
import urllib.request

from interop_common import SERVICE, Messages, describe_code, read_bytes, signal_and_wait, status_code, versions
import grpc

# No call may hang the test run, whatever the hub does.
CALL_TIMEOUT_SECONDS = 20


class Stubs:
    """Generic calls on the Diagnostics methods: no generated stub, only method paths and serializers."""

    def __init__(self, channel, messages):
        self.messages = messages
        m = messages
        self.ping = channel.unary_unary(
            "/{0}/Ping".format(SERVICE),
            request_serializer=m.PingRequest.SerializeToString,
            response_deserializer=m.PingReply.FromString)
        self.ping_stream = channel.unary_stream(
            "/{0}/PingStream".format(SERVICE),
            request_serializer=m.PingStreamRequest.SerializeToString,
            response_deserializer=m.PingReply.FromString)
        self.ping_upload = channel.stream_unary(
            "/{0}/PingUpload".format(SERVICE),
            request_serializer=m.PingRequest.SerializeToString,
            response_deserializer=m.PingSummary.FromString)
        self.ping_echo = channel.stream_stream(
            "/{0}/PingEcho".format(SERVICE),
            request_serializer=m.PingRequest.SerializeToString,
            response_deserializer=m.PingReply.FromString)
        self.channel = channel


def reply_json(reply):
    return {
        "caller": reply.caller,
        "party_id": reply.party_id,
        "payload_b64": base64.b64encode(reply.payload).decode("ascii"),
        "sequence": reply.sequence,
        "hub_version": reply.hub_version,
        "server_time_seconds": reply.server_time.seconds,
    }


def error_json(error):
    result = describe_code(error.code())
    result["details"] = error.details()
    result["debug"] = error.debug_error_string()
    return result


def case_unary(stubs, params):
    payload = params.get("payload", "").encode("utf-8")
    reply, call = stubs.ping.with_call(stubs.messages.PingRequest(payload=payload), timeout=CALL_TIMEOUT_SECONDS)
    result = describe_code(call.code())
    result["reply"] = reply_json(reply)
    result["client_time_seconds"] = int(time.time())
    return result


def case_gzip(stubs, params):
    payload = b"g" * params["size"]
    reply, call = stubs.ping.with_call(
        stubs.messages.PingRequest(payload=payload), timeout=CALL_TIMEOUT_SECONDS, compression=grpc.Compression.Gzip)
    result = describe_code(call.code())
    result["payload_intact"] = reply.payload == payload
    return result


def case_server_streaming(stubs, params):
    call = stubs.ping_stream(stubs.messages.PingStreamRequest(count=params["count"]), timeout=CALL_TIMEOUT_SECONDS)
    replies = [reply_json(reply) for reply in call]
    result = describe_code(call.code())
    result["sequences"] = [r["sequence"] for r in replies]
    result["party_ids"] = sorted({r["party_id"] for r in replies})
    return result


def case_client_streaming(stubs, params):
    def requests():
        for size in range(params["count"]):
            yield stubs.messages.PingRequest(payload=bytes(size))

    summary, call = stubs.ping_upload.with_call(requests(), timeout=CALL_TIMEOUT_SECONDS)
    result = describe_code(call.code())
    result["summary"] = {"caller": summary.caller, "messages": summary.messages, "payload_bytes": summary.payload_bytes}
    return result


def case_bidi(stubs, params):
    # The request iterator yields only what the main thread hands it, so each request is sent only
    # after the reply to the previous one has arrived: a true ping-pong on one HTTP/2 stream.
    outbox = queue.Queue()

    def requests():
        while True:
            request = outbox.get()
            if request is None:
                return
            yield request

    call = stubs.ping_echo(requests(), timeout=CALL_TIMEOUT_SECONDS)
    exchanged = []
    try:
        for i in range(1, params["count"] + 1):
            outbox.put(stubs.messages.PingRequest(payload="#{0}".format(i).encode("ascii")))
            reply = next(call)
            exchanged.append({"payload": reply.payload.decode("ascii"), "sequence": reply.sequence})
    finally:
        outbox.put(None)
    after_half_close = [reply_json(reply) for reply in call]
    result = describe_code(call.code())
    result["exchanged"] = exchanged
    result["replies_after_half_close"] = len(after_half_close)
    return result


def case_error_unary(stubs, params):
    request = stubs.messages.PingRequest(
        echo_status=stubs.messages.EchoStatus(code=params["code"], message=params["message"]))
    try:
        stubs.ping(request, timeout=CALL_TIMEOUT_SECONDS)
    except grpc.RpcError as error:
        return error_json(error)
    return describe_code(grpc.StatusCode.OK)


def fetch_token(target, params):
    """A client-credentials token from the hub's token endpoint with the standard library only:
    HTTPS (HTTP/1.1) presenting the party's certificate, as RFC 8705 tls_client_auth asks."""
    context = ssl.create_default_context(cafile=params["ca"])
    context.load_cert_chain(params["token_cert"], params["token_key"])
    body = urllib.parse.urlencode({"grant_type": "client_credentials", "client_id": params["token_party"]}).encode("ascii")
    request = urllib.request.Request(
        "https://{0}/connect/token".format(target), data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"})
    with urllib.request.urlopen(request, context=context, timeout=CALL_TIMEOUT_SECONDS) as response:
        answer = json.load(response)
    return answer["access_token"], answer["token_type"]


def case_token_records(stubs, params):
    """Obtains a bound token over mTLS, then calls Records/GetCustomer with it as authorization
    metadata on the channel's connection (whose certificate may be another party's)."""
    token, token_type = fetch_token(stubs.target, params)
    request = bytes.fromhex(params["request_hex"])
    call = stubs.channel.unary_unary("/exchange.v1.Records/GetCustomer", request_serializer=lambda b: b, response_deserializer=lambda b: b)
    try:
        reply, outcome = call.with_call(request, timeout=CALL_TIMEOUT_SECONDS, metadata=(("authorization", "Bearer " + token),))
        result = describe_code(outcome.code())
        result["reply_bytes"] = len(reply)
    except grpc.RpcError as error:
        result = error_json(error)
    result["token_type"] = token_type
    return result


def case_error_after_stream(stubs, params):
    request = stubs.messages.PingStreamRequest(
        count=params["count"], echo_status=stubs.messages.EchoStatus(code=params["code"], message=params["message"]))
    call = stubs.ping_stream(request, timeout=CALL_TIMEOUT_SECONDS)
    received = 0
    try:
        for _ in call:
            received += 1
    except grpc.RpcError as error:
        result = error_json(error)
        result["received"] = received
        return result
    result = describe_code(call.code())
    result["received"] = received
    return result


def case_metadata(stubs, params):
    trailing = base64.b64decode(params["trailing_b64"])
    metadata = (("x-grpc-test-echo-initial", params["initial"]), ("x-grpc-test-echo-trailing-bin", trailing))
    _, call = stubs.ping.with_call(stubs.messages.PingRequest(), metadata=metadata, timeout=CALL_TIMEOUT_SECONDS)
    initial = [value for key, value in call.initial_metadata() if key == "x-grpc-test-echo-initial"]
    trailers = [value for key, value in call.trailing_metadata() if key == "x-grpc-test-echo-trailing-bin"]
    result = describe_code(call.code())
    result["initial"] = initial
    result["trailing_b64"] = [base64.b64encode(value).decode("ascii") for value in trailers]
    return result


def case_deadline(stubs, params):
    # Connect first: on a loaded machine the TLS handshake alone can outlast the deadline under test.
    stubs.ping(stubs.messages.PingRequest(), timeout=CALL_TIMEOUT_SECONDS)
    request = stubs.messages.PingStreamRequest(count=params["count"], interval_ms=params["interval_ms"])
    started = time.monotonic()
    call = stubs.ping_stream(request, timeout=params["timeout_ms"] / 1000.0)
    received = 0
    try:
        for _ in call:
            received += 1
        result = describe_code(call.code())
    except grpc.RpcError as error:
        result = error_json(error)
    result["received"] = received
    result["elapsed_ms"] = int((time.monotonic() - started) * 1000)
    return result


def case_unimplemented(stubs, params):
    m = stubs.messages
    call = stubs.channel.unary_unary(
        params["method"], request_serializer=m.PingRequest.SerializeToString, response_deserializer=m.PingReply.FromString)
    try:
        call(m.PingRequest(), timeout=CALL_TIMEOUT_SECONDS)
    except grpc.RpcError as error:
        return error_json(error)
    return describe_code(grpc.StatusCode.OK)


def varint(value):
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def string_field(number, text):
    data = text.encode("utf-8")
    return varint(number << 3 | 2) + varint(len(data)) + data


def case_raw_unary(stubs, params):
    """Sends bytes the test chose (hex), or a GetCustomerRequest encoded by hand with a purpose of
    purpose_length characters, to any method, without a message class: what a careless partner's
    system might send."""
    if "purpose_length" in params:
        request = string_field(1, "m" * params["purpose_length"]) + string_field(2, params["owner"]) + string_field(3, params["customer_ref"])
    else:
        request = bytes.fromhex(params["request_hex"])
    call = stubs.channel.unary_unary(params["method"], request_serializer=lambda b: b, response_deserializer=lambda b: b)
    try:
        call(request, timeout=CALL_TIMEOUT_SECONDS)
    except grpc.RpcError as error:
        return error_json(error)
    return describe_code(grpc.StatusCode.OK)


def ping_outcome(stubs):
    try:
        _, call = stubs.ping.with_call(stubs.messages.PingRequest(), timeout=CALL_TIMEOUT_SECONDS)
        return describe_code(call.code())
    except grpc.RpcError as error:
        return error_json(error)


def case_revocation(stubs, params):
    """Pings, signals the test and waits while it revokes the certificate, then pings again on the
    same connection and once more on a new connection (a channel with its own subchannel pool, so
    gRPC core cannot hand it the existing connection)."""
    result = {"first": ping_outcome(stubs)}
    signal_and_wait(params["ready_file"], params["go_file"], "revoked the certificate", CALL_TIMEOUT_SECONDS)
    result["same_connection"] = ping_outcome(stubs)
    options = [("grpc.enable_http_proxy", 0), ("grpc.use_local_subchannel_pool", 1)]
    with grpc.secure_channel(stubs.target, stubs.credentials, options=options) as channel:
        result["new_connection"] = ping_outcome(Stubs(channel, stubs.messages))
    result.update(describe_code(grpc.StatusCode.OK))
    return result


CASES = {
    "unary": case_unary,
    "token_records": case_token_records,
    "gzip": case_gzip,
    "server_streaming": case_server_streaming,
    "client_streaming": case_client_streaming,
    "bidi": case_bidi,
    "error_unary": case_error_unary,
    "error_after_stream": case_error_after_stream,
    "metadata": case_metadata,
    "deadline": case_deadline,
    "unimplemented": case_unimplemented,
    "revocation": case_revocation,
    "raw_unary": case_raw_unary,
}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--target", required=True)
    parser.add_argument("--ca", required=True)
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--descriptors", required=True)
    parser.add_argument("--case", required=True, choices=sorted(CASES))
    parser.add_argument("--params", default="{}")
    args = parser.parse_args()

    messages = Messages(args.descriptors)
    credentials = grpc.ssl_channel_credentials(
        root_certificates=read_bytes(args.ca),
        private_key=read_bytes(args.key) if args.key else None,
        certificate_chain=read_bytes(args.cert) if args.cert else None)
    # A proxy from the environment (http_proxy, grpc_proxy) must not stand between us and the hub.
    options = [("grpc.enable_http_proxy", 0)]
    with grpc.secure_channel(args.target, credentials, options=options) as channel:
        stubs = Stubs(channel, messages)
        stubs.target, stubs.credentials = args.target, credentials
        try:
            result = CASES[args.case](stubs, json.loads(args.params))
        except grpc.RpcError as error:
            # A call that fails outright (refused connection, ...) is a result the test judges.
            result = error_json(error)
    print(json.dumps({"case": args.case, "versions": versions(), "result": result}, sort_keys=True), flush=True)


if __name__ == "__main__":
    main()
