import { Auth, type AuthConfig } from "@auth/core";
import { beforeAll, describe, expect, it } from "vitest";
import { kakaoProvider } from "../../lib/index.js";
import { SECRET } from "../support/app.js";
import { AuthjsLogin, type AppFetch } from "../support/authjs-login.js";
import { useEmulator } from "../support/emulator.js";

/** A Kakao id past 2^53 from Kakao's own docs (kakao-api.md §10.1). */
const BIG_ID = "1376016924429759228";
/** The app's public origin: Auth() only ever sees Web Requests, so nothing listens here. */
const ORIGIN = "https://app.example.com";

describe("Auth() from @auth/core with kakaoProvider() on Web Requests (the seed's usage)", () => {
  const emu = useEmulator();
  const seen: { profileId?: unknown; providerAccountId?: unknown }[] = [];
  let send: AppFetch;

  beforeAll(() => {
    emu.get().addUser({ id: BIG_ID, nickname: "큰번호", email: "big@example.com" });
    const { clientId, clientSecret, authOrigin, apiOrigin } = emu.get().options;
    const config: AuthConfig = {
      // The seed's `providers: [Kakao({ clientId, clientSecret })]` with the one-import swap.
      providers: [kakaoProvider({ clientId, clientSecret, authOrigin, apiOrigin })],
      secret: SECRET,
      trustHost: true,
      basePath: "/api/auth",
      callbacks: {
        signIn({ profile, account }) {
          seen.push({ profileId: profile?.id, providerAccountId: account?.providerAccountId });
          return true;
        },
      },
    };
    send = (request) => Auth(request, config);
  });

  /** Signs BIG_ID in, every app hop a Web Request handed to Auth(). */
  async function signIn(): Promise<AuthjsLogin> {
    const login = new AuthjsLogin(ORIGIN, send, "/api/auth");
    const res = await login.run({ login_hint: BIG_ID });
    expect(res.headers.get("location")).toBe(login.landing);
    return login;
  }

  it("redirects the sign-in POST to Kakao with the callback URL {origin}/api/auth/callback/kakao", async () => {
    const login = new AuthjsLogin(ORIGIN, send, "/api/auth");
    const res = await login.start();
    expect(res.status).toBe(302);
    const url = login.authorizeUrl!;
    expect(`${url.origin}${url.pathname}`).toBe(`${emu.get().url}/oauth/authorize`);
    expect(url.searchParams.get("redirect_uri")).toBe(`${ORIGIN}/api/auth/callback/kakao`);
    expect(url.searchParams.get("state")).toMatch(/^.{22,}$/);
    expect(url.searchParams.get("code_challenge_method")).toBe("S256");
  });

  it("signs the user in through /api/auth/callback/kakao, and /api/auth/session returns that user", async () => {
    const login = await signIn();
    const res = await login.get("/api/auth/session");
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ user: { name: "큰번호", email: "big@example.com" } });
  });

  it("hands the signIn callback profile.id and account.providerAccountId as the exact big id string", async () => {
    await signIn();
    expect(seen.at(-1)).toEqual({ profileId: BIG_ID, providerAccountId: BIG_ID });
  });

  it("merges Auth.js provider overrides as for its built-in providers: authorization.params reach Kakao", async () => {
    const provider = kakaoProvider({
      ...emu.get().options,
      authorization: { params: { scope: "account_email", prompt: "login" } },
    });
    const config: AuthConfig = { providers: [provider], secret: SECRET, trustHost: true, basePath: "/api/auth" };
    const login = new AuthjsLogin(ORIGIN, (request) => Auth(request, config), "/api/auth");
    await login.start();
    expect(login.authorizeUrl?.searchParams.get("scope")).toBe("account_email");
    expect(login.authorizeUrl?.searchParams.get("prompt")).toBe("login");
    expect(login.authorizeUrl?.searchParams.get("state")).toMatch(/^.{22,}$/);
  });

  it("merges a profile override as for Auth.js's built-in providers, given the profile with the exact id", async () => {
    const provider = kakaoProvider({
      ...emu.get().options,
      profile: (profile) => ({ id: profile.id, name: `kakao:${profile.id}` }),
    });
    const config: AuthConfig = { providers: [provider], secret: SECRET, trustHost: true, basePath: "/api/auth" };
    const login = new AuthjsLogin(ORIGIN, (request) => Auth(request, config), "/api/auth");
    expect((await login.run({ login_hint: BIG_ID })).headers.get("location")).toBe(login.landing);
    const session = (await (await login.get("/api/auth/session")).json()) as { user: { name: string } };
    expect(session.user.name).toBe(`kakao:${BIG_ID}`);
  });
});
