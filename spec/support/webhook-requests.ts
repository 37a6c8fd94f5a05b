import { rawRequest, type RawAnswer } from "./raw-http.js";

/** Where kakaoAuth() mounts Kakao's unlink webhook (default basePath). */
export const UNLINK_WEBHOOK_PATH = "/auth/webhooks/kakao/unlink";

export type WebhookBodyKind = "form" | "JSON";

const CONTENT_TYPES: Record<WebhookBodyKind, string> = {
  form: "application/x-www-form-urlencoded;charset=utf-8",
  JSON: "application/json",
};

/** A well-formed unlink call for `userId`, padded with an unknown field to at least `bytes` bytes. */
export function paddedUnlinkBody(kind: WebhookBodyKind, userId: string, bytes: number): string {
  const pad = "x".repeat(bytes);
  return kind === "form"
    ? new URLSearchParams({ user_id: userId, referrer_type: "UNLINK_FROM_APPS", pad }).toString()
    : JSON.stringify({ user_id: userId, referrer_type: "UNLINK_FROM_APPS", pad });
}

export interface WebhookCall {
  /** Sent as `Authorization: KakaoAK <adminKey>`; omitted: no Authorization header. */
  adminKey?: string;
  kind: WebhookBodyKind;
  body: string;
  /** See `RawRequestInit.declaredLength`: announce more than is sent. */
  declaredLength?: number;
  timeoutMs?: number;
}

/** `POST` to the unlink webhook over its own connection, as Kakao (or an attacker) would. */
export function postUnlinkWebhook(appUrl: string, call: WebhookCall): Promise<RawAnswer> {
  return rawRequest(`${appUrl}${UNLINK_WEBHOOK_PATH}`, {
    method: "POST",
    headers: {
      "content-type": CONTENT_TYPES[call.kind],
      accept: "application/json",
      ...(call.adminKey === undefined ? {} : { authorization: `KakaoAK ${call.adminKey}` }),
    },
    body: call.body,
    ...(call.declaredLength === undefined ? {} : { declaredLength: call.declaredLength }),
    ...(call.timeoutMs === undefined ? {} : { timeoutMs: call.timeoutMs }),
  });
}
