import type { NextFunction, Request, RequestHandler, Response } from "express";
import type express5 from "express";
import { KakaoApiError, KakaoAuthError } from "../../lib/index.js";

/** Express 4 ignores rejected promises: forward them to the error handlers. */
function run(handler: (req: Request, res: Response) => Promise<void>): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    handler(req, res).catch(next);
  };
}

/** What a handler that catches a Kakao error can tell about it (no message: it is not checked here). */
function describeError(err: unknown): Record<string, unknown> {
  if (err instanceof KakaoApiError)
    return {
      name: err.name,
      code: err.code,
      kakaoCode: err.kakaoCode,
      kakaoStatus: err.kakaoStatus,
      requiredScopes: err.requiredScopes,
      message: err.message,
    };
  if (err instanceof KakaoAuthError) return { name: err.name, code: err.code, message: err.message };
  throw err;
}

const TALK_MEMO = "/v2/api/talk/memo/default/send";
const TEXT_TEMPLATE = JSON.stringify({ object_type: "text", text: "hello", link: { web_url: "http://127.0.0.1/" } });

/**
 * Routes that exercise `req.kakao` for the token specs, under `/kakao/*`. Errors go to
 * `next(err)` (so `kakaoErrorHandler()` answers them) unless the route is `/kakao/caught/*`,
 * which answers 504 (no answer from Kakao) or 502 with the error's fields.
 */
export function kakaoContextRoutes(app: express5.Express): void {
  const calls: Record<string, (req: Request) => Promise<unknown>> = {
    token: async (req) => ({ accessToken: await req.kakao.accessToken() }),
    me: (req) => req.kakao.me(),
    scopes: (req) => req.kakao.scopes(),
    talk: (req) =>
      req.kakao.api(TALK_MEMO, { method: "POST", body: new URLSearchParams({ template_object: TEXT_TEMPLATE }) }),
  };
  for (const [name, call] of Object.entries(calls)) {
    app.get(
      `/kakao/${name}`,
      run(async (req, res) => void res.json(await call(req))),
    );
    app.get(
      `/kakao/caught/${name}`,
      run(async (req, res) => {
        try {
          res.json(await call(req));
        } catch (err) {
          const error = describeError(err);
          res.status(error.kakaoStatus === 0 ? 504 : 502).json({ error });
        }
      }),
    );
  }
  app.post(
    "/kakao/logout",
    run(async (req, res) => {
      await req.kakao.logout();
      res.json({ loggedOut: true });
    }),
  );
  app.post(
    "/kakao/unlink",
    run(async (req, res) => {
      await req.kakao.unlink();
      res.json({ unlinked: true });
    }),
  );
}
