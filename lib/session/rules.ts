import type { ResolvedSessionConfig } from "../config.js";
import type { RevocationList } from "./revocation.js";
import type { KakaoSessionData } from "../types.js";

/** Shape check for session data read back from a cookie or a store: anything else is no session. */
export function isSessionData(value: unknown): value is KakaoSessionData {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Partial<KakaoSessionData>;
  return (
    typeof v.loginAt === "number" &&
    typeof v.user === "object" &&
    v.user !== null &&
    typeof v.user.id === "string" &&
    Array.isArray(v.user.scopes) &&
    typeof v.user.authTime === "number" &&
    (v.sessionId === undefined || typeof v.sessionId === "string")
  );
}

/** The rules both stores apply on every read: absolute lifetime and revocation. */
export function isSessionLive(
  data: KakaoSessionData,
  nowMs: number,
  session: ResolvedSessionConfig,
  revocations: RevocationList,
): boolean {
  if (data.loginAt + session.absoluteDuration * 1000 <= nowMs) return false;
  if (data.sessionId !== undefined && revocations.sessionRevoked(data.sessionId)) return false;
  const revoked = revocations.revokedAt(data.user.id);
  return revoked === undefined || data.loginAt > revoked;
}

/** When the idle expiry must end: the rolling window, capped by the absolute lifetime (seconds). */
export function sessionExpiry(data: KakaoSessionData, nowMs: number, session: ResolvedSessionConfig): number {
  return Math.min(
    Math.floor(nowMs / 1000) + session.maxAge,
    Math.floor(data.loginAt / 1000) + session.absoluteDuration,
  );
}
