export { DEFAULT_NORMALIZE_OPTIONS, DEFAULT_SCRUB_RULES, type NormalizeOptions, type ScrubRules } from './options';
export { normalizeFile, normalizeReport, type NormalizeResult, type Rejection } from './normalize';
export { scrubText, validateScrubRules } from './scrub';
export { parameterizeMessage, stripAssetHash } from './parameterize';
export { CANONICAL_KINDS, type CanonicalKind, canonicalErrorKind, isCanonicalKind } from './canonical';
export { FINGERPRINT_TAG } from './event';
export { type Platform, isJsLibrary } from './frames';
export { stripGoArgs } from './stack/go';
export { basename } from './util';
