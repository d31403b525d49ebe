"""What a XenAPI message is to the dispatcher: its handler and how to call it, and the long part of a call."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Message:
    arity: int  # parameters after the session
    handler: Callable[..., Any]
    mutates: bool = True
    locked: bool = True  # called with lab.lock held; an unlocked handler takes it itself around model access


@dataclass(frozen=True)
class Job:
    """What a long call does after its checks, outside ``lab.lock``: ``work(progress) -> result``.

    A handler returns one when the call takes time (a live migration); the dispatcher runs it in the
    request's thread (sync) or the task's (``Async.``), and it raises XapiError as a handler would.
    """

    work: Callable[[Callable[[float], None]], str]
