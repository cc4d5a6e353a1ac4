/** What both replay reports add up the same way: counts per outcome, and the first problems with their reason. */

/** Problems a report lists at most: the first ones, enough to see what went wrong without flooding a terminal. */
export const MAX_PROBLEMS = 50;

/** A count of 0 for every outcome. */
export function countPerOutcome<O extends string>(outcomes: readonly O[]): Record<O, number> {
  return Object.fromEntries(outcomes.map((o) => [o, 0])) as Record<O, number>;
}

/** A problem of a report: what was not replayed, and why. */
export interface Problem<O extends string> {
  messageId: string;
  outcome: O;
  reason: string;
}

/** Lists a result that has a reason among the report's problems, up to {@link MAX_PROBLEMS}. */
export function noteProblem<O extends string>(
  problems: Array<Problem<O>>,
  result: { messageId: string; outcome: O; reason?: string },
): void {
  if (result.reason && problems.length < MAX_PROBLEMS) {
    problems.push({ messageId: result.messageId, outcome: result.outcome, reason: result.reason });
  }
}
