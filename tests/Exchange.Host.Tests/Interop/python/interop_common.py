"""Shared by interop_client.py and interop_server.py.

Both scripts run on Debian's python3-grpcio (not code generated from our .proto files): the message
classes are built at run time from a FileDescriptorSet the C# test writes from the contract
assembly, and every call is a generic gRPC call on the method's full path.
"""

import os
import sys
import time

# Exit code the C# tests read as "python3-grpcio (or python3-protobuf) is not installed".
MISSING_MODULE_EXIT_CODE = 3

try:
    import grpc
    import google.protobuf
    from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
except ImportError as error:  # pragma: no cover - depends on the machine
    sys.stderr.write(
        "interop: cannot import gRPC for Python ({0}) with {1}.\n"
        "Install Debian's packages: apt-get install python3-grpcio python3-protobuf\n".format(error, sys.executable))
    sys.exit(MISSING_MODULE_EXIT_CODE)

SERVICE = "exchange.v1.Diagnostics"
ECHO_INITIAL = "x-grpc-test-echo-initial"
ECHO_TRAILING = "x-grpc-test-echo-trailing-bin"


def versions():
    return {
        "python": sys.version.split()[0],
        "grpc": grpc.__version__,
        "protobuf": google.protobuf.__version__,
    }


def read_bytes(path):
    with open(path, "rb") as stream:
        return stream.read()


class Messages:
    """The exchange.v1 diagnostics messages, built from a serialized FileDescriptorSet."""

    def __init__(self, descriptor_set_path):
        files = descriptor_pb2.FileDescriptorSet.FromString(read_bytes(descriptor_set_path))
        self.pool = descriptor_pool.DescriptorPool()
        # The C# test writes dependencies before the files that import them.
        for file_proto in files.file:
            self.pool.Add(file_proto)
        self.PingRequest = self.message_class("exchange.v1.PingRequest")
        self.PingReply = self.message_class("exchange.v1.PingReply")
        self.PingStreamRequest = self.message_class("exchange.v1.PingStreamRequest")
        self.PingSummary = self.message_class("exchange.v1.PingSummary")
        self.EchoStatus = self.message_class("exchange.v1.EchoStatus")

    def message_class(self, full_name):
        descriptor = self.pool.FindMessageTypeByName(full_name)
        # protobuf >= 4.22 has GetMessageClass; Debian's 4.21 only has MessageFactory.GetPrototype.
        if hasattr(message_factory, "GetMessageClass"):
            return message_factory.GetMessageClass(descriptor)
        return message_factory.MessageFactory(self.pool).GetPrototype(descriptor)


def status_code(number):
    """The grpc.StatusCode for a numeric gRPC status code."""
    for code in grpc.StatusCode:
        if code.value[0] == number:
            return code
    raise ValueError("not a gRPC status code: {0}".format(number))


def describe_code(code):
    return {"code": code.name, "code_number": code.value[0]}


def signal_and_wait(ready_file, go_file, waiting_for, timeout_seconds):
    """Tells the test it may act (writes ready_file), then waits until it says it has (go_file)."""
    with open(ready_file, "w") as ready:
        ready.write("ready\n")
    deadline = time.monotonic() + timeout_seconds
    while not os.path.exists(go_file):
        if time.monotonic() > deadline:
            raise RuntimeError("the test never signalled that it " + waiting_for)
        time.sleep(0.02)
