// The live store: a chart per fridge with its status, each espresso machine's count for today against its
// threshold, and alerts as they happen. Readings and alerts come from the gateway's event stream (/ui/events);
// statuses and counts from the functions themselves (GET /function/fridge-temperature and espresso-counter).
import { el, every, getJson, timeOf } from "./api.js";
import { createFridgeChart } from "./fridge-chart.js";

const stores = new Map();
const alerts = [];
let thresholds = { max: 5, critical: 8 };

function storeOf(id) {
  let store = stores.get(id);
  if (!store) {
    store = { readings: new Map(), charts: new Map(), cards: new Map() };
    stores.set(id, store);
    const select = document.getElementById("store-select");
    if (!select.value) select.replaceChildren();
    select.append(el("option", { value: id }, id));
    if (select.options.length === 1) select.dispatchEvent(new Event("change"));
  }
  return store;
}

export function startStoreView(active) {
  const select = document.getElementById("store-select");
  const status = document.getElementById("live-state");
  // At most one round of questions to the functions a second, and none while another view is shown.
  const refreshSoon = throttle(() => {
    if (active()) refresh(select.value).catch((error) => console.warn(error));
  }, 1000);

  getJson("/system/function/fridge-temperature")
    .then((fn) => {
      const env = fn.envVars ?? {};
      thresholds = { max: Number(env.MAX_TEMP_C ?? 5), critical: Number(env.CRITICAL_TEMP_C ?? 8) };
    })
    .catch(() => {});

  const source = new EventSource("/ui/events");
  source.onopen = () => {
    status.textContent = "Live data: connected";
  };
  source.onerror = () => {
    status.textContent = "Live data: reconnecting…";
  };
  source.addEventListener("snapshot", (event) => {
    const { fridges, alerts: recent } = JSON.parse(event.data);
    for (const store of stores.values()) store.readings.clear();
    for (const { store, fridge, ts, tempC } of fridges) {
      for (const [i, at] of ts.entries()) addReading({ store, fridge, ts: at, tempC: tempC[i] }, select.value);
    }
    alerts.length = 0;
    for (const alert of recent) addAlert(alert);
    render(select.value);
  });
  source.addEventListener("reading", (event) => {
    const reading = JSON.parse(event.data);
    addReading(reading, select.value);
    if (reading.store === select.value) refreshSoon();
  });
  source.addEventListener("shot", (event) => {
    storeOf(JSON.parse(event.data).store);
    refreshSoon();
  });
  source.addEventListener("alert", (event) => {
    addAlert(JSON.parse(event.data));
    renderAlerts();
    refreshSoon();
  });

  select.addEventListener("change", () => render(select.value));
  every(5000, active, () => refresh(select.value));
}

function addReading(reading, shown) {
  const store = storeOf(reading.store);
  let series = store.readings.get(reading.fridge);
  if (!series) {
    series = [];
    store.readings.set(reading.fridge, series);
    if (reading.store === shown) render(shown);
  }
  series.push(reading);
  // A page left open for days keeps what the gateway keeps (4,320 a fridge), not everything since it opened.
  if (series.length > 4320) series.shift();
  store.charts.get(reading.fridge)?.add(reading.ts, reading.tempC);
}

function addAlert(alert) {
  storeOf(alert.store);
  alerts.unshift(alert);
  if (alerts.length > 100) alerts.pop();
}

/** Rebuilds the fridge cards of one store (a new fridge, or another store chosen). */
function render(id) {
  const container = document.getElementById("fridges");
  const store = stores.get(id);
  if (!store || store.readings.size === 0) {
    container.replaceChildren(el("p", { class: "muted" }, "Waiting for a fridge reading…"));
  } else {
    store.charts.clear();
    store.cards.clear();
    const cards = [...store.readings.keys()].sort().map((fridge) => {
      const state = el("p", { class: "state" }, "…");
      const chart = el("div", { class: "chart", role: "img", "aria-label": `Temperature of ${fridge} over time` });
      const card = el("article", { class: "card", "data-fridge": fridge }, el("h4", {}, fridge), state, chart);
      store.cards.set(fridge, state);
      return { card, chart, fridge };
    });
    container.replaceChildren(...cards.map(({ card }) => card));
    for (const { chart, fridge } of cards) {
      const plot = createFridgeChart(chart, thresholds);
      for (const reading of store.readings.get(fridge)) plot.add(reading.ts, reading.tempC);
      store.charts.set(fridge, plot);
    }
  }
  renderAlerts();
  refresh(id).catch((error) => console.warn(error));
}

function renderAlerts() {
  const list = document.getElementById("alerts");
  if (alerts.length === 0) return;
  list.replaceChildren(
    ...alerts.slice(0, 50).map((alert) => {
      const detail =
        alert.tempC !== undefined
          ? `, ${alert.tempC} °C`
          : alert.count !== undefined
            ? `, ${alert.count} of ${alert.threshold} shots`
            : "";
      return el(
        "li",
        { class: `alert ${alert.status}`, "data-store": alert.store },
        el("time", { datetime: alert.at }, timeOf(Date.parse(alert.at))),
        ` ${alert.store} · ${alert.device}: `,
        el("strong", {}, alert.message),
        ` (${alert.status}${detail})`,
      );
    }),
  );
}

/** Asks the functions for the store's current fridge statuses and today's espresso counts. */
async function refresh(id) {
  if (!id) return;
  const query = `?store=${encodeURIComponent(id)}`;
  const [fridges, espresso] = await Promise.all([
    getJson(`/function/fridge-temperature${query}`).catch(() => undefined),
    getJson(`/function/espresso-counter${query}`).catch(() => undefined),
  ]);
  const store = stores.get(id);
  for (const fridge of fridges?.fridges ?? []) {
    const state = store?.cards.get(fridge.fridge);
    if (!state) continue;
    state.className = `state ${fridge.status}`;
    state.textContent = `${fridge.tempC} °C · ${fridge.status} since ${timeOf(Date.parse(fridge.since))}`;
  }
  if (espresso) renderMachines(espresso.machines);
}

function renderMachines(machines) {
  const body = document.querySelector("#machines tbody");
  if (machines.length === 0) {
    body.replaceChildren(el("tr", {}, el("td", { colspan: "4", class: "muted" }, "No shot today")));
    return;
  }
  body.replaceChildren(
    ...machines.map((machine) =>
      el(
        "tr",
        { "data-machine": machine.machine },
        el("th", { scope: "row" }, machine.machine),
        el(
          "td",
          { class: "num" },
          String(machine.count),
          " ",
          el("progress", {
            max: String(machine.threshold),
            value: String(Math.min(machine.count, machine.threshold)),
            "aria-label": `${machine.count} of ${machine.threshold}`,
          }),
        ),
        el("td", { class: "num" }, String(machine.threshold)),
        el("td", {}, el("span", { class: machine.status === "normal" ? "badge ok" : "badge warn" }, machine.status)),
      ),
    ),
  );
}

/** Runs `work` once at the end of each `ms` window in which it was asked for (a busy store cannot flood it). */
function throttle(work, ms) {
  let timer;
  return () => {
    if (timer !== undefined) return;
    timer = setTimeout(() => {
      timer = undefined;
      work();
    }, ms);
  };
}
