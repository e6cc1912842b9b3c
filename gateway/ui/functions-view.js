// Every function with its replicas, invocations, 5xx share and triggers; refreshed every 5 s and after an invocation.
import { el, every, getJson, invocationTotals } from "./api.js";
import { startInvokeForm } from "./invoke-form.js";

/** Labels and annotations worth reading at a glance; the rest are OpenFaaS's bookkeeping. */
const SHOWN = /^(topic|schedule|com\.openfaas\.scale\.|response-topic)/;

export function startFunctionsView(active) {
  const body = document.querySelector("#function-table tbody");
  let names = [];
  let first = true;
  const refresh = async () => {
    const [list, totals] = await Promise.all([getJson("/system/functions"), invocationTotals()]);
    list.sort((a, b) => a.name.localeCompare(b.name));
    names = list.map((fn) => fn.name);
    body.replaceChildren(...list.map((fn) => row(fn, totals.get(fn.name), form)));
    if (first) form.setFunctions(names);
    first = false;
    document.dispatchEvent(new CustomEvent("functions", { detail: names }));
  };
  const form = startInvokeForm(() => refresh().catch((error) => console.warn(error)));
  every(5000, () => active() || first, refresh);
  document.addEventListener("view", (event) => {
    if (event.detail === "functions") refresh().catch((error) => console.warn(error));
  });
  return { names: () => names };
}

function row(fn, totals = { total: 0, errors: 0 }, form) {
  const zero = fn.replicas === 0 && fn.availableReplicas === 0;
  const replicas = zero
    ? el("span", { class: "badge idle" }, "scaled to zero")
    : el(
        "span",
        { class: fn.availableReplicas < fn.replicas ? "badge warn" : "badge ok" },
        `${fn.availableReplicas} of ${fn.replicas} ready`,
      );
  const errors = totals.total === 0 ? "–" : `${((100 * totals.errors) / totals.total).toFixed(1)} %`;
  const tags = Object.entries({ ...fn.annotations, ...fn.labels })
    .filter(([name]) => SHOWN.test(name))
    .map(([name, value]) => el("li", {}, el("code", {}, `${name.replace("com.openfaas.", "")}: ${value}`)));
  const invoke = el("button", { type: "button", "aria-label": `Invoke ${fn.name}` }, "Invoke");
  invoke.addEventListener("click", () => form.choose(fn.name));
  return el(
    "tr",
    { "data-function": fn.name, "data-replicas": String(fn.replicas) },
    el("th", { scope: "row" }, fn.name),
    el("td", {}, replicas),
    el("td", { class: "num" }, String(totals.total)),
    el("td", { class: "num" }, errors),
    el("td", {}, el("ul", { class: "tags" }, ...tags)),
    el("td", {}, invoke),
  );
}
