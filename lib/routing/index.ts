export { PatternError, RoutingSpecError, type SpecProblem, TransformError } from './errors.js';
export { type DeaggregateResult, deaggregate, KPL_BASE64_PREFIX, KPL_MAGIC, type UserRecord } from './kpl.js';
export { type JsonPath, parseJsonPath, readJsonPath } from './path.js';
export {
  compilePattern,
  type FilterPattern,
  type PatternObject,
  patternProblems,
  type RecordMatcher,
} from './pattern.js';
export { filterSchema, transformSchema } from './schema.js';
export {
  compileTransform,
  type RecordTransform,
  type TransformResult,
  type TransformSpec,
  type TransformTemplate,
  type TransformValue,
  transformProblems,
} from './transform.js';
