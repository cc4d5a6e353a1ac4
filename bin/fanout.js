#!/usr/bin/env node
// The `fanout` command. The CLI is TypeScript run through tsx, so the repo needs no build step.
import { register } from 'tsx/esm/api';

// The SDK warns on every run that it will need Node 22 from 2027; the CLI supports Node 20 until then.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
const { main } = await import('../lib/cli/main.ts');
process.exitCode = await main(process.argv);
