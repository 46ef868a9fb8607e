// Node's test runner imports the global setup as ESM and reads its named exports; SWC's
// CommonJS output hides them from that import, so this shim re-exports them explicitly.
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const dist = process.env.FAULTLINE_DIST ?? join(import.meta.dirname, '..', 'dist');
const setup = require(join(dist, 'tests', 'support', 'global-setup.js'));

export const globalSetup = setup.globalSetup;
export const globalTeardown = setup.globalTeardown;
