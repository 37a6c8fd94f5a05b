import autocannon from "autocannon";

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  errors: number;
  non2xx: number;
  timeouts: number;
  /** Server CPU time (user + system) per measured request, µs: robust where throughput is noisy. */
  cpuPerRequest: number | undefined;
}

export interface LoadOptions {
  url: string;
  /** The session the load presents: a Cookie header or a bearer Authorization header. */
  session?: Record<string, string>;
  seconds: number;
  warmupSeconds: number;
  connections: number;
  /** The server's CPU time so far, µs. */
  serverCpu?: () => Promise<number>;
}

function run(
  url: string,
  headers: Record<string, string>,
  seconds: number,
  connections: number,
): Promise<autocannon.Result> {
  return autocannon({ url, headers, duration: seconds, connections, timeout: 10 });
}

/** Warms the server up (results dropped), then loads `GET url` for a fixed time. */
export async function load(o: LoadOptions): Promise<LoadResult> {
  const headers: Record<string, string> = { accept: "application/json", ...o.session };
  if (o.warmupSeconds > 0) await run(o.url, headers, o.warmupSeconds, o.connections);
  const cpu0 = await o.serverCpu?.();
  const r = await run(o.url, headers, o.seconds, o.connections);
  const cpu1 = await o.serverCpu?.();
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    requests: r.requests.total,
    errors: r.errors,
    non2xx: r.non2xx,
    timeouts: r.timeouts,
    cpuPerRequest:
      cpu0 !== undefined && cpu1 !== undefined && r.requests.total ? (cpu1 - cpu0) / r.requests.total : undefined,
  };
}

/** One request before the load: the scenario must answer 200 with the expected body. */
export async function verify(
  url: string,
  session: Record<string, string>,
  expect: (body: string) => boolean,
): Promise<void> {
  const res = await fetch(url, {
    headers: { accept: "application/json", ...session },
    signal: AbortSignal.timeout(10_000),
  });
  const body = await res.text();
  if (res.status !== 200 || !expect(body)) throw new Error(`GET ${url} answered ${res.status}: ${body.slice(0, 200)}`);
}
