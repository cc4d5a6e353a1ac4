/** Number formats shared by the sections' tables, so every table reads the same way. */

export const MB = 1_000_000;
export const MiB = 1_048_576;

/** Milliseconds with a precision that suits their size: 0.42, 4.2, 42, 420. */
export function ms(value: number): string {
  if (!Number.isFinite(value)) return '-';
  if (value < 1) return value.toFixed(2);
  if (value < 10) return value.toFixed(1);
  return Math.round(value).toLocaleString('en-US');
}

/** A difference in milliseconds, with its sign: +42, -4.2. */
export function signedMs(value: number): string {
  if (!Number.isFinite(value)) return '-';
  return `${value < 0 ? '-' : '+'}${ms(Math.abs(value))}`;
}

/** Bytes in decimal units (the unit AWS states its payload limits in). */
export function bytes(value: number): string {
  if (!Number.isFinite(value)) return '-';
  if (value >= MB) return `${(value / MB).toFixed(2)} MB`;
  if (value >= 1_000) return `${(value / 1_000).toFixed(1)} kB`;
  return `${Math.round(value)} B`;
}

export function count(value: number): string {
  if (!Number.isFinite(value)) return '-';
  return Number.isInteger(value) ? value.toLocaleString('en-US') : value.toFixed(value < 10 ? 3 : 1);
}

export function ratio(value: number): string {
  if (!Number.isFinite(value)) return '-';
  return `${value >= 10 ? Math.round(value).toLocaleString('en-US') : value.toFixed(1)}x`;
}

/** A verdict cell: PASS / MISS against a target, or `-` where the target does not apply to the row. */
export function verdict(ok: boolean | undefined): string {
  return ok === undefined ? '-' : ok ? 'PASS' : 'MISS';
}
