// bench/journeys --profile: wall time and count of each statement the engine sends, grouped by
// the statement's first words, read from node-postgres's Client.query (the server's pool uses the
// same module). The time includes the round trip and node-postgres's encoding and parsing.
import pg from 'pg';

interface Tally {
  count: number;
  ms: number;
}

const tallies = new Map<string, Tally>();

function label(text: string): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, 70);
}

/** Starts counting; `report()` prints and clears the figures gathered since. */
export function startProfile(options: { notices?: boolean } = {}): { report: (title: string) => void } {
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  const listening = new WeakSet<object>();
  proto.query = function profiled(this: pg.Client, ...args: unknown[]) {
    // auto_explain's plans (--explain-slow) arrive as notices.
    if (options.notices && !listening.has(this)) {
      listening.add(this);
      this.on('notice', (n) => console.log(`  notice: ${n.message}`));
    }
    const first = args[0];
    const text = typeof first === 'string' ? first : ((first as { text?: string } | null)?.text ?? '');
    const started = performance.now();
    const result = original.apply(this, args);
    if (result instanceof Promise) {
      const key = label(text);
      return result.finally(() => {
        const t = tallies.get(key) ?? { count: 0, ms: 0 };
        t.count++;
        t.ms += performance.now() - started;
        tallies.set(key, t);
      });
    }
    return result;
  };
  return {
    report(title: string) {
      console.log(`  profile of ${title} (statement: count, total ms):`);
      for (const [key, t] of [...tallies].sort((a, b) => b[1].ms - a[1].ms).slice(0, 12))
        console.log(`    ${t.count.toString().padStart(6)} ${t.ms.toFixed(0).padStart(7)} ms  ${key}`);
      tallies.clear();
    },
  };
}
