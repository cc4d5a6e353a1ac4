import * as z from 'zod/mini';
import type { SpecProblem } from './errors.js';
import { type FilterPattern, patternProblems } from './pattern.js';
import { type TransformSpec, transformProblems } from './transform.js';

/** A filter or a transform, as JSON: Lambda's own event filter patterns stop at 4,096 characters. */
export const PATTERN_MAX_CHARS = 4_096;

// zod/mini like the rest of the config schema: the functions bundle it.
function checkedBy<T>(problemsOf: (value: unknown) => SpecProblem[]): z.ZodMiniCustom<T, T> {
  return z.custom<T>().check(
    z.superRefine((value, ctx) => {
      // Bounded before it is compiled: a pattern of a million alternatives is a mistake, not a filter.
      const chars = JSON.stringify(value ?? null).length;
      if (chars > PATTERN_MAX_CHARS) {
        ctx.addIssue({
          code: 'custom',
          path: [],
          message: `is ${chars.toLocaleString('en-US')} characters as JSON; at most ${PATTERN_MAX_CHARS.toLocaleString('en-US')}`,
          input: value,
        });
        return;
      }
      for (const problem of problemsOf(value)) {
        ctx.addIssue({ code: 'custom', path: problem.path, message: problem.message, input: value });
      }
    }),
  );
}

/** `targets[].filter`: a content pattern, validated by compiling it (issues name the path inside it). */
export const filterSchema: z.ZodMiniCustom<FilterPattern, FilterPattern> = checkedBy(patternProblems);

/** `targets[].transform`: a projection, validated by compiling it. */
export const transformSchema: z.ZodMiniCustom<TransformSpec, TransformSpec> = checkedBy(transformProblems);
