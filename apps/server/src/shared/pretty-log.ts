// Readable log lines for a person at a terminal. The logger still builds the same JSON entry
// (redaction and serializers included); this destination only reformats each line before it is
// written, so what a terminal shows is what a log collector would have received.

const LEVELS: Record<number, { name: string; colour: string }> = {
  10: { name: 'TRACE', colour: '\x1b[90m' },
  20: { name: 'DEBUG', colour: '\x1b[90m' },
  30: { name: 'INFO ', colour: '\x1b[32m' },
  40: { name: 'WARN ', colour: '\x1b[33m' },
  50: { name: 'ERROR', colour: '\x1b[31m' },
  60: { name: 'FATAL', colour: '\x1b[35m' },
};
const RESET = '\x1b[0m';
const DIM = '\x1b[2m';

/** Keys every entry has; the line shows them in its own layout, not as key=value pairs. */
const LAYOUT_KEYS = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'app']);

function formatValue(value: unknown): string {
  if (typeof value === 'string') return /[\s"=]/.test(value) || value === '' ? JSON.stringify(value) : value;
  return JSON.stringify(value) ?? String(value);
}

function clock(time: unknown): string {
  const date = new Date(typeof time === 'number' ? time : Date.now());
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/**
 * One JSON log line as `12:03:04 INFO  message key=value …` (the time in the process's time zone;
 * an error's stack on the lines below). A line that is not a JSON object is returned unchanged.
 */
export function formatLogLine(line: string, colour: boolean): string {
  let entry: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(line);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return line;
    entry = parsed as Record<string, unknown>;
  } catch {
    return line;
  }
  const level = LEVELS[Number(entry.level)] ?? { name: String(entry.level).toUpperCase(), colour: '' };
  const paint = (code: string, text: string) => (colour && code ? `${code}${text}${RESET}` : text);
  const fields: string[] = [];
  let stack = '';
  for (const [key, value] of Object.entries(entry)) {
    if (LAYOUT_KEYS.has(key)) continue;
    if (key === 'err' && value && typeof value === 'object') {
      const { stack: errorStack, ...rest } = value as Record<string, unknown>;
      if (typeof errorStack === 'string') stack = errorStack;
      fields.push(`err=${formatValue(rest)}`);
      continue;
    }
    fields.push(`${key}=${formatValue(value)}`);
  }
  const head = `${paint(DIM, clock(entry.time))} ${paint(level.colour, level.name)} ${String(entry.msg ?? '')}`;
  const tail = fields.length ? ` ${paint(DIM, fields.join(' '))}` : '';
  return `${head}${tail}${stack ? `\n${paint(DIM, stack.replace(/^/gm, '    '))}` : ''}`;
}

/** A pino destination that writes each entry through formatLogLine to `out`. */
export function prettyDestination(out: NodeJS.WritableStream & { isTTY?: boolean }): {
  write(chunk: string): void;
} {
  const colour = Boolean(out.isTTY) && !process.env.NO_COLOR;
  return {
    write(chunk: string) {
      for (const line of chunk.split('\n')) if (line) out.write(`${formatLogLine(line, colour)}\n`);
    },
  };
}
