import { authenticate } from "./api-auth.js";
import type { EmulatorState, RequestContext } from "./context.js";
import { first, sendJson, splitList } from "./http.js";
import { JsonInt, parseStringArray } from "./json.js";
import { sendKapi } from "./kakao-errors.js";
import type { EmulatorUser } from "./types.js";

const DISPLAY: Record<string, string> = {
  profile: "프로필 정보(닉네임/프로필 사진)",
  profile_nickname: "닉네임",
  profile_image: "프로필 사진",
  account_email: "카카오계정(이메일)",
  name: "이름",
  gender: "성별",
  age_range: "연령대",
  birthday: "생일",
  birthyear: "출생 연도",
  phone_number: "카카오계정(전화번호)",
  account_ci: "CI(연계정보)",
  shipping_address: "배송지정보(수령인명, 배송지 주소, 전화번호)",
  talk_message: "카카오톡 메시지 전송",
  friends: "카카오 서비스 내 친구목록(프로필사진, 닉네임, 즐겨찾기 포함)",
};
const SERVICE = new Set(["talk_message", "friends", "plusfriends", "talk_chats", "talk_calendar"]);

/** `scopes` parameter: a JSON array (SDK style) or a comma/space list (docs style). */
function scopeList(raw: string | undefined): string[] | undefined {
  if (raw === undefined) return undefined;
  return parseStringArray(raw) ?? splitList(raw);
}

/** The §7.2 document: configured items (`using:true`) plus items agreed earlier but no longer configured. */
export function scopesDoc(emu: EmulatorState, user: EmulatorUser, only?: string[]): Record<string, unknown> {
  const agreed = user.agreedScopes ?? [];
  const ids = [...new Set([...emu.config.consentItems, ...agreed])].filter((id) => !only || only.includes(id));
  const scopes = ids.map((id) => {
    const isAgreed = agreed.includes(id);
    const entry: Record<string, unknown> = {
      id,
      display_name: DISPLAY[id] ?? id,
      type: SERVICE.has(id) ? "SERVICE" : "PRIVACY",
      using: emu.config.consentItems.includes(id),
      agreed: isAgreed,
    };
    if (isAgreed) entry.revocable = !emu.config.requiredConsentItems.includes(id);
    return entry;
  });
  return { id: new JsonInt(user.id), scopes };
}

/** `GET /v2/user/scopes` (§7.2). */
export function handleScopes(ctx: RequestContext): void {
  const caller = authenticate(ctx, { admin: true });
  if (!caller) return;
  sendJson(ctx.res, 200, scopesDoc(ctx.state, caller.user, scopeList(first(ctx.params, "scopes"))));
}

/** `POST /v2/user/revoke/scopes` (§7.3). */
export function handleRevokeScopes(ctx: RequestContext): void {
  const caller = authenticate(ctx, { admin: true });
  if (!caller) return;
  const { user } = caller;
  const wanted = scopeList(first(ctx.params, "scopes")) ?? [];
  const agreed = user.agreedScopes ?? [];
  const unknown = wanted.filter((s) => !agreed.includes(s));
  if (wanted.length === 0 || unknown.length > 0) {
    return sendKapi(ctx.res, -2, {
      msg: `There is no scopes to revoke. check out if given scope id([${unknown.join(", ")}]) is correct again.`,
    });
  }
  const required = wanted.filter((s) => ctx.state.config.requiredConsentItems.includes(s));
  if (required.length > 0) {
    return sendKapi(ctx.res, -3, {
      msg: `[${required.join(", ")}] is not revocable. check out if it's set as required on developers.kakao.com`,
    });
  }
  ctx.state.store.revokeConsent(user, wanted, caller.appId);
  sendJson(ctx.res, 200, scopesDoc(ctx.state, user));
}

/**
 * `POST /v2/api/talk/memo/default/send` — implemented for real so -402 can be exercised: without the
 * `talk_message` consent it answers 403 `{"msg":"insufficient scopes.","code":-402,
 * "api_type":"TALK_MEMO_DEFAULT_SEND","required_scopes":["talk_message"],"allowed_scopes":[…]}`.
 */
export function handleTalkMemo(ctx: RequestContext): void {
  const caller = authenticate(ctx, { admin: false });
  if (!caller) return;
  const agreed = caller.user.agreedScopes ?? [];
  if (!agreed.includes("talk_message")) {
    return sendKapi(ctx.res, -402, { path: ctx.path, requiredScopes: ["talk_message"], allowedScopes: [...agreed] });
  }
  const template = first(ctx.params, "template_object");
  let ok = false;
  try {
    const v: unknown = template === undefined ? undefined : JSON.parse(template);
    ok = typeof v === "object" && v !== null && !Array.isArray(v);
  } catch {
    ok = false;
  }
  if (!ok) return sendKapi(ctx.res, -2, { msg: "template_object is required and must be a JSON object" });
  sendJson(ctx.res, 200, { result_code: 0 });
}
