import type { Severity } from '@faultline/schema';
import { severityOfLevel } from './event';
import type { ParsedTrace } from './stack/common';
import { firstTrace, scanTraces, splitLines } from './stack/scan';
import { toIsoTimestamp } from './util';

/** One crash record found in text: a timestamped log entry with its trace, or a bare trace. */
export interface TextRecord {
  /** 1-based line of the record's first line. */
  line: number;
  timestamp: string | null;
  severity: Severity;
  /** The log line's own message (after timestamp, level and `[logger]`), when the record is a log entry. */
  logMessage: string | null;
  logger: string | null;
  trace: ParsedTrace | null;
  /** The record's lines as received. */
  text: string;
}

// `2026-11-20T10:00:00.123Z`, `2026-11-20 10:00:00,123`, `[2026-11-20 10:00:00]`, Go's `2026/11/20 10:00:00`.
const LOG_TS_RE = /^\[?(\d{4}[-/]\d{2}[-/]\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?(?: ?(?:Z|UTC|[+-]\d{2}:?\d{2}))?)\]?(?=[\s|,;-]|$)/;
const LEVEL_RE = /\b(FATAL|CRITICAL|CRIT|PANIC|EMERG(?:ENCY)?|ALERT|SEVERE|ERROR|ERR|WARN(?:ING)?|NOTICE|INFO|DEBUG|TRACE)\b|\blevel=["']?(fatal|critical|panic|error|err|warn(?:ing)?|info|debug|trace)\b/;
const LOGGER_RE = /^\[([^\]]{1,128})\]\s*/;

interface LogHeader {
  timestamp: string | null;
  severity: Severity | null;
  message: string;
  logger: string | null;
}

function isTimestamped(line: string): boolean {
  const c = line.charCodeAt(0);
  return ((c >= 48 && c <= 57) || c === 91) && LOG_TS_RE.test(line);
}

function parseLogHeader(line: string): LogHeader {
  const ts = LOG_TS_RE.exec(line);
  const afterTs = ts ? line.slice(ts[0].length) : line;
  const window = afterTs.slice(0, 120);
  const lv = LEVEL_RE.exec(window);
  let message = afterTs;
  let severity: Severity | null = null;
  if (lv) {
    severity = severityOfLevel(lv[1] ?? lv[2]);
    message = afterTs.slice(lv.index + lv[0].length);
  }
  message = message.replace(/^[\]\s:|>-]+/, '');
  let logger: string | null = null;
  const lg = LOGGER_RE.exec(message);
  if (lg) {
    logger = lg[1].trim();
    message = message.slice(lg[0].length).replace(/^[\s:|-]+/, '');
  }
  return { timestamp: ts ? toIsoTimestamp(ts[1].replace(',', '.')) : null, severity, message: message.trim(), logger };
}

function bareRecord(lines: readonly string[], t: ParsedTrace): TextRecord {
  return {
    line: t.start + 1,
    timestamp: null,
    severity: t.severity ?? 'error',
    logMessage: null,
    logger: null,
    trace: t,
    text: lines.slice(t.start, t.end).join('\n'),
  };
}

/**
 * Splits text into crash records. With timestamped lines, a record runs from an ERROR/FATAL line (or any
 * timestamped line followed by a trace) to the next timestamped line; other log lines are skipped.
 * Text before the first timestamped line, or a file without any, is scanned for bare traces.
 */
export function splitTextRecords(text: string): TextRecord[] {
  const lines = splitLines(text);
  const stamped: number[] = [];
  for (let i = 0; i < lines.length; i++) if (isTimestamped(lines[i])) stamped.push(i);
  const records: TextRecord[] = [];
  const leadEnd = stamped.length > 0 ? stamped[0] : lines.length;
  for (const t of scanTraces(lines, 0, leadEnd)) records.push(bareRecord(lines, t));
  for (let s = 0; s < stamped.length; s++) {
    const start = stamped[s];
    const end = s + 1 < stamped.length ? stamped[s + 1] : lines.length;
    const header = parseLogHeader(lines[start]);
    // The header's message may itself be the exception line (`ERROR … java.lang.X: y` then `at` lines).
    const view = lines.slice(start, end);
    view[0] = header.message;
    const trace = firstTrace(view, 0, view.length);
    const isError = header.severity === 'error' || header.severity === 'fatal';
    if (!trace && !isError) continue;
    let lastLine = end;
    while (lastLine > start + 1 && lines[lastLine - 1].trim().length === 0) lastLine--;
    records.push({
      line: start + 1,
      timestamp: header.timestamp,
      severity: header.severity ?? trace?.severity ?? 'error',
      logMessage: header.message.length > 0 ? header.message : null,
      logger: header.logger,
      trace: trace ? { ...trace, start: trace.start + start, end: trace.end + start } : null,
      text: lines.slice(start, lastLine).join('\n'),
    });
  }
  records.sort((a, b) => a.line - b.line);
  return records;
}

