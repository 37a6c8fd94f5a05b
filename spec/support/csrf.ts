import { parseSetCookie } from "cookie";
import { applySetCookies } from "./session-requests.js";

/** A browser's CSRF token from `GET {basePath}/csrf`, and its Cookie header with the CSRF cookie added. */
export async function fetchCsrf(
  appUrl: string,
  cookie = "",
  basePath = "/auth",
): Promise<{ csrfToken: string; cookie: string }> {
  const res = await fetch(`${appUrl}${basePath}/csrf`, { headers: cookie ? { cookie } : {} });
  if (res.status !== 200) throw new Error(`GET ${basePath}/csrf answered ${res.status}`);
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return {
    csrfToken,
    cookie: applySetCookies(
      cookie,
      res.headers.getSetCookie().map((line) => parseSetCookie(line)),
    ),
  };
}

/** POSTs `fields` as an urlencoded form (or JSON with `json: true`) without following redirects. */
export function postForm(
  url: string,
  fields: Record<string, string>,
  {
    cookie = "",
    headers = {},
    json = false,
  }: { cookie?: string; headers?: Record<string, string>; json?: boolean } = {},
): Promise<Response> {
  return fetch(url, {
    method: "POST",
    redirect: "manual",
    headers: {
      "content-type": json ? "application/json" : "application/x-www-form-urlencoded",
      accept: "application/json",
      ...(cookie ? { cookie } : {}),
      ...headers,
    },
    body: json ? JSON.stringify(fields) : new URLSearchParams(fields).toString(),
  });
}
