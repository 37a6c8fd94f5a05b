import { randomBytes } from "node:crypto";

const SENTINEL = `__kakao_emulator_int_${randomBytes(8).toString("hex")}__`;
const SENTINEL_RE = new RegExp(`"${SENTINEL}(-?\\d+)"`, "g");

/**
 * An integer kept as its decimal text, written into JSON as a bare number with no precision loss
 * (Kakao's Long ids, e.g. 1376016924429759228, exceed 2^53).
 */
export class JsonInt {
  readonly text: string;
  constructor(text: string) {
    if (!/^-?\d{1,20}$/.test(text)) throw new TypeError(`not a decimal integer: ${text}`);
    this.text = text;
  }
  toJSON(): string {
    return SENTINEL + this.text;
  }
}

/** JSON.stringify that writes `JsonInt` values as exact number literals. */
export function stringifyJson(value: unknown): string {
  return JSON.stringify(value).replace(SENTINEL_RE, "$1");
}

/** A JSON number for numeric strings (the app id), otherwise the string itself. */
export function numberOrString(text: string): JsonInt | string {
  return /^-?\d{1,20}$/.test(text) ? new JsonInt(text) : text;
}

/** Parses a JSON array of strings (`["a","b"]`), or undefined when it is not one. */
export function parseStringArray(text: string): string[] | undefined {
  try {
    const v: unknown = JSON.parse(text);
    if (Array.isArray(v) && v.every((x) => typeof x === "string")) return v;
  } catch {
    // fall through
  }
  return undefined;
}
