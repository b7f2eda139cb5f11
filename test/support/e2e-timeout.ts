// The e2e project's hang guard (jest.config.js): 60 s per test and hook instead of Jest's 5 s.
// A test that spawns a dozen CLI processes takes more than 5 s on a loaded two-core machine.
// Jest reads `testTimeout` only from the top level of its configuration, never from a project's
// (jest-circus takes it from the global config), so the e2e project sets it here.
jest.setTimeout(60_000);
