import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kakaoProvider } from "../../lib/index.js";
import { EXPRESS_MAJORS } from "../support/app.js";
import { buildAuthjsApp, type AuthjsProbe } from "../support/authjs-app.js";
import { AuthjsLogin } from "../support/authjs-login.js";
import { useEmulator } from "../support/emulator.js";
import { listen, type Listening } from "../support/server.js";

/** A Kakao id past 2^53 from Kakao's own docs (kakao-api.md §10.1). */
const BIG_ID = "1376016924429759228";

describe.each(EXPRESS_MAJORS)("ExpressAuth from @auth/express with kakaoProvider() on Express %i", (major) => {
  const emu = useEmulator();
  let app: Listening;
  let probe: AuthjsProbe;

  beforeAll(async () => {
    emu.get().addUser({ id: BIG_ID, nickname: "큰번호", email: "big@example.com" });
    const built = buildAuthjsApp(kakaoProvider(emu.get().options), { express: major });
    probe = built.probe;
    app = await listen(built.app);
  });
  afterAll(async () => app.close());

  /** Signs BIG_ID in through the Auth.js routes and returns the browser. */
  async function signIn(): Promise<AuthjsLogin> {
    const login = new AuthjsLogin(app.url);
    const res = await login.run({ login_hint: BIG_ID });
    expect(res.headers.get("location"), `Auth.js errors: ${probe.errors.map((e) => e.message).join("; ")}`).toBe(
      login.landing,
    );
    return login;
  }

  it("redirects the csrfToken sign-in POST to Kakao's authorize endpoint with state and an S256 challenge", async () => {
    const login = new AuthjsLogin(app.url);
    const res = await login.start();
    expect(res.status).toBe(302);
    const url = login.authorizeUrl!;
    expect(`${url.origin}${url.pathname}`).toBe(`${emu.get().url}/oauth/authorize`);
    expect(url.searchParams.get("state")).toMatch(/^.{22,}$/);
    expect(url.searchParams.get("code_challenge_method")).toBe("S256");
    expect(url.searchParams.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url.searchParams.get("redirect_uri")).toBe(`${app.url}/auth/callback/kakao`);
  });

  it("signs the user in, and getSession() in a route returns that user", async () => {
    const login = await signIn();
    const res = await login.get("/session");
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ user: { name: "큰번호", email: "big@example.com" } });
  });

  it("hands the signIn callback profile.id and account.providerAccountId as the exact big id string", async () => {
    await signIn();
    const { profile, account } = probe.signIns.at(-1)!;
    expect(profile?.id).toBe(BIG_ID);
    expect(account?.providerAccountId).toBe(BIG_ID);
  });

  it("hands the jwt callback profile.id and account.providerAccountId as the exact big id string", async () => {
    await signIn();
    const { profile, account } = probe.jwts.at(-1)!;
    expect(profile?.id).toBe(BIG_ID);
    expect(account?.providerAccountId).toBe(BIG_ID);
  });

  it("exchanges the code at Kakao's token endpoint with client_secret_post", async () => {
    await signIn();
    const token = emu.get().requestsTo("/oauth/token").at(-1)!;
    expect(token.method).toBe("POST");
    expect(token.headers.authorization).toBeUndefined();
    expect(token.body).toMatchObject({
      grant_type: ["authorization_code"],
      client_id: [emu.get().clientId],
      client_secret: [emu.get().clientSecret],
    });
  });

  it("logged no Auth.js error", () => {
    expect(probe.errors).toEqual([]);
  });
});
