import autocannon from "autocannon";
import { decryptJwe, deriveJweKeys, encryptJwe } from "../../lib/authjs/jwe.js";
import { startChild } from "./child.js";
import { SECRET } from "./constants.js";

const COOKIE = "authjs.session-token";
const CACHE_SIZE = 10_000; // the package's default session.cacheSize

export interface MemoryResult {
  tokens: number;
  rssBefore: number;
  rssAfter: number;
  heap: { seen: number; heapUsed: number; rss: number }[];
  bounded: boolean;
  errors: string[];
}

/** Sends `amount` requests cycling through `tokens` (50 connections), bounded by `timeoutMs`. */
function hit(url: string, tokens: string[], amount: number, timeoutMs: number): Promise<autocannon.Result> {
  let i = 0;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        connections: 50,
        amount,
        timeout: 10,
        requests: [
          {
            method: "GET",
            path: "/me",
            setupRequest: (req: autocannon.Request) => ({
              ...req,
              headers: { accept: "application/json", cookie: `${COOKIE}=${tokens[i++ % tokens.length]}` },
            }),
          },
        ],
      },
      (err, result) => {
        clearTimeout(timer);
        if (err) reject(err instanceof Error ? err : new Error(String(err)));
        else resolve(result);
      },
    );
    const timer = setTimeout(() => instance.stop(), timeoutMs);
  });
}

/**
 * RSS of the cookie-store server (LRU on, default size) before and after `total` distinct session
 * tokens, minted here with the package's own codec and the key derived from the shared secret.
 * Heap is sampled (after a forced GC) at each batch to show the LRU keeps it flat.
 */
export async function measureMemory(total: number, batches: number, timeoutMs: number): Promise<MemoryResult> {
  const server = await startChild("kakao-cookie", { BENCH_VARIANT: "cache" }, ["--expose-gc"]);
  const errors: string[] = [];
  try {
    const key = deriveJweKeys([SECRET], COOKIE);
    const template = decryptJwe(server.cookie!.slice(COOKIE.length + 1), key);
    if (!template) throw new Error("memory: could not decode the signed-in cookie");
    const {
      iat: _iat,
      exp,
      jti: _jti,
      kakao,
      ...rest
    } = template as { iat: number; exp: number; jti: string; kakao: { user: object } };
    const warm = await hit(server.url, [server.cookie!.slice(COOKIE.length + 1)], 5_000, timeoutMs);
    if (warm.non2xx || warm.errors) errors.push(`warm-up: ${warm.non2xx} non-2xx, ${warm.errors} errors`);
    const before = await server.stats(true);
    const heap: MemoryResult["heap"] = [{ seen: 0, heapUsed: before.heapUsed, rss: before.rss }];
    const per = Math.ceil(total / batches);
    const now = Math.floor(Date.now() / 1000);
    const deadline = Date.now() + timeoutMs;
    for (let b = 0; b < batches && Date.now() < deadline; b++) {
      const tokens = Array.from({ length: per }, (_, j) => {
        const id = String(5_000_000_000 + b * per + j);
        return encryptJwe({ ...rest, sub: id, kakao: { ...kakao, user: { ...kakao.user, id } } }, key[0]!, exp, now);
      });
      const r = await hit(server.url, tokens, per, deadline - Date.now());
      if (r.non2xx || r.errors || r.timeouts)
        errors.push(`batch ${b}: ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts`);
      if (r.requests.total < per)
        errors.push(`batch ${b}: only ${r.requests.total}/${per} requests before the time limit`);
      const s = await server.stats(true);
      heap.push({ seen: (b + 1) * per, heapUsed: s.heapUsed, rss: s.rss });
    }
    const last = heap[heap.length - 1]!;
    // Bounded: once twice the cache size has been seen, more tokens must not grow the heap (5 MB slack).
    const settled = heap.find((h) => h.seen >= 2 * CACHE_SIZE) ?? last;
    return {
      tokens: last.seen,
      rssBefore: before.rss,
      rssAfter: last.rss,
      heap,
      bounded: last.heapUsed <= settled.heapUsed + 5 * 2 ** 20,
      errors,
    };
  } finally {
    await server.stop();
  }
}
