"""The pinger: loss and outages counted from timestamped echoes, a timeline plot, and real echoes in a namespace."""

from __future__ import annotations

from xenlab.pinger import Echo, Mark, PingReport


def report(replies: str, interval: float = 0.1) -> PingReport:
    """A report from a pattern: '.' answered, 'x' lost."""
    out = PingReport("198.18.30.101", interval, 1.0, 1_700_000_000.0)
    for n, c in enumerate(replies):
        out.echoes.append(Echo(n, out.started + n * interval, round(n * interval, 4), 0.3 if c == "." else None))
    return out


def test_counts_and_longest_outage() -> None:
    r = report("....xx....xxx..")
    assert (r.sent, r.received, r.lost) == (15, 10, 5)
    assert [(o.lost, round(o.ms)) for o in r.outages()] == [(2, 200), (3, 300)]
    assert round(r.longest_outage_ms) == 300
    assert "15 sent every 100 ms, 10 received, 5 lost, longest outage 300 ms" in r.summary()


def test_an_outage_at_the_end_lasts_to_the_last_lost_echo_plus_an_interval() -> None:
    r = report("...xxxx", interval=1.0)
    assert [(o.lost, round(o.ms)) for o in r.outages()] == [(4, 4000)]


def test_no_loss_no_outage() -> None:
    assert report("......").longest_outage_ms == 0


def test_plot_is_a_png_with_marks(tmp_path) -> None:
    r = report("....xx....")
    r.marks.append(Mark("migration started", r.started + 0.3, 0.3))
    path = r.plot(tmp_path / "timeline.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_as_dict_is_json_ready() -> None:
    import json

    data = json.loads(json.dumps(report("..x.").as_dict()))
    assert data["lost"] == 1 and data["outages"][0]["lost"] == 1


def test_since_a_mark_counts_only_what_follows_it() -> None:
    r = report("x...xx...", interval=1.0)
    r.marks.append(Mark("migration started", r.started + 3.5, 3.5))
    during = r.since("migration started")
    assert (during.sent, during.lost, round(during.longest_outage_ms)) == (5, 2, 2000)
    assert r.since("no such mark") is r


def test_streak_counts_answers_in_a_row_and_skips_echoes_in_flight() -> None:
    import time

    from xenlab.pinger import Pinger

    pinger = Pinger("198.18.30.101", interval_s=1.0, timeout_s=1.0)
    now = time.monotonic()
    pinger._sent = {n: (0.0, now - 5 + n, 0.0) for n in range(6)}  # the last one sent just now: in flight
    pinger._replies = {n: (0.0, 0.0) for n in (2, 3, 4)}
    assert pinger.streak() == 3
    pinger._replies.pop(3)
    assert pinger.streak() == 1
