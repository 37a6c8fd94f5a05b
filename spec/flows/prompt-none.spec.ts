import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../support/app.js";
import { useEmulator } from "../support/emulator.js";
import { LoginFlow } from "../support/login-flow.js";
import { expectNoServerErrorsAfterEach } from "../support/no-server-errors.js";
import { listen, type Listening } from "../support/server.js";

describe("silent sign-in with prompt=none", () => {
  const emu = useEmulator();
  let app: Listening;

  beforeAll(async () => {
    app = await listen(
      buildApp({
        emulator: emu.get(),
        routes: (a) =>
          a.get("/landing", (req, res) =>
            res.json({ user: req.kakaoUser ?? null, silent: req.kakao.silentSignInError ?? null }),
          ),
      }),
    );
  });
  afterAll(async () => app.close());
  expectNoServerErrorsAfterEach();

  it("forwards prompt=none to Kakao's authorize endpoint", async () => {
    const flow = new LoginFlow(app.url);
    await flow.start({ prompt: "none", returnTo: "/landing" });
    expect(flow.authorizeUrl?.searchParams.get("prompt")).toBe("none");
  });

  it("returns a user Kakao cannot sign in silently to returnTo, anonymous, instead of an error page", async () => {
    emu.get().addUser({ id: "7100000001", linked: false });
    const flow = new LoginFlow(app.url);
    const res = await flow.run({ prompt: "none", returnTo: "/landing", login_hint: "7100000001" });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/landing");
    expect(flow.hasSession()).toBe(false);
  });

  it("flags the next request with silentSignInError once, so the app does not loop", async () => {
    emu.get().addUser({ id: "7100000002", linked: false });
    const flow = new LoginFlow(app.url);
    await flow.run({ prompt: "none", returnTo: "/landing", login_hint: "7100000002" });
    const first = await flow.get("/landing");
    flow.jar.take(first);
    expect(await first.json()).toEqual({ user: null, silent: "consent_required" });
    expect(await (await flow.get("/landing")).json()).toEqual({ user: null, silent: null });
  });

  it("signs in an already linked user silently", async () => {
    emu.get().addUser({ id: "7100000003", linked: true });
    const flow = new LoginFlow(app.url);
    await flow.run({ prompt: "none", returnTo: "/landing", login_hint: "7100000003" });
    expect(await (await flow.get("/landing")).json()).toMatchObject({ user: { id: "7100000003" }, silent: null });
  });
});
