/**
 * The README's "Code map" matches the tree: every room it names exists, and every room of the house (each folder
 * and top-level file of lib/, each folder of harness/, and functions/, bench/, test/) has its row.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The first column of each row of the Code map table, e.g. `lib/ledger/`. */
function codeMapRooms(readme: string): string[] {
  const section = readme.split(/^## Code map$/m)[1]?.split(/^## /m)[0] ?? '';
  return [...section.matchAll(/^\| `([^`]+)` \|/gm)].map((match) => match[1] as string);
}

/** The rooms of the tree, as the Code map names them (a folder with a trailing slash). */
function treeRooms(root: string): string[] {
  const entries = (folder: string): string[] =>
    readdirSync(join(root, folder), { withFileTypes: true })
      .filter((entry) => entry.isDirectory() || entry.name.endsWith('.ts'))
      .map((entry) => `${folder}/${entry.name}${entry.isDirectory() ? '/' : ''}`);
  return [...entries('lib'), ...entries('harness'), 'functions/', 'bench/', 'test/'];
}

describe('README Code map', () => {
  const rooms = codeMapRooms(readFileSync(join(ROOT, 'README.md'), 'utf8'));

  it('has a row for every room of the tree', () => {
    expect(treeRooms(ROOT).filter((room) => !rooms.includes(room))).toEqual([]);
  });

  it('names only rooms that exist', () => {
    expect(rooms.length).toBeGreaterThan(10);
    expect(rooms.filter((room) => !existsSync(join(ROOT, room)))).toEqual([]);
  });

  it('reads the rows of the Code map section only', () => {
    const readme = [
      '## Setup',
      '| `lib/elsewhere/` | not the map |',
      '## Code map',
      '| room | owns |',
      '|---|---|',
      '| `lib/a/` | a |',
      '| `lib/b.ts` | b |',
      '## Next',
      '| `lib/c/` | not the map |',
    ].join('\n');
    expect(codeMapRooms(readme)).toEqual(['lib/a/', 'lib/b.ts']);
  });
});
