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
