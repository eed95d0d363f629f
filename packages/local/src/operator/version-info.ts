/**
 * The `VersionInfo` a Mesos master and agent answer to `/version` and operator GET_VERSION
 * (`version`, `build_date`, `build_time`, `build_user`, `git_sha`). The local cluster reports
 * the Mesos release whose behaviour it follows; the build fields describe this process.
 */

/** The Mesos release whose behaviour (and recordings) the local cluster follows. */
export const MESOS_VERSION = '1.12.0';

/** When this module loaded: the local cluster's "build" is the process that runs it. */
const BUILT_AT = new Date();

export interface VersionInfo {
  version: string;
  build_date: string;
  build_time: number;
  build_user: string;
}

export function versionInfo(): VersionInfo {
  return {
    version: MESOS_VERSION,
    // Mesos writes `YYYY-MM-DD HH:MM:SS` (UTC) and seconds since the epoch.
    build_date: BUILT_AT.toISOString().slice(0, 19).replace('T', ' '),
    build_time: Math.floor(BUILT_AT.getTime() / 1000),
    build_user: 'mesosgot',
  };
}
