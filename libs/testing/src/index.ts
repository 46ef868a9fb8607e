export { expectEventually } from './expect-eventually';
export { makeCrashEvent } from './events';
export { testEnvironment } from './services';
