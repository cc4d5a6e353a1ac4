'use strict';
/**
 * What the osls plugins of lib/deploy share: osls loads a plugin as CommonJS, and the work is done by a
 * TypeScript module next to it, imported with tsx when the plugin's hook runs.
 */

// The ESM build of tsx's API: its CommonJS build cannot register the loader (tsx 4.23).
const loadTsx = async () => (await import('tsx/esm/api')).tsImport;

/**
 * An osls hook that imports `module` (a path relative to lib/deploy) and calls `use` with its exports.
 * @param {string} module
 * @param {(exports: any) => unknown} use
 * @returns {() => Promise<unknown>}
 */
const tsModuleHook = (module, use) => async () => use(await (await loadTsx())(module, __filename));

module.exports = { tsModuleHook };
