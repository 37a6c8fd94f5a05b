import type { Request } from "express";
import type { KakaoSessionData } from "../types.js";

/** Per-request facts, computed once when `kakaoAuth()` first sees the request, kept private to it. */
export class RequestState {
  session: KakaoSessionData | undefined = undefined;
  /** The session cookie's claims (cookie store only). */
  claims: Record<string, unknown> | undefined = undefined;
  /** The session came as `Authorization: Bearer` (an app, not a browser page). */
  bearer = false;
  /** Where `kakaoAuth()` is mounted (`req.baseUrl` inside it): URLs it builds start there. */
  readonly mountPath: string;
  #secure: boolean | undefined;
  readonly #req: Request;
  readonly #origin: string | undefined;

  constructor(req: Request, origin: string | undefined) {
    this.#req = req;
    this.#origin = origin;
    this.mountPath = req.baseUrl;
  }

  /** https? Decides the cookie names. Lazy: Express's `req.protocol` consults `trust proxy`. */
  get secure(): boolean {
    // Without X-Forwarded-Proto the socket decides, which is cheaper to ask directly.
    this.#secure ??= this.#origin
      ? this.#origin.startsWith("https:")
      : this.#req.headers["x-forwarded-proto"] === undefined
        ? (this.#req.socket as { encrypted?: boolean }).encrypted === true
        : this.#req.protocol === "https";
    return this.#secure;
  }
}
