"""What a web or worker process does to its heap once it has started."""

import gc

from attent.core.serving import settle_heap


def test_the_start_up_heap_is_frozen_out_of_collections():
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    try:
        settle_heap()
        frozen = gc.get_freeze_count()
        assert frozen > 10_000  # modules, classes and functions of the app: not walked again
        assert sum(gc.get_count()) < frozen  # nothing young is left to hold them up
    finally:
        gc.unfreeze()


def test_the_access_log_is_written_through_a_buffer_flushed_at_most_once_a_second():
    import io
    import logging

    from attent.core.serving import SecondFlush, buffer_access_log

    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="utf-8")  # block-buffered, as stdout into a file or pipe
    access = logging.getLogger("uvicorn.access")
    before = list(access.handlers)
    plain = logging.StreamHandler(stream)
    access.handlers = [plain]
    try:
        buffer_access_log()
        [handler] = access.handlers
        assert isinstance(handler, SecondFlush) and handler.stream is stream
        access.warning('127.0.0.1 - "POST /api/v1/cases/x/contacts HTTP/1.1" 201')
        assert raw.getvalue() == b""  # in the buffer: no system call for this line
        handler.flush_now()  # what the flushing thread does every second
        assert b"201" in raw.getvalue()
        access.warning("second line")
        handler.close()  # logging shutting down: nothing stays behind
        assert b"second line" in raw.getvalue()
    finally:
        access.handlers = before


def test_the_supervisor_of_several_web_processes_imports_no_application():
    """`attent serve --workers N` execs into `attent.core.supervise`: no app, no ORM, no web framework."""
    import subprocess
    import sys

    probe = (
        "import sys, attent.core.supervise;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in"
        " {'attent', 'sqlalchemy', 'fastapi', 'starlette', 'pydantic', 'uvicorn', 'psycopg'}))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['attent', 'attent.core', 'attent.core.supervise']"
