/** cfn-lint, the linter moto validates templates with, run over a packaged template (informational rules too). */
import { execFile } from 'node:child_process';

export interface LintFinding {
  rule: string;
  level: 'Error' | 'Warning' | 'Informational';
  /** The top-level resource the finding is about (or the section, e.g. `Outputs`). */
  resource: string;
  message: string;
}

interface RawFinding {
  Level: LintFinding['level'];
  Message: string;
  Rule: { Id: string };
  Location: { Path?: Array<string | number> };
}

/**
 * `cfn-lint --format json -c I TEMPLATE`: every finding, informational ones included. cfn-lint exits non-zero
 * when it finds anything (a bit per level), so its output, not its exit code, is the result.
 */
export function cfnLint(templateFile: string): Promise<LintFinding[]> {
  return new Promise((resolve, reject) => {
    execFile(
      'cfn-lint',
      ['--format', 'json', '-c', 'I', '--', templateFile],
      { maxBuffer: 16 * 1024 * 1024, timeout: 120_000 },
      (error, stdout, stderr) => {
        let raw: RawFinding[];
        try {
          raw = JSON.parse(stdout) as RawFinding[];
        } catch {
          reject(new Error(`cfn-lint gave no JSON (${error?.message ?? 'exit 0'}):\n${stderr}${stdout}`));
          return;
        }
        resolve(
          raw.map((f) => ({
            rule: f.Rule.Id,
            level: f.Level,
            resource: String(
              f.Location.Path?.[0] === 'Resources' ? f.Location.Path[1] : (f.Location.Path?.[0] ?? ''),
            ),
            message: f.Message,
          })),
        );
      },
    );
  });
}
