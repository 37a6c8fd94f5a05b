/** One row of the results table; `rps` is flows/s for login rows, `error` marks a failed scenario. */
export interface Row {
  id: string;
  label: string;
  rps?: number;
  p50?: number;
  p99?: number;
  /** Server CPU µs per request. */
  cpu?: number | undefined;
  unit?: "req/s" | "flows/s";
  error?: string;
  /** Not run on this machine (e.g. no redis-server outside CI): not a failure. */
  skipped?: boolean;
  /** How many passes the row is the median of, and their spread (half the min–max range / median). */
  passes?: number;
  spread?: number;
  /** Redis commands per request (multi-instance scenario with redis). */
  redisPerRequest?: number;
}

const HEAD = ["scenario", "req/s (median)", "spread", "p50 ms", "p99 ms", "× Express 5", "server CPU µs/req"];

function cells(row: Row, baseline: number | undefined): string[] {
  if (row.error || row.rps === undefined) return [row.label, row.skipped ? "skipped" : "ERROR", "", "", "", "", ""];
  const ratio = row.unit === "flows/s" || !baseline ? "—" : `${(row.rps / baseline).toFixed(2)}×`;
  const rps = row.unit === "flows/s" ? `${row.rps.toFixed(1)} flows/s` : Math.round(row.rps).toLocaleString("en-US");
  // autocannon reports whole milliseconds; login latencies are measured to the microsecond.
  const ms = (v: number | undefined) =>
    v === undefined || Number.isNaN(v) ? "" : Number.isInteger(v) ? String(v) : v.toFixed(1);
  const cpu = row.cpu === undefined ? "" : row.unit === "flows/s" ? `${row.cpu.toFixed(0)} /flow` : row.cpu.toFixed(0);
  const spread = row.spread === undefined ? "" : `±${(row.spread * 100).toFixed(1)}% of ${row.passes}`;
  return [row.label, rps, spread, ms(row.p50), ms(row.p99), ratio, cpu];
}

/** The table as aligned text (terminal) or Markdown (RESULTS.md, padded the way Prettier pads it). */
export function formatTable(rows: Row[], baseline: number | undefined, markdown = false): string {
  const body = rows.map((r) => cells(r, baseline));
  const widths = HEAD.map((h, i) => Math.max(h.length, ...body.map((c) => c[i]!.length)));
  const pad = (v: string, i: number) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!));
  if (markdown) {
    const line = (c: string[]) => `| ${c.map(pad).join(" | ")} |`;
    const rule = `| ${widths.map((w, i) => (i === 0 ? "-".repeat(w) : `${"-".repeat(w - 1)}:`)).join(" | ")} |`;
    return [line(HEAD), rule, ...body.map(line)].join("\n");
  }
  const line = (c: string[]) => c.map(pad).join("  ");
  return [line(HEAD), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(line)].join("\n");
}
