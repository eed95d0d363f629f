// @mesosgot/cli/internal: what this repository's tests use; not a stable API.
export * from './index.js';
export { bundleScript } from './bundle-executor.js';
export { initApp, packageNameFor, cliVersion } from './init-app.js';
export { starterFiles, type StarterSettings, type StarterFiles } from './starter-files.js';
