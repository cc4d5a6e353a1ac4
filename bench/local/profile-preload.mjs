/**
 * Loaded with `--import` (NODE_OPTIONS) into the processes of a benchmarked local pipeline when the bench runs with
 * `--cpu-prof DIR` (Node refuses --cpu-prof itself in NODE_OPTIONS). Profiles the whole process and writes
 * DIR/<function or emulator>.<pid>.cpuprofile when it exits, or on SIGUSR2: Lambda containers are killed, not
 * exited, so the bench signals them first. Plain JavaScript: containers run without a TypeScript loader.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const dir = process.env.FANOUT_BENCH_PROFILE_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.start');
  const kind = process.argv.slice(2).find((a) => ['kinesis', 'sqs', 'dynamodb'].includes(a));
  const label = process.env.AWS_LAMBDA_FUNCTION_NAME ?? (kind ? `emulator-${kind}` : 'process');
  let written = false;
  const write = () => {
    if (written) return;
    written = true;
    // The in-process inspector answers synchronously, so this works in an 'exit' handler too.
    session.post('Profiler.stop', (error, result) => {
      if (!error) writeFileSync(`${dir}/${label}.${process.pid}.cpuprofile`, JSON.stringify(result.profile));
    });
  };
  process.on('exit', write);
  process.on('SIGUSR2', write);
}
