/** Parsers for operator options: durations (`--older-than 2h`) and rates (`--rate 20/s`). */

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/**
 * Milliseconds of a duration such as `90s`, `15m`, `2h`, `1d` or `1h30m` (units ms, s, m, h, d, w).
 * Throws a RangeError naming the accepted forms.
 *
 * @example
 * parseDuration('1h30m'); // 5_400_000
 */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  const part = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/gy;
  let total = 0;
  let at = 0;
  for (let match = part.exec(trimmed); match; match = part.exec(trimmed)) {
    total += Number(match[1]) * (UNIT_MS[match[2] as string] as number);
    at = part.lastIndex;
  }
  if (trimmed.length === 0 || at !== trimmed.length || total <= 0) {
    throw new RangeError(
      `"${text}" is not a duration; use a number and a unit, e.g. 90s, 15m, 2h, 1d, 1h30m`,
    );
  }
  return total;
}

/**
 * Per-second rate of `20`, `20/s`, `600/m` or `0.5/s`, within (0, max]. Throws a RangeError naming the range.
 *
 * @example
 * parseRate('600/m'); // 10
 */
export function parseRate(text: string, max = 10_000): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(?:\/\s*(s|m|h))?\s*$/.exec(text);
  const per = { s: 1, m: 60, h: 3_600 }[(match?.[2] ?? 's') as 's' | 'm' | 'h'];
  const rate = match ? Number(match[1]) / per : Number.NaN;
  if (!Number.isFinite(rate) || rate <= 0 || rate > max) {
    throw new RangeError(
      `"${text}" is not a rate; use messages per second from more than 0 to ${max}, e.g. 20, 20/s or 600/m`,
    );
  }
  return rate;
}

/** A regular expression from user input; throws a RangeError quoting the problem. */
export function parseFilter(text: string): RegExp {
  try {
    return new RegExp(text, 'i');
  } catch (error) {
    throw new RangeError(`"${text}" is not a valid regular expression (${(error as Error).message})`);
  }
}
