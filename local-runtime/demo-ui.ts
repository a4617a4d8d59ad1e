// The demo's terminal output: colours on a terminal only, and a status line rewritten in place.
export const tty = process.stdout.isTTY === true;
export const bold = (text: string) => (tty ? `\x1b[1m${text}\x1b[0m` : text);
export const green = (text: string) => (tty ? `\x1b[32m${text}\x1b[0m` : text);
export const red = (text: string) => (tty ? `\x1b[31m${text}\x1b[0m` : text);
export const dim = (text: string) => (tty ? `\x1b[2m${text}\x1b[0m` : text);

export function status(line: string): void {
  if (tty) process.stdout.write(`\r\x1b[2K  ${line.slice(0, (process.stdout.columns ?? 100) - 4)}`);
  else console.log(`  ${line}`);
}
export const endStatus = () => tty && process.stdout.write('\r\x1b[2K');
