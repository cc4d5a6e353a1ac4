/** A TransactWriteItems request's items, checked as DynamoDB checks them, with dynalite's own validations. */
import {
  db,
  deleteValidation,
  type Item,
  promised,
  putValidation,
  type Store,
  type Table,
  validations,
} from './dynalite-store.js';

/** An HTTP answer to a request: status and JSON body. */
export interface Answer {
  status: number;
  body: object;
}

export const MAX_ITEMS = 100;

export const validation = (message: string): Answer => ({
  status: 400,
  body: { __type: 'com.amazon.coral.validate#ValidationException', message },
});

export interface Operation {
  kind: 'Put' | 'Delete' | 'ConditionCheck';
  /** The operation in the shape of the PutItem / DeleteItem request it is checked as. */
  data: {
    TableName: string;
    Item?: Item;
    Key?: Item;
    ReturnValuesOnConditionCheckFailure?: string;
  };
  table: Table;
  key: string;
}

/**
 * What parsing a request keeps: the items of one transaction often share their condition, so each distinct
 * expression is parsed once, and each table's description read once, not once per item.
 */
export interface ParseCache {
  conditions: Map<string, unknown>;
  tables: Map<string, Table>;
}

/**
 * Item `i` of the request, checked as DynamoDB checks it: exactly one supported operation, checked by dynalite's
 * PutItem or DeleteItem validation (which throws its own ValidationException for a malformed item or expression).
 */
export async function parseOperation(
  store: Store,
  raw: unknown,
  i: number,
  cache: ParseCache,
): Promise<Operation | Answer> {
  const entry = (raw ?? {}) as Record<string, Record<string, unknown> | undefined>;
  const kinds = Object.keys(entry).filter((k) => entry[k] !== undefined);
  const kind = kinds[0];
  if (kinds.length !== 1 || !kind) {
    return validation(`TransactItems[${i}] must hold exactly one of Put, Delete, ConditionCheck, Update`);
  }
  if (kind === 'Update') {
    return validation(
      `TransactItems[${i}]: Update is not supported by the local DynamoDB emulator (dynalite); use Put, Delete or ConditionCheck`,
    );
  }
  if (kind !== 'Put' && kind !== 'Delete' && kind !== 'ConditionCheck') {
    return validation(`TransactItems[${i}]: unknown operation "${kind}"`);
  }
  const { ReturnValuesOnConditionCheckFailure, ...rest } = entry[kind] as Record<string, unknown>;
  if (
    ReturnValuesOnConditionCheckFailure !== undefined &&
    !['ALL_OLD', 'NONE'].includes(String(ReturnValuesOnConditionCheckFailure))
  ) {
    return validation(`TransactItems[${i}]: ReturnValuesOnConditionCheckFailure must be ALL_OLD or NONE`);
  }
  if (kind === 'ConditionCheck' && typeof rest.ConditionExpression !== 'string') {
    return validation(`TransactItems[${i}]: ConditionCheck needs a ConditionExpression`);
  }
  const data = checkedData(store, kind, rest, cache);
  let table = cache.tables.get(data.TableName);
  if (!table) {
    table = await promised<Table>((cb) => store.getTable(data.TableName, cb));
    cache.tables.set(data.TableName, table);
  }
  const invalid =
    kind === 'Put' ? db.validateItem(data.Item ?? {}, table) : db.validateKey(data.Key ?? {}, table);
  if (invalid) throw invalid;
  const key = db.createKey((kind === 'Put' ? data.Item : data.Key) ?? {}, table);
  if (ReturnValuesOnConditionCheckFailure !== undefined)
    data.ReturnValuesOnConditionCheckFailure = String(ReturnValuesOnConditionCheckFailure);
  return { kind, data, table, key };
}

/** The operation through dynalite's validation, its condition parsed once per distinct expression. */
function checkedData(
  store: Store,
  kind: Operation['kind'],
  rest: Record<string, unknown>,
  cache: ParseCache,
): Operation['data'] {
  const check = kind === 'Put' ? putValidation : deleteValidation;
  // Throws dynalite's own ValidationException (statusCode and body) for a malformed item or expression.
  const expression = JSON.stringify([
    rest.ConditionExpression,
    rest.ExpressionAttributeNames,
    rest.ExpressionAttributeValues,
  ]);
  const parsed = cache.conditions.get(expression);
  const data = validations.checkTypes(
    parsed === undefined
      ? rest
      : {
          ...rest,
          ConditionExpression: undefined,
          ExpressionAttributeNames: undefined,
          ExpressionAttributeValues: undefined,
        },
    check.types,
  ) as Operation['data'] & { _condition?: unknown };
  validations.checkValidations(data, check.types, check.custom, store);
  if (parsed === undefined) cache.conditions.set(expression, data._condition ?? null);
  else if (parsed !== null) data._condition = parsed;
  return data;
}
