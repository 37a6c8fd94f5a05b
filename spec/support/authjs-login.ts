import { CookieJar } from "./cookie-jar.js";

/** Sends one request to the app under test: over HTTP to an Express app, or straight into `Auth()`. */
export type AppFetch = (request: Request) => Promise<Response>;

/** Real HTTP, redirects not followed (a browser's hops are taken one at a time). */
export const overHttp: AppFetch = (request) => fetch(request, { redirect: "manual" });

/**
 * The Auth.js sign-in a browser performs with the seed's setup (no kakaoAuth() router):
 * `GET {basePath}/csrf`, `POST {basePath}/signin/kakao` with the `csrfToken` form body, Kakao's
 * authorize endpoint (the emulator, over HTTP), then `GET {basePath}/callback/kakao` back at the app.
 */
export class AuthjsLogin {
  readonly jar = new CookieJar();
  authorizeUrl?: URL;
  callbackUrl?: URL;

  constructor(
    readonly appUrl: string,
    readonly send: AppFetch = overHttp,
    readonly basePath = "/auth",
    readonly providerId = "kakao",
  ) {}

  /** Where a successful login lands (the `callbackUrl` of the sign-in POST). */
  get landing(): string {
    return `${this.appUrl}/landed`;
  }

  async #send(path: string | URL, init: RequestInit = {}): Promise<Response> {
    const url = typeof path === "string" ? `${this.appUrl}${path}` : path;
    const headers = new Headers(init.headers);
    if (this.jar.cookies.size) headers.set("cookie", this.jar.header());
    const res = await this.send(new Request(url, { ...init, headers }));
    this.jar.take(res);
    return res;
  }

  /** `GET {basePath}/csrf`: the double-submit token Auth.js wants in the sign-in POST. */
  async csrfToken(): Promise<string> {
    const res = await this.#send(`${this.basePath}/csrf`);
    const { csrfToken } = (await res.json()) as { csrfToken: string };
    return csrfToken;
  }

  /** The sign-in POST; `query` is copied by Auth.js into Kakao's authorize URL (e.g. `login_hint`). */
  async start(query: Record<string, string> = {}): Promise<Response> {
    const csrfToken = await this.csrfToken();
    const q = new URLSearchParams(query);
    const res = await this.#send(`${this.basePath}/signin/${this.providerId}${q.size ? `?${q}` : ""}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ csrfToken, callbackUrl: this.landing }).toString(),
    });
    const location = res.headers.get("location");
    if (location) this.authorizeUrl = new URL(location);
    return res;
  }

  /** Kakao's authorize endpoint (auto-consent in the emulator): a 302 back to the app's callback. */
  async authorize(): Promise<Response> {
    if (!this.authorizeUrl) throw new Error("AuthjsLogin.authorize(): call start() first");
    const res = await fetch(this.authorizeUrl, { redirect: "manual" });
    const location = res.headers.get("location");
    if (location) this.callbackUrl = new URL(location);
    return res;
  }

  async callback(): Promise<Response> {
    if (!this.callbackUrl) throw new Error("AuthjsLogin.callback(): no callback URL");
    return this.#send(this.callbackUrl);
  }

  /** The whole login; resolves with the callback's response. */
  async run(query: Record<string, string> = {}): Promise<Response> {
    await this.start(query);
    await this.authorize();
    return this.callback();
  }

  /** GET a path of the app with this browser's cookies. */
  get(path: string): Promise<Response> {
    return this.#send(path);
  }
}
