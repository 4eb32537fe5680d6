/** Tests run TypeScript through swc (3x faster than ts-jest); `tsc --noEmit` type-checks separately. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
        },
        module: { type: 'commonjs' },
      },
    ],
    '/node_modules/(@scure|@noble|oidc-provider|jose|openid-client|oauth4webapi)/.+\\.js$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'ecmascript' }, target: 'es2022' }, module: { type: 'commonjs' } },
    ],
  },
  // otplib's base32 and hash plugins (@scure, @noble) ship ES modules only: swc makes them CommonJS.
  transformIgnorePatterns: [
    '^(?!.*/node_modules/(@scure|@noble|oidc-provider|jose|openid-client|oauth4webapi)/).*/node_modules/',
  ],
  setupFiles: ['<rootDir>/test/support/setup-env.ts'],
  testTimeout: 60000,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
