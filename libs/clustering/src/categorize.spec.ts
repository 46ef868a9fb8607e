import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Category, categorize } from './categorize';

const TABLE: Array<[errorType: string, canonicalKind: string, message: string, expected: Category]> = [
  ['TypeError', 'null_property_access', "Cannot read properties of undefined (reading 'timeout')", 'null_reference'],
  ['TypeError', '', 'item is undefined', 'null_reference'],
  ['TypeError', '', "undefined is not an object (evaluating 'item.price')", 'null_reference'],
  ['java.lang.NullPointerException', '', 'Attempt to invoke virtual method on a null object reference', 'null_reference'],
  ['AttributeError', '', "'NoneType' object has no attribute 'email'", 'null_reference'],
  ['panic', '', 'runtime error: invalid memory address or nil pointer dereference', 'null_reference'],
  ['TypeError', '', 'cart.items.map is not a function', 'type_error'],
  ['java.lang.ClassCastException', '', 'java.lang.Integer cannot be cast to java.lang.String', 'type_error'],
  ['TimeoutError', '', 'Request timed out after <num>ms', 'timeout'],
  ['Error', 'timeout', 'whatever', 'timeout'],
  ['java.net.SocketTimeoutException', '', 'Read timed out', 'timeout'],
  ['java.lang.OutOfMemoryError', '', 'Failed to allocate a <num> byte allocation', 'memory'],
  ['Error', '', 'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory', 'memory'],
  ['PermissionError', '', "[Errno <num>] Permission denied: '<path>'", 'permission'],
  ['HTTPError', '', '403 Forbidden', 'permission'],
  ['TypeError', '', 'Failed to fetch', 'network'],
  ['Error', '', 'connect ECONNREFUSED <ip>:<num>', 'network'],
  ['Error', '', 'Timeout acquiring a connection. The pool is probably full.', 'database'],
  ['psycopg2.errors.UniqueViolation', '', 'duplicate key value violates unique constraint "users_email_key"', 'database'],
  ['AssertionError', '', 'expected cart to be open', 'assertion'],
  ['Error', '', 'Invariant Violation: Minified React error #<num>', 'assertion'],
  ['java.util.ConcurrentModificationException', '', '', 'concurrency'],
  ['Error', '', 'EMFILE: too many open files', 'resource_exhaustion'],
  ['Error', '', 'Rate limit exceeded for key <str>', 'resource_exhaustion'],
  ['Error', '', 'Missing environment variable STRIPE_KEY', 'configuration'],
  ['ModuleNotFoundError', '', "No module named 'yaml'", 'configuration'],
  ['RangeError', '', 'Maximum call stack size exceeded', 'stack_overflow'],
  ['InternalError', '', 'too much recursion', 'stack_overflow'],
  ['RecursionError', '', 'maximum recursion depth exceeded', 'stack_overflow'],
  ['Error', '', 'Something odd happened', 'unknown'],
];

describe('categorize', () => {
  for (const [errorType, canonicalKind, message, expected] of TABLE) {
    it(`${errorType}${canonicalKind ? ` (${canonicalKind})` : ''}: ${message || '(no message)'} → ${expected}`, () => {
      assert.equal(categorize({ errorType, canonicalKind, message }), expected);
    });
  }
});
