import type { Request as Request5, RequestHandler as RequestHandler5 } from "express";
import express5 from "express";
// Express 4's types come from the `@types/express4` alias (npm:@types/express@4), which TypeScript
// finds for the `express4` module by the usual @types lookup, side by side with Express 5's.
import type { Request as Request4, RequestHandler as RequestHandler4 } from "express4";
import express4 from "express4";
import { describe, expectTypeOf, it } from "vitest";
import { kakaoAuth, KakaoApiError, requireKakaoUser, type KakaoRequestContext, type KakaoUser } from "../lib/index.js";

/*
 * These checks run in `tsc --noEmit -p .` (the spec is in the project); at run time vitest only
 * executes the trivial bodies. A wrong type fails the typecheck, not the test run.
 */

describe("Express Request augmentation", () => {
  it("types req.kakaoUser as KakaoUser | undefined on an Express 5 Request", () => {
    expectTypeOf<Request5["kakaoUser"]>().toEqualTypeOf<KakaoUser | undefined>();
  });

  it("types req.kakao as KakaoRequestContext on an Express 5 Request", () => {
    expectTypeOf<Request5["kakao"]>().toEqualTypeOf<KakaoRequestContext>();
  });

  it("types req.kakaoUser as KakaoUser | undefined on an Express 4 Request", () => {
    expectTypeOf<Request4["kakaoUser"]>().toEqualTypeOf<KakaoUser | undefined>();
  });

  it("types req.kakao as KakaoRequestContext on an Express 4 Request", () => {
    expectTypeOf<Request4["kakao"]>().toEqualTypeOf<KakaoRequestContext>();
  });

  it("lets an Express 5 handler read req.kakaoUser.id as a string without casts", () => {
    const handler: RequestHandler5 = (req, res) => {
      expectTypeOf(req.kakaoUser?.id).toEqualTypeOf<string | undefined>();
      res.json(req.kakaoUser);
    };
    express5().get("/me", requireKakaoUser(), handler);
  });

  it("lets an Express 4 handler read req.kakaoUser.id as a string without casts", () => {
    const handler: RequestHandler4 = (req, res) => {
      expectTypeOf(req.kakaoUser?.id).toEqualTypeOf<string | undefined>();
      res.json(req.kakaoUser);
    };
    express4().get("/me", handler);
  });

  it("types kakaoAuth() and the guards as Express 5 middleware", () => {
    expectTypeOf<ReturnType<typeof kakaoAuth>>().toExtend<RequestHandler5>();
    expectTypeOf(requireKakaoUser()).toExtend<RequestHandler5>();
  });
});

describe("KakaoUser", () => {
  it("types id as a string (ids can exceed 2^53)", () => {
    expectTypeOf<KakaoUser["id"]>().toEqualTypeOf<string>();
  });

  it("types email as optional and emailVerified as a boolean", () => {
    expectTypeOf<KakaoUser["email"]>().toEqualTypeOf<string | undefined>();
    expectTypeOf<KakaoUser["emailVerified"]>().toEqualTypeOf<boolean>();
  });

  it("types scopes as string[] and authTime as a number", () => {
    expectTypeOf<KakaoUser["scopes"]>().toEqualTypeOf<string[]>();
    expectTypeOf<KakaoUser["authTime"]>().toEqualTypeOf<number>();
  });
});

describe("KakaoRequestContext", () => {
  it("types accessToken() as Promise<string> and api<T>() as Promise<T>", () => {
    expectTypeOf<KakaoRequestContext["accessToken"]>().returns.toEqualTypeOf<Promise<string>>();
    expectTypeOf<ReturnType<KakaoRequestContext["api"]>>().toEqualTypeOf<Promise<unknown>>();
  });

  it("types KakaoApiError with a numeric kakaoCode and requiredScopes", () => {
    expectTypeOf<KakaoApiError["kakaoCode"]>().toEqualTypeOf<number>();
    expectTypeOf<KakaoApiError["requiredScopes"]>().toEqualTypeOf<string[]>();
  });
});
