// What both browser suites share: a free port, Debian's Chromium, and polling for a condition.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { chromium } from 'playwright-core';

const here = dirname(new URL(import.meta.url).pathname);
export const binary = process.env.INCIDENT_BOT ?? join(here, '../../../build/incident-bot');
export const shots = process.env.SCREENSHOTS ?? join(here, 'screenshots');
const chromiumPath = '/usr/bin/chromium';

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

// Fails, never skips, when the browser or the binary is missing.
export async function launchChromium() {
  assert.ok(existsSync(chromiumPath), `${chromiumPath} is missing: apt-get install chromium`);
  assert.ok(existsSync(binary), `${binary} is missing: build incident-bot first`);
  return chromium.launch({
    executablePath: chromiumPath, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

// Resolves with the first truthy value of `probe` (awaited), polled for up to `ms`.
export async function eventually(probe, what, ms = 10000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
