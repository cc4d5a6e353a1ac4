import { statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { build } from 'esbuild';
import { esbuildOptions } from '../../lib/deploy/functions.js';

/** serverless-esbuild's own options: the plugin reads them, esbuild would refuse them. */
const PLUGIN_ONLY = new Set(['exclude', 'outputWorkFolder', 'outputFileExtension', 'packager', 'watch']);

export interface Bundle {
  file: string;
  /** Bytes of the bundled code (what Lambda loads), source map not included. */
  bytes: number;
  mapBytes: number;
}

/**
 * Bundles `entry` with the options the deploy gives serverless-esbuild (lib/deploy/functions.ts: bundle,
 * minify, ESM, node22, the createRequire banner, the config compiled in), so sizes and import times are the
 * deployed ones. `readable` turns minification off, for the measured case programs whose CPU profiles must
 * name functions; it changes nothing else.
 */
export async function bundle(
  entry: string,
  outDir: string,
  options: { configJson?: string; readable?: boolean } = {},
): Promise<Bundle> {
  const deployed = esbuildOptions(options.configJson ?? '', outDir);
  const esbuild: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(deployed)) if (!PLUGIN_ONLY.has(key)) esbuild[key] = value;
  // Without a config, leave process.env.FANOUT_CONFIG_JSON to the environment.
  if (options.configJson === undefined) delete esbuild.define;
  if (options.readable) {
    esbuild.minify = false;
    esbuild.keepNames = true;
    esbuild.sourcemap = false;
  }
  const file = join(outDir, `${basename(entry, extname(entry))}.mjs`);
  await build({ ...esbuild, entryPoints: [entry], outfile: file, logLevel: 'error' });
  let mapBytes = 0;
  try {
    mapBytes = statSync(`${file}.map`).size;
  } catch {
    // No source map asked for.
  }
  return { file, bytes: statSync(file).size, mapBytes };
}
