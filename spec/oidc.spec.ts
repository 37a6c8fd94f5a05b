import { afterEach, describe, expect, it } from "vitest";
import { buildApp, serverErrors } from "./support/app.js";
import { useEmulator } from "./support/emulator.js";
import { answerNextCodeExchangeWith, idTokenClaimsFor, withFlippedSignature } from "./support/id-tokens.js";
import { LoginFlow } from "./support/login-flow.js";
import { expectNoServerErrorsAfterEach } from "./support/no-server-errors.js";
import { expectRefusedLogin } from "./support/refused-login.js";
import { base64urlBits, useApp, whoami } from "./support/security.js";
import { listen } from "./support/server.js";

const USER = "4000000001";
const JWKS_PATH = "/.well-known/jwks.json";

describe("OpenID Connect login (oidc: true)", () => {
  const emu = useEmulator({ oidc: true });
  const app = useApp(() => emu.get(), { options: { oidc: true } });

  afterEach(() => {
    emu.get().setIdTokenOverride(null);
    emu.get().clearFaults();
  });
  expectNoServerErrorsAfterEach();

  /** Starts a login and stops before the callback, so the id_token can be arranged for it. */
  async function startedFlow(): Promise<LoginFlow> {
    const flow = new LoginFlow(app.url);
    await flow.start();
    await flow.authorize();
    return flow;
  }

  it("AUTHZ-03: the authorize URL asks for openid and carries a fresh nonce of at least 128 bits", async () => {
    const first = new LoginFlow(app.url);
    const second = new LoginFlow(app.url);
    await first.start();
    await second.start();
    const nonces = [first, second].map((f) => f.authorizeUrl!.searchParams.get("nonce") ?? "");
    expect(first.authorizeUrl!.searchParams.get("scope")?.split(/[ ,]/)).toContain("openid");
    for (const nonce of nonces) {
      expect(nonce).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(base64urlBits(nonce)).toBeGreaterThanOrEqual(128);
    }
    expect(nonces[0]).not.toBe(nonces[1]);
    expect(first.jar.get("authjs.nonce")).toBeTruthy();
  });

  it("signs the user in with authTime taken from the id_token's auth_time", async () => {
    const emulator = emu.get();
    let issued: Record<string, unknown> | undefined;
    emulator.setIdTokenOverride((claims) => (issued = claims));
    emulator.clock.advance(-3600); // an interactive login an hour ago, so auth_time differs from now
    let res: Response;
    const flow = new LoginFlow(app.url);
    try {
      res = await flow.run();
    } finally {
      emulator.clock.advance(3600);
    }
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe(`${app.url}/`);
    const me = (await (await flow.get("/me", { accept: "application/json" })).json()) as {
      id: string;
      authTime: number;
    };
    expect(me.id).toBe(USER);
    expect(issued?.auth_time).toBeTypeOf("number");
    expect(me.authTime).toBe(issued?.auth_time);
    expect(me.authTime).toBeLessThan(Math.floor(Date.now() / 1000) - 3000);
  });

  it("OIDC-01: an id_token with a flipped signature byte creates no session", async () => {
    const emulator = emu.get();
    const flow = await startedFlow();
    const good = await emulator.signIdToken(idTokenClaimsFor(emulator, flow, USER));
    answerNextCodeExchangeWith(emulator, withFlippedSignature(good));
    await expectRefusedLogin(flow, await flow.callback());
  });

  it("OIDC-01: an id_token signed with a key outside the JWKS under a known kid creates no session", async () => {
    const emulator = emu.get();
    const probe = await emulator.signIdToken({});
    const kid = (JSON.parse(Buffer.from(probe.split(".")[0]!, "base64url").toString()) as { kid: string }).kid;
    emulator.setIdTokenOverride(null, { key: "unknown", kid });
    const flow = new LoginFlow(app.url);
    await expectRefusedLogin(flow, await flow.run());
  });

  it("OIDC-02: an unsigned id_token (alg none) creates no session", async () => {
    emu.get().setIdTokenOverride(null, { alg: "none" });
    const flow = new LoginFlow(app.url);
    await expectRefusedLogin(flow, await flow.run());
  });

  it("OIDC-03: an HS256 id_token keyed with the public key (algorithm confusion) creates no session", async () => {
    emu.get().setIdTokenOverride(null, { alg: "HS256" });
    const flow = new LoginFlow(app.url);
    await expectRefusedLogin(flow, await flow.run());
  });

  it("OIDC-04: an id_token for another client id creates no session", async () => {
    emu.get().setIdTokenOverride((c) => ({ ...c, aud: "another-apps-rest-key" }));
    const flow = new LoginFlow(app.url);
    await expectRefusedLogin(flow, await flow.run());
  });

  it("OIDC-05: an id_token from another issuer creates no session", async () => {
    emu.get().setIdTokenOverride((c) => ({ ...c, iss: "https://kauth.kakao.com" }));
    const flow = new LoginFlow(app.url);
    await expectRefusedLogin(flow, await flow.run());
  });

  it("OIDC-06: an id_token expired beyond the clock tolerance creates no session", async () => {
    const now = Math.floor(Date.now() / 1000);
    emu.get().setIdTokenOverride((c) => ({ ...c, iat: now - 7200, exp: now - 600 }));
    const flow = new LoginFlow(app.url);
    await expectRefusedLogin(flow, await flow.run());
  });

  it("OIDC-07: an id_token issued an hour in the future creates no session", async () => {
    const now = Math.floor(Date.now() / 1000);
    emu.get().setIdTokenOverride((c) => ({ ...c, iat: now + 3600, exp: now + 3600 + 21599 }));
    const flow = new LoginFlow(app.url);
    await expectRefusedLogin(flow, await flow.run());
  });

  it("OIDC-08: an id_token without the nonce creates no session", async () => {
    emu.get().setIdTokenOverride(({ nonce: _nonce, ...c }) => c);
    const flow = new LoginFlow(app.url);
    await expectRefusedLogin(flow, await flow.run());
  });

  it("OIDC-08: an id_token carrying another attempt's nonce creates no session", async () => {
    const other = new LoginFlow(app.url);
    await other.start();
    const foreignNonce = other.authorizeUrl!.searchParams.get("nonce");
    emu.get().setIdTokenOverride((c) => ({ ...c, nonce: foreignNonce }));
    const flow = new LoginFlow(app.url);
    await expectRefusedLogin(flow, await flow.run());
  });

  it("OIDC-09: an id_token without kid is accepted when the JWKS holds one key", async () => {
    emu.get().setIdTokenOverride(null, { kid: null });
    const flow = new LoginFlow(app.url);
    const res = await flow.run();
    expect(res.headers.get("location")).toBe(`${app.url}/`);
    expect((await whoami(flow))?.id).toBe(USER);
  });

  it.each([300, -300])("RT-06: a Kakao clock %i s off still signs the user in", async (skew) => {
    const emulator = emu.get();
    emulator.clock.advance(skew);
    const flow = new LoginFlow(app.url);
    try {
      const res = await flow.run();
      expect(res.headers.get("location")).toBe(`${app.url}/`);
    } finally {
      emulator.clock.advance(-skew);
    }
    expect((await whoami(flow))?.id).toBe(USER);
  });

  it("OIDC-13: an id_token whose sub differs from the /v2/user/me id creates no session", async () => {
    emu.get().setIdTokenOverride((c) => ({ ...c, sub: "4000000999" }));
    const flow = new LoginFlow(app.url);
    await expectRefusedLogin(flow, await flow.run());
  });

  it("OIDC-14: an id_token without sub creates no session", async () => {
    emu.get().setIdTokenOverride(({ sub: _sub, ...c }) => c);
    const flow = new LoginFlow(app.url);
    await expectRefusedLogin(flow, await flow.run());
  });
});

describe("OpenID Connect signing keys", () => {
  const emu = useEmulator({ oidc: true });

  afterEach(() => {
    emu.get().setIdTokenOverride(null);
    emu.get().clearFaults();
  });
  expectNoServerErrorsAfterEach();

  /** A fresh app, so its JWKS cache starts empty. */
  async function withApp(run: (url: string) => Promise<void>): Promise<void> {
    const app = await listen(buildApp({ emulator: emu.get(), options: { oidc: true } }));
    try {
      await run(app.url);
    } finally {
      await app.close();
    }
  }

  it("OIDC-12: a JWKS endpoint that is down ends the login on the error page without a session", async () => {
    emu.get().fail("jwks", { status: 503, times: Infinity });
    await withApp(async (url) => {
      const flow = new LoginFlow(url);
      await expectRefusedLogin(flow, await flow.run(), ["id_token", "kakao_unavailable"]);
    });
  });

  it("OIDC-11: after a key rotation the next login is accepted with a single JWKS refetch", async () => {
    const emulator = emu.get();
    await withApp(async (url) => {
      const first = new LoginFlow(url);
      await first.run();
      expect((await whoami(first))?.id).toBe(USER);
      const fetchesBefore = emulator.requestsTo(JWKS_PATH).length;
      await emulator.rotateSigningKey({ dropOld: true });
      const second = new LoginFlow(url);
      const res = await second.run();
      expect(res.headers.get("location")).toBe(`${url}/`);
      expect((await whoami(second))?.id).toBe(USER);
      expect(emulator.requestsTo(JWKS_PATH).length - fetchesBefore).toBe(1);
    });
  });

  it("OIDC-11: id_tokens under an unknown kid cause at most one JWKS refetch however many arrive", async () => {
    const emulator = emu.get();
    await withApp(async (url) => {
      await new LoginFlow(url).run(); // fills the JWKS cache
      const fetchesBefore = emulator.requestsTo(JWKS_PATH).length;
      for (let i = 0; i < 3; i++) {
        emulator.setIdTokenOverride(null, { key: "unknown" });
        const flow = new LoginFlow(url);
        await expectRefusedLogin(flow, await flow.run());
      }
      expect(emulator.requestsTo(JWKS_PATH).length - fetchesBefore).toBeLessThanOrEqual(1);
    });
  });

  it("OIDC-10: an id_token without kid is accepted when exactly one of several JWKS keys verifies it", async () => {
    const emulator = emu.get();
    await emulator.rotateSigningKey(); // the JWKS now publishes two keys
    emulator.setIdTokenOverride(null, { kid: null });
    await withApp(async (url) => {
      const flow = new LoginFlow(url);
      const res = await flow.run();
      expect(res.headers.get("location")).toBe(`${url}/`);
      expect((await whoami(flow))?.id).toBe(USER);
    });
  });

  it("OIDC-10: an id_token without kid that none of several JWKS keys verifies creates no session", async () => {
    const emulator = emu.get();
    await emulator.rotateSigningKey();
    emulator.setIdTokenOverride(null, { kid: null, key: "unknown" });
    await withApp(async (url) => {
      const flow = new LoginFlow(url);
      await expectRefusedLogin(flow, await flow.run());
    });
  });
});

describe("an id_token the app did not ask for", () => {
  const emu = useEmulator({ oidc: true });
  const app = useApp(() => emu.get());

  it("OIDC-15: login still works when OIDC is on in the console but off in the app", async () => {
    const flow = new LoginFlow(app.url);
    const res = await flow.run();
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe(`${app.url}/`);
    expect((await whoami(flow))?.id).toBe(USER);
    expect(serverErrors).toEqual([]);
  });
});
