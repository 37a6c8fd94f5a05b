/** Command line and per-mode sizes; every loop in the bench is bounded by these. */
export interface Settings {
  quick: boolean;
  only: string[] | undefined;
  profileDir: string | undefined;
  passes: number;
  seconds: number;
  warmup: number;
  connections: number;
  flows: number;
  flowWarmup: number;
  flowDeadlineMs: number;
  tokens: number;
  batches: number;
  memoryDeadlineMs: number;
}

// Full mode runs each scenario in three passes (every other one in reverse order) and reports the
// median pass with the spread: on a shared 2-core machine single runs move by ±10%.
const QUICK = {
  passes: 1,
  seconds: 3,
  warmup: 1,
  flows: 60,
  flowWarmup: 5,
  flowDeadlineMs: 30_000,
  tokens: 30_000,
  batches: 3,
  memoryDeadlineMs: 60_000,
};
const FULL = {
  passes: 3,
  seconds: 4,
  warmup: 2,
  flows: 600,
  flowWarmup: 100,
  flowDeadlineMs: 60_000,
  tokens: 100_000,
  batches: 5,
  memoryDeadlineMs: 180_000,
};

export function parseArgs(args: string[], mkProfileDir: () => string): Settings {
  const quick = args.includes("--quick");
  const only = args
    .find((a) => a.startsWith("--only="))
    ?.slice("--only=".length)
    .split(",");
  const profileDir = args.includes("--cpu-prof") ? mkProfileDir() : undefined;
  const flows = Number(args.find((a) => a.startsWith("--flows="))?.slice("--flows=".length));
  const base = { quick, only, profileDir, connections: 50, ...(quick ? QUICK : FULL) };
  // --flows=N: more login flows (e.g. to profile the login path), still bounded by flowDeadlineMs.
  return Number.isInteger(flows) && flows > 0 ? { ...base, flows } : base;
}

export const selected = (s: Settings, id: string): boolean => !s.only || s.only.includes(id);

/** Extra node flags for a server child: one `--cpu-prof` directory per scenario (the tsx loader thread writes its own file). */
export const nodeArgs = (s: Settings, id: string): string[] =>
  s.profileDir ? ["--cpu-prof", `--cpu-prof-dir=${s.profileDir}/${id}`] : [];

export const log = (msg: string): void => void process.stderr.write(`${msg}\n`);
