import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileCheckpoints, ShardProgress } from '../../../lib/lambda-emulator/kinesis/checkpoint.js';
import type { StreamRecord } from '../../../lib/lambda-emulator/kinesis/event.js';
import { tempDir } from '../../support/temp-dir.js';

const record = (sequenceNumber: string): StreamRecord => ({
  sequenceNumber,
  partitionKey: 'k',
  data: '',
  arrivalMs: 0,
});
const records = (...sequences: string[]): StreamRecord[] => sequences.map(record);

describe('ShardProgress', () => {
  it('moves the checkpoint over a record only once every record before it is settled', () => {
    const progress = new ShardProgress();
    progress.read(records('1', '2', '3', '4'));
    // Lanes settle out of order (ParallelizationFactor): 2 and 4 first.
    expect(progress.settle(records('2', '4'))).toBe(false);
    expect(progress.position).toBeUndefined();
    expect(progress.settle(records('1'))).toBe(true);
    expect(progress.position).toBe('2');
    expect(progress.settle(records('3'))).toBe(true);
    expect(progress.position).toBe('4');
  });

  it('starts from a saved position and keeps it until a record after it settles', () => {
    const progress = new ShardProgress('10');
    progress.read(records('11', '12'));
    expect(progress.position).toBe('10');
    progress.settle(records('12'));
    expect(progress.position).toBe('10');
    progress.settle(records('11'));
    expect(progress.position).toBe('12');
  });
});

describe('fileCheckpoints', () => {
  it('writes the positions on flush and reads them back in a new store', () => {
    const file = join(tempDir('fanout-checkpoints-'), 'state', 'checkpoints.json');
    const store = fileCheckpoints(file, 60_000);
    store.set('fn/input/shardId-000000000000', '49000');
    store.flush();
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ 'fn/input/shardId-000000000000': '49000' });
    const again = fileCheckpoints(file);
    expect(again.get('fn/input/shardId-000000000000')).toBe('49000');
    expect(again.count()).toBe(1);
  });

  it('refuses a file that is not a JSON object of sequence numbers, rather than start from the wrong place', () => {
    const file = join(tempDir('fanout-checkpoints-'), 'checkpoints.json');
    writeFileSync(file, '{"fn/input/shard": 42}');
    expect(() => fileCheckpoints(file)).toThrow(/is not a JSON object of sequence numbers: move it away/);
    writeFileSync(file, 'not json');
    expect(() => fileCheckpoints(file)).toThrow(/is not a JSON object of sequence numbers/);
  });
});
