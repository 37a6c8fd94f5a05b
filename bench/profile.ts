// tsx bench/profile.ts <file.cpuprofile> [top] [skipSeconds]: self time by function and by package/file
// from a `npm run bench -- --cpu-prof` profile, to find what bounds a scenario. Idle time is left out;
// skipSeconds drops the start of the profile (module loading, sign-in, warm-up).
import { readFileSync } from "node:fs";

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

const [file, topArg, skipArg] = process.argv.slice(2);
if (!file) throw new Error("usage: tsx bench/profile.ts <file.cpuprofile> [top]");
const top = Number(topArg ?? 25);
const p = JSON.parse(readFileSync(file, "utf8")) as Profile;
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const self = new Map<number, number>();
const skipUs = Number(skipArg ?? 0) * 1e6;
let clock = 0;
p.samples.forEach((id, i) => {
  clock += p.timeDeltas[i] ?? 0;
  if (clock < skipUs || byId.get(id)?.callFrame.functionName === "(idle)") return;
  self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0));
});
const total = [...self.values()].reduce((a, b) => a + b, 0);

const where = (url: string) => {
  const m = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (m) return m[1]!;
  if (url.includes("/lib/")) return `lib/${url.split("/lib/").pop()}`;
  if (url.includes("/bench/")) return "bench";
  return url.startsWith("node:") ? url : url ? "other" : "(native/gc)";
};
const sum = (key: (n: Node) => string) => {
  const m = new Map<string, number>();
  for (const [id, us] of self) {
    const k = key(byId.get(id)!);
    m.set(k, (m.get(k) ?? 0) + us);
  }
  return [...m].sort((a, b) => b[1] - a[1]).slice(0, top);
};
const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)}%`;
console.log(`${file}: ${(total / 1e6).toFixed(1)} s busy${skipUs ? ` after the first ${skipArg} s` : ""}`);
console.log("\nself time by function:");
for (const [k, us] of sum(
  (n) => `${n.callFrame.functionName || "(anonymous)"} ${where(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`,
))
  console.log(`${pct(us)}  ${k}`);
console.log("\nself time by package / file:");
for (const [k, us] of sum((n) => where(n.callFrame.url))) console.log(`${pct(us)}  ${k}`);
