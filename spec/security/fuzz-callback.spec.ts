import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { useEmulator } from "../support/emulator.js";
import { LoginFlow } from "../support/login-flow.js";
import { expectNoServerErrorsAfterEach } from "../support/no-server-errors.js";
import { expectNoSession, setsSessionCookie, useApp } from "../support/security.js";

describe("IN-01: fuzzed callback queries (Express 5)", () => {
  const emu = useEmulator();
  const app = useApp(emu.get);
  /** A browser with a started login: its state lets some fuzzed queries reach the token exchange. */
  const browser = { flow: undefined as unknown as LoginFlow, state: "" };

  beforeAll(async () => {
    browser.flow = new LoginFlow(app.url);
    await browser.flow.start();
    browser.state = browser.flow.authorizeUrl!.searchParams.get("state")!;
  });
  expectNoServerErrorsAfterEach();

  const name = fc.oneof(
    fc.constantFrom(
      "code",
      "state",
      "error",
      "error_description",
      "iss",
      "callbackUrl",
      "returnTo",
      "code[]",
      "state[0]",
      "__proto__",
      "constructor",
      "",
    ),
    fc.string({ maxLength: 12 }),
  );
  const value = fc.oneof(
    fc.string({ unit: "binary", maxLength: 64 }),
    fc.constantFrom(
      "",
      "access_denied",
      "https://evil.example",
      "//evil.example",
      "%00",
      "%E0%A4%A",
      "\r\nSet-Cookie: x=1",
      "KOE320",
    ),
    fc.constant(null).map(() => browser.state),
    fc.string({ unit: fc.constantFrom("A", "b", "-", "_", "."), minLength: 20, maxLength: 200 }),
  );
  const pairs = fc.array(fc.tuple(name, value), { maxLength: 6 });
  const query = fc.oneof(
    pairs.map((p) => new URLSearchParams(p).toString()),
    // Near-valid: the browser's real state beside a fuzzed code, so the token exchange is reached.
    fc
      .tuple(value, pairs)
      .map(([code, extra]) => new URLSearchParams([["code", code], ["state", browser.state], ...extra]).toString()),
    fc.string({ unit: "grapheme-ascii", maxLength: 120 }).map((raw) => raw.replace(/#/g, "%23")),
  );

  it("IN-01: arbitrary callback queries never answer 5xx and never set a session cookie", async () => {
    await fc.assert(
      fc.asyncProperty(query, async (qs) => {
        // A copy of the started browser each run: failed callbacks clear the transaction cookies.
        const flow = new LoginFlow(app.url, browser.flow.jar.clone());
        const res = await flow.callback(`${app.url}/auth/callback/kakao?${qs}`);
        expect(res.status).toBeLessThan(500);
        expect(setsSessionCookie(res)).toBe(false);
        expect(flow.hasSession()).toBe(false);
        if (res.status === 302) expect(res.headers.get("location")).toMatch(/^\/auth\/error\?error=[A-Za-z0-9_]+$/);
        else expect(res.status).toBeGreaterThanOrEqual(400);
        await res.arrayBuffer();
      }),
      { numRuns: 100, interruptAfterTimeLimit: 15_000 },
    );
    // About a third of the runs are near-valid; some must have got past the state check.
    expect(emu.get().requestsTo("/oauth/token").length).toBeGreaterThan(0);
  });

  it("IN-01: the fuzzed browser is still anonymous afterwards", async () => {
    await expectNoSession(browser.flow);
  });
});
