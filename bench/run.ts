// npm run bench [-- --quick] [--only=id,id] [--cpu-prof] [--flows=N]: every scenario in its own server process
// on 127.0.0.1, loaded by autocannon from this process; one table, then issue 7's target checks.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { killAll } from "./lib/child.js";
import { measureMemory, type MemoryResult } from "./lib/memory.js";
import { hasRedis, startRedis, type RedisServer } from "./lib/redis.js";
import { loadNote, machine, memoryLines, writeResults } from "./lib/results.js";
import { runMulti } from "./lib/multi.js";
import { medianOf, runLogins, runScenario, SCENARIOS } from "./lib/scenarios.js";
import { log, parseArgs, selected } from "./lib/settings.js";
import { formatTable, type Row } from "./lib/table.js";
import { checkTargets } from "./lib/targets.js";

const S = parseArgs(process.argv.slice(2), () => mkdtempSync(`${tmpdir()}/bench-prof-`));
process.on("exit", killAll);
for (const sig of ["SIGINT", "SIGTERM"] as const)
  process.on(sig, () => {
    killAll();
    process.exit(130);
  });

const started = performance.now();
const rows: Row[] = [];
let redis: RedisServer | undefined;
let memory: MemoryResult | undefined;
let memoryError: string | undefined;
try {
  const wanted = SCENARIOS.filter((sc) => selected(S, sc.id));
  const multi = (["plain", "redis"] as const).filter((v) => selected(S, `multi-${v}`));
  if ((wanted.some((sc) => sc.redis) || multi.includes("redis")) && hasRedis()) redis = await startRedis();
  rows.push(...(await medianOf(wanted, S.passes, (sc) => runScenario(sc, S, redis))));
  rows.push(
    ...(await medianOf(
      multi.map((v) => ({ id: `multi-${v}`, label: v, variant: v })),
      S.passes,
      ({ variant }) => runMulti(S, redis, variant),
    )),
  );
  rows.push(
    ...(await runLogins(S).catch((err: Error): Row[] => [{ id: "login", label: "login flows", error: err.message }])),
  );
  if (selected(S, "memory")) {
    log(`▶ memory: ${S.tokens} distinct session tokens`);
    memory = await measureMemory(S.tokens, S.batches, S.memoryDeadlineMs).catch((err: Error) => {
      memoryError = err.message;
      return undefined;
    });
    if (memory?.errors.length) memoryError = memory.errors.join("; ");
    if (memory && !memory.bounded) memoryError ??= "heap kept growing after the LRU was full";
  }
} finally {
  await redis?.stop();
}

const baseline = rows.find((r) => r.id === "express5" && !r.error)?.rps;
const lines = [
  ...(memory ? memoryLines(memory) : []),
  ...(memoryError ? [`memory: ERROR ${memoryError}`] : []),
  ...checkTargets(rows).map((t) => t.line),
];
const seconds = (performance.now() - started) / 1000;
console.log(
  `\n${machine()} · ${S.quick ? "quick" : "full"} run · ${S.connections} connections · ${S.passes} × ${S.seconds} s per scenario · ${loadNote()}\n`,
);
console.log(formatTable(rows, baseline));
console.log(`\n${lines.join("\n")}`);
const failed = rows.filter((r) => r.error && !r.skipped);
for (const r of failed) console.log(`error: ${r.label}: ${r.error}`);
if (S.profileDir) console.log(`cpu profiles: ${S.profileDir}/<scenario>/ (the largest file is the main thread)`);
console.log(`\nbench took ${seconds.toFixed(0)} s${S.quick ? " (quick: timings are not checked)" : ""}`);
if (!S.quick && !S.only) {
  const file = fileURLToPath(new URL("RESULTS.md", import.meta.url));
  writeResults(file, S, formatTable(rows, baseline, true), lines, seconds);
  log(`wrote ${file}`);
}
process.exitCode = failed.length || memoryError ? 1 : 0;
