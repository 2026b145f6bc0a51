"""Time-ordered UUIDv7 ids: sortable by creation, spread well across shards."""

import os
import threading
import time
import uuid

_lock = threading.Lock()
_last_ms = 0
_seq = 0


def uuid7() -> uuid.UUID:
    """A RFC 9562 version-7 UUID, monotonic within this process."""
    global _last_ms, _seq
    noise = int.from_bytes(os.urandom(10), "big")  # drawn outside the lock: urandom may block a moment
    with _lock:
        ms = time.time_ns() // 1_000_000
        if ms <= _last_ms:
            ms = _last_ms
            _seq += 1
            if _seq > 0xFFF:  # 4096 ids in one millisecond: borrow the next one
                ms += 1
                _seq = 0
        else:
            _seq = (noise >> 64) & 0x3FF
        _last_ms = ms
        seq = _seq
    rand = noise & 0x3FFF_FFFF_FFFF_FFFF
    value = (ms << 80) | (0x7 << 76) | (seq << 64) | (0b10 << 62) | rand
    return uuid.UUID(int=value)
