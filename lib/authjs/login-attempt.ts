import type { Request } from "express";
import type { KakaoAuthError } from "../errors.js";
import type { KakaoSessionData } from "../types.js";

/**
 * One login attempt's facts. Auth.js callbacks never see the Express request and its callback
 * error drops the cause (authjs-notes.md), so the Auth.js config is built per attempt with this
 * object in its closures. (Not AsyncLocalStorage: on Node 20 that installs promise hooks for the
 * whole process, costing every request of the app.)
 */
export interface FlowContext {
  req?: Request;
  /** The redirect URI sent to Kakao, named in KOE303/KOE006 advice. */
  redirectUri?: string;
  /** The package itself asked Kakao for `prompt=login` on this attempt (bound to its state). */
  freshLogin?: boolean;
  /** The session of this browser before the attempt, if any (keeps a known `authTime`). */
  previous?: KakaoSessionData;
  /** Token-response fields outside Auth.js's Account model (`refresh_token_expires_in`). */
  tokenExtras?: { refreshTokenExpiresIn?: number };
  /** The first Kakao-specific failure seen during this attempt. */
  error?: KakaoAuthError;
  /** The session the signIn callback built. */
  session?: KakaoSessionData;
  /** The session token's claims, set when Auth.js issued it: the attempt signed the user in. */
  claims?: Record<string, unknown>;
  /** `onSignIn` refused the user. */
  refused?: boolean;
}

/** Records the first failure of an attempt (later ones are usually consequences). */
export function recordFlowError(ctx: FlowContext | undefined, error: KakaoAuthError): void {
  if (ctx && !ctx.error) ctx.error = error;
}

/** What a callback attempt came to, decided from what happened, never from a URL. */
export type LoginResult =
  | { ok: true; session: KakaoSessionData; claims: Record<string, unknown>; redirect: string }
  | { ok: false; reason: string; error?: KakaoAuthError };
