'use strict';
/**
 * osls plugin (listed in serverless.yml): once osls has merged our resources into the compiled template, and
 * before it validates and saves it (for `package` and `deploy` alike), removes the `DependsOn` entries that a
 * reference already implies (cfn-lint W3005; see lib/deploy/implied-dependencies.ts).
 */

// The ESM build of tsx's API: its CommonJS build cannot register the loader (tsx 4.23).
const loadTsx = async () => (await import('tsx/esm/api')).tsImport;

class TemplatePlugin {
  constructor(serverless, _options, { log }) {
    this.serverless = serverless;
    this.log = log;
    this.hooks = { 'before:aws:package:finalize:saveServiceState': () => this.tidy() };
  }

  async tidy() {
    const { dropImpliedDependsOn } = await (await loadTsx())('./implied-dependencies.ts', __filename);
    const template = this.serverless.service.provider.compiledCloudFormationTemplate;
    const dropped = dropImpliedDependsOn(template.Resources);
    this.log.info(`DependsOn implied by a reference, removed: ${dropped.join(', ') || 'none'}`);
  }
}

module.exports = TemplatePlugin;
