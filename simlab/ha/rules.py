"""xhad's survival rules and liveset, as the HA design document states them (pure: no I/O, no clock).

Rule 1: the host sees the statefile and is in the best partition as seen through the storage
heartbeats: the largest fully connected set of hosts, or on a tie the one holding the lowest host
UUID. Rule 2: every host lost the statefile but all still see each other on the network.
Otherwise the host fences itself.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Slot:
    """One host's storage heartbeat, as read from the statefile."""

    state: str  # starting | online | fenced
    net: frozenset[str]  # hosts whose network heartbeats that host receives
    fresh: bool  # its sequence number moves now (within a couple of heartbeat intervals): it is writing
    alive: bool = True  # it may still be running: silent for less than the statefile timeout plus a margin
    liveset: frozenset[str] = frozenset()  # that host's liveset


@dataclass(frozen=True)
class Inputs:
    me: str
    uuids: dict[str, str]  # every pool host -> its UUID (the tie-break)
    liveset: frozenset[str]  # my liveset until now
    sees_statefile: bool
    net_peers: frozenset[str]  # hosts whose network heartbeats reach me within the timeout
    peers_lost_statefile: frozenset[str]  # peers whose network heartbeats say they lost the statefile
    slots: dict[str, Slot]  # what the statefile holds, when I see it
    may_form: bool = True  # a booted host watched the statefile long enough to tell frozen slots from live ones


@dataclass(frozen=True)
class Decision:
    survive: bool
    rule: int | None  # 1 or 2 when surviving
    liveset: frozenset[str]
    reason: str
    # Known loser of a partition: fence now. Otherwise a host that cannot show it survives (statefile lost,
    # peers silent) stops kicking its watchdog and fences when it fires, unless things come back first.
    fence_now: bool = False


def _mutual(a: str, b: str, inputs: Inputs) -> bool:
    def hears(x: str, y: str) -> bool:
        if x == inputs.me:
            return y in inputs.net_peers
        slot = inputs.slots.get(x)
        return slot is not None and y in slot.net

    return hears(a, b) and hears(b, a)


def _cliques(nodes: set[str], inputs: Inputs) -> list[frozenset[str]]:
    """Maximal fully connected sets (Bron-Kerbosch): pools are small, this is cheap."""
    found: list[frozenset[str]] = []
    neighbours = {n: {m for m in nodes if m != n and _mutual(n, m, inputs)} for n in nodes}

    def grow(r: set[str], p: set[str], x: set[str]) -> None:
        if not p and not x:
            found.append(frozenset(r))
            return
        for v in list(p):
            grow(r | {v}, p & neighbours[v], x & neighbours[v])
            p = p - {v}
            x = x | {v}

    grow(set(), set(nodes), set())
    return found


def best_partition(candidates: set[str], inputs: Inputs) -> frozenset[str]:
    cliques = _cliques(candidates, inputs)
    return min(cliques, key=lambda c: (-len(c), min(inputs.uuids[h] for h in c)))


def evaluate(inputs: Inputs) -> Decision:
    """What an online host's xhad decides on this tick."""
    me = inputs.me
    if inputs.sees_statefile:
        # Hosts that count: those with fresh storage heartbeats in my liveset, or that hear me and I them.
        candidates = {me}
        for host, slot in inputs.slots.items():
            if host == me or not slot.fresh or slot.state == "fenced":
                continue
            if slot.state == "online" or host in inputs.liveset or _mutual(me, host, inputs):  # online, or joining
                candidates.add(host)
        best = best_partition(candidates, inputs)
        if me not in best:
            # Fence at once only when the winners' own heartbeats say they lost me too; a winner whose slot
            # still says it hears me wrote it before the split: wait for newer evidence (or the watchdog).
            agreed = all(me not in inputs.slots[h].net for h in best if h in inputs.slots)
            return Decision(False, None, best, f"not in the best partition {sorted(best)} (rule 1)", fence_now=agreed)
        # A host outside the best partition leaves my liveset once it fenced (or went silent on storage too).
        pending = {
            h
            for h in inputs.liveset - best
            if h in inputs.slots and inputs.slots[h].alive and inputs.slots[h].state == "online"
        }
        return Decision(True, 1, best | pending, "statefile seen, in the best partition")
    everyone = set(inputs.uuids) - {me}
    if everyone <= inputs.net_peers and everyone <= inputs.peers_lost_statefile:
        return Decision(True, 2, frozenset(inputs.uuids), "statefile lost by every host; all see each other")
    missing = sorted(everyone - inputs.net_peers)
    why = f"no network heartbeat from {', '.join(missing)}" if missing else "other hosts still see the statefile"
    return Decision(False, None, frozenset({me}), f"statefile lost and {why}")


def join(inputs: Inputs) -> frozenset[str] | None:
    """A starting host's liveset once it may go online, else None.

    It joins when an online host with a fresh storage heartbeat counts it live; when no host is online
    (the whole pool rebooted), the starting hosts that see the statefile form the best partition.
    """
    if not inputs.sees_statefile:
        return None
    online = {h: s for h, s in inputs.slots.items() if h != inputs.me and s.fresh and s.state == "online"}
    for slot in online.values():
        if inputs.me in slot.liveset:
            return slot.liveset
    if online or not inputs.may_form:
        return None
    starting = {h for h, s in inputs.slots.items() if s.fresh and s.state == "starting"} | {inputs.me}
    best = best_partition(starting, inputs)
    return best if inputs.me in best else None


def grants_master_lock(me: str, holder: str | None, liveset: frozenset[str], uuids: dict[str, str]) -> bool:
    """xhad's answer to xapi's propose-master on ``me``: the lock is mine when I already hold it, or when its
    holder left the liveset and I hold the lowest UUID of the liveset (so two survivors never both take it).

    A survivor that holds the lock is granted it again: a master named by xapi (designate_new_master) may
    fail before it took the lock over, and xapi on the survivor must then become master on the lock it holds.
    """
    if me not in liveset:
        return False
    if holder == me:
        return True
    return holder not in liveset and me == min(liveset, key=lambda n: uuids[n])
