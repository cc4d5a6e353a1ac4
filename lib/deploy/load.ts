import { basename, extname, relative, resolve } from 'node:path';
import { parse } from 'yaml';
import { DEFAULT_CONFIG_FILE, parseConfigText, readConfigFile } from '../config/index.js';
import { type ServerlessParts, serverlessParts } from './stack.js';

export interface LoadOptions {
  stage: string;
  region: string;
  /** Service directory (where serverless.yml is). */
  serviceDir: string;
  /** Config file; default: env `FANOUT_CONFIG`, else `fanout.yml` in the service directory. */
  configFile?: string;
}

/**
 * Reads the fanout config (the same file local mode uses) and builds the serverless parts for one stage and
 * region. Throws {@link ConfigError} naming every bad field, before anything is bundled or packaged.
 */
export function loadServerlessParts(
  options: LoadOptions,
  env: NodeJS.ProcessEnv = process.env,
): ServerlessParts {
  const file = resolve(options.serviceDir, options.configFile ?? (env.FANOUT_CONFIG || DEFAULT_CONFIG_FILE));
  const shown = relative(options.serviceDir, file) || file;
  const text = readConfigFile(file, shown);
  // First for its messages (YAML syntax, schema), then for the document the functions will parse themselves.
  parseConfigText(text, shown);
  const document: unknown = parse(text);
  const workFolder = `.esbuild/${options.stage}-${basename(file, extname(file))}`;
  return serverlessParts(document, { stage: options.stage, region: options.region, file: shown, workFolder });
}
