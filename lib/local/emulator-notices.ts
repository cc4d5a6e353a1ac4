import type { EmulatorEvent } from './emulator-set.js';
import { EMULATOR_PROGRAMS } from './emulators.js';

/** What was lost when an emulator that kept its state in memory died, by kind. */
const LOST_WITHOUT_DATA = {
  kinesis:
    'the streams were created again, empty: records not yet dispatched are lost, and the mapping reads the new stream from its start',
  sqs: 'the queues and DLQs were created again, empty: the messages they held are lost',
  dynamodb:
    'the idempotency table was created again, empty: records delivered before may be delivered again if replayed',
} as const;

/** A line for the user about an emulator of local mode that died, came back, or could not be started again. */
export function emulatorNotice(event: EmulatorEvent, hasDataDir: boolean): string {
  const program = EMULATOR_PROGRAMS[event.kind];
  if (event.type === 'died') {
    const how = event.exit.signal
      ? `was killed (${event.exit.signal})`
      : `exited with code ${event.exit.code}`;
    return `${program} (pid ${event.pid}) ${how}: starting it again on the same port${hasDataDir ? ' with its data folder' : ''}`;
  }
  if (event.type === 'restarted') {
    return `${program} is running again (pid ${event.pid})${
      event.keptData
        ? event.kind === 'sqs'
          ? ': queues and DLQs restored from their last snapshot (at most a second old: messages sent in that second may be missing)'
          : ': its data folder kept its state'
        : `, but it kept nothing in memory (no --data-dir): ${LOST_WITHOUT_DATA[event.kind]}`
    }`;
  }
  return `${program} could not be started again (${event.error.message}): local mode cannot work without it; stop it (Ctrl-C) and start it again`;
}
