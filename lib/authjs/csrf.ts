import { createHash, createHmac } from "node:crypto";
import type { Request } from "express";
import { parse as parseCookies } from "cookie";
import { constantTimeEqual } from "../http/constant-time.js";
import { csrfCookieName } from "./cookie-names.js";

const sha256hex = (s: string): string => createHash("sha256").update(s).digest("hex");

/** Auth.js's double-submit CSRF token: cookie `token|sha256(token + secret)`, body `csrfToken`. */
export function csrfTokenValid(
  req: Request,
  secrets: readonly string[],
  secure: boolean,
  bodyToken: string | undefined,
): boolean {
  if (!bodyToken) return false;
  const cookieValue = parseCookies(req.headers.cookie ?? "")[csrfCookieName(secure)];
  if (!cookieValue) return false;
  const [token = "", hash = ""] = cookieValue.split("|");
  // Auth.js hashes with `${token}${options.secret}`: an array secret stringifies comma-joined.
  const hashOk = [secrets.join(","), ...secrets].some((s) => constantTimeEqual(sha256hex(`${token}${s}`), hash));
  return hashOk && constantTimeEqual(token, bodyToken);
}

/**
 * Binds "the package sent this login with prompt=login" to the attempt's Auth.js state cookie:
 * a MAC of that cookie's value, so the flag cannot be set by hand or carried to another attempt.
 */
export function freshLoginMac(secret: string, stateCookieValue: string): string {
  return createHmac("sha256", secret).update(`express-kakao-auth fresh-login\n${stateCookieValue}`).digest("base64url");
}
