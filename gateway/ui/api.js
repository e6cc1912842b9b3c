// The gateway's API as the page uses it. Same origin: the browser sends the basic-auth credentials it asked for
// at /ui/ (same realm) to /system/ too, as OpenFaaS's own portal relies on.

export async function getJson(url, signal) {
  const res = await fetch(url, { signal, headers: { accept: "application/json" } });
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** Invocations and 5xx per function from the gateway's Prometheus text. */
export async function invocationTotals() {
  const text = await (await fetch("/metrics")).text();
  const totals = new Map();
  const line = /^gateway_function_invocation_total\{([^}]*)\} ([0-9.e+]+)$/gm;
  for (const [, labels, value] of text.matchAll(line)) {
    const fn = /function_name="([^".]+)/.exec(labels)?.[1];
    const code = Number(/code="(\d+)"/.exec(labels)?.[1]);
    if (!fn) continue;
    const entry = totals.get(fn) ?? { total: 0, errors: 0 };
    entry.total += Number(value);
    if (code >= 500) entry.errors += Number(value);
    totals.set(fn, entry);
  }
  return totals;
}

/** Builds an element: el("td", { class: "x" }, "text", child). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value !== undefined && value !== false) node.setAttribute(name, value === true ? "" : value);
  }
  node.append(...children.filter((child) => child !== undefined && child !== null));
  return node;
}

export function timeOf(ms) {
  return new Date(ms).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

/** Runs `work` now and every `ms` while `active()` says the view is shown. */
export function every(ms, active, work) {
  const tick = () => {
    if (active()) work().catch((error) => console.warn(error));
  };
  tick();
  return setInterval(tick, ms);
}
