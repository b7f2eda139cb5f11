// Three sizes of tests (see docs/testing.md):
//   unit        *.spec.ts beside the code: pure logic, no I/O (and test/contract: the API contract's type check)
//   integration test/integration/*.int-spec.ts: against the real Postgres, Redis and MinIO
//   e2e         test/e2e/*.e2e-spec.ts: a real pool (nodes, HAProxy) started and killed like production
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
    },
    sourceMaps: 'inline',
  },
];

const common = {
  transform: { '^.+\\.ts$': swc },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: {
    // A library's subpath (the admin API's input schemas) before the libraries themselves.
    '^@ucupdates/admin-api/input$': '<rootDir>/libs/admin-api/src/input',
    '^@ucupdates/(.*)$': '<rootDir>/libs/$1/src',
  },
  testEnvironment: 'node',
  rootDir: __dirname,
};

module.exports = {
  verbose: true,
  projects: [
    // test/contract: the admin API contract's drift check (a type-level test compiled by tsc).
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/{apps,libs}/**/*.spec.ts', '<rootDir>/test/support/*.spec.ts', '<rootDir>/test/contract/**/*.spec.ts'],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.int-spec.ts'],
      slowTestThreshold: 30,
    },
    // Coverage-guided fuzzing of the parsers, bounded by UCU_FUZZ_SECONDS (docs/reliability.md).
    { ...common, displayName: 'fuzz', testMatch: ['<rootDir>/test/fuzz/**/*.fuzz-spec.ts'], slowTestThreshold: 60 },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'],
      slowTestThreshold: 120,
      // A guard against a hung test, not a speed check (60 s instead of Jest's 5 s). Set by a setup
      // file: Jest ignores `testTimeout` inside a project.
      setupFilesAfterEnv: ['<rootDir>/test/support/e2e-timeout.ts'],
    },
  ],
};
