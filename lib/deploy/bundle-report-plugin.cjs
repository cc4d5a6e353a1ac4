'use strict';
/**
 * osls plugin (listed in serverless.yml): after packaging, reports each function's bundle size and writes
 * them to `bundle-sizes.json` next to the artifacts. The report itself is lib/deploy/bundle-report.ts.
 */
const fs = require('node:fs');
const path = require('node:path');

// The ESM build of tsx's API: its CommonJS build cannot register the loader (tsx 4.23).
const loadTsx = async () => (await import('tsx/esm/api')).tsImport;

class BundleReportPlugin {
  constructor(serverless, options, { log }) {
    this.serverless = serverless;
    this.options = options;
    this.log = log;
    this.hooks = { 'after:package:finalize': () => this.report() };
  }

  async report() {
    const { bundleSize, formatBundleReport } = await (await loadTsx())('./bundle-report.ts', __filename);
    const { service, serviceDir } = this.serverless;
    const packageDir = path.resolve(serviceDir, this.options.package || '.serverless');
    const rows = service.getAllFunctions().map((key) => {
      const artifact = path.join(packageDir, path.basename(service.getFunction(key).package.artifact));
      return bundleSize(key, artifact);
    });
    fs.writeFileSync(path.join(packageDir, 'bundle-sizes.json'), `${JSON.stringify(rows, null, 2)}\n`);
    this.log.notice(`Bundle sizes (${path.join(packageDir, 'bundle-sizes.json')}):`);
    this.log.notice(formatBundleReport(rows));
  }
}

module.exports = BundleReportPlugin;
