import { json, urlencoded, type NextFunction, type Request, type RequestHandler, type Response } from "express";

/** Sign-out forms and Kakao's webhooks are tiny; anything larger is refused, not read. */
const LIMIT = "16kb";
const LIMIT_BYTES = 16 * 1024;
const parsers: RequestHandler[] = [json({ limit: LIMIT }), urlencoded({ extended: false, limit: LIMIT })];

/**
 * Parses a small JSON or form body with Express's own parsers, whether or not the app mounted one
 * (authjs-notes.md: do not rely on it; a body the app already parsed is left as it is). An
 * oversized body is answered 413 and a malformed one 400, here, as JSON.
 */
export function smallBody(): RequestHandler {
  return (req, res, next) => {
    // Express's parsers read (drain) a refused body to its end before answering: a declared
    // length over the limit is answered at once instead, and the connection closed.
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > LIMIT_BYTES) {
      res.set("connection", "close");
      return refuse({ status: 413 }, res, next);
    }
    let i = 0;
    const step = (err?: unknown): void => {
      if (err) return refuse(err, res, next);
      const parser = parsers[i++];
      if (!parser) return next();
      parser(req, res, step);
    };
    step();
  };
}

function refuse(err: unknown, res: Response, next: NextFunction): void {
  const status = (err as { status?: unknown }).status;
  if (status === 413)
    return void res.status(413).json({ error: "payload_too_large", message: "The request body is larger than 16 KB." });
  if (typeof status === "number" && status >= 400 && status < 500)
    return void res
      .status(status === 415 ? 415 : 400)
      .json({ error: "bad_request", message: "The request body is not valid JSON or form data." });
  next(err);
}

/** The string fields of the parsed body (first value wins; nested values are ignored). */
export function bodyFields(req: Request): Record<string, string> {
  const parsed: unknown = req.body;
  const out: Record<string, string> = {};
  if (!parsed || typeof parsed !== "object" || Buffer.isBuffer(parsed)) return out;
  for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
    const value = Array.isArray(v) ? (v as unknown[])[0] : v;
    if (typeof value === "string" || typeof value === "boolean") out[k] = String(value);
  }
  return out;
}
