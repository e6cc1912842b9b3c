// Recent async calls (POST /async-function/…) with their state, attempts and callback, newest first, every 3 s.
import { el, every, getJson, timeOf } from "./api.js";

export function startJobsView(active) {
  const body = document.querySelector("#job-table tbody");
  const refresh = async () => {
    const jobs = await getJson("/ui/api/jobs?limit=50");
    if (jobs.length === 0) {
      body.replaceChildren(el("tr", {}, el("td", { colspan: "7", class: "muted" }, "No async call yet")));
      return;
    }
    body.replaceChildren(...jobs.map(row));
  };
  every(3000, active, refresh);
  document.addEventListener("view", (event) => {
    if (event.detail === "jobs") refresh().catch((error) => console.warn(error));
  });
}

function row(job) {
  const state = job.awaitingCallback ? `${job.state} (callback)` : job.state;
  const callback = job.callbackUrl
    ? `${job.callbackStatus ?? "not yet"} after ${job.callbackAttempts} tr${job.callbackAttempts === 1 ? "y" : "ies"}`
    : "none";
  return el(
    "tr",
    { "data-call-id": job.callId, "data-state": job.state },
    el("td", {}, timeOf(job.acceptedAt)),
    el("th", { scope: "row" }, job.functionName),
    el(
      "td",
      {},
      el("span", { class: `badge ${job.state}` }, state),
      job.lastError ? el("small", { class: "block" }, job.lastError) : undefined,
    ),
    el("td", { class: "num" }, String(job.attempts)),
    el("td", { class: "num" }, job.status === undefined ? "–" : String(job.status)),
    el("td", { title: job.callbackUrl ?? "" }, callback),
    el("td", {}, el("code", {}, job.callId)),
  );
}
