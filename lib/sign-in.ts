import { randomUUID } from "node:crypto";
import type { Request } from "express";
import type { ResolvedConfig } from "./config.js";
import { KakaoAuthError } from "./errors.js";
import type { KakaoProfile } from "./kakao/profile.js";
import type { KakaoSessionData, KakaoTokens, KakaoTokenSet, KakaoUser } from "./types.js";

/** A new login's session data: a fresh random id, stable across renewals (sign-out revokes it). */
export function newSession(user: KakaoUser, tokens?: KakaoTokens): KakaoSessionData {
  const data: KakaoSessionData = { user, loginAt: Date.now(), sessionId: randomUUID() };
  if (tokens) data.tokens = tokens;
  return data;
}

/** What the app's hooks decided about a login: the user to store, or a refusal. */
export type SignInVerdict = { ok: true; user: KakaoUser } | { ok: false };

function bounded<T>(work: (signal: AbortSignal) => Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const abort = new AbortController();
  return Promise.race([
    work(abort.signal),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new KakaoAuthError("ERR_KAKAO_SIGN_IN_HOOK", `${what} took longer than timeout (${ms} ms).`);
        // The hook is told, so it can roll back what it started: the login has failed.
        abort.abort(error);
        reject(error);
      }, ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * Runs the app's `profile` and `onSignIn` for a login (web callback, SDK token exchange, test
 * sign-in), each bounded by `timeout`: a hook that hangs on a database must not hold the login.
 * `onSignIn` may return `false` (refuse), nothing (keep the user), or the user to store with the
 * app's own fields. A throw, a rejection or a timeout of either is an `ERR_KAKAO_SIGN_IN_HOOK`:
 * the login fails and no session is written.
 */
export async function runSignInHooks(
  config: ResolvedConfig,
  event: { profile: KakaoProfile; tokens: KakaoTokenSet; defaults: KakaoUser; req: Request | undefined },
): Promise<SignInVerdict> {
  let user = event.defaults;
  if (config.profile) {
    try {
      user = await bounded(
        () => Promise.resolve(config.profile!(event.profile, event.tokens, event.defaults)),
        config.timeout,
        "The profile option",
      );
    } catch (err) {
      if ((err as { code?: unknown }).code === "ERR_KAKAO_SIGN_IN_HOOK") throw err;
      throw new KakaoAuthError("ERR_KAKAO_SIGN_IN_HOOK", `The profile option failed: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }
  if (!config.onSignIn || !event.req) return { ok: true, user };
  let verdict: unknown;
  try {
    const onSignIn = config.onSignIn;
    const req = event.req;
    verdict = await bounded(
      (signal) => Promise.resolve(onSignIn({ user, profile: event.profile, tokens: event.tokens, req, signal })),
      config.timeout,
      "onSignIn",
    );
  } catch (err) {
    if ((err as { code?: unknown }).code === "ERR_KAKAO_SIGN_IN_HOOK") throw err;
    throw new KakaoAuthError("ERR_KAKAO_SIGN_IN_HOOK", `onSignIn failed: ${(err as Error).message}`, { cause: err });
  }
  if (verdict === false) return { ok: false };
  if (verdict === undefined || verdict === true || verdict === null) return { ok: true, user };
  const stored = verdict as KakaoUser;
  // The session is the Kakao user's: a hook may add fields, not swap who signed in.
  if (typeof stored !== "object" || stored.id !== user.id)
    throw new KakaoAuthError(
      "ERR_KAKAO_SIGN_IN_HOOK",
      "onSignIn returned a user with another id: return false, nothing, or the same user with your fields.",
    );
  return { ok: true, user: { ...user, ...stored, id: user.id } };
}
