export { expectEventually } from './expect-eventually';
export { testEnvironment } from './services';
