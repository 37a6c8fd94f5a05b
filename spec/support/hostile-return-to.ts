/**
 * returnTo values that must never send the user off the app's origin (security-tests RED-01..06),
 * each labelled with its catalogue row: the redirect suite, and the suites that re-run it under
 * other options (allowedOrigins).
 */
export const HOSTILE_RETURN_TO: [id: string, value: string][] = [
  ["RED-01", "https://evil.example/"],
  ["RED-01", "http://evil.example"],
  ["RED-01", "https:evil.example"],
  ["RED-01", "HTTPS://EVIL.EXAMPLE/"],
  ["RED-02", "//evil.example"],
  ["RED-02", "///evil.example"],
  ["RED-02", " //evil.example"],
  ["RED-02", "/.//evil.example"],
  ["RED-02", "/a/..//evil.example"],
  ["RED-03", "/\\evil.example"],
  ["RED-03", "\\/evil.example"],
  ["RED-03", "\\\\evil.example"],
  ["RED-03", "/\t/evil.example"],
  ["RED-04", "%2F%2Fevil.example"],
  ["RED-04", "/%2Fevil.example"],
  ["RED-04", "/%2fevil.example"],
  ["RED-04", "/%5Cevil.example"],
  ["RED-04", "/%5cevil.example"],
  ["RED-04", "%252F%252Fevil.example"],
  ["RED-04", "/%252Fevil.example"],
  ["RED-04", "/%25252F/evil.example"],
  ["RED-04", "/%2e%2e//evil.example"],
  ["RED-04", "/./%2Fevil.example"],
  ["RED-04", "/%09/evil.example"],
  ["RED-05", "javascript:alert(1)"],
  ["RED-05", "JaVaScRiPt:alert(1)"],
  ["RED-05", "data:text/html,<script>alert(1)</script>"],
  ["RED-05", "vbscript:msgbox(1)"],
  ["RED-05", "%6A%61%76%61script:alert(1)"],
  ["RED-06", "/\r\nSet-Cookie:x=1"],
  ["RED-06", "/%0d%0aSet-Cookie:x=1"],
  ["RED-06", "/%250d%250aSet-Cookie:x=1"],
];

/**
 * Values that look like an allowed origin `http://<host>:<port>` but are not exactly it, or are not
 * a plain absolute URL on it: each must be refused (the user lands on the app's own origin).
 */
export function lookAlikesOf(host: string, port: number): [label: string, value: string][] {
  const origin = `http://${host}:${port}`;
  return [
    ["another port", `http://${host}:${port + 1}/app`],
    ["https instead of http", `https://${host}:${port}/app`],
    ["the allowed origin as the start of another host", `${origin}.evil.example/app`],
    ["the allowed host as a label of another host", `http://${host}.evil.example:${port}/app`],
    ["the allowed origin as userinfo of another host", `${origin}@evil.example/app`],
    ["userinfo in front of the allowed host", `http://evil.example@${host}:${port}/app`],
    ["protocol-relative", `//${host}:${port}/app`],
    ["scheme-relative without slashes", `http:${host}:${port}/app`],
    ["the whole URL percent-encoded", encodeURIComponent(`${origin}/app`)],
    ["the whole URL double-encoded", encodeURIComponent(encodeURIComponent(`${origin}/app`))],
    ["an encoded colon before the port", `http://${host}%3A${port}/app`],
    ["an encoded @ after the port", `${origin}%40evil.example/app`],
    ["an encoded slash after the scheme", `http:%2F%2F${host}:${port}/app`],
    ["a backslash after the allowed origin", `${origin}\\@evil.example/`],
    ["a protocol-relative path after the allowed origin", `${origin}//evil.example`],
    ["encoded slashes in the path after the allowed origin", `${origin}/%2F%2Fevil.example`],
    ["CR/LF in the path after the allowed origin", `${origin}/app%0d%0aSet-Cookie:x=1`],
    ["a tab inside the scheme", `ht\ttp://${host}:${port}/app`],
    ["leading whitespace", ` ${origin}/app`],
    ["a trailing dot on the host", `http://${host}.:${port}/app`],
    ["javascript: with the allowed origin as its authority", `javascript://${host}:${port}/%0aalert(1)`],
  ];
}
