export { runOcppSelfTest } from './run.ts';
export { SELF_TEST_NAMES } from './types.ts';
export type { SelfTestDeps, SelfTestLogger, SelfTestName, SelfTestOptions, SelfTestResult } from './types.ts';
export { BASE_WAIT_MS } from './waits.ts';
