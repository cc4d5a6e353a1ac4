import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

export const EMULATOR_KINDS = ['kinesis', 'sqs', 'dynamodb'] as const;
export type EmulatorKind = (typeof EMULATOR_KINDS)[number];

/** A running emulator process. */
export interface Emulator {
  kind: EmulatorKind;
  pid: number;
  port: number;
  endpoint: string;
  stop(): Promise<void>;
}

const SERVER = fileURLToPath(new URL('./emulator-server.ts', import.meta.url));

/**
 * Starts an emulator (kinesalite, fauxqs, dynalite) in a child process on `port` (0: a free port, chosen by the
 * OS, so parallel test files never collide). Resolves once it listens.
 */
export async function startEmulator(
  kind: EmulatorKind,
  options: { port?: number; dataDir?: string; startTimeoutMs?: number } = {},
): Promise<Emulator> {
  const args = ['--import', 'tsx', SERVER, kind, String(options.port ?? 0)];
  if (options.dataDir) args.push(options.dataDir);
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4_000);
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`${kind} emulator did not start within ${options.startTimeoutMs ?? 20_000} ms: ${stderr}`),
      );
    }, options.startTimeoutMs ?? 20_000);
    let buffered = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const line = buffered.split('\n')[0];
      if (buffered.includes('\n') && line) {
        clearTimeout(timer);
        try {
          resolve((JSON.parse(line) as { port: number }).port);
        } catch {
          reject(new Error(`${kind} emulator printed "${line}" instead of its port`));
        }
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${kind} emulator exited with code ${code} before it was ready: ${stderr}`));
    });
  });
  return {
    kind,
    pid: child.pid ?? -1,
    port,
    endpoint: `http://127.0.0.1:${port}`,
    stop: () => stopChild(child),
  };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
  await exited;
  clearTimeout(timer);
}

/** The three emulators of local mode and the integration tests. */
export interface EmulatorSet {
  kinesis: Emulator;
  sqs: Emulator;
  dynamodb: Emulator;
  /** `AWS_ENDPOINT_URL_*`, region and dummy credentials pointing the SDK at these emulators. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

export async function startEmulators(
  options: { portBase?: number; dataDir?: string } = {},
): Promise<EmulatorSet> {
  const port = (offset: number): number => (options.portBase ? options.portBase + offset : 0);
  const dir = (kind: string): string | undefined =>
    options.dataDir ? `${options.dataDir}/${kind}` : undefined;
  const started = await Promise.allSettled([
    startEmulator('kinesis', withDir({ port: port(0) }, dir('kinesis'))),
    startEmulator('sqs', { port: port(1) }),
    startEmulator('dynamodb', withDir({ port: port(2) }, dir('dynamodb'))),
  ]);
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) {
    await Promise.all(started.map((s) => (s.status === 'fulfilled' ? s.value.stop() : undefined)));
    throw (failed as PromiseRejectedResult).reason;
  }
  const [kinesis, sqs, dynamodb] = started.map((s) => (s as PromiseFulfilledResult<Emulator>).value) as [
    Emulator,
    Emulator,
    Emulator,
  ];
  return {
    kinesis,
    sqs,
    dynamodb,
    env: {
      AWS_REGION: 'us-east-1',
      // The AWS CLI v1 and boto3 read this one, not AWS_REGION.
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_KINESIS: kinesis.endpoint,
      AWS_ENDPOINT_URL_SQS: sqs.endpoint,
      AWS_ENDPOINT_URL_DYNAMODB: dynamodb.endpoint,
    },
    stop: async () => {
      await Promise.all([kinesis.stop(), sqs.stop(), dynamodb.stop()]);
    },
  };
}

function withDir<T extends object>(options: T, dataDir: string | undefined): T & { dataDir?: string } {
  return dataDir ? { ...options, dataDir } : options;
}
