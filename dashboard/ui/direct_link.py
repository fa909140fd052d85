"""The "Open the portal now" card: a one-minute, single-use link that follows what happened to it.

Scalekit tells an API client nothing about a link once minted, so the card goes by what it can
know in the browser: opened from here, or its minute over. Either way the link can no longer be
opened, so the card stops offering it (and its text) and says what to do instead.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

_CSS = """
.card { display: flex; flex-direction: column; gap: 10px; font-family: inherit; }
.open { align-self: flex-start; background: var(--st-primary-color, #5b5bd6); color: #fff;
        padding: 8px 16px; border-radius: 8px; text-decoration: none; font-weight: 600; }
code { display: block; white-space: pre-wrap; word-break: break-all; padding: 10px 12px;
       border-radius: 8px; background: var(--st-secondary-background-color, #f6f7fb); }
.note { color: var(--st-text-color, #1f2430); opacity: 0.75; font-size: 0.9rem; margin: 0; }
[role=timer] { font-weight: 600; }
"""

_JS = """
export default function (component) {
  const { data, parentElement } = component;
  const KEY = "portalDesk.directLinkOpened." + data.mint;
  let card = parentElement.querySelector(".card");
  if (!card) {
    card = document.createElement("div");
    card.className = "card";
    parentElement.appendChild(card);
  }
  const end = Date.parse(data.expires_at);
  let timer = null;
  const said = (text) => {
    card.replaceChildren();
    const note = document.createElement("p");
    note.className = "note";
    note.setAttribute("role", "status");
    note.textContent = text;
    card.appendChild(note);
    if (timer) clearInterval(timer);
  };
  const opened = () => said(data.opened_text);
  const expired = () => said(data.expired_text);
  if (sessionStorage.getItem(KEY)) { opened(); return () => {}; }
  if (Date.now() >= end) { expired(); return () => {}; }
  card.replaceChildren();
  const link = document.createElement("a");
  link.className = "open";
  link.href = data.location;
  link.target = "_blank";
  link.rel = "noopener noreferrer";
  link.textContent = "Open the admin portal";
  link.addEventListener("click", () => { sessionStorage.setItem(KEY, "1"); setTimeout(opened, 0); });
  const code = document.createElement("code");
  code.textContent = data.location;
  const clock = document.createElement("span");
  clock.setAttribute("role", "timer");
  const note = document.createElement("p");
  note.className = "note";
  note.textContent = data.note;
  card.append(link, code, clock, note);
  const tick = () => {
    const left = Math.max(0, Math.round((end - Date.now()) / 1000));
    if (left === 0) { expired(); return; }
    clock.textContent = "Expires in " + Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
    clock.style.color = left > 15 ? "inherit" : "#b42318";
  };
  tick();
  timer = setInterval(tick, 250);
  return () => { if (timer) clearInterval(timer); };
}
"""

_card = st.components.v2.component("portal_desk.direct_link", css=_CSS, js=_JS)

OPENED = (
    "Opened in a new tab. A direct link opens once: its portal session lasts up to 6 hours. "
    "For another, click Open the portal now again."
)
EXPIRED = (
    "This link's minute is over: it can no longer be opened. If the customer opened it in time, "
    "their session runs on (up to 6 hours); otherwise click Open the portal now for a fresh one."
)
NOTE = "Single use: the first browser to open it starts a session of up to 6 hours."


def direct_link_card(mint: int, location: str, expires_at: dt.datetime) -> None:
    """The link, its countdown and its copyable text, until it is opened here or expires. ``mint``:
    the history's row for it (not the link's id, a credential, which the browser would keep)."""
    with st.container(border=True):
        _card(
            data={
                "mint": mint,
                "location": location,
                "expires_at": expires_at.astimezone(dt.UTC).isoformat(),
                "note": NOTE,
                "opened_text": OPENED,
                "expired_text": EXPIRED,
            },
            key=f"direct-link-{mint}",
        )
