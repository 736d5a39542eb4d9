// The review page in a real browser: Debian's Chromium, driven by playwright-core, against the
// real incident-bot binary in console mode with INCIDENT_BOT_WEB set (no test hook in the
// binary). Run by tests/run.sh after the Release build; fails, never skips, when Chromium or the
// binary is missing. INCIDENT_BOT=path/to/incident-bot, SCREENSHOTS=folder for the pictures.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { binary, shots, freePort, launchChromium } from './helpers.mjs';

const require = createRequire(import.meta.url);
const marker = 'DM-MARKER-7f3a9c';

let dir, bot, port, browser, output = '';

// Types a line into the console; resolves once its output contains `expect`.
async function say(line, expect) {
  const from = output.length;
  bot.stdin.write(line + '\n');
  const deadline = Date.now() + 10000;
  while (!output.slice(from).includes(expect)) {
    if (Date.now() > deadline) throw new Error(`no "${expect}" after "${line}":\n${output.slice(from)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return output.slice(from);
}

async function signInLink() {
  const said = await say('!incident web', '/login/');
  const match = said.match(/http:\/\/127\.0\.0\.1:\d+\/login\/[A-Za-z0-9_-]+/);
  assert.ok(match, said);
  return match[0];
}

function exported(format) {
  return execFileSync(binary, ['export', 'INC-1', '--format', format],
                      { env: { ...process.env, INCIDENT_BOT_DB: join(dir, 'bot.db') } }).toString();
}

async function signedInPage(options = {}) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  page.on('dialog', () => { throw new Error('a dialog opened: script ran from user text'); });
  await page.goto(await signInLink());
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL(/\/incidents\/INC-1$/);
  return { context, page };
}

before(async () => {
  browser = await launchChromium();
  mkdirSync(shots, { recursive: true });
  dir = mkdtempSync(join(tmpdir(), 'review-page-'));
  port = await freePort();
  bot = spawn(binary, [], {
    env: { ...process.env, INCIDENT_BOT_DB: join(dir, 'bot.db'),
           INCIDENT_BOT_WEB: `127.0.0.1:${port}`, INCIDENT_BOT_CONSOLE_USER: 'dana',
           INCIDENT_BOT_LOG_LEVEL: 'warn' },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  bot.stdout.on('data', (d) => { output += d.toString(); });
  await say('!incident start <script>alert("title")</script> Checkout errors sev2', 'INC-1');
  await say('!incident log 503s on checkout <img src=x onerror=alert(1)>', 'INC-1');
  await say('!incident log lunch order placed', 'INC-1');
  await say('!incident action add a queue depth alert owner:@dana', 'Action 1');
  await say(`dm is it safe to open this link ${marker}?`, 'report');
  await say('!incident close rolled back release 42', 'draft');
});

after(async () => {
  await browser?.close();
  bot?.kill('SIGTERM');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('a link signs in once: the GET changes nothing, the button does', async () => {
  const link = await signInLink();
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(link);  // a previewer would stop here
  await page.goto(link);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL(/\/incidents\/INC-1$/);
  assert.match(await page.locator('main > h1').textContent(), /^INC-1: /);
  const again = await (await browser.newContext()).newPage();
  await again.goto(link);
  await again.getByRole('button', { name: 'Continue' }).click();
  assert.match(await again.textContent('main'), /used already or it expired/);
  await context.close();
});

test('the page shows the record escaped, and downloads what export prints', async () => {
  const { context, page } = await signedInPage();
  const heading = await page.locator('main > h1').textContent();
  assert.match(heading, /<script>alert\("title"\)<\/script> Checkout errors/);
  assert.equal(await page.locator('main script, main img').count(), 0);
  await page.screenshot({ path: join(shots, 'incident.png') });
  const api = context.request;
  const md = await (await api.get(`http://127.0.0.1:${port}/incidents/INC-1/export.md`)).text();
  const json = await (await api.get(`http://127.0.0.1:${port}/incidents/INC-1/export.json`)).text();
  assert.equal(json, exported('json'));
  // The Markdown draft shows durations up to "now" only for open incidents: this one is closed.
  assert.equal(md, exported('md'));
  await context.close();
});

test('a rewritten section is checked as it is typed and is what export shows', async () => {
  const { context, page } = await signedInPage();
  const box = page.getByLabel('Summary (Markdown, one item per line)');
  await box.fill('Checkout failed for 12 minutes.\nThe outage was human error by the operator.');
  await page.locator('#findings-summary li').first().waitFor();
  assert.match(await page.textContent('#findings-summary'), /human error/);
  // The words the finding means are marked under the text, and "Show" selects them.
  const marked = await page.locator('.marked:has(#section-summary) mark.blame').first().textContent();
  assert.match(marked, /human error/);
  const title = await page.locator('#section-summary-title').boundingBox();
  await page.screenshot({ path: join(shots, 'editing.png'),
                          clip: { x: 0, y: Math.max(0, title.y - 20), width: 1280, height: 420 } });
  await page.locator('#findings-summary li', { hasText: 'human error' })
    .getByRole('button', { name: /^Select/ }).click();
  assert.equal(await box.evaluate((b) => b.value.slice(b.selectionStart, b.selectionEnd)), marked);
  // Saved in place: no reload, the status says so, and the draft on the page is the new one.
  const url = page.url();
  await page.locator('form[action$="/sections/summary"] button', { hasText: 'Save' }).click();
  await page.locator('form[action$="/sections/summary"] [role=status]', { hasText: 'Saved' }).waitFor();
  assert.equal(page.url(), url);
  assert.match(exported('md'), /Checkout failed for 12 minutes\./);
  assert.match(await page.textContent('#draft-text'), /Checkout failed for 12 minutes\./);
  assert.match(await page.textContent('#findings-summary'), /human error/);
  await context.close();
});

test('a stale save gets both texts back and loses nothing', async () => {
  const a = await signedInPage();
  const b = await signedInPage();
  await a.page.getByLabel('Impact (Markdown, one item per line)').fill('EU users saw 503s.');
  await b.page.getByLabel('Impact (Markdown, one item per line)').fill('All users saw 503s.');
  await a.page.locator('form[action$="/sections/impact"] button', { hasText: 'Save' }).click();
  await a.page.locator('form[action$="/sections/impact"] [role=status]', { hasText: 'Saved' }).waitFor();
  const [answer] = await Promise.all([
    b.page.waitForResponse((r) => r.url().endsWith('/sections/impact')),
    b.page.locator('form[action$="/sections/impact"] button', { hasText: 'Save' }).click(),
  ]);
  assert.equal(answer.status(), 409);
  assert.match(await b.page.textContent('pre.theirs'), /EU users saw 503s\./);
  assert.equal(await b.page.inputValue('#yours'), 'All users saw 503s.');
  await a.context.close();
  await b.context.close();
});

test('timeline entries are hidden and starred for the draft only', async () => {
  const { context, page } = await signedInPage();
  const noise = page.locator('tr', { hasText: 'lunch order placed' });
  await noise.getByText('Edit').click();
  await noise.getByLabel('Hide from the draft').check();
  await noise.getByRole('button', { name: 'Save' }).click();
  await page.waitForURL(/#entry-\d+$/);
  assert.doesNotMatch(exported('md'), /lunch order/);
  assert.match(exported('json'), /lunch order placed/);
  await context.close();
});

test('forms refuse a foreign origin and a missing token; GET changes nothing', async () => {
  const { context, page } = await signedInPage();
  const api = context.request;
  const url = `http://127.0.0.1:${port}/incidents/INC-1/sections/learn`;
  const foreign = await api.post(url, { form: { text: 'x', version: '0' },
                                        headers: { Origin: 'https://evil.example' } });
  assert.equal(foreign.status(), 403);
  const token = await page.inputValue('form[action="/logout"] input[name="csrf"]');
  const wrong = await api.post(url, { form: { text: 'x', version: '0', csrf: token + 'x' } });
  assert.equal(wrong.status(), 403);
  assert.equal((await api.get(url)).status(), 405);
  const outsider = await (await browser.newContext()).newPage();
  await outsider.goto(`http://127.0.0.1:${port}/incidents/INC-1`);
  assert.match(await outsider.textContent('main'), /Sign in first/);
  await context.close();
});

test('publish waits for a personnel matter to go, then posts what export prints, less the appendix', async () => {
  const { context, page } = await signedInPage();
  const box = page.getByLabel('Summary (Markdown, one item per line)');
  const save = page.locator('form[action$="/sections/summary"] button', { hasText: 'Save' });
  await box.fill('The operator was put on a performance improvement plan.');
  await save.click();
  // The review box follows the save without a reload.
  await page.locator('#held', { hasText: 'personnel matter' }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Publish' }).isDisabled(), true);
  await page.getByLabel('Summary (Markdown, one item per line)').fill('Checkout failed for 12 minutes.');
  await save.click();
  await page.locator('#held').waitFor({ state: 'detached' });
  const from = output.length;
  await page.getByRole('button', { name: 'Publish' }).click();
  await page.waitForURL(/\/publish$/);
  assert.match(await page.textContent('main'), /is published in its channel/);
  const deadline = Date.now() + 10000;
  while (!output.slice(from).includes('[end of INC-1-postmortem.md]')) {
    assert.ok(Date.now() < deadline, output.slice(from));
    await new Promise((r) => setTimeout(r, 20));
  }
  const posted = output.slice(from);
  const file = posted.slice(posted.indexOf(' bytes]\n') + 8, posted.indexOf('[end of INC-1-postmortem.md]'));
  // What export prints, up to the facilitator's appendix, which publishing leaves out.
  assert.ok(exported('md').startsWith(file), file);
  assert.match(exported('md'), /## Before the review meeting/);
  assert.doesNotMatch(file, /## Before the review meeting|## Blameless language check/);
  assert.match(file, /## Timeline \(UTC\)/);
  assert.match(posted, /\[lessons channel\] /);
  await page.goto(`http://127.0.0.1:${port}/incidents/INC-1`);
  assert.match(await page.textContent('#review + p'), /published/);
  await context.close();
});

test('no page or download shows a DM, and the pages pass axe', async () => {
  const { context, page } = await signedInPage({ bypassCSP: true });  // for axe's script only
  const base = `http://127.0.0.1:${port}`;
  for (const path of ['/', '/incidents/INC-1', '/incidents/INC-1/export.md',
                      '/incidents/INC-1/export.json', '/incidents/INC-2']) {
    const body = await (await context.request.get(base + path)).text();
    assert.ok(!body.includes(marker), `${path} shows the DM`);
  }
  for (const path of ['/', '/incidents/INC-1']) {
    await page.goto(base + path);
    await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
    const result = await page.evaluate(async () => await window.axe.run());
    const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    assert.deepEqual(bad.map((v) => `${v.id}: ${v.help}`), [], path);
  }
  await page.goto(base + '/');
  await page.screenshot({ path: join(shots, 'list.png') });
  await context.close();
});
