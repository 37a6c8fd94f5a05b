import type { Request, Response } from "express";
import type { ResponseInternal } from "@auth/core/types";
import { serialize, type SerializeOptions } from "cookie";

/** Builds the Web `Request` Auth.js expects from an Express request, for one internal action. */
export function toAuthRequest(
  req: Request,
  url: string,
  init: { method: "GET" | "POST"; body?: URLSearchParams },
): globalThis.Request {
  const headers = new Headers();
  if (req.headers.cookie) headers.set("cookie", req.headers.cookie);
  if (req.headers["user-agent"]) headers.set("user-agent", req.headers["user-agent"]);
  if (init.body) headers.set("content-type", "application/x-www-form-urlencoded");
  return new globalThis.Request(url, { method: init.method, headers, body: init.body?.toString() });
}

export type AuthCookie = NonNullable<ResponseInternal["cookies"]>[number];

export function serializeAuthCookie(c: AuthCookie): string {
  return serialize(c.name, c.value, c.options as SerializeOptions);
}

/** Writes Auth.js's cookies onto the Express response, optionally dropping some by name. */
export function writeAuthCookies(
  res: Response,
  cookies: AuthCookie[] | undefined,
  skip?: (name: string) => boolean,
): void {
  for (const c of cookies ?? []) if (!skip?.(c.name)) res.append("Set-Cookie", serializeAuthCookie(c));
}

/** Auth.js answers in raw mode with `ResponseInternal`, but configuration errors still come as a Web `Response`. */
export function isWebResponse(value: unknown): value is globalThis.Response {
  return typeof globalThis.Response === "function" && value instanceof globalThis.Response;
}

/** Copies a Web `Response` (Auth.js's JSON actions such as /csrf and /providers) onto Express. */
export async function sendWebResponse(res: Response, web: globalThis.Response): Promise<void> {
  res.status(web.status);
  web.headers.forEach((value, key) => {
    if (key === "set-cookie") return;
    res.setHeader(key, value);
  });
  for (const c of web.headers.getSetCookie()) res.append("Set-Cookie", c);
  res.send(Buffer.from(await web.arrayBuffer()));
}
