"""The ticker: a kick during a sweep means one more sweep; stopping ends the loop."""

from __future__ import annotations

from scheduler.ticker import Ticker


def test_kicks_during_a_sweep_run_it_again_until_none_come() -> None:
    calls: list[int] = []

    def sweep() -> None:
        calls.append(len(calls))
        if len(calls) < 4:  # a full batch each time: more may be due
            ticker.kick()

    ticker = Ticker(sweep, interval_seconds=60)
    ticker.run_once()
    assert calls == [0, 1, 2, 3]


def test_a_stopping_ticker_finishes_the_current_sweep_and_no_more() -> None:
    calls: list[int] = []

    def sweep() -> None:
        calls.append(1)
        ticker.kick()  # an endless backlog

    ticker = Ticker(sweep, interval_seconds=60)
    ticker.shutdown()
    ticker.run_once()
    assert calls == [1]


def test_a_failing_sweep_does_not_escape_and_ends_the_loop() -> None:
    calls: list[int] = []

    def sweep() -> None:
        calls.append(1)
        ticker.kick()
        raise RuntimeError("database went away")

    ticker = Ticker(sweep, interval_seconds=60)
    ticker.run_once()  # logged, not raised; the next tick retries
    assert calls == [1]
