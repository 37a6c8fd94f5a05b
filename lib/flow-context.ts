import type { Request } from "express";
import type { KakaoAuthError } from "./errors.js";
import type { KakaoSessionData } from "./types.js";

/**
 * One login attempt's facts. Auth.js callbacks never see the Express request and its callback
 * error drops the cause (authjs-notes.md), so `kakaoAuth()` builds the Auth.js config per attempt
 * with this object in its closures. (Not AsyncLocalStorage: on Node 20 that installs promise hooks
 * for the whole process, costing every request of the app.)
 */
export interface FlowContext {
  req?: Request;
  /** The redirect URI sent to Kakao, named in KOE303/KOE006 advice. */
  redirectUri?: string;
  /** The first Kakao-specific failure seen during this attempt. */
  error?: KakaoAuthError;
  /** The session the signIn callback built, for the stores. */
  session?: KakaoSessionData;
  /** `onSignIn` refused the user. */
  refused?: boolean;
}

/** Records the first failure of an attempt (later ones are usually consequences). */
export function recordFlowError(ctx: FlowContext | undefined, error: KakaoAuthError): void {
  if (ctx && !ctx.error) ctx.error = error;
}
