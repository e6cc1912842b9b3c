// The dashboard: four views on one page, chosen by the URL's hash so each can be bookmarked and the back button works.
import { startFunctionsView } from "./functions-view.js";
import { startJobsView } from "./jobs-view.js";
import { startLogsView } from "./logs-view.js";
import { startStoreView } from "./store-view.js";

const VIEWS = ["functions", "store", "jobs", "logs"];

function current() {
  const name = location.hash.slice(1);
  return VIEWS.includes(name) ? name : "functions";
}

function show() {
  const name = current();
  for (const view of VIEWS) document.getElementById(view).hidden = view !== name;
  for (const link of document.querySelectorAll("nav a")) {
    if (link.getAttribute("href") === `#${name}`) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  document.dispatchEvent(new CustomEvent("view", { detail: name }));
}

const shown = (name) => () => current() === name && !document.hidden;
window.addEventListener("hashchange", show);
show();
const functions = startFunctionsView(shown("functions"));
startStoreView(shown("store"));
startJobsView(shown("jobs"));
startLogsView(shown("logs"), functions.names);
