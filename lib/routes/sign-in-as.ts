import { randomUUID } from "node:crypto";
import type { Request, Response } from "express";
import { KakaoContext } from "../context.js";
import { sessionClaims } from "../authjs/session-claims.js";
import { newSession, runSignInHooks } from "../sign-in.js";
import type { KakaoAuthInstance } from "../instance.js";
import { defaultKakaoUser, type KakaoProfile } from "../kakao/profile.js";
import type { RequestState } from "../session/request-state.js";
import type { KakaoSessionData, KakaoTokenSet, KakaoUser } from "../types.js";
import { NO_STORE, type RouteDeps } from "./route.js";

/**
 * `signInAs()` from `express-kakao-auth/testing` reaches the app's own session writer through one
 * request that carries a single-use ticket in this header. A ticket exists only while a test in
 * this process is signing in (a random value in a process-global map, deleted at first use), so in
 * production, where nobody creates one, the header is ignored and the request goes on as any other.
 */
export const SIGN_IN_AS_HEADER = "x-express-kakao-auth-sign-in-as";
/**
 * `Symbol.for`, not a module-level map: the ESM and CommonJS builds, and the `testing` bundle
 * (which carries its own copy of this file), must all see the same tickets.
 */
const TICKETS = Symbol.for("express-kakao-auth.sign-in-as-tickets");

/** What `kakaoAuth()` tells `signInAs()` about itself (nothing secret). */
export interface SignInAsTarget {
  authOrigin: string;
  /** Where the auth routes are served, mount path included. */
  basePath: string;
}

/** How a ticket's request ended: signed in, or why not (`cause` is what the app's hook threw). */
export type SignInAsOutcome = { ok: true } | { ok: false; reason: string; cause?: unknown };

export interface SignInAsTicket {
  /** The Kakao profile to sign in, as `/v2/user/me` would answer it. */
  profile: KakaoProfile;
  /** Consent items the login grants, as the token response's `scope` would list them. */
  scopes: string[];
  /** `"probe"` only reports the target; `"write"` creates the session on this response. */
  mode: "probe" | "write";
  /** Count the login as one that made the user authenticate now (`authTime`). */
  freshLogin: boolean;
  /** Called once the request reached a `kakaoAuth()`: its target, and the outcome of a write. */
  settle(target: SignInAsTarget, outcome: SignInAsOutcome): void;
}

type TicketMap = Map<string, SignInAsTicket>;

function tickets(): TicketMap {
  const g = globalThis as { [TICKETS]?: TicketMap };
  return (g[TICKETS] ??= new Map<string, SignInAsTicket>());
}

/** Registers a ticket for one request; returns the header value. */
export function issueSignInAsTicket(ticket: SignInAsTicket): string {
  const id = randomUUID();
  tickets().set(id, ticket);
  return id;
}

export function withdrawSignInAsTicket(id: string): void {
  tickets().delete(id);
}

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * The session a real login would create for this profile: the app's `profile` and `onSignIn`
 * hooks run as in the callback (authjs/config.ts), with a token set that carries only `scope`
 * (no Kakao tokens exist: nothing here talks to Kakao).
 */
async function sessionFor(
  instance: KakaoAuthInstance,
  req: Request,
  ticket: SignInAsTicket,
): Promise<{ ok: true; data: KakaoSessionData } | (SignInAsOutcome & { ok: false })> {
  const { config } = instance;
  const tokens: KakaoTokenSet = { scope: ticket.scopes.join(" ") };
  const authTime = ticket.freshLogin ? Math.floor(Date.now() / 1000) : 0;
  const defaults = defaultKakaoUser(ticket.profile, tokens, authTime);
  let user: KakaoUser;
  try {
    const verdict = await runSignInHooks(config, { profile: ticket.profile, tokens, defaults, req });
    if (!verdict.ok)
      return { ok: false, reason: `onSignIn returned false for user ${defaults.id}: no session was created` };
    user = verdict.user;
  } catch (err) {
    return { ok: false, reason: messageOf(err), cause: err };
  }
  return { ok: true, data: newSession(user) };
}

async function write(
  instance: KakaoAuthInstance,
  state: RequestState,
  req: Request,
  res: Response,
  ticket: SignInAsTicket,
): Promise<SignInAsOutcome> {
  const built = await sessionFor(instance, req, ticket);
  if (!built.ok) return built;
  // The claims the jwt callback gives a real login's session token (authjs/config.ts).
  const claims = sessionClaims(built.data);
  try {
    await instance.createSession(req, res, state, built.data, claims);
  } catch (err) {
    return { ok: false, reason: `the session store failed: ${messageOf(err)}`, cause: err };
  }
  state.session = built.data;
  return { ok: true };
}

/**
 * Answers a request carrying a live ticket and returns true; returns false, touching nothing, for
 * any other request (an unknown or used ticket included), which then goes on as an ordinary one.
 */
export function answerSignInAs(req: Request, res: Response, _deps: RouteDeps): boolean {
  const value = req.headers[SIGN_IN_AS_HEADER];
  const map = (globalThis as { [TICKETS]?: TicketMap })[TICKETS];
  const ticket = typeof value === "string" ? map?.get(value) : undefined;
  const internals = KakaoContext.internals(req.kakao);
  if (!ticket || !internals) return false;
  map!.delete(value as string);
  const { instance, state } = internals;
  const target: SignInAsTarget = { authOrigin: instance.config.authOrigin, basePath: instance.basePath(state) };
  res.set(NO_STORE);
  if (ticket.mode === "probe") {
    ticket.settle(target, { ok: true });
    res.status(204).end();
    return true;
  }
  // The outcome goes to signInAs() (which rejects with it), not to the app's error handler: a
  // refused or failed test sign-in is the test's error, not a request the app failed.
  void write(instance, state, req, res, ticket)
    .catch((err: unknown): SignInAsOutcome => ({ ok: false, reason: messageOf(err), cause: err }))
    .then((outcome) => {
      ticket.settle(target, outcome);
      if (res.headersSent) return void res.end();
      res.status(outcome.ok ? 204 : 403).end();
    });
  return true;
}
