import type { AuthConfig } from "@auth/core";
import type { Request, Response } from "express";
import { authConfigFactory } from "./auth-config.js";
import type { FlowContext } from "./flow-context.js";
import type { ResolvedConfig } from "./config.js";
import { JweKeyring } from "./jwe.js";
import { requestOrigin } from "./origin.js";
import { processRevocations, syncRevocations, type RevocationList } from "./revocation.js";
import { CookieSessionStore, SESSION_COOKIE } from "./session-cookie.js";
import { ExpressSessionStore } from "./session-express.js";
import type { KakaoSessionData, SignInUrlOptions } from "./types.js";

/** Per-request facts, computed once by the session reader and memoised on `req`. */
export class RequestState {
  session: KakaoSessionData | undefined = undefined;
  claims: Record<string, unknown> | undefined = undefined;
  #secure: boolean | undefined;
  readonly #req: Request;
  readonly #config: ResolvedConfig;

  constructor(req: Request, config: ResolvedConfig) {
    this.#req = req;
    this.#config = config;
  }

  /** https? Decides the cookie names. Lazy: Express's `req.protocol` consults `trust proxy`. */
  get secure(): boolean {
    // Express's req.protocol consults `trust proxy` only for X-Forwarded-Proto; without the
    // header the socket decides, which is cheaper to ask directly.
    this.#secure ??= this.#config.origin
      ? this.#config.origin.startsWith("https:")
      : this.#req.headers["x-forwarded-proto"] === undefined
        ? (this.#req.socket as { encrypted?: boolean }).encrypted === true
        : this.#req.protocol === "https";
    return this.#secure;
  }
}

/** Where `attachContext` keeps this request's state, so nothing else is written to `req`. */
interface StateHolder {
  readonly runtime: Runtime;
  readonly state: RequestState;
}

function isStateHolder(value: unknown, runtime: Runtime): value is StateHolder {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Partial<StateHolder>).runtime === runtime &&
    (value as Partial<StateHolder>).state instanceof RequestState
  );
}

/** Everything one `kakaoAuth()` instance shares across requests, built once at construction. */
export class Runtime {
  readonly config: ResolvedConfig;
  /** For Auth.js actions outside a login attempt (`/csrf`, `/providers`). */
  readonly authConfig: AuthConfig;
  /** The Auth.js config for one login attempt (sign-in or callback). */
  readonly authConfigFor: (ctx: FlowContext) => AuthConfig;
  readonly revocations: RevocationList = processRevocations;
  readonly cookies: CookieSessionStore;
  readonly expressSession: ExpressSessionStore;

  constructor(config: ResolvedConfig) {
    this.config = config;
    const keyring = new JweKeyring(config.secrets);
    this.authConfigFor = authConfigFactory(config, keyring);
    this.authConfig = this.authConfigFor({});
    this.cookies = new CookieSessionStore(config, this.revocations, keyring);
    this.expressSession = new ExpressSessionStore(config, this.revocations);
    if (config.revocationStore) syncRevocations(config.revocationStore, config.revocationPollInterval * 1000);
  }

  /** Reads the session of a request (either store); called once per request by `attachContext`. */
  loadState(req: Request, res: Response): RequestState {
    const state = new RequestState(req, this.config);
    if (this.config.session.store === "cookie") {
      // Most anonymous requests stop at this substring check (both cookie names contain it).
      if (req.headers.cookie?.includes(SESSION_COOKIE)) {
        const s = this.cookies.read(req, res, state.secure);
        if (s) {
          state.session = s.data;
          state.claims = s.claims;
        }
      }
    } else state.session = this.expressSession.read(req);
    return state;
  }

  /** This request's state: the one `req.kakao` holds (memoised per request), else read now. */
  readState(req: Request, res: Response): RequestState {
    const holder: unknown = req.kakao;
    return isStateHolder(holder, this) ? holder.state : this.loadState(req, res);
  }

  /** Persists changed session data (token refresh) in whichever store holds it. */
  async saveSession(req: Request, res: Response, data: KakaoSessionData): Promise<void> {
    const state = this.readState(req, res);
    state.session = data;
    if (this.config.session.store === "cookie") {
      if (!res.headersSent) this.cookies.write(res, state.secure, data, state.claims);
    } else await this.expressSession.save(req, data);
  }

  /** Ends the session of this request in whichever store holds it. */
  async endSession(req: Request, res: Response): Promise<void> {
    const state = this.readState(req, res);
    state.session = undefined;
    req.kakaoUser = undefined;
    if (this.config.session.store === "cookie") {
      if (!res.headersSent) this.cookies.clear(req, res, state.secure);
    } else await this.expressSession.destroy(req);
  }

  /** Public origin of this request (`undefined` when the Host header is not a host name). */
  origin(req: Request): string | undefined {
    return requestOrigin(req, this.config);
  }

  redirectUri(origin: string): string {
    return `${origin}${this.config.basePath}/callback/kakao`;
  }

  /** Relative sign-in URL; the sign-in route validates every parameter again. */
  signInPath(opts: SignInUrlOptions = {}): string {
    const q = new URLSearchParams();
    if (opts.returnTo) q.set("returnTo", opts.returnTo);
    if (opts.scopes?.length) q.set("scope", opts.scopes.join(","));
    if (opts.prompt) q.set("prompt", opts.prompt);
    if (opts.loginHint) q.set("login_hint", opts.loginHint);
    const qs = q.toString();
    return `${this.config.basePath}/signin/kakao${qs ? `?${qs}` : ""}`;
  }
}
