import 'reflect-metadata';
import { UsageError, EXIT } from './usage';

const HELP = `faultline — crash analytics from a folder of crash files, or as a streaming service

Usage:
  faultline analyze <paths...> [options]   analyze crash files (JSON/NDJSON events, logs, browser dumps)
  faultline stack                          run the streaming service on this machine (Kafka + every service)
  faultline send <paths...> --dsn DSN      stream crash files into a running gateway

analyze options:
  --sourcemaps DIR     source maps and minified files (matched by debug id, else URL path)
  --mappings DIR       ProGuard/R8 mapping.txt files
  --repo DIR|BUNDLE    the application's git checkout (or a git bundle), for suspect commits
  --deploys FILE       deploy markers as JSON (default: the repository's tags)
  --out DIR            where report.md, clusters.json, events.ndjson go (default ./faultline-report)
  --llm auto|off       Claude when ANTHROPIC_API_KEY is set (auto), or the offline analyzer (off)
  --json               also print clusters.json to stdout
  --data DIR           keep the embedded ClickHouse data here (default: a temporary directory)
  --project NAME       project name recorded on events (default: the folder's name)
  --max-analyses N     clusters analyzed, highest priority first (default 10)

A folder holding a faultline.json names its own symbols, deploys and repository.
Exit codes: 0 analyzed something, 1 failure (or nothing to analyze), 2 usage error.`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    // Commands load on demand: `send` should not pay for NestJS and the embedded engine.
    case 'analyze':
      return (await import('./commands/analyze')).runAnalyze(rest);
    case 'stack':
      return (await import('./commands/stack')).runStack(rest);
    case 'send':
      return (await import('./commands/send')).runSend(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(HELP + '\n');
      return command === undefined ? EXIT.usage : EXIT.ok;
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`faultline: ${error.message}\nRun "faultline --help" for usage.\n`);
      process.exit(EXIT.usage);
    }
    process.stderr.write(`faultline: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(EXIT.failure);
  },
);
