import { readFileSync, statSync } from 'node:fs';

export interface ZipEntry {
  name: string;
  size: number;
  compressedSize: number;
  /** Offset of the entry's local header in the archive. */
  offset: number;
}

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_DIRECTORY_ENTRY = 0x02014b50;

/**
 * Lists a zip archive from its central directory (the artifacts osls packages are small, plain zips: no ZIP64).
 * Reading sizes here keeps the report free of an unzip dependency.
 */
export function zipEntries(zip: Buffer): ZipEntry[] {
  // The end record is 22 bytes plus a comment of up to 65,535 bytes, so search backwards from the end.
  let end = -1;
  for (let at = zip.length - 22; at >= Math.max(0, zip.length - 22 - 65_535); at--) {
    if (zip.readUInt32LE(at) === END_OF_CENTRAL_DIRECTORY) {
      end = at;
      break;
    }
  }
  if (end < 0) throw new Error('not a zip archive: no end of central directory record');
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== CENTRAL_DIRECTORY_ENTRY)
      throw new Error(`zip central directory is corrupt at ${at}`);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    entries.push({
      compressedSize: zip.readUInt32LE(at + 20),
      size: zip.readUInt32LE(at + 24),
      name: zip.toString('utf8', at + 46, at + 46 + nameLength),
      offset: zip.readUInt32LE(at + 42),
    });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

export interface BundleSize {
  /** Key in serverless.yml `functions`. */
  function: string;
  /** Bytes of the deployment zip (what Lambda's 50 MB zipped limit counts). */
  zipBytes: number;
  /** Unzipped bytes of the code (Lambda's 250 MB unzipped limit). */
  codeBytes: number;
  /** Unzipped bytes of the source maps. */
  mapBytes: number;
  files: string[];
}

export function bundleSize(functionKey: string, artifact: string): BundleSize {
  const entries = zipEntries(readFileSync(artifact));
  const sum = (pick: (name: string) => boolean): number =>
    entries.filter((e) => pick(e.name)).reduce((total, e) => total + e.size, 0);
  return {
    function: functionKey,
    zipBytes: statSync(artifact).size,
    codeBytes: sum((name) => !name.endsWith('.map') && !name.endsWith('/')),
    mapBytes: sum((name) => name.endsWith('.map')),
    files: entries.map((e) => e.name).filter((name) => !name.endsWith('/')),
  };
}

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

/** A plain-text table, one row per function, for the packaging log and docs/deploy.md. */
export function formatBundleReport(rows: readonly BundleSize[]): string {
  const header = ['function', 'zip', 'code', 'source map'];
  const body = rows.map((r) => [r.function, kib(r.zipBytes), kib(r.codeBytes), kib(r.mapBytes)]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]): string =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}
