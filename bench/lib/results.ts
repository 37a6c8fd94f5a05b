import { writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import type { MemoryResult } from "./memory.js";
import type { Settings } from "./settings.js";

export function machine(): string {
  return `${cpus().length} × ${cpus()[0]?.model ?? "unknown CPU"}, Node ${process.version}, ${process.platform}/${process.arch}`;
}

const loadAtStart = loadavg()[0]!;
/** Other processes competing for the 2 cores skew every number: say so next to the results. */
export function loadNote(): string {
  const busy = loadAtStart > 1 ? " (the machine was busy before the bench started: numbers are noisy)" : "";
  return `1-min load average ${loadAtStart.toFixed(2)} at start, ${loadavg()[0]!.toFixed(2)} at end${busy}`;
}

const MB = (n: number) => `${(n / 2 ** 20).toFixed(1)} MB`;
export function memoryLines(m: MemoryResult): string[] {
  const steps = m.heap.map((h) => `${(h.seen / 1000).toFixed(0)}k ${MB(h.heapUsed)} / ${MB(h.rss)}`).join(", ");
  return [
    `memory: cookie store (LRU 10,000), ${m.tokens.toLocaleString("en-US")} distinct session tokens: RSS ${MB(m.rssBefore)} before → ${MB(m.rssAfter)} after`,
    `memory: after GC, by tokens seen (heap used / RSS): ${steps} → ${m.bounded ? "bounded (heap flat once the LRU is full)" : "NOT bounded"}`,
  ];
}

/** bench/RESULTS.md from a full run: table, memory and target lines, machine, how to rerun. */
export function writeResults(file: string, s: Settings, table: string, lines: string[], seconds: number): void {
  const md = `# Benchmark results

Latest full run of \`npm run bench\` (${new Date().toISOString().slice(0, 10)}, ${seconds.toFixed(0)} s in all).

- **Machine:** ${machine()} (\`nproc\` = ${cpus().length}); ${loadNote()}.
- **Load:** autocannon in the parent process, ${s.connections} connections; each scenario runs ${s.passes} passes (the second in
  reverse order) of ${s.warmup} s warm-up + ${s.seconds} s measured, and the median pass is shown with the spread of all passes (± half the min–max range). Each server runs in its own
  \`node --import tsx\` child process on 127.0.0.1 (\`NODE_ENV=production\`). Every scenario answers \`GET /me\` with the
  signed-in user's JSON (the anonymous one answers \`null\`); ratios are against plain Express 5 in the same run.
  "server CPU µs/req" is the server process's user + system CPU time per measured request: steadier than req/s when
  other processes compete for the two cores.

${table}

${lines.map((l) => `- ${l}`).join("\n")}

## Notes

- Login flows: ${s.flows} full sign-ins per side in ${s.passes} passes (${s.flowWarmup} warm-up each, median pass shown), 10 in
  flight, driven over HTTP from the parent through the Kakao emulator (its own process); p50/p99 are of the callback
  request. Both login servers run on Express 4, because \`@auth/express\` mounted as its docs show
  (\`app.use("/auth/*", ExpressAuth(…))\`) does not work on Express 5. The stock provider needs \`GET /auth/csrf\`, then
  \`POST /auth/signin/kakao\`; ours starts with \`GET /auth/signin/kakao\`.
- Sessions: our scenarios sign in with \`signInAs()\` through the emulator; \`@auth/express\` reads a cookie minted with
  \`@auth/core/jwt\` \`encode\` (salt \`authjs.session-token\`) and a \`session\` callback that adds \`user.id\`; passport's
  session comes from \`req.login()\`; \`express-openid-connect\` logs in once through the emulator in OIDC mode (code
  flow, \`client_secret_post\`, id_token checked) and then reads its encrypted \`appSession\` cookie.
- Redis scenarios share one \`redis-server\` started on a free loopback port without persistence.
- Memory: session tokens are minted in the parent with the package's own codec (\`lib/jwe.ts\`), each for a distinct user
  id, and sent once each; heap and RSS are sampled after a forced GC. The RSS baseline includes the tsx loader.

## Rerun

\`\`\`sh
npm ci && sudo apt-get install -y redis-server   # redis-server for the Redis scenarios
npm run bench                  # full run (about ${Math.ceil(seconds / 60)} min); rewrites this file
npm run bench -- --quick       # ~3 s per scenario, the CI smoke test: fails only when a scenario errors
npm run bench -- --only=express5,kakao-cache --cpu-prof   # a subset, with a .cpuprofile per server
npx tsx bench/profile.ts /tmp/bench-prof-*/kakao-cache/CPU.*.0.001.cpuprofile   # self time by function
\`\`\`
`;
  writeFileSync(file, md);
}
