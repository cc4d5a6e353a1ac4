import { isDeepStrictEqual } from 'node:util';
import { isMap, isScalar, isSeq, type Node, parseDocument, type YAMLMap } from 'yaml';
import { parseConfigText } from '../../config/load.js';
import type { TargetConfig } from '../../config/schema.js';
import { InvalidSettingError } from '../errors.js';
import { findTarget } from '../target.js';

/** Lambda's bounds: reserved concurrency 1-1000 here (0 would stop the worker), an SQS mapping's maximum 2-1000. */
export function concurrencyRange(via: TargetConfig['via']): { min: number; max: number } {
  return via === 'queue' ? { min: 2, max: 1000 } : { min: 1, max: 1000 };
}

/** Throws {@link InvalidSettingError} naming the allowed range when `value` is impossible for the target. */
export function checkConcurrency(target: Pick<TargetConfig, 'name' | 'via'>, value: number): void {
  const { min, max } = concurrencyRange(target.via);
  if (!Number.isInteger(value) || value < min || value > max) {
    const what =
      target.via === 'queue' ? "the SQS event source mapping's maximum concurrency" : 'reserved concurrency';
    throw new InvalidSettingError(
      `concurrency of target "${target.name}" (via: ${target.via}, ${what}) must be an integer from ${min} to ${max}, got ${value}`,
    );
  }
}

export interface ConcurrencyEdit {
  target: TargetConfig;
  /** The value in effect before (the file's, or the default). */
  previous: number;
  before: string;
  after: string;
  /** False when the file could not be edited in place and was re-serialized (comments kept, spacing may move). */
  inPlace: boolean;
}

/**
 * Sets `targets[<name>].concurrency` in the text of fanout.yml, keeping every comment and the layout: the YAML
 * Document API finds the value's exact source range and only those characters change (or one line is added
 * after `via:`). The result is parsed back and compared with the intended change, then validated with the
 * schema. Throws `ConfigError` (the file), {@link UnknownTargetError} or {@link InvalidSettingError}.
 *
 * @example
 * const edit = setTargetConcurrency(readFileSync('fanout.yml', 'utf8'), 'webhook', 8);
 * writeFileSync('fanout.yml', edit.after);
 */
export function setTargetConcurrency(
  text: string,
  name: string,
  value: number,
  file = 'fanout.yml',
): ConcurrencyEdit {
  const target = findTarget(parseConfigText(text, file), name);
  checkConcurrency(target, value);
  const doc = parseDocument(text);
  const targets = doc.get('targets', true);
  const index = isSeq(targets) ? targets.items.findIndex((t) => isMap(t) && t.get('name') === name) : -1;
  const item = isSeq(targets) ? targets.items[index] : undefined;
  if (!isMap(item)) throw new InvalidSettingError(`${file}: target "${name}" is not a mapping in targets`);
  const expected = doc.toJS() as { targets: Array<Record<string, unknown>> };
  (expected.targets[index] as Record<string, unknown>).concurrency = value;

  let after = editInPlace(text, item, value);
  let inPlace = after !== undefined && isDeepStrictEqual(parseDocument(after).toJS(), expected);
  if (!after || !inPlace) {
    doc.setIn(['targets', index, 'concurrency'], value);
    after = doc.toString();
    inPlace = false;
  }
  parseConfigText(after, file);
  return { target, previous: target.concurrency, before: text, after, inPlace };
}

/** The text with only the concurrency value changed (or its line added); undefined when the shape is unusual. */
function editInPlace(text: string, item: YAMLMap, value: number): string | undefined {
  const pairOf = (key: string) => item.items.find((p) => isScalar(p.key) && p.key.value === key);
  const existing = pairOf('concurrency');
  if (existing) {
    const node = existing.value as Node | null;
    if (!isScalar(node) || !node.range) return undefined;
    return `${text.slice(0, node.range[0])}${value}${text.slice(node.range[1])}`;
  }
  if (item.flow) {
    const end = item.range?.[1];
    if (end === undefined || text[end - 1] !== '}') return undefined;
    const inner = text.slice(0, end - 1).trimEnd();
    return `${inner}, concurrency: ${value}${text.slice(inner.length)}`;
  }
  // After `via:` (the setting it depends on), else after the first scalar field; at the end of that line.
  const anchor = [pairOf('via'), pairOf('destination'), pairOf('name')].find(
    (p) => p && isScalar(p.key) && isScalar(p.value) && p.key.range && (p.value as Node).range,
  );
  if (!anchor || !isScalar(anchor.key) || !anchor.key.range) return undefined;
  const keyStart = anchor.key.range[0];
  const indent = keyStart - (text.lastIndexOf('\n', keyStart - 1) + 1);
  const valueEnd = (anchor.value as Node).range?.[1] ?? keyStart;
  const lineEnd = text.indexOf('\n', valueEnd);
  const line = `${' '.repeat(indent)}concurrency: ${value}`;
  return lineEnd === -1
    ? `${text}\n${line}\n`
    : `${text.slice(0, lineEnd + 1)}${line}\n${text.slice(lineEnd + 1)}`;
}

/** A small unified diff of two texts (one changed region, `context` lines around it), or '' when equal. */
export function lineDiff(before: string, after: string, file = 'fanout.yml', context = 2): string {
  const a = before.split('\n');
  const b = after.split('\n');
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  if (start === a.length && start === b.length) return '';
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const from = Math.max(0, start - context);
  const lines = [
    `--- ${file}`,
    `+++ ${file}`,
    `@@ -${from + 1},${endA - from + Math.min(context, a.length - endA)} +${from + 1},${endB - from + Math.min(context, b.length - endB)} @@`,
    ...a.slice(from, start).map((l) => ` ${l}`),
    ...a.slice(start, endA).map((l) => `-${l}`),
    ...b.slice(start, endB).map((l) => `+${l}`),
    ...a.slice(endA, Math.min(a.length, endA + context)).map((l) => ` ${l}`),
  ];
  return lines.join('\n');
}
