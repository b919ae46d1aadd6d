// Benchmark: how much headroom the sandbox has for the 1M-recipient multicast run (2,000 requests
// of 500 recipients; LINE's limit is 200 requests/s, so the run needs 10 s at best).
// Each sandbox runs in its own process so its CPU and memory are measured apart from this client.
// Baseline, measured in the same run: a bare node:http server that parses the JSON and answers {}.
//
//   node packages/line-sandbox/bench/multicast.ts [recipients=1000000] [concurrency=8]
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const recipients = Number(process.argv[2] ?? 1_000_000);
const concurrency = Number(process.argv[3] ?? 8);
const requests = Math.ceil(recipients / 500);
const kizuna = fileURLToPath(new URL('../../../apps/server/bin/kizuna.js', import.meta.url));

const BASELINE = `
  const http = require('node:http');
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => { JSON.parse(Buffer.concat(chunks).toString()); res.writeHead(200, {'content-type': 'application/json'}).end('{}'); });
  });
  server.listen(0, '127.0.0.1', () => console.log('listening on http://127.0.0.1:' + server.address().port));
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

function start(args: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m?.[1]) resolve({ child, url: m[1] });
    });
    child.on('exit', (code) => reject(new Error(`server exited early (${code})`)));
  });
}

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0) / 1024;
}

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime in clock ticks (100 Hz)
}

async function run(label: string, args: string[]): Promise<void> {
  const { child, url } = await start(args);
  const pid = child.pid ?? 0;
  const rssBefore = rssMiB(pid);
  const cpuBefore = cpuSeconds(pid);
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < requests) {
      const i = next++;
      const to = Array.from({ length: 500 }, (_, j) => `U${(i * 500 + j).toString(16).padStart(32, '0')}`);
      const body = JSON.stringify({
        to,
        messages: [{ type: 'text', text: 'セール開始！今週末まで全品10%オフ' }],
      });
      const t = performance.now();
      const res = await fetch(`${url}/v2/bot/message/multicast`, {
        method: 'POST',
        headers: {
          authorization: 'Bearer bench',
          'content-type': 'application/json',
          'x-line-retry-key': crypto.randomUUID(),
        },
        body,
      });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`${label}: status ${res.status}`);
      latencies.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  const cpu = cpuSeconds(pid) - cpuBefore;
  const rss = rssMiB(pid);
  latencies.sort((a, b) => a - b);
  const p99 = latencies[Math.floor(latencies.length * 0.99)] ?? 0;
  let check = '';
  if (!label.startsWith('baseline')) {
    const state = (await (await fetch(`${url}/sandbox/state`)).json()) as {
      deliveries: number;
      duplicateRecipients: number;
    };
    check = ` deliveries=${state.deliveries} duplicates=${state.duplicateRecipients}`;
  }
  console.log(
    `${label.padEnd(26)} ${requests} req in ${seconds.toFixed(2)} s = ${(requests / seconds).toFixed(0)} req/s; ` +
      `server CPU ${((cpu * 1000) / requests).toFixed(2)} ms/req (capacity ≈ ${(requests / cpu).toFixed(0)} req/s per core); ` +
      `p99 ${p99.toFixed(1)} ms; RSS ${rssBefore.toFixed(0)} → ${rss.toFixed(0)} MiB${check}`,
  );
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
}

console.log(
  `multicast: ${recipients} recipients = ${requests} requests of 500, concurrency ${concurrency}, Node ${process.version}`,
);
await run('baseline (bare node:http)', ['-e', BASELINE]);
await run('sandbox, record counts', [
  kizuna,
  'line-sandbox',
  '--port',
  '0',
  '--no-rate-limits',
  '--record',
  'counts',
]);
await run('sandbox, record full', [
  kizuna,
  'line-sandbox',
  '--port',
  '0',
  '--no-rate-limits',
  '--record',
  'full',
]);
