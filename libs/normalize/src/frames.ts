import type { Frame } from '@faultline/schema';
import { MAX_NAME_CHARS, clip } from './util';

export type Platform = 'javascript' | 'node' | 'java' | 'python' | 'go' | 'native' | 'other';

export function makeFrame(
  fn: string | null,
  module: string | null,
  file: string | null,
  line: number | null,
  column: number | null,
  inApp: boolean,
): Frame {
  return {
    function: fn === null || fn.length === 0 ? null : clip(fn, MAX_NAME_CHARS),
    module: module === null || module.length === 0 ? null : clip(module, MAX_NAME_CHARS),
    file: file === null || file.length === 0 ? null : clip(file, MAX_NAME_CHARS),
    line,
    column,
    inApp,
  };
}

const JS_VENDOR_RE =
  /(?:^|[/\\])(?:vendors?|chunk-vendors|framework|polyfills?|runtime~?main|react-dom|react\.production|jquery)(?:[.~-][^/\\]*)?\.m?js\b|\/\/(?:cdn\.jsdelivr\.net|unpkg\.com|cdnjs\.cloudflare\.com|ajax\.googleapis\.com|www\.googletagmanager\.com|www\.google-analytics\.com|connect\.facebook\.net)\//;

/** JS frame is library/runtime code: node_modules, Node internals, extensions, vendor bundles, CDNs. */
export function isJsLibrary(file: string | null): boolean {
  if (file === null) return false;
  if (file.includes('node_modules')) return true;
  if (file.startsWith('node:') || file.startsWith('internal/')) return true;
  if (file === '<anonymous>' || file === 'native' || file === '[native code]') return true;
  if (/^(?:chrome|moz|safari(?:-web)?)-extension:/.test(file)) return true;
  return JS_VENDOR_RE.test(file);
}

const JAVA_LIBRARY_PREFIXES = [
  'java.', 'javax.', 'jdk.', 'sun.', 'com.sun.', 'android.', 'androidx.', 'kotlin.', 'kotlinx.', 'dalvik.', 'libcore.',
  'com.android.', 'com.google.android.', 'com.google.common.', 'com.google.gson.', 'org.apache.', 'org.springframework.',
  'io.netty.', 'okhttp3.', 'okio.', 'retrofit2.', 'io.reactivex.', 'reactor.', 'org.hibernate.', 'com.fasterxml.',
  'org.junit.', 'org.eclipse.jetty.', 'scala.', 'akka.', 'io.grpc.', 'com.zaxxer.', 'org.slf4j.', 'ch.qos.logback.',
];

export function isJavaLibrary(qualifiedClass: string | null): boolean {
  if (qualifiedClass === null) return false;
  for (const p of JAVA_LIBRARY_PREFIXES) if (qualifiedClass.startsWith(p)) return true;
  return false;
}

export function isPythonLibrary(file: string | null): boolean {
  if (file === null) return false;
  return (
    file.includes('site-packages') ||
    file.includes('dist-packages') ||
    file.startsWith('<frozen ') ||
    /[/\\]lib[/\\]python\d(?:\.\d+)?[/\\]/.test(file) ||
    /[/\\]Python\d+[/\\]Lib[/\\]/.test(file)
  );
}

/** Go package path of a qualified function: `github.com/a/b/pkg.(*T).M` → `github.com/a/b/pkg`. */
export function goPackage(fn: string): string {
  const slash = fn.lastIndexOf('/');
  const dot = fn.indexOf('.', slash + 1);
  return dot > 0 ? fn.slice(0, dot) : fn;
}

export function isGoLibrary(fn: string | null, file: string | null): boolean {
  if (file !== null && (file.includes('/pkg/mod/') || file.includes('/vendor/'))) return true;
  if (fn === null) return false;
  const pkg = goPackage(fn);
  if (pkg === 'main') return false;
  const first = pkg.split('/')[0];
  if (first.includes('.')) return false;
  // A dotless first path element is the standard library (runtime, net/http, …), when the file lies in a GOROOT layout.
  return file === null || file.includes(`/src/${pkg}/`) || file.includes('/go/src/') || pkg === 'runtime';
}

/** In-app guess for a frame the input did not classify. */
export function guessInApp(platform: Platform, fn: string | null, module: string | null, file: string | null): boolean {
  switch (platform) {
    case 'javascript':
    case 'node':
      return !isJsLibrary(file);
    case 'java':
      return !isJavaLibrary(module ?? fn);
    case 'python':
      return !isPythonLibrary(file);
    case 'go':
      return !isGoLibrary(fn, file);
    case 'native':
    case 'other':
      return !(file !== null && (isJsLibrary(file) || isPythonLibrary(file)));
  }
}

/**
 * Bounds a frame list (oldest first): keeps the oldest half and the crash-side half, drops the middle,
 * as Sentry trims deep stacks. The crash site is never dropped.
 */
export function trimFrames(frames: Frame[], maxFrames: number): Frame[] {
  if (frames.length <= maxFrames) return frames;
  const oldest = Math.floor(maxFrames / 2);
  const newest = maxFrames - oldest;
  return frames.slice(0, oldest).concat(frames.slice(frames.length - newest));
}

const JS_EXT = /\.(?:m?js|cjs|jsx?|tsx?|vue|svelte)(?:$|[?#:])/;

/** Platform from frame files, for inputs that do not say. */
export function inferPlatform(files: Iterable<string | null>): Platform {
  let js = 0;
  let web = 0;
  for (const f of files) {
    if (f === null) continue;
    if (/\.py[cw]?$/.test(f)) return 'python';
    if (/\.go$/.test(f)) return 'go';
    if (/\.(?:java|kt|kts|scala|groovy)$/.test(f) || f === 'SourceFile') return 'java';
    if (/\.(?:c|cc|cpp|cxx|h|hpp|m|mm|swift|rs)$/.test(f)) return 'native';
    if (JS_EXT.test(f) || f.startsWith('node:')) {
      js++;
      if (/^(?:https?|blob|webpack|chrome-extension|moz-extension|safari-extension|file):/.test(f) || f.startsWith('/static/')) web++;
    }
  }
  if (js === 0) return 'other';
  return web > 0 ? 'javascript' : 'node';
}

/** Sentry/native platform names to ours. */
export function mapPlatform(value: string | null): Platform | null {
  if (value === null) return null;
  switch (value.toLowerCase()) {
    case 'javascript':
    case 'js':
    case 'browser':
    case 'react-native':
      return 'javascript';
    case 'node':
    case 'nodejs':
    case 'deno':
    case 'bun':
      return 'node';
    case 'java':
    case 'android':
    case 'kotlin':
    case 'jvm':
      return 'java';
    case 'python':
    case 'py':
      return 'python';
    case 'go':
    case 'golang':
      return 'go';
    case 'native':
    case 'cocoa':
    case 'ios':
    case 'swift':
    case 'objc':
    case 'c':
    case 'cpp':
    case 'c++':
    case 'rust':
      return 'native';
    default:
      return 'other';
  }
}
