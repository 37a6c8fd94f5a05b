import { randomUUID } from "node:crypto";
import type { NextFunction, Request, Response } from "express";
import { KakaoContext } from "../context.js";
import { defaultKakaoUser, type KakaoProfile } from "../kakao/profile.js";
import type { KakaoSessionData } from "../types.js";
import type { RouteDeps } from "./route.js";

/**
 * `signInAs()` from `express-kakao-auth/testing` reaches the app's own session writer through one
 * request that carries a single-use ticket in this header. A ticket exists only while a test in
 * this process is signing in (a random value in a process-global map), so in production, where
 * nobody creates one, the header is ignored.
 */
export const SIGN_IN_AS_HEADER = "x-express-kakao-auth-sign-in-as";
const TICKETS = Symbol.for("express-kakao-auth.sign-in-as-tickets");

/** What `kakaoAuth()` tells `signInAs()` about itself (nothing secret). */
export interface SignInAsTarget {
  authOrigin: string;
  /** Where the auth routes are served, mount path included. */
  basePath: string;
}

export interface SignInAsTicket {
  /** The Kakao profile to sign in, as `/v2/user/me` would answer it. */
  profile: KakaoProfile;
  /** `"probe"` only reports the target; `"write"` creates the session on this response. */
  mode: "probe" | "write";
  /** Count the login as one that made the user authenticate now (`authTime`). */
  freshLogin: boolean;
  /** Called once the request reached a `kakaoAuth()`: its target, and the outcome of a write. */
  settle(target: SignInAsTarget, outcome: { ok: true } | { ok: false; reason: string }): void;
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

/** Answers a request carrying a live ticket; any other request goes on untouched. */
export function signInAsRoute(req: Request, res: Response, next: NextFunction, _deps: RouteDeps): void {
  const value = req.headers[SIGN_IN_AS_HEADER];
  const map = (globalThis as { [TICKETS]?: TicketMap })[TICKETS];
  const ticket = typeof value === "string" ? map?.get(value) : undefined;
  const internals = KakaoContext.internals(req.kakao);
  if (!ticket || !internals) return next();
  map!.delete(value as string);
  const { instance, state } = internals;
  const target: SignInAsTarget = { authOrigin: instance.config.authOrigin, basePath: instance.basePath(state) };
  if (ticket.mode === "probe") {
    ticket.settle(target, { ok: true });
    res.status(204).end();
    return;
  }
  void (async () => {
    const { config } = instance;
    const authTime = ticket.freshLogin ? Math.floor(Date.now() / 1000) : 0;
    const defaults = defaultKakaoUser(ticket.profile, {}, authTime);
    // The app's own hooks run as at a real login: what it stores is what it would store.
    const user = config.profile ? await config.profile(ticket.profile, {}, defaults) : defaults;
    if (config.onSignIn && (await config.onSignIn({ user, req })) === false) {
      ticket.settle(target, { ok: false, reason: "onSignIn refused the user" });
      res.status(403).json({ error: "refused" });
      return;
    }
    const data: KakaoSessionData = { user, loginAt: Date.now(), sessionId: randomUUID() };
    const claims = {
      sub: user.id,
      name: user.nickname ?? null,
      email: user.email ?? null,
      picture: user.profileImage ?? null,
    };
    await instance.store.create(req, res, state, data, { ...claims, kakao: data });
    ticket.settle(target, { ok: true });
    res.status(204).end();
  })().catch((err: unknown) => {
    ticket.settle(target, { ok: false, reason: (err as Error).message });
    next(err);
  });
}
