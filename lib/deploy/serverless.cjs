'use strict';
/**
 * Bridge from serverless.yml to the stack generator (lib/deploy/*.ts).
 *
 * osls resolves `${file(./lib/deploy/serverless.cjs):<part>}` by require()-ing this file and calling the
 * function it exports. The project is ESM TypeScript, so this one CommonJS file loads the generator through
 * tsx. osls calls it once per variable (service, functions, resources, custom.esbuild): the build is memoized.
 *
 * A config that cannot be deployed stops the command here, before anything is bundled, with the list of bad
 * fields (osls would otherwise repeat the message once per variable, wrapped in its own text).
 */
const path = require('node:path');

// The ESM build of tsx's API: its CommonJS build cannot register the loader (tsx 4.23).
const loadTsx = async () => (await import('tsx/esm/api')).tsImport;

const serviceDir = path.resolve(__dirname, '..', '..');
const builds = new Map();

async function build(stage, region) {
  const { loadServerlessParts } = await (await loadTsx())('./load.ts', __filename);
  try {
    const parts = loadServerlessParts({ stage, region, serviceDir });
    // Warnings do not stop the deploy; printed once, as the build is memoized.
    for (const warning of parts.warnings) process.stderr.write(`${warning}\n`);
    return parts;
  } catch (error) {
    if (error && error.name === 'ConfigError') {
      process.stderr.write(
        `\n${error.message}\n\nNothing was packaged or deployed: fix the config and run again.\n`,
      );
      process.exit(1);
    }
    throw error;
  }
}

module.exports = async ({ resolveVariable }) => {
  const stage = await resolveVariable('sls:stage');
  const region = await resolveVariable('self:provider.region');
  const key = `${stage}|${region}|${process.env.FANOUT_CONFIG || ''}`;
  if (!builds.has(key)) builds.set(key, build(stage, region));
  return builds.get(key);
};
