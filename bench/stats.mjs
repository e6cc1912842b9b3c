// Small helpers shared by the benchmark sections: medians, alternating rounds, and table printing.

export const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Median of every numeric key over a list of runs: [{rps, p50}, …] → {rps, p50}. */
export function medianOfRuns(runs) {
  return Object.fromEntries(Object.keys(runs[0]).map((key) => [key, median(runs.map((run) => run[key]))]));
}

/**
 * Runs `measureOne(name)` for every name, `rounds` times, alternating the order each round so neither side
 * always runs on a warmer or busier machine. Returns { name: [result, …] }.
 */
export async function alternate(names, rounds, measureOne) {
  const runs = Object.fromEntries(names.map((name) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const name of round % 2 === 0 ? names : [...names].reverse()) runs[name].push(await measureOne(name));
  }
  return runs;
}

export const fmt = (n, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : "n/a");

/** Prints a Markdown table (the README quotes these as they are). */
export function printTable(title, rows) {
  const widths = rows[0].map((_, col) => Math.max(...rows.map((row) => String(row[col]).length)));
  console.log(`\n${title}\n`);
  for (const [index, row] of rows.entries()) {
    console.log(`| ${row.map((cell, col) => String(cell).padEnd(widths[col])).join(" | ")} |`);
    if (index === 0) console.log(`| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`);
  }
}
