import * as z from 'zod/mini';
import type { SpecProblem } from './errors.js';
import { type FilterPattern, patternProblems } from './pattern.js';
import { type TransformSpec, transformProblems } from './transform.js';

// zod/mini like the rest of the config schema: the functions bundle it.
function checkedBy<T>(problemsOf: (value: unknown) => SpecProblem[]): z.ZodMiniCustom<T, T> {
  return z.custom<T>().check(
    z.superRefine((value, ctx) => {
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
