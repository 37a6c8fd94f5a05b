import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sanitizeReturnTo } from "../../lib/http/return-to.js";
import { EXPRESS_MAJORS } from "../support/app.js";
import { useEmulator } from "../support/emulator.js";
import { LoginFlow } from "../support/login-flow.js";
import { expectNoServerErrorsAfterEach } from "../support/no-server-errors.js";
import { HOSTILE_RETURN_TO } from "../support/hostile-return-to.js";
import { expectCleanError, secretsOf, useApp } from "../support/security.js";

/** Same-origin paths that must survive untouched (controls: the sanitiser is not just "/" always). */
const FRIENDLY_RETURN_TO = ["/me", "/me?tab=1#section", "/a/b%20c?q=%2F"];

describe.each(EXPRESS_MAJORS)("returnTo after Kakao login on Express %i", (major) => {
  const emu = useEmulator();
  const app = useApp(emu.get, { express: major });
  expectNoServerErrorsAfterEach();

  it.each(HOSTILE_RETURN_TO)("%s: returnTo %j lands on / after login", async (_id, returnTo) => {
    const flow = new LoginFlow(app.url);
    const res = await flow.run({ returnTo });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe(`${app.url}/`);
  });

  it.each(FRIENDLY_RETURN_TO)("keeps the same-origin path %j", async (returnTo) => {
    const flow = new LoginFlow(app.url);
    const res = await flow.run({ returnTo });
    expect(res.headers.get("location")).toBe(`${app.url}${returnTo}`);
  });

  it("RED-06: a CR/LF returnTo injects no header into the sign-in or callback responses", async () => {
    const flow = new LoginFlow(app.url);
    const start = await flow.start({ returnTo: "/\r\nSet-Cookie:x=1" });
    await flow.authorize();
    const done = await flow.callback();
    for (const res of [start, done]) {
      expect(res.headers.getSetCookie().some((c) => c.startsWith("x="))).toBe(false);
      expect(res.headers.get("location")).not.toMatch(/[\r\n]/);
    }
    expect(flow.jar.get("x")).toBeUndefined();
  });

  it("RED-07: a callbackUrl added to the callback URL does not override the returnTo stored at sign-in", async () => {
    const flow = new LoginFlow(app.url);
    await flow.start({ returnTo: "/me" });
    await flow.authorize();
    const tampered = new URL(flow.callbackUrl!);
    tampered.searchParams.set("callbackUrl", "/attacker-chosen");
    const res = await flow.callback(tampered);
    expect(res.headers.get("location")).toBe(`${app.url}/me`);
  });

  it("RED-07: a returnTo added to the callback URL does not override the one stored at sign-in", async () => {
    const flow = new LoginFlow(app.url);
    await flow.start({ returnTo: "/me" });
    await flow.authorize();
    const tampered = new URL(flow.callbackUrl!);
    tampered.searchParams.set("returnTo", "/attacker-chosen");
    const res = await flow.callback(tampered);
    expect(res.headers.get("location")).toBe(`${app.url}/me`);
  });

  it("RED-07: a callback-url cookie rewritten to another site still lands on the app's origin", async () => {
    const flow = new LoginFlow(app.url);
    await flow.start({ returnTo: "/me" });
    await flow.authorize();
    flow.jar.set("authjs.callback-url", encodeURIComponent("https://evil.example/steal"));
    const res = await flow.callback();
    expect(new URL(res.headers.get("location")!).origin).toBe(app.url);
  });

  it("RED-08: the sign-in redirect to Kakao carries Referrer-Policy: no-referrer", async () => {
    const res = await new LoginFlow(app.url).start();
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
  });

  it("RED-08: a successful callback carries Referrer-Policy: no-referrer and no code in its Location", async () => {
    const flow = new LoginFlow(app.url);
    const res = await flow.run({ returnTo: "/me" });
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    expect(res.headers.get("location")).not.toContain(flow.callbackUrl!.searchParams.get("code")!);
  });

  it("RED-08: a failed callback and its error page carry no-referrer and never show the code", async () => {
    const flow = new LoginFlow(app.url);
    await flow.start();
    await flow.authorize();
    const code = flow.callbackUrl!.searchParams.get("code")!;
    flow.jar.delete("authjs.state");
    const res = await flow.callback();
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    expect(res.headers.get("location")).not.toContain(code);
    const page = await fetch(new URL(res.headers.get("location")!, app.url));
    expect(page.headers.get("referrer-policy")).toBe("no-referrer");
    const shown = await expectCleanError(res, app.url, secretsOf(emu.get()));
    expect(shown.body).not.toContain(code);
  });
});

describe("IN-04: sanitizeReturnTo", () => {
  const origin = "http://app.example:3000";
  /** Pieces that open redirects are made of, so generated strings hit the interesting cases often. */
  const piece = fc.constantFrom(
    "/",
    "//",
    "\\",
    ".",
    "..",
    "./",
    "../",
    "%2F",
    "%2f",
    "%5C",
    "%2e",
    "%2E%2E",
    "%25",
    "%",
    "%0d%0a",
    "\r\n",
    "\t",
    " ",
    ":",
    "@",
    "?",
    "#",
    "javascript:",
    "http:",
    "https://",
    "data:",
    "evil.example",
    "app.example:3000",
    "a",
    "é",
    "\u2215",
  );
  const lead = fc.constantFrom("/", "/", "", "\\", "%2F", " ");
  const candidate = fc.oneof(
    fc.tuple(lead, fc.array(piece, { maxLength: 8 })).map(([first, parts]) => first + parts.join("")),
    fc.string({ unit: "binary", maxLength: 40 }),
    fc.webUrl().map((u) => u.replace(/^https?:/, "")),
  );

  it("IN-04: always yields undefined or a same-origin path that no browser reads as another host", () => {
    fc.assert(
      fc.property(candidate, (value) => {
        const out = sanitizeReturnTo(value, origin);
        if (out === undefined) return;
        expect(out.startsWith("/")).toBe(true);
        expect(out.startsWith("//")).toBe(false);
        expect(out).not.toMatch(/[\u0000-\u001f\u007f\\]/);
        expect(new URL(out, origin).origin).toBe(origin);
        // Resolved against any other base it must stay on that base: it carries no authority.
        expect(new URL(out, "https://other.example:8443/x/y").host).toBe("other.example:8443");
      }),
      { numRuns: 10_000 },
    );
  });

  it("IN-04: a sanitised path is accepted unchanged when sanitised again", () => {
    fc.assert(
      fc.property(candidate, (value) => {
        const out = sanitizeReturnTo(value, origin);
        if (out !== undefined) expect(sanitizeReturnTo(out, origin)).toBe(out);
      }),
      { numRuns: 10_000 },
    );
  });

  it("IN-04: never accepts a value that is not a string", () => {
    fc.assert(
      fc.property(
        fc.anything().filter((v) => typeof v !== "string"),
        (value) => {
          expect(sanitizeReturnTo(value, origin)).toBeUndefined();
        },
      ),
      { numRuns: 200 },
    );
  });
});
