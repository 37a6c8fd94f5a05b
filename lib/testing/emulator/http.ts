import type { ServerResponse } from "node:http";
import { randomBytes } from "node:crypto";
import { stringifyJson } from "./json.js";

/** Decoded query or form fields; every name may repeat. Null prototype: `__proto__` is just a name. */
export type Params = Record<string, string[]>;

export function parseParams(text: string): Params {
  const out: Params = Object.create(null) as Params;
  for (const [k, v] of new URLSearchParams(text)) (out[k] ??= []).push(v);
  return out;
}

/** First value of a field. */
export function first(p: Params, name: string): string | undefined {
  return Object.prototype.hasOwnProperty.call(p, name) ? p[name]?.[0] : undefined;
}

/** Query fields overlaid with form fields (body wins), as Kakao accepts both on POST. */
export function mergeParams(query: Params, body: Params | string): Params {
  const out: Params = Object.create(null) as Params;
  Object.assign(out, query);
  if (typeof body !== "string") Object.assign(out, body);
  return out;
}

/** Opaque base64url string of `bytes` random bytes (48 → 64 chars, 64 → 86 chars). */
export function opaque(bytes: number): string {
  return randomBytes(bytes).toString("base64url");
}

export const JSON_UTF8 = "application/json;charset=UTF-8";

function send(
  res: ServerResponse,
  status: number,
  type: string,
  body: string,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { "Content-Type": type, "Content-Length": Buffer.byteLength(body), ...headers });
  res.end(body);
}

export function sendJson(res: ServerResponse, status: number, value: unknown, headers?: Record<string, string>): void {
  send(res, status, JSON_UTF8, typeof value === "string" ? value : stringifyJson(value), headers);
}

export function sendText(
  res: ServerResponse,
  status: number,
  type: string,
  body: string,
  headers?: Record<string, string>,
): void {
  send(res, status, type, body, headers);
}

export function sendHtml(res: ServerResponse, status: number, html: string): void {
  send(res, status, "text/html;charset=utf-8", html, { "Cache-Control": "no-store" });
}

/** kauth error body `{error, error_description, error_code}`. */
export function sendKauthError(
  res: ServerResponse,
  status: number,
  error: string,
  description: string,
  koe: string,
): void {
  sendJson(res, status, { error, error_description: description, error_code: koe }, { "Cache-Control": "no-store" });
}

/** kapi error body `{msg, code, …extra}`; -401 answers carry `WWW-Authenticate: Bearer error=invalid_token`. */
export function sendKapiError(
  res: ServerResponse,
  status: number,
  code: number,
  msg: string,
  extra: Record<string, unknown> = {},
): void {
  const headers: Record<string, string> = code === -401 ? { "WWW-Authenticate": "Bearer error=invalid_token" } : {};
  sendJson(res, status, { msg, code, ...extra }, headers);
}

export function redirect(res: ServerResponse, location: string): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(302, { Location: location, "Content-Length": 0, "Cache-Control": "no-store" });
  res.end();
}

/** Appends `name=value` pairs (percent-encoded, spaces as %20) to a URI, with `?` or `&`. */
export function withQuery(uri: string, pairs: Array<[string, string | undefined]>): string {
  const q = pairs
    .filter((p): p is [string, string] => p[1] !== undefined)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join("&");
  if (!q) return uri;
  const hash = uri.indexOf("#");
  const base = hash === -1 ? uri : uri.slice(0, hash);
  return base + (base.includes("?") ? "&" : "?") + q;
}

/** Splits a scope/prompt list on commas, spaces and '+'; drops empty entries. */
export function splitList(value: string | undefined): string[] {
  if (!value) return [];
  return [...new Set(value.split(/[\s,+]+/).filter(Boolean))];
}
