import type { EmulatorState } from "./context.js";
import { withQuery } from "./http.js";
import type { UnlinkWebhookParams } from "./types.js";

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

/**
 * Sends Kakao's unlink webhook (§5.6) to a loopback URL: `Authorization: KakaoAK <admin key>`,
 * `app_id`, `user_id` (string), `referrer_type`, as a GET query or a POST form. Redirects are not
 * followed. By default the user is unlinked inside the emulator first, as Kakao sends the webhook
 * after the unlink is done.
 */
export async function sendUnlinkWebhook(
  emu: EmulatorState,
  url: string,
  p: UnlinkWebhookParams,
): Promise<{ status: number; ms: number; body: string }> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new TypeError(`sendUnlinkWebhook: not a URL: ${url}`);
  }
  if (!/^https?:$/.test(target.protocol) || !LOOPBACK.has(target.hostname)) {
    throw new TypeError(`sendUnlinkWebhook: only loopback http(s) URLs are allowed, got ${target.origin}`);
  }
  if (p.unlink !== false && emu.store.users.has(p.userId)) emu.store.unlink(p.userId);
  const fields: Array<[string, string]> = [
    ["app_id", p.appId ?? emu.config.appId],
    ["user_id", p.userId],
    ["referrer_type", p.referrerType ?? "UNLINK_FROM_APPS"],
  ];
  // no keep-alive: a receiver's server.close() in a test must not wait for this socket
  const headers: Record<string, string> = { Connection: "close" };
  const key = p.adminKey === undefined ? emu.config.adminKey : p.adminKey;
  if (key !== null) headers.Authorization = `KakaoAK ${key}`;
  const method = p.method ?? "POST";
  let body: string | undefined;
  let finalUrl = url;
  if (method === "GET") {
    finalUrl = withQuery(url, fields);
  } else {
    body = new URLSearchParams(fields).toString();
    headers["Content-Type"] = "application/x-www-form-urlencoded;charset=utf-8";
  }
  Object.assign(headers, p.headers);
  const started = performance.now();
  const res = await fetch(finalUrl, {
    method,
    headers,
    body,
    redirect: "manual",
    signal: AbortSignal.timeout(p.timeoutMs ?? 10_000),
  });
  const text = await res.text();
  return { status: res.status, ms: Math.round(performance.now() - started), body: text };
}
