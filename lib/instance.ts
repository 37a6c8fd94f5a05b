import type { AuthConfig } from "@auth/core";
import type { Request, Response } from "express";
import { authConfigFactory, type AuthConfigFor } from "./authjs/config.js";
import { JweKeyring } from "./authjs/jwe.js";
import type { FlowContext } from "./authjs/login-attempt.js";
import type { ResolvedConfig } from "./config.js";
import { requestOrigin } from "./http/origin.js";
import { KakaoClient } from "./kakao/client.js";
import { log } from "./log.js";
import { adaptRedis } from "./redis/adapter.js";
import { RefreshCoordinator } from "./redis/refresh-coordinator.js";
import { SessionRegistry } from "./session/registry.js";
import { BearerSessionStore, bearerToken } from "./session/bearer-store.js";
import { CookieSessionStore } from "./session/cookie-store.js";
import { ExpressSessionStore } from "./session/express-session-store.js";
import { RequestState } from "./session/request-state.js";
import { processRevocations, syncRevocations } from "./session/revocation.js";
import { SessionTokens } from "./session/session-token.js";
import type { SessionStore } from "./session/store.js";
import type { KakaoSessionData, SignInUrlOptions } from "./types.js";

/**
 * What one `kakaoAuth()` shares across its requests, built once at construction: the resolved
 * config, the Kakao client, the session store and the Auth.js config. Never reachable from `req`
 * (context.ts keeps it in a private field).
 */
/** The `kakaoAuth()` instances of this process, for process-wide operations (withdrawal). */
const instances = new Set<WeakRef<KakaoAuthInstance>>();

export function liveInstances(): KakaoAuthInstance[] {
  const out: KakaoAuthInstance[] = [];
  for (const ref of instances) {
    const instance = ref.deref();
    if (instance) out.push(instance);
    else instances.delete(ref);
  }
  return out;
}

export class KakaoAuthInstance {
  readonly config: ResolvedConfig;
  readonly client: KakaoClient;
  /** The web session store (cookie or express-session), chosen once. */
  readonly store: SessionStore;
  /** The per-user session registry in Redis (with `redis`). */
  readonly registry: SessionRegistry | undefined = undefined;
  /** Sessions sent as `Authorization: Bearer` (`session.bearer`); also mints exchanged tokens. */
  readonly bearer: BearerSessionStore;
  readonly keyring: JweKeyring;
  readonly #authConfigFor: AuthConfigFor;
  /** Auth.js configs for actions outside a login attempt (`/csrf`, `/providers`), per base path. */
  readonly #plainConfigs = new Map<string, AuthConfig>();

  constructor(config: ResolvedConfig) {
    this.config = config;
    this.keyring = new JweKeyring(config.secrets);
    this.client = new KakaoClient({
      clientId: config.clientId,
      clientSecret: config.clientSecret,
      authOrigin: config.authOrigin,
      apiOrigin: config.apiOrigin,
      timeout: config.timeout,
    });
    this.#authConfigFor = authConfigFactory(config, this.keyring, this.client);
    const tokens = new SessionTokens(this.keyring, config.session);
    this.store =
      config.session.store === "cookie"
        ? new CookieSessionStore(config, processRevocations, tokens)
        : new ExpressSessionStore(config, processRevocations, this.keyring);
    this.bearer = new BearerSessionStore(config, processRevocations, tokens);
    instances.add(new WeakRef(this));
    if (config.revocationStore) syncRevocations(config.revocationStore, config.revocationPollInterval * 1000);
    if (config.redis !== undefined) {
      const redis = adaptRedis(config.redis);
      this.client.coordinator = new RefreshCoordinator(redis, this.keyring.keys("express-kakao-auth.refresh-result"));
      this.registry = new SessionRegistry(redis, {
        absoluteDuration: config.session.absoluteDuration,
        maxPerUser: config.session.maxPerUser,
      });
    }
  }

  /** Reads the session of a request; called once per request by the context middleware. */
  loadState(req: Request, res: Response): RequestState {
    const state = new RequestState(req, this.config.origin);
    // A request that presents a bearer token is an app's: that token is its session, whatever
    // cookies the client also sends.
    if (this.config.session.bearer && req.headers.authorization !== undefined && bearerToken(req)) state.bearer = true;
    const stored = this.storeFor(state).read(req, res, state);
    if (stored) {
      state.session = stored.data;
      state.claims = stored.claims;
    }
    return state;
  }

  /** The store that holds this request's session. */
  storeFor(state: RequestState): SessionStore {
    return state.bearer ? this.bearer : this.store;
  }

  authConfigFor(ctx: FlowContext, state: RequestState): AuthConfig {
    return this.#authConfigFor(ctx, this.basePath(state));
  }

  plainAuthConfig(state: RequestState): AuthConfig {
    const base = this.basePath(state);
    let config = this.#plainConfigs.get(base);
    if (!config) {
      config = this.#authConfigFor({}, base);
      if (this.#plainConfigs.size < 64) this.#plainConfigs.set(base, config);
    }
    return config;
  }

  /** A new login's session, in the web store, and in the registry when there is one. */
  async createSession(
    req: Request,
    res: Response,
    state: RequestState,
    data: KakaoSessionData,
    claims: Record<string, unknown>,
  ): Promise<void> {
    await this.store.create(req, res, state, data, claims);
    state.session = data;
    await this.registry?.add(data, req.headers["user-agent"]);
  }

  /** Persists changed session data (token refresh) in the store. */
  async saveSession(req: Request, res: Response, state: RequestState, data: KakaoSessionData): Promise<void> {
    state.session = data;
    await this.storeFor(state).save(req, res, state, data);
  }

  /** Ends the session of this request in the store. */
  async endSession(req: Request, res: Response, state: RequestState): Promise<void> {
    const data = state.session;
    await this.storeFor(state).destroy(req, res, state);
    if (data?.sessionId && this.registry)
      await this.registry
        .end(data.user.id, data.sessionId, data.loginAt + this.config.session.absoluteDuration * 1000)
        .catch((err: unknown) => log.session("session registry: %s", (err as Error).message));
    state.session = undefined;
    req.kakaoUser = undefined;
  }

  /** Public origin of this request (`undefined` when the Host header is not a valid host). */
  origin(req: Request): string | undefined {
    return requestOrigin(req, this.config);
  }

  /** Where the auth routes are for this request: the mount path, then `basePath`. */
  basePath(state: RequestState): string {
    return `${state.mountPath}${this.config.basePath}`;
  }

  redirectUri(origin: string, state: RequestState): string {
    return `${origin}${this.basePath(state)}/callback/kakao`;
  }

  /** Relative sign-in URL; the sign-in route validates every parameter again. */
  signInPath(state: RequestState, opts: SignInUrlOptions = {}): string {
    const q = new URLSearchParams();
    if (opts.returnTo) q.set("returnTo", opts.returnTo);
    if (opts.scopes?.length) q.set("scope", opts.scopes.join(","));
    if (opts.prompt) q.set("prompt", opts.prompt);
    if (opts.loginHint) q.set("login_hint", opts.loginHint);
    const qs = q.toString();
    return `${this.basePath(state)}/signin/kakao${qs ? `?${qs}` : ""}`;
  }

  /** Where failed logins land: the app's own page (`authjs.pages.error`) or the built-in one. */
  errorPath(state: RequestState, code: string): string {
    const page = this.config.authjs.pages?.error ?? `${this.basePath(state)}/error`;
    return `${page}${page.includes("?") ? "&" : "?"}error=${encodeURIComponent(code)}`;
  }
}
