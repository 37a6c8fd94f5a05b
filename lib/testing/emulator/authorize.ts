import { randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";
import type { EmulatorState, PendingAuthorize, RequestContext } from "./context.js";
import { first, redirect, sendHtml, splitList, withQuery } from "./http.js";
import { consentPage, koePage } from "./pages.js";
import type { EmulatorUser } from "./types.js";

/** Registered-URI check: exact match, or any absolute http(s) URL when the list is "any". */
export function isRegistered(uri: string, registered: string[] | "any"): boolean {
  if (registered !== "any") return registered.includes(uri);
  try {
    const u = new URL(uri);
    return u.protocol === "http:" || u.protocol === "https:";
  } catch {
    return false;
  }
}

function koe(res: ServerResponse, code: string, message: string): void {
  sendHtml(res, 400, koePage(code, message));
}

function redirectError(
  res: ServerResponse,
  p: { redirectUri: string; state: string | undefined },
  error: string,
  description?: string,
): void {
  redirect(
    res,
    withQuery(p.redirectUri, [
      ["error", error],
      ["error_description", description],
      ["state", p.state],
    ]),
  );
}

/** `GET /oauth/authorize` (kakao-api.md §2). */
export function handleAuthorize(ctx: RequestContext): void {
  const { query, res, state: emu } = ctx;
  const cfg = emu.config;
  const clientId = first(query, "client_id");
  if (clientId !== cfg.clientId) return koe(res, "KOE101", `Not exist client_id [${clientId ?? "null"}]`);
  const redirectUri = first(query, "redirect_uri");
  if (!redirectUri || !isRegistered(redirectUri, cfg.redirectUris)) {
    return koe(
      res,
      "KOE006",
      `등록하지 않은 리다이렉트 URI를 사용해 인가 코드를 요청했습니다. redirect_uri: ${redirectUri ?? ""}`,
    );
  }
  const responseType = first(query, "response_type");
  if (responseType === "token") return koe(res, "KOE202", "Implicit grant is not supported");
  if (responseType !== "code") return koe(res, "KOE201", `Unsupported response type: ${responseType ?? "null"}`);
  const scopes = splitList(first(query, "scope"));
  const unknown = scopes.filter((s) => !(cfg.consentItems.includes(s) || (s === "openid" && cfg.oidc)));
  if (unknown.length > 0) {
    return koe(
      res,
      "KOE205",
      `설정하지 않은 카카오 로그인 동의 항목을 포함해 인가 코드를 요청했습니다. 설정하지 않은 동의 항목: ${unknown.join(", ")}`,
    );
  }
  const state = first(query, "state") || undefined;
  const target = { redirectUri, state };
  const challenge = first(query, "code_challenge");
  const method = first(query, "code_challenge_method");
  if (challenge !== undefined || method !== undefined) {
    // RFC 7636 §4.4.1: an unsupported transformation is an authorization error response.
    if (method !== "S256") return redirectError(res, target, "invalid_request", "code_challenge_method must be S256");
    if (!challenge || !/^[A-Za-z0-9_-]{43}$/.test(challenge)) {
      return redirectError(res, target, "invalid_request", "invalid code_challenge");
    }
  }
  const outcome = emu.nextAuthorize.shift();
  if (outcome) {
    if ("error" in outcome) return redirectError(res, target, outcome.error, outcome.errorDescription);
    return redirectError(res, target, "access_denied", "User denied access");
  }
  const pending: PendingAuthorize = {
    redirectUri,
    state,
    scopes,
    nonce: first(query, "nonce") || undefined,
    codeChallenge: challenge,
    prompt: splitList(first(query, "prompt")),
    expiresAt: emu.clock.now() + cfg.codeTtl * 1000,
  };
  const hinted = emu.store.findUser(first(query, "login_hint"));
  const user = hinted ?? currentUser(emu);
  if (pending.prompt.includes("none")) {
    const agreed = user?.agreedScopes ?? [];
    if (!user || !user.linked || !scopes.every((s) => s === "openid" || agreed.includes(s))) {
      return redirectError(res, target, "consent_required", "user consent required.");
    }
    return complete(emu, res, pending, user);
  }
  if (cfg.interactive) {
    const tx = randomUUID();
    for (const [k, old] of emu.pending) if (old.expiresAt <= emu.clock.now()) emu.pending.delete(k);
    emu.pending.set(tx, pending);
    const html = consentPage({
      tx,
      users: [...emu.store.users.values()],
      selectedId: user?.id,
      scopes,
      clientId: cfg.clientId,
    });
    return sendHtml(res, 200, html);
  }
  if (!user) return koe(res, "KOE003", "The emulator has no users: add one with emulator.addUser().");
  return complete(emu, res, pending, user);
}

/** `GET /oauth/authorize/decide?tx&decision=agree|cancel&user_id` — the interactive page's form. */
export function handleDecide(ctx: RequestContext): void {
  const { query, res, state: emu } = ctx;
  const tx = first(query, "tx") ?? "";
  const pending = emu.pending.get(tx);
  emu.pending.delete(tx);
  if (!pending || pending.expiresAt <= emu.clock.now()) {
    return koe(res, "KOE001", "만료되었거나 잘못된 요청입니다. 처음부터 다시 로그인하세요.");
  }
  if (first(query, "decision") !== "agree") {
    return redirectError(res, pending, "access_denied", "User denied access");
  }
  const user = emu.store.users.get(first(query, "user_id") ?? "") ?? currentUser(emu);
  if (!user) return koe(res, "KOE003", "The emulator has no users.");
  complete(emu, res, pending, user);
}

function currentUser(emu: EmulatorState): EmulatorUser | undefined {
  const byId = emu.currentUserId ? emu.store.users.get(emu.currentUserId) : undefined;
  return byId ?? emu.store.users.values().next().value;
}

/** Consent granted: record it, mint the code, redirect (no `iss` parameter, like Kakao). */
function complete(emu: EmulatorState, res: ServerResponse, p: PendingAuthorize, user: EmulatorUser): void {
  emu.store.consent(user, p.scopes);
  const code = emu.store.saveCode({
    userId: user.id,
    clientId: emu.config.clientId,
    redirectUri: p.redirectUri,
    nonce: p.nonce,
    codeChallenge: p.codeChallenge,
    idToken: emu.config.oidc || p.scopes.includes("openid"),
    authTime: Math.floor(emu.clock.now() / 1000),
  });
  redirect(
    res,
    withQuery(p.redirectUri, [
      ["code", code],
      ["state", p.state],
    ]),
  );
}

/** `GET /oauth/logout?client_id&logout_redirect_uri&state` (§5.3). */
export function handleKauthLogout(ctx: RequestContext): void {
  const { query, res, state: emu } = ctx;
  const clientId = first(query, "client_id");
  if (clientId !== emu.config.clientId) return koe(res, "KOE101", `Not exist client_id [${clientId ?? "null"}]`);
  const uri = first(query, "logout_redirect_uri");
  if (!uri || !isRegistered(uri, emu.config.logoutRedirectUris)) {
    return koe(res, "KOE007", `등록하지 않은 로그아웃 리다이렉트 URI입니다. logout_redirect_uri: ${uri ?? ""}`);
  }
  redirect(res, withQuery(uri, [["state", first(query, "state") || undefined]]));
}
