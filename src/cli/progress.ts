/** A one-line progress bar on stderr when it is a terminal, plain lines every 10% otherwise. */
export function createProgress(total: number, label: string, stream: NodeJS.WriteStream = process.stderr) {
  let lastDecile = -1;
  return {
    update(done: number, note = ''): void {
      const ratio = total === 0 ? 1 : done / total;
      if (stream.isTTY) {
        const width = 30;
        const filled = Math.round(ratio * width);
        stream.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${note}`.padEnd(80));
        if (done >= total) stream.write('\n');
        return;
      }
      const decile = Math.floor(ratio * 10);
      if (decile !== lastDecile) {
        lastDecile = decile;
        stream.write(`${label}: ${done}/${total} ${note}\n`);
      }
    },
  };
}
