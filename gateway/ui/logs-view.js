// Tails a function's logs: GET /system/logs?follow=true streams NDJSON lines until another function is chosen.
import { el } from "./api.js";

// Text nodes kept (one per chunk received), so a chatty function cannot fill the memory of a phone.
const MAX_CHUNKS = 1000;

export function startLogsView(active, names) {
  const form = document.getElementById("logs-form");
  const select = document.getElementById("logs-fn");
  const out = document.getElementById("log-lines");
  let following;

  document.addEventListener("functions", (event) => {
    if (select.options.length > 0) return;
    select.replaceChildren(...event.detail.map((name) => el("option", {}, name)));
  });
  document.addEventListener("view", () => {
    if (!active()) following?.abort();
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    following?.abort();
    following = new AbortController();
    out.textContent = "";
    follow(select.value || names()[0], form.tail.value, out, following.signal).catch((error) => {
      if (error.name !== "AbortError") out.append(`\n(the stream ended: ${error.message})`);
    });
  });
}

async function follow(name, tail, out, signal) {
  const res = await fetch(`/system/logs?name=${encodeURIComponent(name)}&tail=${Number(tail) || 100}&follow=true`, {
    signal,
  });
  if (!res.ok) throw new Error(`${res.status} ${await res.text()}`);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let rest = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    const lines = (rest + value).split("\n");
    rest = lines.pop();
    const text = lines
      .filter(Boolean)
      .map((line) => {
        const entry = JSON.parse(line);
        return `${entry.timestamp.slice(11, 23)} ${entry.instance} | ${entry.text}\n`;
      })
      .join("");
    const atBottom = out.scrollTop + out.clientHeight >= out.scrollHeight - 4;
    out.append(text);
    while (out.childNodes.length > MAX_CHUNKS) out.firstChild.remove();
    if (atBottom) out.scrollTop = out.scrollHeight;
  }
}
