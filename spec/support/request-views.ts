import { inspect } from "node:util";
import type express5 from "express";

/** Where `addRequestViewsRoute` answers. */
export const REQUEST_VIEWS_PATH = "/request-views";

/**
 * What a handler (or its logger, or an error reporter) can print of a request: the ways user code
 * serialises `req.kakao`, `req.kakaoUser` and `req` itself.
 */
export interface RequestViews {
  kakaoJson: string;
  kakaoUserJson: string | null;
  kakaoInspected: string;
  reqInspected: string;
  /** `Object.keys(req.kakao)`. */
  kakaoKeys: string[];
}

/** Adds `GET /request-views` answering `RequestViews` for the request (pass as `buildApp`'s `routes`). */
export function addRequestViewsRoute(app: express5.Express): void {
  app.get(REQUEST_VIEWS_PATH, (req, res) => {
    const views: RequestViews = {
      kakaoJson: JSON.stringify(req.kakao),
      kakaoUserJson: JSON.stringify(req.kakaoUser) ?? null,
      kakaoInspected: inspect(req.kakao, { depth: 10 }),
      reqInspected: inspect(req, { depth: 10, showHidden: false }),
      kakaoKeys: Object.keys(req.kakao),
    };
    res.json(views);
  });
}

/** GET `/request-views` with this Cookie header. */
export async function requestViews(appUrl: string, cookie = ""): Promise<RequestViews> {
  const res = await fetch(`${appUrl}${REQUEST_VIEWS_PATH}`, { headers: cookie ? { cookie } : {} });
  if (res.status !== 200) throw new Error(`GET ${REQUEST_VIEWS_PATH} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as RequestViews;
}
