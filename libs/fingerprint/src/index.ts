export { computeFingerprint, type Fingerprint, type FingerprintRule, withFingerprint } from './fingerprint';
export { collapseRecursion, normalizeFrameForGrouping } from './frame-token';
