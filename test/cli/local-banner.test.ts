import type { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { awsCliMajorVersion, describeStop, putRecordHint } from '../../lib/cli/local-banner.js';

const fakeAws = (output: string | Error) =>
  (() => {
    if (output instanceof Error) throw output;
    return { stdout: output, stderr: '' };
  }) as unknown as typeof spawnSync;

describe('the put-record hint of fanout local', () => {
  it('reads the installed AWS CLI version (v1 prints it on stderr or stdout)', () => {
    expect(awsCliMajorVersion(fakeAws('aws-cli/1.45.11 Python/3.11.7 Linux/6.18 botocore/1.43.11'))).toBe(1);
    expect(awsCliMajorVersion(fakeAws('aws-cli/2.27.0 Python/3.13.2 Linux/6.18 exe/x86_64'))).toBe(2);
    expect(awsCliMajorVersion(fakeAws(new Error('spawnSync aws ENOENT')))).toBeUndefined();
  });

  it('has --cli-binary-format only for v2, which reads --data as base64 without it; v1 refuses the option', () => {
    expect(putRecordHint('input', 1).join('\n')).not.toContain('--cli-binary-format');
    expect(putRecordHint('input', 2).join('\n')).toContain(
      '--stream-name input --partition-key k --data \'{"log":"hello"}\' --cli-binary-format raw-in-base64-out',
    );
    const none = putRecordHint('input', undefined).join('\n');
    expect(none).toContain('--cli-binary-format raw-in-base64-out');
    expect(none).toContain('with v1 leave out --cli-binary-format raw-in-base64-out');
  });

  it('says at stop what was kept, or what was lost without --data-dir', () => {
    const report = { unfinishedAsync: { w: 2 }, kept: false, queuedMessages: 3 };
    expect(describeStop(report, undefined).join('\n')).toContain(
      'not kept (no --data-dir): 3 undelivered message(s) in hand-off queues, DLQs and the failure queue, 2 async invocation(s) not finished',
    );
    expect(describeStop({ ...report, kept: true }, '.fanout/data')).toEqual([
      'kept in .fanout/data: 3 undelivered message(s) in hand-off queues, DLQs and the failure queue, 2 async invocation(s) not finished; the next `fanout local --data-dir .fanout/data` resumes them',
    ]);
    expect(describeStop({ unfinishedAsync: {}, kept: false, queuedMessages: 0 }, undefined)).toEqual([]);
  });
});
