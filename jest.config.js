/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  // The library's sources import './x.js' and have node_modules of their own: see the resolver.
  resolver: '<rootDir>/test/support/jest-resolver.js',
  globalSetup: '<rootDir>/test/support/moto-global-setup.ts',
  globalTeardown: '<rootDir>/test/support/moto-global-teardown.ts',
  testTimeout: 30000,
};
