/**
 * Every error the product throws: found from the exports of each room's errors.ts (lib/, functions/, bin/,
 * harness/), so a new class without a sample, a name, a code or the base fails here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ClaimCheckError } from '../lib/claim-check/errors.js';
import { ConfigError } from '../lib/config/errors.js';
import { DeliveryError, IdempotencyStoreError, MisroutedEnvelopeError } from '../lib/delivery/errors.js';
import { EnvelopeError } from '../lib/envelope/errors.js';
import { defineError, FanoutError } from '../lib/errors.js';
import { HandoffError } from '../lib/handoff/errors.js';
import {
  FunctionNotFoundError,
  LocalRuntimeError,
  RuntimeStoppedError,
} from '../lib/lambda-emulator/errors.js';
import { LedgerContentionError } from '../lib/ledger/errors.js';
import {
  LocalCapacityError,
  LocalModeError,
  LocalModeRunningError,
  LocalStateError,
} from '../lib/local/errors.js';
import {
  ClaimBucketError,
  InvalidSettingError,
  LiveSettingError,
  UnknownTargetError,
} from '../lib/operate/errors.js';
import { PatternError, RoutingSpecError, TransformError } from '../lib/routing/errors.js';
import {
  DiscoveryError,
  RecordHeaderError,
  SigningSecretError,
  TargetDestinationError,
  TargetError,
  UnknownTargetTypeError,
} from '../lib/targets/errors.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SOURCE_FOLDERS = ['lib', 'functions', 'bin', 'harness'];

type ErrorClass = abstract new (...args: never[]) => Error;

/** One instance of each class, built as its throw sites build it, wrapping `cause`. */
const SAMPLES: Record<string, (cause: Error) => Error> = {
  ClaimCheckError: (cause) => new ClaimCheckError('GetObject s3://claims/k: NoSuchKey', false, { cause }),
  ConfigError: (cause) =>
    new ConfigError('fanout.yml', [{ path: 'targets[0].via', message: 'is wrong' }], { cause }),
  DeliveryError: (cause) =>
    new DeliveryError(
      'webhook',
      [{ key: 'k', sequenceNumber: '1', retryable: true, reason: 'HTTP 503' }],
      0,
      {
        cause,
      },
    ),
  IdempotencyStoreError: (cause) => new IdempotencyStoreError('the table failed', { cause }),
  MisroutedEnvelopeError: (cause) => new MisroutedEnvelopeError('another target', { cause }),
  EnvelopeError: (cause) => new EnvelopeError('not an envelope', { cause }),
  HandoffError: (cause) =>
    new HandoffError('Invoke f: denied', false, { cause, code: 'AccessDeniedException' }),
  LocalRuntimeError: (cause) => new LocalRuntimeError('misused', { cause }),
  FunctionNotFoundError: (cause) => new FunctionNotFoundError('worker', { cause }),
  RuntimeStoppedError: (cause) => new RuntimeStoppedError({ cause }),
  LedgerContentionError: (cause) => new LedgerContentionError('table', 'webhook#0', 30, { cause }),
  LocalModeError: (cause) => new LocalModeError('not an http target', { cause }),
  LocalStateError: (cause) => new LocalStateError('.fanout/state.json', 'is not JSON', { cause }),
  LocalModeRunningError: (cause) => new LocalModeRunningError(1234, '', { cause }),
  LocalCapacityError: (cause) => new LocalCapacityError('too many targets', { cause }),
  UnknownTargetError: (cause) => new UnknownTargetError('nope', ['webhook'], { cause }),
  InvalidSettingError: (cause) => new InvalidSettingError('out of range', { cause }),
  LiveSettingError: (cause) => new LiveSettingError('PutFunctionConcurrency failed', { cause }),
  ClaimBucketError: (cause) => new ClaimBucketError('no bucket', { cause }),
  RoutingSpecError: (cause) => new RoutingSpecError([{ path: ['a'], message: 'bad' }], { cause }),
  PatternError: (cause) => new PatternError([{ path: ['a'], message: 'bad' }], { cause }),
  TransformError: (cause) => new TransformError([{ path: ['a'], message: 'bad' }], { cause }),
  TargetError: (cause) => new TargetError('cannot build', { cause }),
  UnknownTargetTypeError: (cause) => new UnknownTargetTypeError('ftp', ['http'], 'webhook', { cause }),
  TargetDestinationError: (cause) =>
    new TargetDestinationError('webhook', 'http://x', 'is plain http', { cause }),
  SigningSecretError: (cause) => new SigningSecretError('ssm:/key', false, 'AccessDenied', { cause }),
  DiscoveryError: (cause) => new DiscoveryError('ListStreams: throttled', { cause }),
  RecordHeaderError: (cause) => new RecordHeaderError('lone surrogate', { cause }),
};

/** The room bases a class must stay a kind of (`instanceof` checks and catch sites rely on them). */
const ROOM_BASES: Record<string, ErrorClass> = {
  PatternError: RoutingSpecError,
  TransformError: RoutingSpecError,
  FunctionNotFoundError: LocalRuntimeError,
  RuntimeStoppedError: LocalRuntimeError,
  LocalStateError: LocalModeError,
  LocalModeRunningError: LocalModeError,
  LocalCapacityError: LocalModeError,
  UnknownTargetTypeError: TargetError,
  TargetDestinationError: TargetError,
  SigningSecretError: TargetError,
  DiscoveryError: TargetError,
};

function sourceFiles(): string[] {
  return SOURCE_FOLDERS.flatMap((folder) =>
    readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' })
      .filter((file) => /\.(ts|js)$/.test(file) && !file.includes('node_modules'))
      .map((file) => join(ROOT, folder, file)),
  );
}

interface Found {
  room: string;
  name: string;
  type: ErrorClass;
}

/** Every error class exported by an errors.ts, with its room (the folder under lib/, or the file's folder). */
async function errorClasses(): Promise<Found[]> {
  const found: Found[] = [];
  for (const file of sourceFiles().filter((f) => basename(f) === 'errors.ts')) {
    const room = relative(join(ROOT, 'lib'), dirname(file)) || 'lib';
    const exports: Record<string, unknown> = await import(pathToFileURL(file).href);
    for (const [name, value] of Object.entries(exports)) {
      if (typeof value === 'function' && value.prototype instanceof Error) {
        found.push({ room, name, type: value as ErrorClass });
      }
    }
  }
  return found;
}

/** The table in lib/errors.ts's doc comment: `| room | \`Class\` | \`CODE\` |`. */
function documentedCodes(): string[] {
  const doc = readFileSync(join(ROOT, 'lib', 'errors.ts'), 'utf8');
  return [...doc.matchAll(/^ \* \| ([\w-]+) +\| `(\w+)` +\| `(\w+)` +\|$/gm)].map(
    ([, room, name, code]) => `${room} ${name} ${code}`,
  );
}

describe('FanoutError', () => {
  const cause = new Error('the underlying failure');

  it('is the base of every error class of every errors.ts, which each have a name, a unique code and a cause', async () => {
    const found = (await errorClasses()).filter((c) => c.type !== FanoutError);
    expect(found.length).toBeGreaterThanOrEqual(Object.keys(SAMPLES).length);
    const codes = new Map<string, string>();
    for (const { name, type } of found) {
      const sample = SAMPLES[name];
      expect(sample, `${name} has no sample in test/errors.test.ts`).toBeDefined();
      const error = sample?.(cause);
      expect(error, name).toBeInstanceOf(type);
      expect(error, name).toBeInstanceOf(FanoutError);
      expect(error, name).toBeInstanceOf(Error);
      expect(error?.name).toBe(name);
      expect(error?.cause, name).toBe(cause);
      const code = (error as FanoutError).errorCode;
      expect(code, name).toMatch(/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$/);
      expect(codes.get(code), `${name} and ${codes.get(code)} share the code ${code}`).toBeUndefined();
      codes.set(code, name);
      // An own enumerable field: a logger handed the error object (the Powertools logger) writes it.
      expect(Object.keys(error as object), name).toContain('errorCode');
    }
  });

  it('has every class and code listed in the table of lib/errors.ts, and no other', async () => {
    const found = (await errorClasses()).filter((c) => c.type !== FanoutError);
    const actual = found.map(({ room, name }) => {
      const code = (SAMPLES[name]?.(cause) as FanoutError | undefined)?.errorCode;
      return `${room} ${name} ${code}`;
    });
    expect(actual.sort()).toEqual(documentedCodes().sort());
  });

  it('keeps the room bases of the sub-hierarchies', () => {
    for (const [name, base] of Object.entries(ROOM_BASES)) {
      expect(SAMPLES[name]?.(cause), name).toBeInstanceOf(base);
    }
  });

  it('is the only place errors are declared: no error class outside an errors.ts', () => {
    const strays = sourceFiles()
      .filter((file) => basename(file) !== 'errors.ts')
      .flatMap((file) =>
        [...readFileSync(file, 'utf8').matchAll(/\bclass (\w+) extends (\w*Error)\b/g)].map(
          ([, name]) => `${relative(ROOT, file)}: ${name}`,
        ),
      );
    expect(strays).toEqual([]);
  });
});

describe('defineError', () => {
  it('names an instance by the string it was given, not by the class, which a minifier may rename', () => {
    class Renamed extends defineError('StableError', 'STABLE_FAILED') {}
    const error = new Renamed('what went wrong');
    expect(error.name).toBe('StableError');
    expect(error.errorCode).toBe('STABLE_FAILED');
    expect(String(error)).toBe('StableError: what went wrong');
    expect(Object.keys(error)).toEqual(['name', 'errorCode']);
  });

  it("keeps a room base's constructor and fields, under the subclass's own name and code", () => {
    const cause = new Error('the underlying failure');
    const error = new PatternError([{ path: ['detail', 'level'], message: 'must be an array' }], { cause });
    expect(error.problems).toEqual([{ path: ['detail', 'level'], message: 'must be an array' }]);
    expect(error.message).toBe('detail.level: must be an array');
    expect([error.name, error.errorCode]).toEqual(['PatternError', 'ROUTING_PATTERN_INVALID']);
    expect(new RoutingSpecError([], { cause }).name).toBe('RoutingSpecError');
    expect(error.cause).toBe(cause);
  });
});
