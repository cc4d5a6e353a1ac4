import { defineError } from '../errors.js';

/** One problem in a filter or transform: where inside it (e.g. `['detail', 'level', 0]`) and what is wrong. */
export interface SpecProblem {
  path: Array<string | number>;
  message: string;
}

/** A filter pattern or transform that cannot be compiled; lists every problem found. */
export class RoutingSpecError extends defineError('RoutingSpecError', 'ROUTING_SPEC_INVALID') {
  constructor(
    readonly problems: SpecProblem[],
    options?: ErrorOptions,
  ) {
    super(
      problems.map((p) => `${p.path.length > 0 ? `${pathText(p.path)}: ` : ''}${p.message}`).join('; '),
      options,
    );
  }
}

/** A filter pattern that is not a valid EventBridge-style content pattern. */
export class PatternError extends defineError('PatternError', 'ROUTING_PATTERN_INVALID', RoutingSpecError) {}

/** A transform that is not a valid projection (bad path, unsupported value). */
export class TransformError extends defineError(
  'TransformError',
  'ROUTING_TRANSFORM_INVALID',
  RoutingSpecError,
) {}

/** `detail.level[0]` from `['detail', 'level', 0]` (the config's own path format). */
export function pathText(path: ReadonlyArray<string | number>): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out ? `.${part}` : part;
  return out;
}

/** A value as it appears in a problem message: JSON, cut short. */
export function shown(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
