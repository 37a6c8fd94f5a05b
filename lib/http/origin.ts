import type { Request } from "express";
import type { ResolvedConfig } from "../config.js";

const HOST =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

type TrustFn = (addr: string | undefined, i: number) => boolean;

function firstHeader(value: string | string[] | undefined): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return v?.split(",")[0]?.trim();
}

/**
 * The public origin: `baseURL` when configured, otherwise the request's protocol and Host (with
 * port). `X-Forwarded-Host` counts only when Express's `trust proxy` trusts the peer, so a forged
 * header cannot move the redirect URI (security-tests AUTHZ-04). Express 4's `req.host` drops the
 * port, hence the header is read here. `undefined` for a Host that is not a host name.
 */
export function requestOrigin(req: Request, config: ResolvedConfig): string | undefined {
  if (config.origin) return config.origin;
  const trust = req.app?.get("trust proxy fn") as TrustFn | undefined;
  const trusted = trust ? trust(req.socket?.remoteAddress, 0) : false;
  const host = (trusted ? firstHeader(req.headers["x-forwarded-host"]) : undefined) ?? firstHeader(req.headers.host);
  if (!host || !HOST.test(host)) return undefined;
  const origin = `${req.protocol === "https" ? "https" : "http"}://${host.toLowerCase()}`;
  // The pattern admits ports past 65535, bad IPv6 and invalid punycode; the WHATWG parser, which
  // Auth.js and every URL built from this use, is the judge (a Host it refuses is a 400, not a 500).
  try {
    return new URL(origin).origin === origin ? origin : undefined;
  } catch {
    return undefined;
  }
}

/** The first value of a query parameter, read from the raw URL (Express 4 and 5 parse queries differently). */
export function queryParams(req: Request): URLSearchParams {
  const url = req.originalUrl ?? req.url;
  const i = url.indexOf("?");
  return new URLSearchParams(i === -1 ? "" : url.slice(i + 1));
}
