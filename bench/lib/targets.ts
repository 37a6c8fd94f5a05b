import type { Row } from "./table.js";

/** Issue 7's targets: `subject` must reach `min` times `versus`, both measured in the same run. */
const TARGETS: { name: string; subject: string; versus: string; min: number }[] = [
  {
    name: "authenticated cookie request ≥ 0.85× plain Express 5",
    subject: "kakao-cache",
    versus: "express5",
    min: 0.85,
  },
  { name: "anonymous request ≥ 0.95× plain Express 5", subject: "kakao-anon", versus: "express5", min: 0.95 },
  {
    name: "authenticated cookie request ≥ 6× @auth/express getSession()",
    subject: "kakao-cache",
    versus: "authjs",
    min: 6,
  },
  {
    name: "authenticated cookie request ≥ 2.5× express-openid-connect",
    subject: "kakao-cache",
    versus: "oidc",
    min: 2.5,
  },
  { name: "cache miss (LRU off) ≥ 1.0× express-openid-connect", subject: "kakao-nocache", versus: "oidc", min: 1 },
  {
    name: "express-session + Redis ≥ 1.0× passport + express-session (same Redis)",
    subject: "kakao-redis",
    versus: "passport",
    min: 1,
  },
  { name: "login flows ≥ 1.0× @auth/express", subject: "login-kakao", versus: "login-authjs", min: 1 },
  { name: "bearer request ≥ 0.85× plain Express 5", subject: "kakao-bearer", versus: "express5", min: 0.85 },
  { name: "bearer request ≥ 0.95× the cookie one", subject: "kakao-bearer", versus: "kakao-cache", min: 0.95 },
  {
    name: "3 instances with redis (registry on) ≥ 0.85× the same without redis",
    subject: "multi-redis",
    versus: "multi-plain",
    min: 0.85,
  },
  {
    name: "SDK token exchanges ≥ 1.0× web login flows (costs no more than a callback)",
    subject: "login-exchange",
    versus: "login-kakao",
    min: 1,
  },
];

export interface TargetCheck {
  line: string;
  met: boolean | undefined;
}

/**
 * `target <name>: met|missed (x.xx× vs y.yy×)` on throughput, `n/a` when either side did not run or
 * failed; then the same ratio from server CPU time per request, which other load on the machine skews less.
 */
export function checkTargets(rows: Row[]): TargetCheck[] {
  const row = (id: string) => rows.find((r) => r.id === id && !r.error);
  const rate = (id: string) => row(id)?.rps;
  return TARGETS.map((t) => {
    const a = rate(t.subject);
    const b = rate(t.versus);
    if (a === undefined || b === undefined || b === 0)
      return { line: `target ${t.name}: n/a (not measured)`, met: undefined };
    const ratio = a / b;
    const met = ratio >= t.min;
    // Two decimals, unless rounding would hide why a ratio just under the target missed it.
    const shown = ratio.toFixed(2) === t.min.toFixed(2) && !met ? ratio.toFixed(3) : ratio.toFixed(2);
    const [ca, cb] = [row(t.subject)?.cpu, row(t.versus)?.cpu];
    const cpu = ca && cb ? ` · by server CPU per request ${(cb / ca).toFixed(2)}×` : "";
    return { line: `target ${t.name}: ${met ? "met" : "missed"} (${shown}× vs ${t.min.toFixed(2)}×)${cpu}`, met };
  });
}
