// Newline-delimited input, one line at a time (readline over a stream, so input of
// any size is never held in memory at once). Yields non-blank lines with their
// 1-based physical line numbers; blank lines are skipped but still counted.
import { createInterface } from 'node:readline';

export interface NumberedLine {
  readonly lineNo: number;
  readonly text: string;
}

function isBlank(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 13) return false;
  }
  return true;
}

export async function* ndjsonLines(input: NodeJS.ReadableStream): AsyncGenerator<NumberedLine> {
  const rl = createInterface({ input, crlfDelay: Infinity, terminal: false });
  let lineNo = 0;
  try {
    for await (const raw of rl) {
      lineNo++;
      // A UTF-8 byte order mark at the very start is not part of the data.
      const text = lineNo === 1 && raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
      if (isBlank(text)) continue;
      yield { lineNo, text };
    }
  } finally {
    rl.close();
  }
}
