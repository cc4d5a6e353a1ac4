import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Lease, LedgerPage } from './page.js';
import { PositionSet } from './position-set.js';
import type { LedgerScope } from './types.js';

/**
 * The table's layout. Every page of one ledger shares its partition key; its sort key is `p#` and the page's start,
 * so a Query with `sk <= p#<position>` read backwards finds the page that covers a position first.
 */
export const LEDGER_TABLE_SCHEMA = Object.freeze({
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch seconds after which DynamoDB's TTL deletes a page (refreshed by every write of the page). */
  ttlAttribute: 'expiration',
});

export type Item = Record<string, AttributeValue>;

/** The table's key schema, as CreateTable and CloudFormation's AWS::DynamoDB::Table take it. */
export function ledgerTableKeys(): {
  AttributeDefinitions: Array<{ AttributeName: string; AttributeType: 'S' }>;
  KeySchema: Array<{ AttributeName: string; KeyType: 'HASH' | 'RANGE' }>;
} {
  return {
    AttributeDefinitions: [
      { AttributeName: LEDGER_TABLE_SCHEMA.partitionKey, AttributeType: 'S' },
      { AttributeName: LEDGER_TABLE_SCHEMA.sortKey, AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: LEDGER_TABLE_SCHEMA.partitionKey, KeyType: 'HASH' },
      { AttributeName: LEDGER_TABLE_SCHEMA.sortKey, KeyType: 'RANGE' },
    ],
  };
}

const PAGE_PREFIX = 'p#';
/** The string set of position sets that settles add to a page (see {@link pageItem}). */
export const SETTLED_ATTRIBUTE = 'x';

/** Partition key of a ledger: one per scope (target, or target>destination), stream and shard. */
export function ledgerKey(scope: LedgerScope): string {
  return `ledger#${scope.scope}#${scope.stream}#${scope.shard}`;
}

export const pageSortKey = (start: string): string => `${PAGE_PREFIX}${start}`;

/**
 * The item of a page. Leases are one string (`c`): `<owner>@<until, base 36>=<positions>|...`. Delivered positions
 * are `d`, and `x`, a string set of position sets that settles add without a condition (`ADD`, see page-table.ts); a
 * page item never writes `x`: a whole-page write folds it into `d`.
 */
export function pageItem(pk: string, page: LedgerPage, expiration: number): Item {
  const item: Item = {
    pk: { S: pk },
    sk: { S: pageSortKey(page.start) },
    v: { N: String(page.version) },
    expiration: { N: String(expiration) },
  };
  if (page.end !== undefined) item.e = { S: page.end };
  if (!page.delivered.isEmpty) item.d = { S: page.delivered.encode() };
  if (page.leases.size > 0) {
    item.c = {
      S: [...page.leases]
        .map(([owner, lease]) => `${owner}@${lease.until.toString(36)}=${lease.held.encode()}`)
        .join('|'),
    };
  }
  return item;
}

/** The page of an item; throws on an item that is not one (never read a damaged page as "nothing delivered"). */
export function pageOf(item: Item): LedgerPage {
  const sk = item.sk?.S;
  const version = Number(item.v?.N);
  if (!sk?.startsWith(PAGE_PREFIX) || !Number.isSafeInteger(version) || version < 1) {
    throw new Error(`ledger item ${item.pk?.S ?? '?'} / ${sk ?? '?'} is not a ledger page`);
  }
  const leases = new Map<string, Lease>();
  for (const part of item.c?.S ? item.c.S.split('|') : []) {
    const at = part.indexOf('@');
    const eq = part.indexOf('=');
    const until = Number.parseInt(part.slice(at + 1, eq), 36);
    if (at <= 0 || eq < at || !Number.isFinite(until))
      throw new Error(`ledger page ${sk}: bad lease "${part}"`);
    leases.set(part.slice(0, at), { until, held: PositionSet.decode(part.slice(eq + 1)) });
  }
  const delivered = PositionSet.decode(item.d?.S ?? '');
  for (const settled of item[SETTLED_ATTRIBUTE]?.SS ?? []) delivered.addSet(PositionSet.decode(settled));
  return {
    start: sk.slice(PAGE_PREFIX.length),
    ...(item.e?.S !== undefined ? { end: item.e.S } : {}),
    version,
    delivered,
    leases,
  };
}

/**
 * Bytes of an item as DynamoDB counts them for capacity: each attribute's name plus its value (a string's UTF-8
 * bytes; a number about one byte per two digits, plus one).
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html
 */
export function itemBytes(item: Item): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(item)) {
    bytes += Buffer.byteLength(name);
    if (value.S !== undefined) bytes += Buffer.byteLength(value.S);
    else if (value.SS !== undefined) for (const s of value.SS) bytes += Buffer.byteLength(s);
    else if (value.N !== undefined) bytes += Math.ceil(value.N.replace(/^-|\.|^0+/g, '').length / 2) + 1;
  }
  return bytes;
}
