// The review page reached from Slack: the real incident-bot binary connected to the fake Slack
// (tests/slack/fake_slack_server.cpp, its own process over TLS) as it would be to slack.com.
// `/incident web` is sent as a Socket Mode slash command, the sign-in link is taken from the DM
// the fake recorded, channel membership is asked of the fake's conversations.members, and
// Publish goes through Slack's external upload. FAKE_SLACK=path/to/fake-slack-server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { binary, freePort, launchChromium, eventually } from './helpers.mjs';

const here = dirname(new URL(import.meta.url).pathname);
const fakeBinary = process.env.FAKE_SLACK ?? join(here, '../../../build/tests/fake-slack-server');

let dir, fake, bot, port, browser;
let answers;  // the fake's answers, one per line sent, in order

// Sends one command line to the fake Slack; resolves with its answer.
function slack(command) {
  fake.stdin.write(JSON.stringify(command) + '\n');
  return answers.next().then(({ value, done }) => {
    assert.ok(!done, 'the fake Slack exited');
    const answer = JSON.parse(value);
    assert.equal(answer.error, undefined, `${JSON.stringify(command)}: ${answer.error}`);
    return answer;
  });
}

const slash = (text, user = 'U1') => slack({ op: 'slash', text, user, channel: 'C1' });

// The sign-in link the bot sent `user` by DM after `/incident web`.
async function linkFor(user) {
  const before = (await slack({ op: 'posted' })).posted.length;
  await slash('web', user);
  const dm = await eventually(async () => {
    const posted = (await slack({ op: 'posted' })).posted.slice(before);
    return posted.find((m) => m.text.includes('/login/'));
  }, `the sign-in DM to ${user}`);
  assert.equal(dm.channel, `D${user}`);  // the fake's DM channel with that user, never C1
  return dm.text.match(/http:\/\/127\.0\.0\.1:\d+\/login\/[A-Za-z0-9_-]+/)[0];
}

async function signIn(user) {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on('dialog', () => { throw new Error('a dialog opened: script ran from user text'); });
  await page.goto(await linkFor(user));
  await page.getByRole('button', { name: 'Continue' }).click();
  return { context, page };
}

function exported(format) {
  return execFileSync(binary, ['export', 'INC-1', '--format', format],
                      { env: { ...process.env, INCIDENT_BOT_DB: join(dir, 'bot.db') } }).toString();
}

before(async () => {
  browser = await launchChromium();
  assert.ok(existsSync(fakeBinary), `${fakeBinary} is missing: build the tests first`);
  dir = mkdtempSync(join(tmpdir(), 'review-slack-'));
  fake = spawn(fakeBinary, [dir], { stdio: ['pipe', 'pipe', 'inherit'] });
  answers = createInterface({ input: fake.stdout })[Symbol.asyncIterator]();
  const { value } = await answers.next();
  const { api_url: apiUrl, ca_file: caFile } = JSON.parse(value);
  await slack({ op: 'members', channel: 'C1', users: ['U1', 'U3'] });  // U2 is not in #C1
  await slack({ op: 'user', user: 'U1', name: '<img src=x onerror=alert("name")> Dana' });
  port = await freePort();
  bot = spawn(binary, ['run'], {
    env: { PATH: process.env.PATH, SLACK_APP_TOKEN: 'xapp-1-test', SLACK_BOT_TOKEN: 'xoxb-test',
           SLACK_API_URL: apiUrl, INCIDENT_BOT_CA_FILE: caFile,
           INCIDENT_BOT_DB: join(dir, 'bot.db'), INCIDENT_BOT_WEB: `127.0.0.1:${port}`,
           INCIDENT_BOT_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  // Slack escapes &, < and > in the text it sends; the bot reads them back as typed.
  await slash('start &lt;script&gt;alert("title")&lt;/script&gt; Card payments failing sev2');
  await slash('log card declines rising &lt;img src=x onerror=alert(1)&gt;');
  await slash('action add alert on the decline rate');
});

after(async () => {
  await browser?.close();
  bot?.kill('SIGTERM');
  fake?.stdin.end();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('on Slack the link comes by DM without unfurling and signs a member in', async () => {
  const { context, page } = await signIn('U1');
  await page.waitForURL(/\/incidents\/INC-1$/);
  assert.match(await page.locator('main > h1').textContent(),
               /<script>alert\("title"\)<\/script> Card payments failing/);
  assert.equal(await page.locator('main script, main img').count(), 0);
  assert.match(await page.textContent('#timeline + table'), /card declines rising <img/);
  const calls = (await slack({ op: 'calls', method: 'chat.postMessage' })).calls;
  const links = calls.filter((c) => c.fields.text.includes('/login/'));
  assert.ok(links.length > 0);
  for (const c of links) {
    assert.equal(c.fields.unfurl_links, 'false');
    assert.equal(c.fields.unfurl_media, 'false');
  }
  const posted = (await slack({ op: 'posted' })).posted;
  assert.ok(!posted.some((m) => m.channel === 'C1' && m.text.includes('/login/')));
  await context.close();
});

test('someone not in the channel gets a 404 and an empty list', async () => {
  const { context, page } = await signIn('U2');
  await page.waitForLoadState();
  const answer = await page.goto(`http://127.0.0.1:${port}/incidents/INC-1`);
  assert.equal(answer.status(), 404);
  const md = await context.request.get(`http://127.0.0.1:${port}/incidents/INC-1/export.md`);
  assert.equal(md.status(), 404);
  await page.goto(`http://127.0.0.1:${port}/`);
  assert.doesNotMatch(await page.textContent('main'), /Card payments/);
  await context.close();
});

test('Publish on the page uploads the post-mortem to the channel as export prints it, less the appendix', async () => {
  await slash('close rolled back the card gateway config');
  const { context, page } = await signIn('U1');
  await page.waitForURL(/\/incidents\/INC-1$/);
  await page.getByRole('button', { name: 'Publish' }).click();
  await page.waitForURL(/\/publish$/);
  assert.match(await page.textContent('main'), /is published in its channel/);
  const file = await eventually(async () => (await slack({ op: 'files' })).files[0],
                                'the uploaded post-mortem');
  assert.equal(file.channel, 'C1');
  assert.equal(file.filename, 'INC-1-postmortem.md');
  // What export prints, up to the facilitator's appendix, which publishing leaves out.
  assert.ok(exported('md').startsWith(file.content), file.content);
  assert.doesNotMatch(file.content, /## Before the review meeting|## Blameless language check/);
  assert.match(file.content, /## Timeline \(UTC\)/);
  await context.close();
});
