// Invokes a function from the page through /function/<name> and shows what came back: status, duration, headers,
// and the body as JSON, text, an image (kiosk-image) or a PDF to open (receipt).
import { el } from "./api.js";

const ORDER = {
  orderId: "ord-demo-1",
  store: { id: "store001", name: "Coffee Edge Demo" },
  items: [{ sku: "ESP-SGL", name: "Espresso", quantity: 2, unitPrice: 250 }],
  totals: { subtotal: 500, tax: 50, total: 550, currency: "EUR" },
  paymentId: "pay_demo_1",
  paidAt: "2026-01-01T08:00:00Z",
};

/** A request each function answers usefully, so "Invoke" works at the first click. */
const PRESETS = {
  "inventory-check": { method: "GET", path: "/?store=store001", body: "" },
  "fridge-temperature": { method: "GET", path: "/?store=store001", body: "" },
  "espresso-counter": { method: "GET", path: "/?store=store001", body: "" },
  receipt: { method: "POST", path: "/", body: JSON.stringify(ORDER, null, 2) },
  "kiosk-image": { method: "POST", path: "/?width=320", body: "", headers: "" },
};
const DEFAULT = { method: "POST", path: "/", body: '{"hello": "world"}' };
const JSON_HEADER = "Content-Type: application/json";

export function startInvokeForm(onInvoked) {
  const form = document.getElementById("invoke-form");
  const select = document.getElementById("invoke-fn");
  const result = document.getElementById("invoke-result");
  let lastUrl;

  const applyPreset = () => {
    const preset = PRESETS[select.value] ?? DEFAULT;
    form.method.value = preset.method;
    form.path.value = preset.path;
    form.body.value = preset.body;
    form.headers.value = preset.headers ?? JSON_HEADER;
  };
  select.addEventListener("change", applyPreset);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const file = form.file.files[0];
    const headers = parseHeaders(form.headers.value);
    if (file?.type && !headers.has("content-type")) headers.set("content-type", file.type);
    const method = form.method.value;
    const path = form.path.value.startsWith("/") ? form.path.value : `/${form.path.value}`;
    const hasBody = method !== "GET" && method !== "HEAD";
    result.replaceChildren(el("p", { class: "muted" }, `Calling ${select.value}…`));
    const started = performance.now();
    try {
      const res = await fetch(`/function/${encodeURIComponent(select.value)}${path}`, {
        method,
        headers,
        body: hasBody ? (file ?? form.body.value) : undefined,
      });
      const blob = await res.blob();
      if (lastUrl) URL.revokeObjectURL(lastUrl);
      lastUrl = URL.createObjectURL(blob);
      result.replaceChildren(...(await describe(res, blob, lastUrl, performance.now() - started)));
    } catch (error) {
      result.replaceChildren(el("p", { class: "error" }, `The call failed: ${error.message}`));
    }
    onInvoked();
  });

  return {
    setFunctions(names) {
      select.replaceChildren(...names.map((name) => el("option", {}, name)));
      applyPreset();
    },
    choose(name) {
      select.value = name;
      applyPreset();
      form.scrollIntoView({ behavior: "smooth", block: "start" });
      form.path.focus();
    },
  };
}

function parseHeaders(text) {
  const headers = new Headers();
  for (const line of text.split("\n")) {
    const at = line.indexOf(":");
    if (at > 0) headers.set(line.slice(0, at).trim(), line.slice(at + 1).trim());
  }
  return headers;
}

async function describe(res, blob, url, ms) {
  const type = res.headers.get("content-type") ?? "";
  const summary = el(
    "p",
    { class: res.ok ? "ok-text" : "error" },
    el("strong", { "data-status": String(res.status) }, `${res.status} ${res.statusText}`),
    ` in ${ms.toFixed(0)} ms (function: ${res.headers.get("x-duration-seconds") ?? "?"} s), ${blob.size} bytes`,
  );
  const headerList = el(
    "details",
    {},
    el("summary", {}, "Headers"),
    el("pre", {}, [...res.headers].map(([n, v]) => `${n}: ${v}`).join("\n")),
  );
  let body;
  if (type.startsWith("image/")) body = el("img", { src: url, alt: "The function's image answer" });
  else if (type.startsWith("application/pdf"))
    body = el("a", { href: url, target: "_blank", rel: "noopener" }, "Open the PDF");
  else if (/json|^text\//.test(type) || blob.size === 0)
    body = el("pre", { class: "answer" }, pretty(await blob.text()));
  else body = el("a", { href: url, download: "answer" }, `Download the answer (${type || "no content type"})`);
  return [summary, body, headerList];
}

function pretty(text) {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
