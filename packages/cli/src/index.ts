// @mesosgot/cli: the `mesosgot` command (main.ts) and, for build scripts, the bundler it uses.
export { bundleExecutor, defaultBundlePath, type BundleExecutorOptions, type BundleResult } from './bundle-executor.js';
export { BundleError } from '@mesosgot/common';
