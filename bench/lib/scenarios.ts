import { startChild } from "./child.js";
import { USER_ID } from "./constants.js";
import { load, verify } from "./load.js";
import { authjsFlow, exchangeFlow, kakaoFlow, runFlows } from "./login.js";
import type { RedisServer } from "./redis.js";
import { log, nodeArgs, selected, type Settings } from "./settings.js";
import type { Row } from "./table.js";

export interface Scenario {
  id: string;
  label: string;
  /** File under bench/servers/ (without .ts). */
  server: string;
  env?: Record<string, string>;
  redis?: boolean;
  /** The body `GET /me` must answer before the load starts. */
  expect: (body: string) => boolean;
}

const signedIn = (b: string) => b.includes(USER_ID);
const anonymous = (b: string) => b === "null";

export const SCENARIOS: Scenario[] = [
  { id: "express5", label: "plain Express 5 (ceiling)", server: "express5", expect: signedIn },
  { id: "express4", label: "plain Express 4", server: "express4", expect: signedIn },
  { id: "express5-noop", label: "plain Express 5 + one no-op middleware", server: "express5-noop", expect: signedIn },
  {
    id: "kakao-anon",
    label: "kakaoAuth cookie: anonymous",
    server: "kakao-cookie",
    env: { BENCH_VARIANT: "anon" },
    expect: anonymous,
  },
  {
    id: "kakao-cache",
    label: "kakaoAuth cookie: signed in (LRU hit)",
    server: "kakao-cookie",
    env: { BENCH_VARIANT: "cache" },
    expect: signedIn,
  },
  {
    id: "kakao-bearer",
    label: "kakaoAuth bearer session (LRU hit)",
    server: "kakao-cookie",
    env: { BENCH_VARIANT: "bearer" },
    expect: signedIn,
  },
  {
    id: "kakao-nocache",
    label: "kakaoAuth cookie: signed in, cacheSize 0",
    server: "kakao-cookie",
    env: { BENCH_VARIANT: "nocache" },
    expect: signedIn,
  },
  {
    id: "kakao-memory",
    label: "kakaoAuth express-session + MemoryStore",
    server: "kakao-session",
    env: { BENCH_STORE: "memory" },
    expect: signedIn,
  },
  {
    id: "kakao-redis",
    label: "kakaoAuth express-session + Redis",
    server: "kakao-session",
    env: { BENCH_STORE: "redis" },
    redis: true,
    expect: signedIn,
  },
  { id: "authjs", label: "@auth/express getSession()", server: "authjs-getsession", expect: signedIn },
  {
    id: "passport",
    label: "passport-kakao + express-session + Redis",
    server: "passport-redis",
    redis: true,
    expect: signedIn,
  },
  { id: "oidc", label: "express-openid-connect (appSession)", server: "openid-connect", expect: signedIn },
];

/** One pass of one scenario: its own server process, a check request, warm-up, measured load. */
export async function runScenario(sc: Scenario, s: Settings, redis: RedisServer | undefined): Promise<Row> {
  const row: Row = { id: sc.id, label: sc.label };
  if (sc.redis && !redis)
    return {
      ...row,
      error: "redis-server not installed (apt-get install redis-server)",
      skipped: process.env.CI !== "true",
    };
  const child = await startChild(
    sc.server,
    { ...sc.env, ...(redis ? { BENCH_REDIS_URL: redis.url } : {}) },
    nodeArgs(s, sc.id),
  );
  try {
    const url = `${child.url}/me`;
    const session: Record<string, string> = {
      ...(child.cookie ? { cookie: child.cookie } : {}),
      ...(child.extra.authorization ? { authorization: child.extra.authorization } : {}),
    };
    await verify(url, session, sc.expect);
    const r = await load({
      url,
      session,
      seconds: s.seconds,
      warmupSeconds: s.warmup,
      connections: s.connections,
      serverCpu: async () => (await child.stats()).cpu,
    });
    if (r.errors || r.non2xx || r.timeouts || r.requests === 0)
      return { ...row, error: `${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts of ${r.requests}` };
    return { ...row, rps: r.rps, p50: r.p50, p99: r.p99, cpu: r.cpuPerRequest };
  } finally {
    await child.stop();
  }
}

/**
 * Runs `passes` rounds over `items` (every other round reversed) and keeps, per item, the pass with
 * the median throughput, with the spread of all passes (min/max as ± around the median): the
 * machine is shared, so one pass alone says little and the best pass flatters (DEVELOPERS.md).
 */
export async function medianOf<T extends { id: string; label: string }>(
  items: T[],
  passes: number,
  run: (item: T) => Promise<Row>,
): Promise<Row[]> {
  const rows = new Map<string, Row[]>();
  for (let pass = 0; pass < passes; pass++) {
    for (const item of pass % 2 ? [...items].reverse() : items) {
      if (rows.get(item.id)?.some((r) => r.error)) continue;
      log(`▶ ${item.label}${passes > 1 ? ` (pass ${pass + 1}/${passes})` : ""}`);
      const row = await run(item).catch((err: Error): Row => ({ id: item.id, label: item.label, error: err.message }));
      log(row.error ? `  ✗ ${row.error}` : `  ${row.rps!.toFixed(0)} ${row.unit ?? "req/s"}`);
      rows.set(item.id, [...(rows.get(item.id) ?? []), row]);
    }
  }
  return items.map((i) => {
    const all = rows.get(i.id)!;
    const failed = all.find((r) => r.error);
    if (failed) return failed;
    const sorted = [...all].sort((a, b) => a.rps! - b.rps!);
    const median = sorted[Math.floor((sorted.length - 1) / 2)]!;
    const spread = sorted.length > 1 ? (sorted.at(-1)!.rps! - sorted[0]!.rps!) / 2 / median.rps! : undefined;
    return { ...median, passes: all.length, ...(spread === undefined ? {} : { spread }) };
  });
}

const LOGINS = [
  { id: "login-kakao", label: "login flow: kakaoAuth (callback p50/p99)", server: "login-kakao", flow: kakaoFlow },
  { id: "login-authjs", label: "login flow: @auth/express stock Kakao", server: "login-authjs", flow: authjsFlow },
  {
    id: "login-exchange",
    label: "SDK token exchange: kakaoAuth (request p50/p99)",
    server: "login-kakao",
    flow: (app: string, signal: AbortSignal, extra: Record<string, string>) =>
      exchangeFlow(app, signal, nextSdkToken(extra)),
  },
];

let sdkTokens: string[] | undefined;
let sdkNext = 0;
/** The next unused SDK id_token the emulator child minted (each is accepted once). */
function nextSdkToken(extra: Record<string, string>): { idToken: string; nonce: string } {
  sdkTokens ??= JSON.parse(extra.idTokens ?? "[]") as string[];
  const i = sdkNext++;
  const idToken = sdkTokens[i];
  if (!idToken) throw new Error("bench: out of SDK id_tokens (raise BENCH_SDK_TOKENS)");
  return { idToken, nonce: `bench-${i}` };
}

/** Login throughput: both servers against one emulator process, flows driven from this process. */
export async function runLogins(s: Settings): Promise<Row[]> {
  const sides = LOGINS.filter((x) => selected(s, x.id));
  if (!sides.length) return [];
  const emulator = await startChild("emulator");
  const { url, clientId, clientSecret, appId, nativeKey } = emulator.extra;
  const env = {
    BENCH_EMULATOR_URL: url!,
    BENCH_CLIENT_ID: clientId!,
    BENCH_CLIENT_SECRET: clientSecret!,
    BENCH_APP_ID: appId!,
    BENCH_NATIVE_KEY: nativeKey!,
  };
  try {
    return await medianOf(sides, s.passes, async ({ id, label, server, flow: run }) => {
      const flow = (app: string, signal: AbortSignal) => run(app, signal, emulator.extra);
      const child = await startChild(server, env, nodeArgs(s, id));
      try {
        const warm = await runFlows(flow, child.url, {
          total: s.flowWarmup,
          inFlight: 10,
          deadlineMs: s.flowDeadlineMs,
        });
        const cpu0 = (await child.stats()).cpu;
        const total = Math.ceil(s.flows / s.passes);
        const r = await runFlows(flow, child.url, { total, inFlight: 10, deadlineMs: s.flowDeadlineMs });
        const cpu = ((await child.stats()).cpu - cpu0) / Math.max(1, r.flows);
        const errors = [...warm.errors, ...r.errors];
        if (errors.length) return { id, label, error: errors.slice(0, 3).join("; ") };
        return { id, label, unit: "flows/s", rps: r.perSecond, p50: r.p50, p99: r.p99, cpu };
      } finally {
        await child.stop();
      }
    });
  } finally {
    await emulator.stop();
  }
}
