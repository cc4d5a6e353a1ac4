import { describe, expect, it } from 'vitest';
import { formatBundleReport, zipEntries } from '../../lib/deploy/bundle-report.js';

/** A stored (uncompressed) zip of the given files: just enough of the format for the reader. */
function zipOf(files: Record<string, string>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, content] of Object.entries(files)) {
    const data = Buffer.from(content);
    const nameBytes = Buffer.from(name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += 30 + nameBytes.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(files).length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

describe('bundle report', () => {
  it('lists the files of a zip with their sizes', () => {
    const zip = zipOf({ 'functions/worker.mjs': 'export{}', 'functions/worker.mjs.map': '{"version":3}' });
    expect(zipEntries(zip).map(({ name, size }) => ({ name, size }))).toEqual([
      { name: 'functions/worker.mjs', size: 8 },
      { name: 'functions/worker.mjs.map', size: 13 },
    ]);
  });

  it('refuses what is not a zip', () => {
    expect(() => zipEntries(Buffer.alloc(64))).toThrow(/not a zip archive/);
  });

  it('prints one aligned row per function', () => {
    const text = formatBundleReport([
      { function: 'dispatcher', zipBytes: 2048, codeBytes: 4096, mapBytes: 1024, files: [] },
      { function: 'a-worker', zipBytes: 1024, codeBytes: 2048, mapBytes: 512, files: [] },
    ]);
    expect(text.split('\n')).toEqual([
      'function        zip     code  source map',
      '----------  -------  -------  ----------',
      'dispatcher  2.0 KiB  4.0 KiB     1.0 KiB',
      'a-worker    1.0 KiB  2.0 KiB     0.5 KiB',
    ]);
  });
});
