import createDebug from "debug";

/** Debug loggers under `express-kakao-auth:*`. Callers pass codes and paths, never secrets or tokens. */
export const log = {
  config: createDebug("express-kakao-auth:config"),
  signin: createDebug("express-kakao-auth:signin"),
  callback: createDebug("express-kakao-auth:callback"),
  session: createDebug("express-kakao-auth:session"),
  api: createDebug("express-kakao-auth:api"),
  webhook: createDebug("express-kakao-auth:webhook"),
};

let warned = new Set<string>();

/** Warn once per process (startup advice such as a missing client secret). */
export function warnOnce(key: string, message: string): void {
  if (warned.has(key)) return;
  warned.add(key);
  console.warn(`[express-kakao-auth] ${message}`);
}

/** For tests: forget which warnings were printed. */
export function resetWarnings(): void {
  warned = new Set();
}
