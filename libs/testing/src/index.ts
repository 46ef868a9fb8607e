export { expectEventually } from './expect-eventually';
export { makeCrashEvent } from './events';
export { distRoot, repoRoot } from './paths';
export { testEnvironment } from './services';
