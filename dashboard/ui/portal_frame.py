"""The embedded admin portal: an iframe exactly as a product embeds it, plus a listener that
hands the portal's UI events back to Python. Inline HTML/JS through st.components.v2, no build."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import streamlit as st

# The iframe survives reruns (a height change must not reload a single-use link); it is only
# replaced when Python passes a new link. Messages count only if they come from the link's origin
# and from this frame's window.
_JS = """
export default function (component) {
  const { data, parentElement, setStateValue, setTriggerValue } = component;
  // Every link this tab framed: a link is single-use, so one framed already is spent. Streamlit
  // mounts a component afresh when its place on the page moves; that mount must not load the
  // link again (the portal would answer "link unavailable").
  const framed = (window.portalDeskFramed = window.portalDeskFramed || new Map());
  let frame = parentElement.querySelector("iframe");
  if (!frame || frame.dataset.link !== data.link_id) {
    if (frame) { frame.remove(); }
    const seen = framed.get(data.link_id);  // a weak reference: a removed frame is not kept alive
    const earlier = seen && seen.deref();
    if (earlier && earlier.isConnected && typeof parentElement.moveBefore === "function") {
      parentElement.moveBefore(earlier, null);  // a live move: the portal keeps its page
      frame = earlier;
    } else if (seen) {
      const note = document.createElement("p");
      note.textContent = "Opening a fresh portal link…";
      parentElement.replaceChildren(note);
      setTriggerValue("spent", data.link_id);
      return;
    } else {
      frame = document.createElement("iframe");
      frame.dataset.link = data.link_id;
      frame.title = "Scalekit admin portal";
      frame.setAttribute("allow", "clipboard-write");
      frame.setAttribute("frameborder", "0");
      frame.style.width = "100%";
      frame.style.border = "1px solid #e3e6ef";
      frame.style.borderRadius = "8px";
      frame.src = data.src;
      frame.portalEvents = [];
      frame.portalSeq = 0;
      framed.set(data.link_id, new WeakRef(frame));
      parentElement.replaceChildren(frame);
    }
  }
  frame.style.height = data.height + "px";

  const listener = (event) => {
    if (event.origin !== data.origin || event.source !== frame.contentWindow) { return; }
    if (frame.parentNode !== parentElement) { return; }  // moved to a newer mount: it listens
    const message = event.data;
    if (!message || typeof message !== "object" || typeof message.event_type !== "string") { return; }
    let size = 0;
    try { size = JSON.stringify(message).length; } catch (error) { return; }
    if (size > 8192) { return; }  // a documented event is a few hundred bytes
    frame.portalSeq += 1;
    // Only the latest events travel back: Python stores what is new by sequence number.
    const numbered = Object.assign({}, message, { seq: frame.portalSeq });
    frame.portalEvents = frame.portalEvents.concat([numbered]).slice(-50);
    // One update per burst: each update reruns the page, and a burst sent call by call could
    // lose its last events to a rerun already under way.
    clearTimeout(frame.portalFlush);
    frame.portalFlush = setTimeout(() => {
      setStateValue("events", { link_id: data.link_id, items: frame.portalEvents });
    }, 150);
  };
  window.addEventListener("message", listener);
  return () => window.removeEventListener("message", listener);
}
"""

_portal = st.components.v2.component("portal_desk.admin_portal", js=_JS)


@dataclass(frozen=True)
class MountedPortal:
    events: list[dict[str, Any]]  # the latest this link's portal posted (at most 50), each with a ``seq``
    spent: bool  # the browser had framed this link already and did not load it again: mint another


def admin_portal(*, link_id: str, src: str, origin: str, height: int) -> MountedPortal:
    """Mount the portal for one single-use link."""
    result = _portal(
        data={"link_id": link_id, "src": src, "origin": origin, "height": height},
        key="admin_portal",
        default={"events": None},
        on_events_change=lambda: None,
        on_spent_change=lambda: None,
        height=height + 4,
    )
    events = result.events if result is not None else None
    spent = result is not None and result.spent == link_id
    if not events or events.get("link_id") != link_id:
        return MountedPortal(events=[], spent=spent)
    return MountedPortal(events=list(events.get("items") or []), spent=spent)
