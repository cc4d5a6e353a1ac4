import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { resolve } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import {
  type FanoutConfig,
  type FanoutConfigInput,
  loadConfigFile,
  parseConfig,
} from '../../lib/config/index.js';
import { type ZipEntry, zipEntries } from '../../lib/deploy/bundle-report.js';

export const SERVICE_DIR = resolve(import.meta.dirname, '../..');
export const fixture = (name: string): string => resolve(import.meta.dirname, 'fixtures', name);
const OSLS = resolve(SERVICE_DIR, 'node_modules/osls/bin/serverless.js');

/** A logical-id part as osls and lib/deploy normalize a name (`partner-hook` → `PartnerDashhook`). */
export const id = (name: string): string => name.replace(/-/g, 'Dash').replace(/^./, (c) => c.toUpperCase());
export const arnOf = (logicalId: string) => ({ 'Fn::GetAtt': [logicalId, 'Arn'] });

export interface TemplateResource {
  Type: string;
  Properties: Record<string, unknown>;
  DependsOn?: string[];
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}
export interface Template {
  Resources: Record<string, TemplateResource>;
  Outputs: Record<string, { Description?: string; Value: unknown }>;
}

export interface Packaged {
  dir: string;
  /** The run's temporary directory. */
  tmp: string;
  template: Template;
  output: string;
}

export interface RunResult {
  code: number;
  output: string;
}

/**
 * The test's environment without AWS credentials (packaging is offline), with the config to package and a
 * temporary directory of the run's own (what osls and its plugins leave there is the test's to look at).
 */
function offlineEnv(configFile: string, tmp: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, FANOUT_CONFIG: configFile, TMPDIR: tmp };
  for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE']) {
    delete env[name];
  }
  return env;
}

/** What a packaging run reads from the service directory: files copied (osls ignores a symlinked config), folders linked. */
const SERVICE_FILES = ['serverless.yml', 'package.json', 'tsconfig.json'];
const SERVICE_FOLDERS = ['node_modules', 'lib', 'functions'];

/**
 * A service directory of its own for one osls run: symlinks to the project's files. osls stages every
 * `--package` run in `<service dir>/.serverless` and deletes it afterwards, so two runs in the project itself
 * would race each other, and would delete a developer's `.serverless`.
 */
export function isolatedServiceDir(dir: string): string {
  mkdirSync(dir, { recursive: true });
  for (const file of SERVICE_FILES) copyFileSync(resolve(SERVICE_DIR, file), resolve(dir, file));
  for (const folder of SERVICE_FOLDERS) symlinkSync(resolve(SERVICE_DIR, folder), resolve(dir, folder));
  return dir;
}

/** The temporary directory of the osls runs in service directory `cwd`. */
export const serviceTmp = (cwd: string): string => resolve(cwd, '.tmp');

/**
 * Runs the osls CLI in the service directory with a config file. No AWS credentials are needed or used, unless
 * `env` brings some (the deploy test's emulator endpoint and dummy credentials). Its temporary directory is
 * `serviceTmp(cwd)`.
 */
export function runServerless(
  args: string[],
  configFile: string,
  cwd: string,
  env: NodeJS.ProcessEnv = {},
): Promise<RunResult> {
  const tmp = serviceTmp(cwd);
  mkdirSync(tmp, { recursive: true });
  return new Promise((done) => {
    execFile(
      process.execPath,
      [OSLS, ...args],
      {
        cwd,
        env: { ...offlineEnv(configFile, tmp), ...env },
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        done({ code, output: `${stdout}${stderr}` });
      },
    );
  });
}

/**
 * `serverless package --stage <stage> --package <work>/package` for a config, in a service directory of its own
 * under `work`; throws with the CLI output on failure.
 */
export async function packageService(configFile: string, stage: string, work: string): Promise<Packaged> {
  const cwd = isolatedServiceDir(resolve(work, 'service'));
  const dir = resolve(work, 'package');
  const { code, output } = await runServerless(
    ['package', '--stage', stage, '--package', dir],
    configFile,
    cwd,
  );
  if (code !== 0) throw new Error(`serverless package failed (${code}):\n${output}`);
  const template = JSON.parse(
    readFileSync(resolve(dir, 'cloudformation-template-update-stack.json'), 'utf8'),
  ) as Template;
  return { dir, tmp: serviceTmp(cwd), template, output };
}

export function loadFixtureConfig(file: string): FanoutConfig {
  return loadConfigFile(file, {});
}

/** A valid config with one kinesis target, with `overrides` merged over the defaults (a test factory). */
export function configWith(overrides: Partial<FanoutConfigInput> = {}): FanoutConfig {
  return parseConfig({
    source: { stream: 'input' },
    targets: [{ name: 'out', type: 'kinesis', destination: 'output' }],
    ...overrides,
  });
}

export function resourcesOfType(template: Template, type: string): Array<[string, TemplateResource]> {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === type);
}

export function resource(template: Template, id: string): TemplateResource {
  const found = template.Resources[id];
  if (!found) throw new Error(`no resource ${id} in the template`);
  return found;
}

/** The content of one file of a zip archive (stored or deflated, as osls writes them). */
export function zipFile(zip: Buffer, entry: ZipEntry): Buffer {
  const nameLength = zip.readUInt16LE(entry.offset + 26);
  const extraLength = zip.readUInt16LE(entry.offset + 28);
  const method = zip.readUInt16LE(entry.offset + 8);
  const start = entry.offset + 30 + nameLength + extraLength;
  const data = zip.subarray(start, start + entry.compressedSize);
  return method === 8 ? inflateRawSync(data) : Buffer.from(data);
}

export function readZip(path: string): { entries: ZipEntry[]; file(name: string): string } {
  const zip = readFileSync(path);
  const entries = zipEntries(zip);
  return {
    entries,
    file: (name) => {
      const entry = entries.find((e) => e.name === name);
      if (!entry) throw new Error(`${path} has no ${name}`);
      return zipFile(zip, entry).toString('utf8');
    },
  };
}
