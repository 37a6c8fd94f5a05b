import { AsyncLocalStorage } from "node:async_hooks";
import type { Request } from "express";
import type { KakaoAuthError } from "./errors.js";
import type { KakaoSessionData } from "./types.js";

/**
 * Auth.js callbacks never see the Express request, and its callback error drops the cause
 * (authjs-notes.md): one login attempt's facts travel through AsyncLocalStorage instead.
 */
export interface FlowContext {
  req?: Request;
  /** The redirect URI sent to Kakao, named in KOE303/KOE006 advice. */
  redirectUri?: string;
  /** The first Kakao-specific failure seen during this attempt. */
  error?: KakaoAuthError;
  /** The session the jwt callback built, for stores other than the cookie. */
  session?: KakaoSessionData;
  /** `onSignIn` refused the user. */
  refused?: boolean;
}

export const flowContext = new AsyncLocalStorage<FlowContext>();

/** Records the first failure of the current attempt (later ones are usually consequences). */
export function recordFlowError(error: KakaoAuthError): void {
  const ctx = flowContext.getStore();
  if (ctx && !ctx.error) ctx.error = error;
}
