import { expect } from "vitest";
import { postForm } from "./csrf.js";
import { whoamiWith } from "./session-requests.js";

/** `POST {basePath}/signout` from the app's own origin (Auth.js-style CSRF passes on a same-origin Origin). */
export async function signOutSameOrigin(appUrl: string, cookie: string, basePath = "/auth"): Promise<Response> {
  const res = await postForm(`${appUrl}${basePath}/signout`, {}, { cookie, headers: { origin: appUrl } });
  expect(res.status, "the same-origin sign-out was accepted").toBe(200);
  return res;
}

/** A copy of a signed-in browser's Cookie header, checked to be signed in as `userId` before it is used. */
export async function copyCookie(appUrl: string, cookie: string, userId: string): Promise<string> {
  expect((await whoamiWith(appUrl, cookie)).user?.id, "the copied cookie is signed in before sign-out").toBe(userId);
  return cookie;
}

/** `GET /me` (guarded by requireKakaoUser) as an API call with this Cookie header: its status. */
export async function guardedApiStatus(appUrl: string, cookie: string): Promise<number> {
  const res = await fetch(`${appUrl}/me`, { redirect: "manual", headers: { cookie, accept: "application/json" } });
  await res.arrayBuffer();
  return res.status;
}
