"""A countdown that ticks in the browser: a one-minute link's remaining time, without reruns."""

from __future__ import annotations

import datetime as dt

import streamlit as st

_JS = """
export default function (component) {
  const { data, parentElement } = component;
  let box = parentElement.querySelector("span");
  if (!box) {
    box = document.createElement("span");
    box.setAttribute("role", "timer");
    box.style.fontWeight = "600";
    parentElement.appendChild(box);
  }
  const end = Date.parse(data.expires_at);
  const tick = () => {
    const left = Math.max(0, Math.round((end - Date.now()) / 1000));
    box.textContent = left > 0
      ? data.label + " " + Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0")
      : data.expired;
    box.style.color = left > 15 ? "inherit" : "#b42318";
  };
  tick();
  const timer = setInterval(tick, 250);
  return () => clearInterval(timer);
}
"""

_countdown = st.components.v2.component("portal_desk.countdown", js=_JS)


def countdown(
    expires_at: dt.datetime, *, key: str, label: str = "Expires in", expired: str = "Expired"
) -> None:
    _countdown(
        data={"expires_at": expires_at.astimezone(dt.UTC).isoformat(), "label": label, "expired": expired},
        key=key,
        height=28,
    )
