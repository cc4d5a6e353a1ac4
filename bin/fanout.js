#!/usr/bin/env node
// The `fanout` command. The CLI is TypeScript run through tsx, so the repo needs no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../lib/cli/main.ts');
process.exitCode = await main(process.argv);
