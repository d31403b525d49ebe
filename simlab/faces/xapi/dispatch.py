"""Route one XenAPI call: sessions, events, the generic per-class accessors, messages, and errors with real codes.

Wire names are xapi's: ``Class.call`` or its alternative ``Class_call`` (``event_from``), class names
case-sensitive; anything else is ``MESSAGE_METHOD_UNKNOWN [the name as sent]``. Parameter counts in
``MESSAGE_PARAMETER_COUNT_MISMATCH`` leave out the session, as xapi counts them.
"""

from __future__ import annotations

import threading
import time
import uuid as uuidlib
from typing import TYPE_CHECKING, Any

from simlab.faces.xapi import alerts, rwfields
from simlab.faces.xapi.classes import LISTED, NO_ASYNC, split_wire_name
from simlab.faces.xapi.methods import MESSAGES, SETTERS, Job, Message
from simlab.faces.xapi.records import ControlDomain
from simlab.faces.xapi.tables import BUILDERS
from simlab.faces.xapi.view import View
from simlab.faces.xapi.where import compile_where
from simlab.faces.xapi.wire import XapiError, as_map, ref
from simlab.model import tasks

if TYPE_CHECKING:
    from simlab.faces.xapi.events import EventLog
    from simlab.model.lab import Lab

_LOGIN = ("session.login_with_password", "session.login")
_EVENT_ARITY = {"from": 3, "next": 0, "register": 1, "unregister": 1, "get_current_id": 0, "inject": 2}


def _writable(cls: str, field: str, kind: str | None = None) -> bool:
    """A field a client may write: one with behaviour (SETTERS) or a plain RW field of the datamodel."""
    if (cls, field) in SETTERS:  # of those, only other_config is a map
        return kind is None or (kind == "map" and field == "other_config")
    return rwfields.is_rw(cls, field) and (kind is None or rwfields.RW[cls][field] == kind)


class Dispatcher:
    def __init__(self, lab: Lab, username: str, password: str, events: EventLog) -> None:
        self.lab = lab
        self._credentials = (username, password)
        self.events = events
        self.sessions: dict[str, dict[str, Any]] = {}
        self._sessions_lock = threading.Lock()
        self.since = time.time()

    def view(self) -> View:
        return View(self.lab, self.sessions, self.since, BUILDERS)

    def call(self, host: str, method: str, params: tuple[Any, ...]) -> Any:
        """Answer ``method`` as the endpoint of ``host``; raise XapiError for a Failure."""
        try:
            return self._call(host, method, params)
        except XapiError as exc:
            if exc.description[0] == "MESSAGE_METHOD_UNKNOWN":
                exc.description[1:] = [method]  # named as the client sent it
            raise

    def _call(self, host: str, method: str, params: tuple[Any, ...]) -> Any:
        self.lab.counters["xapi.call"] += 1
        if method.startswith("Async."):
            return self._async(host, method.removeprefix("Async."), params)
        found = split_wire_name(method)
        if found is None:
            raise XapiError("MESSAGE_METHOD_UNKNOWN", method)
        sent, (cls, name) = method, found
        method = f"{cls}.{name}"
        self.lab.counters[f"xapi.{method}"] += 1
        if method in _LOGIN:
            return self._login(host, method, params)
        if method == "session.logout":
            self._arity(method, params, 0)
            self._session(params)
            with self._sessions_lock:
                self.sessions.pop(params[0], None)
            self.events.forget(params[0])
            return ""
        if cls == "event":
            return self._event(sent, name, params)
        if cls == "message" and name not in alerts.CALLS:
            raise XapiError("MESSAGE_METHOD_UNKNOWN", sent)
        message = MESSAGES.get(method)
        if message is not None:
            self._arity(method, params, message.arity)
            self._session(params)
            return self._run(message, params[1:], lambda _f: None)
        return self._generic(cls, name, method, params)

    def _run(self, message: Message, args: tuple[Any, ...], progress: Any) -> Any:
        if message.locked:
            with self.lab.lock:
                result = message.handler(self.view(), *args)
        else:  # it takes the lock itself around model access (a PBD.plug waits on a real iSCSI login)
            result = message.handler(self.view(), *args)
        if message.mutates:
            self.lab.changed()
        if isinstance(result, Job):
            try:
                result = result.work(progress)
            finally:
                self.lab.changed()
        return result

    def _async(self, host: str, inner: str, params: tuple[Any, ...]) -> str:
        """``Async.<class>.<message>``: a task at once; the call runs in a thread of its own and ends the task."""
        found = split_wire_name(inner)
        message = MESSAGES.get(f"{found[0]}.{found[1]}") if found and found[0] not in NO_ASYNC else None
        if found is None or message is None:
            raise XapiError("MESSAGE_METHOD_UNKNOWN", f"Async.{inner}")
        method = f"{found[0]}.{found[1]}"
        self.lab.counters[f"xapi.Async.{method}"] += 1
        self._arity(f"Async.{method}", params, message.arity)
        self._session(params)
        task = tasks.create(self.lab, f"Async.{method}", host)

        def work(progress: Any) -> str:
            try:
                return str(self._run(message, params[1:], progress) or "")
            except XapiError as exc:
                raise tasks.Failed(exc.description) from None

        tasks.run_async(self.lab, task, work)
        return ref("task", task.uuid)

    def _event(self, sent: str, name: str, params: tuple[Any, ...]) -> Any:
        if name not in _EVENT_ARITY:
            raise XapiError("MESSAGE_METHOD_UNKNOWN", sent)
        self._arity(f"event.{name}", params, _EVENT_ARITY[name])
        self._session(params)
        session, args = params[0], params[1:]
        if name == "from":
            return self.events.wait_from(*args, session=session)
        if name == "next":
            return self.events.next(session)
        if name == "get_current_id":
            return self.events.current_id()
        if name == "inject":
            return self.events.inject(str(args[0]), str(args[1]))
        return getattr(self.events, name)(session, args[0])

    # -- sessions ----------------------------------------------------------------------------
    def _login(self, host: str, method: str, params: tuple[Any, ...]) -> str:
        if not 2 <= len(params) <= 4:  # version and originator have defaults
            raise XapiError("MESSAGE_PARAMETER_COUNT_MISMATCH", method, 2, len(params))
        with self.lab.lock:
            master = self.lab.master()
            if master is None or master.name != host:
                raise XapiError("HOST_IS_SLAVE", master.address if master else "")
        user, password = str(params[0]), str(params[1])
        if (user, password) != self._credentials:
            raise XapiError("SESSION_AUTHENTICATION_FAILED", user, "Authentication failure")
        ref = f"OpaqueRef:{uuidlib.uuid4()}"
        originator = str(params[3]) if len(params) > 3 else ""
        with self._sessions_lock:
            self.sessions[ref] = {
                "uuid": str(uuidlib.uuid4()),
                "host": host,
                "user": user,
                "originator": originator,
                "created": time.time(),
            }
        return ref

    def _session(self, params: tuple[Any, ...]) -> None:
        if params[0] not in self.sessions:
            raise XapiError("SESSION_INVALID", params[0])

    @staticmethod
    def _arity(method: str, params: tuple[Any, ...], after_session: int) -> None:
        if len(params) != after_session + 1:
            raise XapiError("MESSAGE_PARAMETER_COUNT_MISMATCH", method, after_session, len(params) - 1)

    # -- get_all, get_record, get_<field>, set_<field>, ... -------------------------------------
    def _generic(self, cls: str, name: str, method: str, params: tuple[Any, ...]) -> Any:
        arity = {
            "get_all": 0,
            "get_all_records": 0,
            "get_record": 1,
            "get_by_uuid": 1,
            "get_by_name_label": 1,
            "get_all_records_where": 1,
        }
        if name in arity:
            self._arity(method, params, arity[name])
        elif name.startswith("get_"):
            self._arity(method, params, 1)
        elif name.startswith("set_") and _writable(cls, name[4:]):
            self._arity(method, params, 2)
        elif name.startswith("add_to_") and _writable(cls, name[7:], "map"):
            self._arity(method, params, 3)
        elif (name.startswith("remove_from_") and _writable(cls, name[12:], "map")) or (
            name.startswith(("add_", "remove_")) and _writable(cls, name.split("_", 1)[1], "set")
        ):
            self._arity(method, params, 2)
        else:
            raise XapiError("MESSAGE_METHOD_UNKNOWN", method)
        self._session(params)
        args = params[1:]
        if name.startswith(("set_", "add_", "remove_")):
            with self.lab.lock:
                self._write(cls, name, args)
            self.lab.changed()
            return ""
        with self.lab.lock:
            view = self.view()
            if cls not in LISTED and name in ("get_all", "get_all_records", "get_all_records_where"):
                raise XapiError("MESSAGE_METHOD_UNKNOWN", method)
            if name == "get_all":
                return list(view.records(cls))
            if name == "get_all_records":
                return dict(view.records(cls))
            if name == "get_all_records_where":
                where = compile_where(args[0])
                return {r: rec for r, rec in view.records(cls).items() if where(rec)}
            if name == "get_record":
                return view.record(cls, args[0])
            if name == "get_by_uuid":
                return view.by_uuid(cls, str(args[0]))
            if name == "get_by_name_label":
                return [r for r, rec in view.records(cls).items() if rec.get("name_label") == args[0]]
            record = view.record(cls, args[0])
            field = name[4:]
            if field not in record:
                raise XapiError("MESSAGE_METHOD_UNKNOWN", method)
            return record[field]

    def _write(self, cls: str, name: str, args: tuple[Any, ...]) -> None:
        view = self.view()
        obj = view.obj(cls, args[0])
        if isinstance(obj, ControlDomain):
            raise XapiError("OPERATION_NOT_ALLOWED", "This operation is not allowed on a control domain")
        if name.startswith("set_"):
            self._set(view, cls, args[0], obj, name[4:], args[1])
            return
        if name.startswith(("add_to_", "remove_from_")):
            field = name.split("_", 2)[2]
            current = dict(view.record(cls, args[0])[field])
            if name.startswith("add_to_"):
                key, value = as_map({args[1]: args[2]}, field).popitem()
                if key in current:
                    raise XapiError("MAP_DUPLICATE_KEY", cls, field, args[0], key)
                current[key] = value
            else:
                current.pop(str(args[1]), None)
        else:  # add_<set field> / remove_<set field>, e.g. VM.add_tags
            field = name.split("_", 1)[1]
            current = [v for v in view.record(cls, args[0])[field] if v != args[1]]
            if name.startswith("add_"):
                current.append(args[1])
        self._set(view, cls, args[0], obj, field, current)

    def _set(self, view: Any, cls: str, obj_ref: str, obj: Any, field: str, value: Any) -> None:
        if (cls, field) in SETTERS:
            SETTERS[(cls, field)](view, obj, value)
        else:
            self.lab.xapi_fields.setdefault(obj_ref, {})[field] = rwfields.check(cls, field, value)
