'use strict';
/**
 * osls plugin (listed in serverless.yml after serverless-esbuild): serverless-esbuild 1.57 zips each function
 * from a folder it makes in the temporary directory, `<function>-<pid>-<ms>-<8 hex>`, and means to remove it, but
 * its remove is not recursive and fails silently on the folder it filled: every package or deploy left one folder
 * per function (with a copy of its bundle) in /tmp. This removes the ones of this process once packaging is done.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

class EsbuildTempCleanupPlugin {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = {
      'after:package:createDeploymentArtifacts': () => this.clean(),
      'after:deploy:function:packageFunction': () => this.clean(),
    };
  }

  clean() {
    const { service } = this.serverless;
    const names = new Set([service.service, ...service.getAllFunctions()]);
    const ours = new RegExp(`^(.+)-${process.pid}-\\d+-[0-9a-f]{8}$`);
    const tmp = os.tmpdir();
    for (const entry of fs.readdirSync(tmp)) {
      const match = ours.exec(entry);
      if (match && names.has(match[1])) fs.rmSync(path.join(tmp, entry), { recursive: true, force: true });
    }
  }
}

module.exports = EsbuildTempCleanupPlugin;
