'use strict';
/**
 * osls plugin (listed in serverless.yml): once osls has merged our resources into the compiled template, and
 * before it validates and saves it (for `package` and `deploy` alike), removes the `DependsOn` entries that a
 * reference already implies (cfn-lint W3005; see lib/deploy/implied-dependencies.ts).
 */
const { tsModuleHook } = require('./ts-hook.cjs');

class TemplatePlugin {
  constructor(serverless, _options, { log }) {
    this.hooks = {
      'before:aws:package:finalize:saveServiceState': tsModuleHook(
        './implied-dependencies.ts',
        ({ dropImpliedDependsOn }) => {
          const template = serverless.service.provider.compiledCloudFormationTemplate;
          const dropped = dropImpliedDependsOn(template.Resources);
          log.info(`DependsOn implied by a reference, removed: ${dropped.join(', ') || 'none'}`);
        },
      ),
    };
  }
}

module.exports = TemplatePlugin;
