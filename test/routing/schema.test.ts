import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfigText } from '../../lib/config/index.js';

const yaml = (targets: string): string => `
source:
  stream: input
targets:
${targets}`;

function problems(text: string): string[] {
  try {
    parseConfigText(text);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => `${p.path}: ${p.message}`);
    throw error;
  }
  return [];
}

describe('targets[].filter and targets[].transform in fanout.yml', () => {
  it('accepts a filter and a transform, and keeps them as written', () => {
    const config = parseConfigText(
      yaml(`
  - name: errors
    type: sqs
    destination: errors
    filter:
      level: [ERROR, { prefix: WARN }]
      detail:
        ms: [{ numeric: [">", 0, "<=", 500] }]
    transform:
      LOG: $.log
      user: $.detail.user.id
      source: app
  - name: all
    type: kinesis
    destination: all
`),
    );
    expect(config.targets[0]?.filter).toEqual({
      level: ['ERROR', { prefix: 'WARN' }],
      detail: { ms: [{ numeric: ['>', 0, '<=', 500] }] },
    });
    expect(config.targets[0]?.transform).toEqual({ LOG: '$.log', user: '$.detail.user.id', source: 'app' });
    expect(config.targets[1]?.filter).toBeUndefined();
  });

  it('accepts a list of patterns and $or', () => {
    expect(
      problems(
        yaml(`
  - name: a
    type: kinesis
    destination: a
    filter:
      - { level: [ERROR] }
      - { $or: [{ user: [{ exists: true }] }, { code: [{ anything-but: [200, 204] }] }] }
`),
      ),
    ).toEqual([]);
  });

  it('names the path of every bad part, the value and what is allowed', () => {
    expect(
      problems(
        yaml(`
  - name: a
    type: kinesis
    destination: a
    filter:
      level: ERROR
      detail:
        ms: [{ numeric: [">", fast] }]
  - name: b
    type: kinesis
    destination: b
    enabled: false
    filter: { code: [{ between: [1, 2] }] }
    transform:
      LOG: $log
`),
      ),
    ).toEqual([
      'targets[0].filter.level: "ERROR" is not a list; values go in a list (e.g. ["ERROR"]) and nested fields in an object',
      'targets[0].filter.detail.ms[0].numeric: [">","fast"] is not allowed; expected [op, number] or a range [">" or ">=", number, "<" or "<=", number], op one of =, <, <=, >, >=',
      'targets[1].filter.code[0]: {"between":[1,2]} is not a matcher; expected a value or one of {"prefix": ...}, {"suffix": ...}, {"equals-ignore-case": ...}, {"numeric": ...}, {"exists": ...}, {"anything-but": ...}',
      'targets[1].transform.LOG: "$log" is not a path (unexpected "log"; a path has only .name, [index] and [\'name\'] parts); paths look like $.a.b[0].c, and "$$..." is the literal text "$..."',
    ]);
  });

  it('reports filter problems together with the other fields of the target', () => {
    const found = problems(
      yaml(`
  - name: a
    type: kinesis
    destination: a
    ordered: false
    retries: 7
    filter: []
`),
    );
    expect(found).toHaveLength(2);
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^targets\[0\]\.retries: /),
        'targets[0].filter: must list at least one pattern',
      ]),
    );
  });
});
