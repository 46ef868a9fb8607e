export { expectEventually } from './expect-eventually';
export { makeCrashEvent } from './events';
export { startFakeMessagesApi } from './fake-messages-api';
export type { FakeHandler, FakeMessagesApi, FakeReply, FakeRequest, FakeUsage } from './fake-messages-api';
export { distRoot, repoRoot } from './paths';
export { testEnvironment } from './services';
export { startGatewayProcess } from './gateway-process';
export type { GatewayProcess } from './gateway-process';
export { gamma, mulberry32, poisson } from './random';
