import { readdirSync, readFileSync } from 'node:fs';
import type { LocalPipeline } from '../../lib/local/pipeline.js';

/** Linux's USER_HZ: /proc reports CPU time in 1/100 s on every architecture Node runs on. */
const TICKS_PER_SECOND = 100;

/** CPU seconds per process group of the local pipeline, and of the whole machine, at one moment. */
interface CpuSnapshot {
  at: number;
  byGroup: Map<string, number>;
  /** Busy seconds of every CPU of the machine (all processes, ours or not). */
  machineBusy: number;
}

/** CPU used between two snapshots, as a share of one core (100 % = one core busy the whole time). */
export interface CpuShares {
  seconds: number;
  /** Group -> % of one core. */
  groups: Record<string, number>;
  /** Group -> CPU seconds used. */
  used: Record<string, number>;
  /** Everything outside the pipeline's processes (other sessions on the machine), % of one core. */
  outside: number;
  /** Whole machine, % of one core (200 % = both cores of a 2-core machine busy). */
  machine: number;
}

function procStat(pid: string): { ppid: number; seconds: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may hold spaces and parentheses: state, ppid, ..., utime (14), stime (15).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return {
      ppid: Number(fields[1]),
      seconds: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND,
    };
  } catch {
    return undefined;
  }
}

function functionNameOf(pid: string): string | undefined {
  try {
    const env = readFileSync(`/proc/${pid}/environ`, 'utf8');
    return /(?:^|\0)AWS_LAMBDA_FUNCTION_NAME=([^\0]*)/.exec(env)?.[1];
  } catch {
    return undefined;
  }
}

/** This process's children that are Lambda containers of the local runtime. */
export function containerPids(): number[] {
  let pids: string[] = [];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return [];
  }
  return pids
    .filter((pid) => procStat(pid)?.ppid === process.pid && functionNameOf(pid) !== undefined)
    .map(Number);
}

function machineBusySeconds(): number {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]?.split(/\s+/).slice(1).map(Number) ?? [];
    // user nice system idle iowait irq softirq steal ...: busy is everything but idle and iowait.
    const total = cpu.slice(0, 8).reduce((a, b) => a + b, 0);
    return (total - (cpu[3] ?? 0) - (cpu[4] ?? 0)) / TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}

/**
 * Samples the CPU time of every process the bench started (this process, the emulators, the Lambda containers,
 * grouped by what they are) from /proc, the way `top` would, so a step's table says which process burned the CPU.
 * Outside Linux it measures nothing.
 */
export class PipelineCpu {
  readonly #groupOf: (pid: number) => string | undefined;
  #last: CpuSnapshot;

  constructor(pipeline: LocalPipeline, workerGroup: (functionName: string) => string) {
    const emulators = new Map<number, string>([
      [pipeline.emulators.kinesis.pid, 'kinesalite'],
      [pipeline.emulators.sqs.pid, 'fauxqs'],
      [pipeline.emulators.dynamodb.pid, 'dynalite'],
    ]);
    const dispatcher = pipeline.names.dispatcherFunction();
    this.#groupOf = (pid) => {
      if (pid === process.pid) return 'bench process';
      const emulator = emulators.get(pid);
      if (emulator) return emulator;
      const fn = functionNameOf(String(pid));
      if (fn === undefined) return undefined;
      return fn === dispatcher ? 'dispatcher' : workerGroup(fn);
    };
    this.#last = this.#snapshot();
  }

  /** CPU used since the last call (or construction). */
  take(): CpuShares {
    const now = this.#snapshot();
    const seconds = (now.at - this.#last.at) / 1000;
    const share = (cpu: number): number => (100 * cpu) / Math.max(0.001, seconds);
    const groups: Record<string, number> = {};
    const used: Record<string, number> = {};
    let ours = 0;
    for (const [group, cpu] of now.byGroup) {
      // A process that exited since takes its CPU time with it: a group never goes below 0.
      used[group] = Math.max(0, cpu - (this.#last.byGroup.get(group) ?? 0));
      groups[group] = share(used[group]);
      ours += used[group];
    }
    const machineUsed = now.machineBusy - this.#last.machineBusy;
    this.#last = now;
    return {
      seconds,
      groups,
      used,
      outside: Math.max(0, share(machineUsed - ours)),
      machine: share(machineUsed),
    };
  }

  #snapshot(): CpuSnapshot {
    const byGroup = new Map<string, number>();
    let pids: string[] = [];
    try {
      pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
    } catch {
      // Not Linux.
    }
    const stats = new Map<number, { ppid: number; seconds: number }>();
    for (const pid of pids) {
      const stat = procStat(pid);
      if (stat) stats.set(Number(pid), stat);
    }
    // Descendants of this process: containers and emulators are its children; their own children count with them.
    const rootOf = (pid: number): number | undefined => {
      for (let p = pid, hops = 0; p > 1 && hops < 64; hops++) {
        const parent = stats.get(p)?.ppid;
        if (parent === process.pid) return p;
        if (parent === undefined) return undefined;
        p = parent;
      }
      return undefined;
    };
    const add = (group: string, seconds: number): void => {
      byGroup.set(group, (byGroup.get(group) ?? 0) + seconds);
    };
    add('bench process', stats.get(process.pid)?.seconds ?? 0);
    for (const [pid, stat] of stats) {
      if (pid === process.pid) continue;
      const root = rootOf(pid);
      if (root === undefined) continue;
      add(this.#groupOf(root) ?? 'other child processes', stat.seconds);
    }
    return { at: Date.now(), byGroup, machineBusy: machineBusySeconds() };
  }
}
