/**
 * The `mesosgot` command's library side, for build scripts: bundleExecutor, the one-file ESM
 * executor bundler that `mesosgot bundle` runs.
 *
 * @packageDocumentation
 * @module @mesosgot/cli
 */
// @mesosgot/cli: the `mesosgot` command (main.ts) and, for build scripts, the bundler it uses.
export { bundleExecutor, defaultBundlePath, type BundleExecutorOptions, type BundleResult } from './bundle-executor.js';
export { BundleError } from '@mesosgot/common';
