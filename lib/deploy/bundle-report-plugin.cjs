'use strict';
/**
 * osls plugin (listed in serverless.yml): after packaging, reports each function's bundle size and writes
 * them to `bundle-sizes.json` next to the artifacts. The report itself is lib/deploy/bundle-report.ts.
 */
const fs = require('node:fs');
const path = require('node:path');
const { tsModuleHook } = require('./ts-hook.cjs');

class BundleReportPlugin {
  constructor(serverless, options, { log }) {
    this.hooks = {
      'after:package:finalize': tsModuleHook('./bundle-report.ts', ({ bundleSize, formatBundleReport }) => {
        const { service, serviceDir } = serverless;
        const packageDir = path.resolve(serviceDir, options.package || '.serverless');
        const rows = service.getAllFunctions().map((key) => {
          const artifact = path.join(packageDir, path.basename(service.getFunction(key).package.artifact));
          return bundleSize(key, artifact);
        });
        fs.writeFileSync(path.join(packageDir, 'bundle-sizes.json'), `${JSON.stringify(rows, null, 2)}\n`);
        log.notice(`Bundle sizes (${path.join(packageDir, 'bundle-sizes.json')}):`);
        log.notice(formatBundleReport(rows));
      }),
    };
  }
}

module.exports = BundleReportPlugin;
