/**
 * Auth.js's cookie names, in one place. On https Auth.js prefixes them (`__Secure-`, `__Host-` for
 * the CSRF token); the session-token name is also the HKDF salt of its key.
 */
export const SESSION_COOKIE = "authjs.session-token";
export const CSRF_COOKIE = "authjs.csrf-token";
/** Per-login transaction cookies, cleared whenever a callback fails so a retry starts clean. */
export const TRANSACTION_COOKIES = ["authjs.state", "authjs.pkce.code_verifier", "authjs.nonce", "authjs.callback-url"];
export const CALLBACK_URL_COOKIE = "authjs.callback-url";
export const STATE_COOKIE = "authjs.state";

export const secureName = (name: string, secure: boolean): string => (secure ? `__Secure-${name}` : name);
export const csrfCookieName = (secure: boolean): string => `${secure ? "__Host-" : ""}${CSRF_COOKIE}`;
