export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Structured logs: one JSON object per line on stderr, so stdout stays for program output. */
export class Logger {
  constructor(
    private readonly context: string,
    private readonly level: LogLevel = 'info',
    private readonly sink: (line: string) => void = (line) => process.stderr.write(line + '\n'),
  ) {}

  child(context: string): Logger {
    return new Logger(`${this.context}.${context}`, this.level, this.sink);
  }

  debug(msg: string, fields?: Record<string, unknown>): void {
    this.write('debug', msg, fields);
  }
  info(msg: string, fields?: Record<string, unknown>): void {
    this.write('info', msg, fields);
  }
  warn(msg: string, fields?: Record<string, unknown>): void {
    this.write('warn', msg, fields);
  }
  error(msg: string, fields?: Record<string, unknown>): void {
    this.write('error', msg, fields);
  }

  private write(level: LogLevel, msg: string, fields?: Record<string, unknown>): void {
    if (ORDER[level] < ORDER[this.level]) return;
    const entry: Record<string, unknown> = { t: new Date().toISOString(), level, ctx: this.context, msg, ...fields };
    if (fields?.['error'] instanceof Error) entry['error'] = { message: fields['error'].message, stack: fields['error'].stack };
    this.sink(JSON.stringify(entry));
  }
}
