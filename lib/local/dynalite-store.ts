/**
 * The parts of dynalite (its store, item helpers and request validations) that local mode's TransactWriteItems
 * runs on, typed: dynalite ships no types. They are its own modules, so items, conditions and errors are dynalite's.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export type Item = Record<string, unknown>;
export type Callback<T> = (error: DynaliteError | null, value?: T) => void;
export interface DynaliteError extends Error {
  statusCode?: number;
  body?: { __type: string; message?: string };
  name: string;
}
export interface ItemDb {
  lock: (keys: string[], exec: (release: (done: () => void) => () => void) => void) => void;
  get(key: string, cb: Callback<Item>): void;
  put(key: string, item: Item, cb: Callback<void>): void;
  del(key: string, cb: Callback<void>): void;
}
export interface Store {
  getTable(name: string, cb: Callback<Table>): void;
  getItemDb(name: string): ItemDb;
}
export type Table = object;
interface Db {
  create(options: object): Store;
  validateItem(item: Item, table: Table): DynaliteError | null | undefined;
  validateKey(key: Item, table: Table): DynaliteError | null | undefined;
  createKey(item: Item, table: Table): string;
  checkConditional(data: object, existing: Item | undefined): DynaliteError | null | undefined;
  updateIndexes(
    store: Store,
    table: Table,
    existing: Item | undefined,
    item: Item | null,
    cb: Callback<void>,
  ): void;
}
export interface Validation {
  types: object;
  custom: (data: object, store: Store) => string | undefined;
}
interface Validations {
  checkTypes(data: object, types: object): object;
  checkValidations(data: object, types: object, custom: Validation['custom'], store: Store): void;
}

export const db = require('dynalite/db') as Db;
export const validations = require('dynalite/validations') as Validations;
export const putValidation = require('dynalite/validations/putItem') as Validation;
export const deleteValidation = require('dynalite/validations/deleteItem') as Validation;

/** A dynalite callback call as a promise. */
export const promised = <T>(run: (cb: Callback<T>) => void): Promise<T> =>
  new Promise((resolve, reject) => run((error, value) => (error ? reject(error) : resolve(value as T))));
