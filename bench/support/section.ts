import type { StubServer } from '../stub/control.js';
import type { ReportTable } from './table.js';

/** Options of one `npm run bench` run. */
export interface BenchOptions {
  /** Print one JSON document instead of tables. */
  json: boolean;
  /** A fast smoke run: fewer iterations and cases, same code paths. */
  quick: boolean;
  /** Section names to run (all when empty). */
  only: string[];
  /** Directory for `node --cpu-prof` profiles of the measured child processes, when profiling. */
  cpuProfDir?: string;
  /** end-to-end: input rates to run instead of the plan's (records/s). */
  rates?: number[];
  /** end-to-end: seconds of input per rate instead of the plan's. */
  seconds?: number;
  /** end-to-end: idempotency configurations to run (store, none) instead of both. */
  variants?: Array<'store' | 'none'>;
  /** end-to-end: the source's batchSize instead of 100. */
  batchSize?: number;
  /**
   * end-to-end: hand-offs to run instead of all: `ordered` (the defaults: kinesis targets through their FIFO
   * queues), `unordered` (kinesis targets with ordered: false, by async invoke), `hot-key` (ordered, every record
   * under one partition key).
   */
  orderings?: Array<'ordered' | 'unordered' | 'hot-key'>;
}

/** What a section gets: the options, progress output, and the resources shared by sections of one run. */
export interface SectionContext {
  options: BenchOptions;
  /** A temporary directory of this run (bundles, tables), removed when the run ends. */
  workDir: string;
  /** Progress on stderr (stdout carries only the tables or the JSON). */
  log(message: string): void;
  /** The stub AWS endpoint, started on first use and shared, so every section measures against the same one. */
  stub(): Promise<StubServer>;
  /** Results of one section that a later one reuses (the baseline reads the dispatcher's rows). */
  shared: Map<string, unknown>;
}

export interface SectionReport {
  tables: ReportTable[];
  /** Raw measurements for `--json`. */
  data: unknown;
}

/** One module under bench/sections/: a name for `--only`, a title, and a run. */
export interface Section {
  name: string;
  title: string;
  run(context: SectionContext): Promise<SectionReport>;
}
