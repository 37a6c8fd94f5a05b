import type { KakaoSessionInfo } from "../../lib/index.js";
import type { KakaoEmulator } from "../../lib/testing/index.js";
import { CookieJar } from "./cookie-jar.js";
import { LoginFlow } from "./login-flow.js";

/**
 * One browser (one device) of a user, behind a load balancer: its cookie goes to whichever
 * instance answers. Checks never take the instance's Set-Cookie, so a cookie an instance clears is
 * still presented to the next one, as a copy of it would be.
 */
export class RegistryBrowser {
  readonly jar = new CookieJar();

  constructor(
    readonly emulator: KakaoEmulator,
    readonly userId: string,
    readonly userAgent: string,
  ) {}

  /** The whole Kakao login on `appUrl`, this browser's User-Agent on the callback that creates the session. */
  async signIn(appUrl: string): Promise<this> {
    if (!this.emulator.users.has(this.userId)) this.emulator.addUser({ id: this.userId, nickname: "기기" });
    const flow = new LoginFlow(appUrl, this.jar);
    await flow.start({ login_hint: this.userId });
    await flow.authorize();
    const done = await flow.callback(undefined, { headers: { "user-agent": this.userAgent } });
    const landed = done.headers.get("location") ?? "";
    if (done.status !== 302 || /[?&]error=/.test(landed) || !flow.hasSession())
      throw new Error(`login of ${this.userId} on ${appUrl} failed: ${done.status} → ${landed}`);
    return this;
  }

  request(appUrl: string, path: string, init: RequestInit = {}): Promise<Response> {
    return fetch(`${appUrl}${path}`, {
      redirect: "manual",
      ...init,
      headers: { cookie: this.jar.header(), "user-agent": this.userAgent, accept: "application/json" },
    });
  }

  /** Who `appUrl` takes this browser for: the user id, or null when anonymous. */
  async whoIsSignedIn(appUrl: string): Promise<string | null> {
    const res = await this.request(appUrl, "/whoami");
    return ((await res.json()) as { user: string | null }).user;
  }

  /** `GET /sessions` on `appUrl`, which must answer 200. */
  async sessions(appUrl: string): Promise<KakaoSessionInfo[]> {
    const res = await this.request(appUrl, "/sessions");
    if (res.status !== 200) throw new Error(`GET /sessions on ${appUrl} answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as KakaoSessionInfo[];
  }

  /** This browser's session id, as `/sessions` reports it with `current: true`. */
  async sessionId(appUrl: string): Promise<string> {
    const current = (await this.sessions(appUrl)).find((s) => s.current);
    if (!current) throw new Error(`no current session for ${this.userAgent} on ${appUrl}`);
    return current.id;
  }
}

/** Polls `check` until it is true or `withinMs` passed; resolves with the last answer. */
export async function eventually(check: () => Promise<boolean>, withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
}
