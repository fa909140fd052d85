"""The embedded admin portal: an iframe exactly as a product embeds it, plus a listener that
hands the portal's UI events back to Python. Inline HTML/JS through st.components.v2, no build."""

from __future__ import annotations

from typing import Any

import streamlit as st

# The iframe survives reruns (a height change must not reload a single-use link); it is only
# replaced when Python passes a new link. Messages count only if they come from the link's origin.
_JS = """
export default function (component) {
  const { data, parentElement, setStateValue } = component;
  let frame = parentElement.querySelector("iframe");
  if (!frame || frame.dataset.link !== data.link_id) {
    if (frame) { frame.remove(); }
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
    parentElement.appendChild(frame);
  }
  frame.style.height = data.height + "px";
  // Streamlit can mount the component afresh while the previous mount still shows (a rerun under
  // load): one portal on the page, never the same link framed twice.
  document.querySelectorAll("iframe[data-link]").forEach((other) => {
    if (other !== frame && other.dataset.link === data.link_id) { other.remove(); }
  });

  const listener = (event) => {
    if (event.origin !== data.origin) { return; }
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


def admin_portal(*, link_id: str, src: str, origin: str, height: int) -> list[dict[str, Any]]:
    """Mount the portal; returns the latest events this link's portal posted (at most 50), each
    with an increasing ``seq``."""
    result = _portal(
        data={"link_id": link_id, "src": src, "origin": origin, "height": height},
        key="admin_portal",
        default={"events": None},
        on_events_change=lambda: None,
        height=height + 4,
    )
    events = result.events if result is not None else None
    if not events or events.get("link_id") != link_id:
        return []
    return list(events.get("items") or [])
