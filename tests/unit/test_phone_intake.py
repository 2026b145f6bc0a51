"""The phone intake's drainer: one thread at a time does the queued events, and a post that commits
while the busy thread is finishing is never left for the worker's next round."""

import threading

import attent.phone.intake as intake


class _Clock:
    def now(self) -> None:
        return None


def test_a_post_while_the_drain_finishes_is_taken_before_the_thread_lets_go(monkeypatch):
    drain = intake.Drain()
    inside, go_on = threading.Event(), threading.Event()
    queued = [5]
    rounds: list[int] = []

    def take(**_kwargs: object) -> int:
        if len(rounds) == 1:  # the round that finds nothing left: a post commits just after its query
            inside.set()
            assert go_on.wait(5)
            rounds.append(0)
            return 0
        done, queued[0] = queued[0], 0
        rounds.append(done)
        return done

    monkeypatch.setattr(intake, "take_queued_events", take)
    run = {"database": None, "clock": _Clock(), "settings": None}
    busy = threading.Thread(target=lambda: drain.run(**run))  # type: ignore[arg-type]
    busy.start()
    assert inside.wait(5)
    queued[0] += 3  # the post's 3 events, committed after the busy thread's last look
    drain.run(**run)  # type: ignore[arg-type]  # the post's own drain: the thread is busy, it leaves a mark
    assert rounds == [5]  # it neither waited nor did the work itself
    go_on.set()
    busy.join(5)
    assert rounds == [5, 0, 3, 0]  # the busy thread saw the mark, looked again and took the 3
