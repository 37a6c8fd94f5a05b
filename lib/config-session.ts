import { fail, failUnknown, kindOf } from "./config-errors.js";
import type { KakaoSessionOptions } from "./types.js";

export interface ResolvedSessionConfig {
  store: "cookie" | "express-session";
  maxAge: number;
  absoluteDuration: number;
  rolling: boolean;
  updateAge: number;
  cacheSize: number;
  bearer: boolean;
  maxPerUser: number | undefined;
}

const DAY = 24 * 60 * 60;
const SESSION_OPTIONS = [
  "store",
  "maxAge",
  "absoluteDuration",
  "rolling",
  "updateAge",
  "cacheSize",
  "bearer",
  "maxPerUser",
];

/** The unit each numeric option counts in, named in its messages: "10s" is not a timeout in milliseconds. */
type Unit = "milliseconds" | "seconds" | "entries" | "sessions";

/** `timeout: 10000` or `session: { maxAge: 86400 }`: how the option is written with that value. */
function written(option: string, value: number): string {
  const [outer, inner] = option.split(".");
  return inner === undefined ? `${option}: ${value}` : `${outer}: { ${inner}: ${value} }`;
}

export function wholeNumber(option: string, value: unknown, unit: Unit, fallback: number, allowZero = false): number {
  if (value === undefined) return fallback;
  if (typeof value === "number" && Number.isInteger(value) && (value > 0 || (allowZero && value === 0))) return value;
  const shown =
    typeof value === "string" ? JSON.stringify(value) : typeof value === "number" ? String(value) : kindOf(value);
  fail(
    option,
    undefined,
    `is ${shown}, not a ${allowZero ? "non-negative" : "positive"} whole number of ${unit}`,
    `Use a number of ${unit}, e.g. ${written(option, fallback)}.`,
  );
}

export function resolveSession(s: KakaoSessionOptions | undefined, hasRedis: boolean): ResolvedSessionConfig {
  if (s?.maxPerUser !== undefined && !hasRedis)
    fail(
      "session.maxPerUser",
      undefined,
      "needs the redis option: the sessions of a user are counted across instances in Redis",
      "Pass kakaoAuth({ redis: redisClient, session: { maxPerUser } }).",
    );
  if (s !== undefined && (typeof s !== "object" || s === null || Array.isArray(s)))
    fail("session", undefined, `is ${kindOf(s)}, not an object`, 'E.g. session: { store: "cookie", maxAge: 2592000 }.');
  for (const key of Object.keys(s ?? {}))
    if (!SESSION_OPTIONS.includes(key))
      failUnknown("session.", key, SESSION_OPTIONS, "is not a session option", "Known session options");
  const store = s?.store ?? "cookie";
  if (store !== "cookie" && store !== "express-session")
    fail(
      "session.store",
      undefined,
      `is "${String(store)}", not a store`,
      'Use "cookie" (default) or "express-session" (with any express-session store, e.g. connect-redis).',
    );
  return {
    store,
    maxAge: wholeNumber("session.maxAge", s?.maxAge, "seconds", 30 * DAY),
    absoluteDuration: wholeNumber("session.absoluteDuration", s?.absoluteDuration, "seconds", 60 * DAY),
    rolling: s?.rolling ?? true,
    updateAge: wholeNumber("session.updateAge", s?.updateAge, "seconds", DAY, true),
    cacheSize: wholeNumber("session.cacheSize", s?.cacheSize, "entries", 10_000, true),
    bearer: flag("session.bearer", s?.bearer),
    maxPerUser:
      s?.maxPerUser === undefined ? undefined : wholeNumber("session.maxPerUser", s.maxPerUser, "sessions", 1),
  };
}

function flag(option: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== "boolean")
    fail(option, undefined, `is ${kindOf(value)}, not true or false`, `Set ${option}: true or leave it out.`);
  return value;
}
