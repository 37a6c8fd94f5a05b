import { expect } from "vitest";

/** The request kinds a guard tells apart: a page load, an API call, a HEAD probe and a form POST. */
export type RequestKind = "html-get" | "json-get" | "head" | "post";
export const REQUEST_KINDS: RequestKind[] = ["html-get", "json-get", "head", "post"];

/** Sends `path` as this kind of request, without following redirects. */
export function send(appUrl: string, kind: RequestKind, path: string, cookie = ""): Promise<Response> {
  const accept = kind === "json-get" ? "application/json" : "text/html,application/xhtml+xml,*/*;q=0.8";
  const method = kind === "head" ? "HEAD" : kind === "post" ? "POST" : "GET";
  return fetch(`${appUrl}${path}`, {
    method,
    redirect: "manual",
    headers: {
      accept,
      ...(cookie ? { cookie } : {}),
      ...(kind === "post" ? { "content-type": "application/x-www-form-urlencoded" } : {}),
    },
    ...(kind === "post" ? { body: "note=hello" } : {}),
  });
}

/** What a guard answered, in the terms of DESIGN.md's guard table. */
export type GuardAnswer =
  | { kind: "pass" }
  | { kind: "sign-in"; prompt?: "login" }
  | { kind: "scopes"; scopes: string[] }
  | { kind: "forbidden" };

/** The sign-in URL a guard redirects a page to. */
export function signInLocation(returnTo: string, extra: Record<string, string> = {}): string {
  return `/auth/signin/kakao?${new URLSearchParams({ returnTo, ...extra }).toString()}`;
}

/**
 * Checks a guard's answer for this request kind: pages (GET accepting HTML) get a 302 to sign-in,
 * everything else the JSON 401/403 with `WWW-Authenticate`; a 403 to a page is a short HTML page;
 * HEAD answers carry no body.
 */
export async function expectGuardAnswer(
  res: Response,
  kind: RequestKind,
  path: string,
  expected: GuardAnswer,
): Promise<void> {
  const redirects = kind === "html-get";
  const body = kind === "head" ? undefined : await res.text();
  switch (expected.kind) {
    case "pass":
      expect(res.status).toBe(200);
      if (body !== undefined) expect(JSON.parse(body)).toMatchObject({ ok: true });
      return;
    case "forbidden":
      expect(res.status).toBe(403);
      if (body === undefined) return;
      if (redirects) {
        expect(res.headers.get("content-type")).toMatch(/^text\/html/);
        expect(body).toContain("<h1>Forbidden</h1>");
      } else expect(JSON.parse(body)).toEqual({ error: "forbidden" });
      return;
    case "sign-in":
      if (redirects) {
        expect(res.status).toBe(302);
        expect(res.headers.get("location")).toBe(
          signInLocation(path, expected.prompt ? { prompt: expected.prompt } : {}),
        );
        return;
      }
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toMatch(/^Bearer realm="kakao"/);
      if (expected.prompt) {
        expect(res.headers.get("www-authenticate")).toContain('error="invalid_token"');
        if (body !== undefined) expect(JSON.parse(body)).toMatchObject({ error: "login_required" });
      } else if (body !== undefined) expect(JSON.parse(body)).toEqual({ error: "unauthorized" });
      return;
    case "scopes":
      if (redirects) {
        expect(res.status).toBe(302);
        expect(res.headers.get("location")).toBe(signInLocation(path, { scope: expected.scopes.join(",") }));
        return;
      }
      expect(res.status).toBe(403);
      expect(res.headers.get("www-authenticate")).toContain('error="insufficient_scope"');
      expect(res.headers.get("www-authenticate")).toContain(`scope="${expected.scopes.join(" ")}"`);
      if (body !== undefined)
        expect(JSON.parse(body)).toEqual({ error: "insufficient_scope", required_scopes: expected.scopes });
      return;
  }
}

/** A short label of the expected answer for test names, e.g. "302 to sign-in" or "403 insufficient_scope". */
export function answerLabel(kind: RequestKind, expected: GuardAnswer): string {
  const page = kind === "html-get";
  switch (expected.kind) {
    case "pass":
      return "200, passed through";
    case "forbidden":
      return "403 forbidden";
    case "sign-in":
      if (expected.prompt) return page ? "302 to sign-in with prompt=login" : "401 login_required";
      return page ? "302 to sign-in" : "401 unauthorized";
    case "scopes":
      return page ? `302 to consent for ${expected.scopes.join(",")}` : "403 insufficient_scope";
  }
}
