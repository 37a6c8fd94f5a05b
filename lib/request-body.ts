import type { Request } from "express";

const LIMIT = 16 * 1024;

/**
 * The form or JSON body of a small POST, whether or not the app mounted a body parser
 * (authjs-notes.md: do not rely on one). Oversized or malformed bodies read as empty.
 */
export async function readSmallBody(req: Request): Promise<Record<string, string>> {
  const parsed: unknown = req.body;
  if (parsed && typeof parsed === "object" && !Buffer.isBuffer(parsed))
    return flatten(parsed as Record<string, unknown>);
  if (req.readableEnded || (req.complete && !req.readable)) return {};
  const type = (req.headers["content-type"] ?? "").toLowerCase();
  if (!type.startsWith("application/x-www-form-urlencoded") && !type.startsWith("application/json")) return {};
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > LIMIT) return {};
      chunks.push(chunk);
    }
  } catch {
    return {};
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (type.startsWith("application/json")) {
    try {
      const json: unknown = JSON.parse(text);
      return json && typeof json === "object" ? flatten(json as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  }
  const form = new URLSearchParams(text);
  const out: Record<string, string> = {};
  for (const [k, v] of form) if (!(k in out)) out[k] = v;
  return out;
}

function flatten(obj: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj)) if (typeof v === "string" || typeof v === "boolean") out[k] = String(v);
  return out;
}
