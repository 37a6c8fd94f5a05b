import type { RequestHandler } from "express";
import { describe, expect, it } from "vitest";
import {
  kakaoAuth,
  kakaoErrorHandler,
  requireFreshLogin,
  requireKakaoScopes,
  requireKakaoUser,
  requireKakaoUserWhere,
} from "../../lib/index.js";
import { EXPRESS_MAJORS, SECRET } from "../support/app.js";
import { useEmulator } from "../support/emulator.js";
import { messageOf, requestMisusedApp, type MisuseOutcome } from "../support/misuse.js";

/** A factory passed where its middleware belongs, as `app.use(kakaoAuth)` does. */
const uncalled = (factory: unknown) => factory as RequestHandler;

/** The misuse ended in exactly one error with this text, the handler did not run, and nothing hung. */
function expectOneErrorSaying(outcome: MisuseOutcome, text: string): void {
  expect(outcome.status, "the request hung").toBe(500);
  expect(outcome.errors).toHaveLength(1);
  expect(outcome.errors[0]).toBeInstanceOf(Error);
  expect(messageOf(outcome.errors[0])).toContain(text);
  expect(outcome.handlerRan).toBe(false);
}

const GUARDS: Array<[name: string, factory: unknown]> = [
  ["requireKakaoUser", requireKakaoUser],
  ["requireKakaoScopes", requireKakaoScopes],
  ["requireKakaoUserWhere", requireKakaoUserWhere],
  ["requireFreshLogin", requireFreshLogin],
];

describe.each(EXPRESS_MAJORS)("a factory mounted without being called, on Express %i", (major) => {
  const emu = useEmulator();
  const configured = () => kakaoAuth({ ...emu.get().options, secret: SECRET });

  describe("app.use(kakaoAuth)", () => {
    it.each([
      ["GET", "/x"],
      ["GET", "/"],
      ["POST", "/auth/signin/kakao"],
    ])("answers %s %s with an error saying kakaoAuth must be called, without hanging", async (method, path) => {
      const outcome = await requestMisusedApp(major, (app) => app.use(uncalled(kakaoAuth)), { method, path });
      expectOneErrorSaying(outcome, "kakaoAuth must be called");
    });
  });

  describe.each(GUARDS)("app.get('/x', %s, handler)", (name, guard) => {
    it(`passes the request an error saying ${name} must be called, without hanging`, async () => {
      const outcome = await requestMisusedApp(major, (app, handler) => {
        app.use(configured());
        app.get("/x", uncalled(guard), handler);
      });
      expectOneErrorSaying(outcome, `${name} must be called`);
    });
  });

  describe("app.use(kakaoErrorHandler) as a middleware", () => {
    it("passes the request an error saying kakaoErrorHandler must be called, without hanging", async () => {
      const outcome = await requestMisusedApp(major, (app) => {
        app.use(configured());
        app.use(uncalled(kakaoErrorHandler));
      });
      expectOneErrorSaying(outcome, "kakaoErrorHandler must be called");
    });
  });
});
