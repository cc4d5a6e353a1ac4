import type { TargetConfig } from '../config/schema.js';
import { compilePattern, type RecordMatcher } from '../routing/pattern.js';
import type { SourceRecord } from './decode.js';

/** The records each target receives, in stream order. */
export type Routes = Map<TargetConfig, SourceRecord[]>;

export interface RouteResult {
  routes: Routes;
  /** Records no enabled target takes (all of them have filters, and none matched). */
  unrouted: number;
  /** Records whose data is not JSON, so they matched no filter (they still go to unfiltered targets). */
  notJson: number;
}

/** Routes a batch's records to the enabled targets. */
export type Router = (records: readonly SourceRecord[]) => RouteResult;

const NOT_JSON: unique symbol = Symbol('not JSON');

/**
 * Builds the router once per container: each target's filter is compiled here, not per batch or per record.
 *
 * Without any filter every enabled target gets the batch's own array: no per-record work at all. With filters,
 * a record's data is decoded and parsed as JSON once, whatever the number of filtered targets; a record that
 * is not JSON matches no filter (it still goes to unfiltered targets) and is counted.
 *
 * @example
 * const route = createRouter(config.targets);
 * const { routes, unrouted } = route(decodeBatch(event.Records).records);
 */
export function createRouter(targets: readonly TargetConfig[]): Router {
  const enabled = targets.filter((t) => t.enabled);
  const filters: Array<{ target: TargetConfig; matches: RecordMatcher }> = [];
  for (const target of enabled) {
    if (target.filter !== undefined) filters.push({ target, matches: compilePattern(target.filter) });
  }
  const hasUnfiltered = filters.length < enabled.length;

  if (filters.length === 0) {
    return (records) => {
      const routes: Routes = new Map();
      for (const target of enabled) routes.set(target, records as SourceRecord[]);
      return { routes, unrouted: 0, notJson: 0 };
    };
  }

  return (records) => {
    const matched = new Map<TargetConfig, SourceRecord[]>(filters.map((f) => [f.target, []]));
    let unrouted = 0;
    let notJson = 0;
    for (const record of records) {
      const data = parseJson(record.data);
      let taken = hasUnfiltered;
      if (data === NOT_JSON) notJson++;
      else {
        for (const filter of filters) {
          if (filter.matches(data)) {
            (matched.get(filter.target) as SourceRecord[]).push(record);
            taken = true;
          }
        }
      }
      if (!taken) unrouted++;
    }
    const routes: Routes = new Map();
    for (const target of enabled) {
      const mine = target.filter === undefined ? (records as SourceRecord[]) : matched.get(target);
      if (mine && mine.length > 0) routes.set(target, mine);
    }
    return { routes, unrouted, notJson };
  };
}

function parseJson(base64: string): unknown {
  try {
    return JSON.parse(Buffer.from(base64, 'base64').toString('utf8'));
  } catch {
    return NOT_JSON;
  }
}
