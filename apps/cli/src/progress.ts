/** A progress bar on a terminal; nothing when output is piped or redirected. */
export function progressReporter(stream: NodeJS.WriteStream): { update: (phase: string, done: number, total: number) => void; done: () => void } {
  if (!stream.isTTY) return { update: () => undefined, done: () => undefined };
  let last = 0;
  let shown = false;
  return {
    update(phase, done, total) {
      const now = Date.now();
      if (now - last < 100 && done < total) return;
      last = now;
      shown = true;
      const width = 30;
      const filled = total === 0 ? width : Math.round((done / total) * width);
      stream.write(`\r${phase.padEnd(10)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`);
    },
    done() {
      if (shown) stream.write('\r\x1b[K');
    },
  };
}
