"""A Streamlit session over its own websocket protocol: what a browser tab sends and waits for.

One `Session` speaks to `ws://HOST:PORT/_stcore/stream` with the protobuf classes the installed
Streamlit ships (BackMsg out, ForwardMsg in), so one asyncio process can hold many sessions
without a browser each. A run is one BackMsg `rerun_script` (the page, the widget values, a
button's trigger), timed until the server's `script_finished` says the run ended successfully;
runs ended early by `st.rerun()` or `st.switch_page()` are followed to the run that finishes.
Widgets are found by their user key: Streamlit's widget id ends with "-" + the key.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

STREAM_PATH = "/_stcore/stream"
FINISHED = ForwardMsg.ScriptFinishedStatus
ERROR_ALERT, SUCCESS_ALERT = 1, 4  # Alert.Format: st.error (every failure shown), st.success


@dataclass
class Widget:
    key: str  # the user key given in the page ("explore-query")
    id: str  # Streamlit's id for this run
    kind: str  # the Element field: "button", "text_input", "radio", ...
    proto: object  # the element's protobuf message (label, type, disabled, ...)


@dataclass
class Run:
    """What one run sent back: its time, its widgets by key, the texts shown, the errors."""

    seconds: float = 0.0
    widgets: dict[str, Widget] = field(default_factory=dict)
    texts: list[str] = field(default_factory=list)  # headings, markdown, alerts
    errors: list[str] = field(default_factory=list)  # exceptions and st.error alerts
    successes: list[str] = field(default_factory=list)  # st.success alerts
    pages: dict[str, str] = field(default_factory=dict)  # url path -> page script hash


class SessionError(RuntimeError):
    """The server closed the session, answered nothing in time, or could not compile a page."""


class Session:
    """One browser tab's conversation with the app, one run at a time."""

    def __init__(self, url: str, timeout: float = 120.0):
        self.url = url.rstrip("/").replace("http://", "ws://", 1) + STREAM_PATH
        self.timeout = timeout
        self.page_hash = ""  # the page now shown ("" until the server names one)
        self.pages: dict[str, str] = {}  # url path ("" for the default page) -> script hash
        self.last = Run()
        self.values: dict[str, str] = {}  # widget values this person set, by key
        self._socket = None

    async def __aenter__(self) -> Session:
        # Streamlit reads the first subprotocol entry as the protocol to select.
        self._socket = await websockets.connect(
            self.url, subprotocols=["streamlit"], max_size=None, open_timeout=self.timeout
        )
        return self

    async def __aexit__(self, *exc) -> None:
        if self._socket is not None:
            await self._socket.close()

    async def run(
        self,
        page: str | None = None,
        values: dict[str, object] | None = None,
        click: str | None = None,
    ) -> Run:
        """Rerun the app on `page` (a url path; default: the page shown), with the widget
        values given by key on top of those of the last run, and `click` (a button's key)
        pressed once, as a browser does when a person clicks."""
        message = BackMsg()
        state = message.rerun_script
        state.page_script_hash = self.pages.get(page, "") if page is not None else self.page_hash
        for widget in self._widget_states(values or {}, click):
            state.widget_states.widgets.append(widget)
        start = time.perf_counter()
        await self._socket.send(message.SerializeToString())
        run = await asyncio.wait_for(self._until_finished(), self.timeout)
        run.seconds = time.perf_counter() - start
        self.last = run
        return run

    def _widget_states(self, values: dict[str, object], click: str | None) -> list[WidgetState]:
        """The values set so far of the widgets the last run showed, with `values` on top, and
        a click as a trigger sent once (buttons not clicked send nothing, as in a browser).
        Text, radio and select boxes all travel as strings."""
        missing = [key for key in [*values, click] if key and key not in self.last.widgets]
        if missing:
            raise SessionError(f"no widget with key {missing[0]!r} on the page shown")
        self.values.update({key: str(value) for key, value in values.items()})
        states = []
        for key, widget in self.last.widgets.items():
            if key in self.values:
                states.append(WidgetState(id=widget.id, string_value=self.values[key]))
            elif key == click:
                states.append(WidgetState(id=widget.id, trigger_value=True))
        return states

    async def _until_finished(self) -> Run:
        run = Run()
        while True:
            try:
                data = await self._socket.recv()
            except websockets.ConnectionClosed as err:
                raise SessionError(f"the server closed the session ({err})") from None
            message = ForwardMsg()
            message.ParseFromString(data)
            kind = message.WhichOneof("type")
            if kind == "delta" and message.delta.WhichOneof("type") == "new_element":
                widget = _read_element(message.delta.new_element, run)
                if widget and getattr(widget.proto, "set_value", False):
                    self.values.pop(widget.key, None)  # the page set it: the server's wins
            elif kind == "new_session":
                self.page_hash = message.new_session.page_script_hash
                run = Run(errors=run.errors)  # a new run (after st.rerun): its own elements
            elif kind == "navigation":
                self.pages = {
                    p.url_pathname: p.page_script_hash for p in message.navigation.app_pages
                }
                self.page_hash = message.navigation.page_script_hash or self.page_hash
                run.pages = dict(self.pages)
            elif kind == "page_not_found":
                run.errors.append("page not found")
            elif kind == "script_finished":
                if message.script_finished == FINISHED.FINISHED_WITH_COMPILE_ERROR:
                    raise SessionError("the page did not compile")
                if message.script_finished != FINISHED.FINISHED_EARLY_FOR_RERUN:
                    return run


def _read_element(element, run: Run) -> Widget | None:
    """Note the element in the run: its text, an error, or a widget (returned)."""
    kind = element.WhichOneof("type")
    proto = getattr(element, kind)
    if kind == "exception":
        run.errors.append(f"{proto.type}: {proto.message}")
    elif kind == "alert":
        if proto.format == ERROR_ALERT:
            run.errors.append(proto.body)
        elif proto.format == SUCCESS_ALERT:
            run.successes.append(proto.body)
        run.texts.append(proto.body)
    elif kind in ("heading", "markdown"):
        run.texts.append(proto.body)
        return None
    widget_id = getattr(proto, "id", "") if "id" in proto.DESCRIPTOR.fields_by_name else ""
    if not widget_id.startswith("$$ID-"):
        return None
    # "$$ID-<hash>-<user key>": the hash holds no "-", the key may
    widget = Widget(widget_id.split("-", 2)[2], widget_id, kind, proto)
    run.widgets[widget.key] = widget
    return widget
