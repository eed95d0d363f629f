import type { Config } from 'jest';

// ts-jest's ESM preset; tsconfig's isolatedModules makes it transpile only
// (type checking is `tsc -b`, which `npm test` runs first).
const config: Config = {
  preset: 'ts-jest/presets/default-esm',
  testEnvironment: 'node',
  roots: ['<rootDir>/packages', '<rootDir>/examples', '<rootDir>/bench'],
  testMatch: ['**/test/**/*.test.ts'],
  moduleNameMapper: {
    // Each package's public entry is src/index.ts, its internals src/internal.ts
    // (`@mesosgot/<pkg>/internal`); local's test helpers are `@mesosgot/local/testing`.
    '^@mesosgot/local/testing$': '<rootDir>/packages/local/src/testing/index.ts',
    '^@mesosgot/common/zookeeper$': '<rootDir>/packages/common/src/zookeeper.ts',
    '^@mesosgot/common/protobuf$': '<rootDir>/packages/common/src/protobuf.ts',
    '^@mesosgot/(common|scheduler|executor|local|cli)/internal$': '<rootDir>/packages/$1/src/internal.ts',
    '^@mesosgot/(common|scheduler|executor|local|cli)$': '<rootDir>/packages/$1/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.test.json' }],
  },
  testTimeout: 30_000,
  // Cluster tests spawn child processes; two workers fit a 2-core CI machine.
  maxWorkers: 2,
};

export default config;
