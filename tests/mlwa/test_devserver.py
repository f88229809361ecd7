"""The development server's chunked bodies (mlwa.devserver): de-chunked as read, malformed framing
a 400. tests/mlwa/test_servers_413.py runs the server itself."""

import io

import pytest
from django.core.exceptions import BadRequest
from django.core.management import load_command_class

from mlwa.devserver import ChunkedBody, DevServer


def _read(raw: bytes, size: int = -1) -> bytes:
    return io.BufferedReader(ChunkedBody(io.BytesIO(raw))).read(size)


def test_a_chunked_body_is_read_whole_without_its_framing():
    raw = b"5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nTrailer: x\r\n\r\nNEXT REQUEST"

    assert _read(raw) == b"hello, world"


def test_reading_stops_at_the_size_asked_for():
    raw = b"5\r\nhello\r\n7\r\n, world\r\n0\r\n\r\n"

    assert _read(raw, 7) == b"hello, "


@pytest.mark.parametrize(
    "raw",
    [
        b"zz\r\nhello\r\n0\r\n\r\n",  # not a hexadecimal size
        b"5\r\nhelloXX0\r\n\r\n",  # no CRLF after the data
        b"9\r\nhello",  # ends inside a chunk
        b"5\r\nhello\r\n",  # ends before the last chunk
        b"1" * 5000 + b"\r\n",  # a size line past any sense
    ],
)
def test_malformed_framing_is_a_bad_request(raw):
    with pytest.raises(BadRequest):
        _read(raw)


def test_manage_py_runserver_serves_with_the_chunked_reading_server():
    command = load_command_class("mlwa", "runserver")

    assert command.server_cls is DevServer
    from django.core.management import get_commands

    assert get_commands()["runserver"] == "mlwa"
