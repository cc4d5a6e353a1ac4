import Table from 'cli-table3';
import type { DeletionResult } from './delete.js';
import type { FoundResource, StackState } from './inventory.js';

const nameOf = (r: FoundResource): string =>
  r.physicalName ?? r.name ?? `(${r.logicalId}, named by CloudFormation)`;

/** The retained resources as found: what each is, whether it is there, what it holds. */
export function renderInventory(stack: StackState, region: string, found: readonly FoundResource[]): string {
  const head = stack.status
    ? `Stack ${stack.name} (${region}) is deployed: ${stack.status}.`
    : `Stack ${stack.name} (${region}) is not deployed; these resources outlive it (DeletionPolicy: Retain):`;
  const table = new Table({ head: ['kind', 'name', 'now', 'holds'], style: { head: [], border: [] } });
  for (const r of found) {
    const now =
      r.state === 'exists' ? (r.contents ?? 'exists') : r.state === 'absent' ? 'not there' : `? ${r.problem}`;
    table.push([r.kind, nameOf(r), now, r.holds]);
  }
  return `${head}\n${table.toString()}`;
}

/** What `--yes` did to each resource. */
export function renderDeletion(results: readonly DeletionResult[]): string {
  const table = new Table({ head: ['kind', 'name', 'outcome'], style: { head: [], border: [] } });
  for (const { resource, outcome, reason } of results) {
    table.push([resource.kind, nameOf(resource), reason ? `${outcome}: ${reason}` : outcome]);
  }
  return table.toString();
}
