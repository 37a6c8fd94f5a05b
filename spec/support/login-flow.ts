import { CookieJar } from "./cookie-jar.js";

/**
 * A browser's Kakao login, one step at a time, so specs can tamper between steps.
 * `start` → Kakao authorize URL; `authorize` → our callback URL; `callback` → final response.
 */
export class LoginFlow {
  readonly jar: CookieJar;
  authorizeUrl?: URL;
  callbackUrl?: URL;

  constructor(
    readonly appUrl: string,
    jar = new CookieJar(),
    readonly basePath = "/auth",
  ) {
    this.jar = jar;
  }

  async start(query: Record<string, string> = {}): Promise<Response> {
    const q = new URLSearchParams(query);
    const res = await fetch(`${this.appUrl}${this.basePath}/signin/kakao${q.size ? `?${q}` : ""}`, {
      redirect: "manual",
    });
    this.jar.take(res);
    const location = res.headers.get("location");
    if (location) this.authorizeUrl = new URL(location);
    return res;
  }

  async authorize(): Promise<Response> {
    if (!this.authorizeUrl) throw new Error("LoginFlow.authorize(): call start() first");
    const res = await fetch(this.authorizeUrl, { redirect: "manual" });
    const location = res.headers.get("location");
    if (location) this.callbackUrl = new URL(location);
    return res;
  }

  async callback(url: URL | string | undefined = this.callbackUrl, init: RequestInit = {}): Promise<Response> {
    if (!url) throw new Error("LoginFlow.callback(): no callback URL");
    const res = await fetch(url, {
      redirect: "manual",
      ...init,
      headers: { cookie: this.jar.header(), ...(init.headers as Record<string, string> | undefined) },
    });
    this.jar.take(res);
    return res;
  }

  /** The whole login; resolves with the callback's response. */
  async run(query: Record<string, string> = {}): Promise<Response> {
    await this.start(query);
    await this.authorize();
    return this.callback();
  }

  /** GET a path of the app with this browser's cookies. */
  get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    return fetch(`${this.appUrl}${path}`, { redirect: "manual", headers: { cookie: this.jar.header(), ...headers } });
  }

  hasSession(): boolean {
    return [...this.jar.cookies.keys()].some((k) => k.includes("authjs.session-token") || k === "connect.sid");
  }
}
