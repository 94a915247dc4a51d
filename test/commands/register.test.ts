import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { commands } from '../../commands/index.ts';
import { discordSyntax } from '../../src/adapters/discord/syntax.ts';
import type { Attachment, CommandContext } from '../../src/core/command.ts';
import { findCommand, runCommand, runLine } from '../../src/core/dispatch.ts';
import type { Library } from '../../src/core/library.ts';
import type { Registry } from '../../src/core/registry.ts';
import type { OkReply, Reply } from '../../src/core/reply.ts';
import type { Store } from '../../src/store/types.ts';
import { articleFromFile, BUNDLED_FILE, testContext } from '../helpers/library.ts';
import { articlePage } from '../register/html-page.ts';
import { type Loopback, serve, startLoopback } from '../register/loopback.ts';
import { registryOn, SECOND_ID, SECOND_TEXT, tempDataDir } from '../register/setup.ts';

const command = (name: string) => {
  const found = findCommand(commands, name);
  if (!('run' in found)) throw new Error(`no /${name}`);
  return found;
};

let server: Loopback;
let data: ReturnType<typeof tempDataDir>;
let library: Library;
let store: Store;
let registry: Registry;
const files = new Map<string, Uint8Array>();

beforeAll(async () => {
  server = await startLoopback();
});
afterAll(() => server.close());
beforeEach(() => {
  data = tempDataDir();
  ({ library, store, registry } = registryOn(data.dir, { maxBytes: 64 * 1024, timeoutMs: 3000 }));
  files.clear();
});
afterEach(async () => {
  vi.useRealTimers();
  await store.close();
  data.remove();
});

function ctx(overrides: { moderator?: boolean; platform?: CommandContext['platform'] } = {}): CommandContext {
  const base = testContext(library, {
    user: { id: 'U-mod', name: 'mod', isModerator: overrides.moderator ?? true },
    platform: overrides.platform ?? 'discord',
    services: { registry },
  });
  return { ...base, download: async (a: Attachment) => files.get(a.name) ?? new Uint8Array() };
}

function attach(name: string, body: string | Uint8Array, size?: number): Attachment {
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
  files.set(name, bytes);
  return { name, url: `https://cdn.example.org/${name}`, size: size ?? bytes.length };
}

async function run(name: string, raw: Record<string, unknown>, context = ctx()): Promise<Reply> {
  return runCommand(command(name), raw, context);
}

function ok(reply: Reply): OkReply {
  if (!reply.ok) throw new Error(`${reply.error.code}: ${reply.error.message}`);
  return reply;
}

async function nothingStored(): Promise<void> {
  expect(await store.audit.list()).toEqual([]);
  expect(await store.articles.listLatest({ includeHidden: true })).toEqual([]);
  expect(library.size).toBe(1);
}

describe('/register', () => {
  it('previews an attached briefing with its title, author, key points, counts, scenarios and warnings, and Publish / Cancel buttons', async () => {
    const text = SECOND_TEXT.replace('by 2027, a target', 'by 2027,[7] a target');
    const reply = ok(await run('register', { file: attach('second-briefing.md', text) }));
    expect(reply.title).toBe('Preview: The South Caucasus Energy Corridor Between the Caspian and Europe');
    expect(reply.text).toBe(
      'Analysis · by Nino Beridze · 2025-06-12.\nFrom second-briefing.md (Markdown): 8 passages, 5 sources, 2 scenarios (First scenario: South Caucasus; Second scenario: Central Asia).\nPublishing adds it as “south-caucasus-energy-corridor”. 1 warning below.',
    );
    expect(reply.items?.filter((i) => i.label === 'Key point')).toHaveLength(3);
    expect(reply.items?.at(-1)).toEqual({ label: 'Warning, line 20', text: 'marker [7] has no source: this article lists sources 1-5' });
    expect(reply.visibility).toBe('private');
    const [publish, cancel] = reply.actions ?? [];
    expect(publish).toMatchObject({
      type: 'run',
      label: 'Publish',
      invoke: { command: 'register', options: { confirm: expect.any(String) } },
    });
    expect(cancel).toMatchObject({
      type: 'run',
      label: 'Cancel',
      invoke: { command: 'register', options: { cancel: expect.any(String) } },
    });
    await nothingStored();
  });

  it('publishes from the button, after which /articles lists it and /ask finds its passages with their citations', async () => {
    const preview = ok(await run('register', { file: attach('second-briefing.md', SECOND_TEXT) }));
    const publish = preview.actions?.[0];
    if (publish?.type !== 'run') throw new Error('no publish button');
    const published = ok(await run(publish.invoke.command, publish.invoke.options));
    expect(published.title).toBe('Registered: The South Caucasus Energy Corridor Between the Caspian and Europe');
    expect(published.text).toContain('“south-caucasus-energy-corridor” revision 1 is live');

    const everyone = ctx({ moderator: false });
    const articles = ok(await runLine(commands, '/articles', everyone));
    expect(articles.items?.map((i) => i.label)).toContain(SECOND_ID);
    const answer = ok(await runLine(commands, '/ask What does the Black Sea submarine cable link?', everyone));
    const excerpt = answer.excerpts.find((e) => e.articleId === SECOND_ID);
    expect(excerpt?.citations).toContain(2);
    expect(answer.sources.some((s) => s.articleId === SECOND_ID && s.n === 2)).toBe(true);
  });

  it('drops the registration from the Cancel button', async () => {
    const preview = ok(await run('register', { file: attach('second-briefing.md', SECOND_TEXT) }));
    const cancel = preview.actions?.[1];
    if (cancel?.type !== 'run') throw new Error('no cancel button');
    expect(ok(await run('register', cancel.invoke.options)).title).toBe('Registration cancelled');
    await nothingStored();
  });

  it('publishes at once with --yes in text form', async () => {
    server.routes.set('/second.md', serve(SECOND_TEXT, 'text/markdown; charset=utf-8'));
    const reply = ok(await runLine(commands, `/register --yes ${server.base}/second.md`, ctx({ platform: 'slack' })));
    expect(reply.title).toMatch(/^Registered: /);
    expect(library.get(SECOND_ID)?.meta.origin).toBe('registered');
  });

  it('reads an HTML page from a URL and says warnings refer to the extracted text', async () => {
    const bundled = articleFromFile(BUNDLED_FILE);
    const page = articlePage({ ...bundled, passages: bundled.passages.map((p, i) => (i === 3 ? { ...p, text: `${p.text}[12]` } : p)) });
    server.routes.set('/analysis/china', serve(page, 'text/html; charset=utf-8'));
    const reply = ok(await run('register', { url: `${server.base}/analysis/china` }));
    expect(reply.text).toContain(`From ${server.base}/analysis/china (HTML page): 15 passages, 9 sources, 2 scenarios`);
    expect(reply.text).toContain(`Publishing replaces the shipped briefing “${bundled.id}”`);
    expect(reply.items?.find((i) => i.label?.startsWith('Warning'))?.label).toMatch(/^Warning, line \d+ of the extracted text$/);
  });

  it('warns in the preview about a paragraph far longer than any real one, no sources and no author', async () => {
    const words = ['alpha', 'beta', 'gamma', 'delta', 'trade', 'energy', 'river', 'stone'];
    const sentences = Array.from(
      { length: 400 },
      (_, i) => `Sentence ${i} says ${words.map((w, k) => words[(i + k) % 8] ?? w).join(' ')}.`,
    );
    const text = `A long text registered without structure\n\n${sentences.join(' ')}\n`;
    const reply = ok(await run('register', { file: attach('long.txt', text) }));
    expect(reply.text).toContain('From long.txt (pasted web text): ');
    expect(reply.text).toContain('3 warnings below.');
    const warnings = reply.items?.filter((i) => i.label?.startsWith('Warning')) ?? [];
    expect(warnings.map((w) => w.label)).toEqual(['Warning, line 3', 'Warning', 'Warning']);
    expect(warnings[0]?.text).toMatch(
      /^a paragraph of [\d,]+ characters is far longer than any real one \(over 5,000\): it was split at sentence ends into \d+ passages/,
    );
    expect(warnings[1]?.text).toMatch(/^no numbered sources were found, so answers from this briefing will cite nothing/);
    expect(warnings[2]?.text).toMatch(/^no author was found, so no byline will be shown/);
    const passages = Number(/: ([\d,]+) passages/.exec(reply.text ?? '')?.[1]?.replace(/,/g, ''));
    expect(passages).toBeGreaterThan(10);
    await nothingStored();
  });

  it('refuses text with no sentence structure, naming its line, and stores nothing', async () => {
    const words = Array.from({ length: 8000 }, (_, i) => ['alpha', 'beta', 'gamma', 'trade'][i % 4]).join(' ');
    const reply = await run('register', { file: attach('words.txt', `A text of words and nothing else\n\n${words}\n`) });
    expect(reply.ok).toBe(false);
    if (reply.ok) return;
    expect(reply.error.code).toBe('no-sentences');
    expect(reply.error.message).toBe(
      `words.txt cannot be registered: line 3: ${words.length.toLocaleString('en-US')} characters run on without ending a sentence ("alpha beta gamma trade alpha beta gamma…"): this does not read as an article. Paste the briefing's text with its sentences (ending in . ! or ?) and paragraphs`,
    );
    await nothingStored();
  });

  it('refuses a text of ordinary paragraphs with no sentence structure, and stores nothing', async () => {
    const words = ['alpha', 'beta', 'gamma', 'trade', 'energy', 'asia', 'port'];
    const paragraphs = Array.from({ length: 30 }, (_, k) => Array.from({ length: 30 }, (_, i) => words[(i + k) % 7]).join(' '));
    const reply = await run('register', {
      file: attach('keywords.txt', `A list of keywords and nothing else\n\n${paragraphs.join('\n\n')}\n`),
    });
    expect(reply.ok).toBe(false);
    if (reply.ok) return;
    expect(reply.error.code).toBe('no-sentences');
    expect(reply.error.message).toMatch(
      /^keywords\.txt cannot be registered: line 3: the text has no sentence structure: its 900 words end no sentence \("alpha beta gamma/,
    );
    await nothingStored();
  });

  it('refuses a non-moderator on every registration command and changes nothing', async () => {
    const everyone = ctx({ moderator: false });
    const requestsBefore = server.requests.length;
    for (const [name, raw] of [
      ['register', { file: attach('second-briefing.md', SECOND_TEXT) }],
      ['register', { url: `${server.base}/second.md`, yes: true }],
      ['unregister', { id: SECOND_ID }],
      ['audit', {}],
    ] as const) {
      const reply = await run(name, raw, everyone);
      expect(reply).toEqual({
        ok: false,
        command: name,
        error: { code: 'forbidden', message: `/${name} is for moderators only; ask a moderator of this workspace.` },
      });
    }
    expect(server.requests.length).toBe(requestsBefore);
    await nothingStored();
  });

  it('asks for a file or a URL when given neither, and refuses a local path outside the terminal', async () => {
    expect(await run('register', {})).toMatchObject({ ok: false, error: { code: 'missing-source' } });
    expect(await run('register', { url: '/etc/passwd' }, ctx({ platform: 'slack' }))).toEqual({
      ok: false,
      command: 'register',
      error: { code: 'bad-url', message: '"/etc/passwd" is not a web address: give one starting with https://, or attach the file.' },
    });
    await nothingStored();
  });

  describe('bad input: a clear error naming the value, nothing stored', () => {
    it.each([
      ['empty', 'empty.md', '', 'empty.md is empty: it needs a title and at least one paragraph'],
      ['binary', 'scan.txt', new Uint8Array([0x25, 0x50, 0x44, 0x46, 0x2d, 0x31]), 'scan.txt is a PDF document, not text'],
      [
        'not-utf8',
        'latin1.txt',
        new Uint8Array([0x54, 0x69, 0x74, 0x6c, 0x65, 0x20, 0xe9, 0x0a]),
        'latin1.txt is not valid UTF-8 (byte 6 is 0xe9)',
      ],
      [
        'no-title',
        'untitled.md',
        '---\nkicker: Analysis\n---\n\nOnly a paragraph, and no title anywhere.\n',
        'untitled.md cannot be registered: line 1: no title',
      ],
      ['no-body', 'title-only.txt', 'A Title And Nothing Else\n', 'title-only.txt cannot be registered: line 1: no body'],
      [
        'no-article',
        'login.html',
        '<html><body><form><input name="u"><button>Sign in</button></form></body></html>',
        'login.html has no article',
      ],
      [
        'unsupported-type',
        'briefing.docx',
        'text that claims to be a Word file',
        'briefing.docx is a .docx file, which cannot be registered',
      ],
    ])('%s', async (code, name, body, message) => {
      const reply = await run('register', { file: attach(name, body) });
      expect(reply).toMatchObject({ ok: false, error: { code } });
      if (!reply.ok) expect(reply.error.message).toContain(message);
      await nothingStored();
    });

    it('an attachment over the size limit, without downloading it', async () => {
      const reply = await run('register', { file: { name: 'huge.txt', url: 'https://cdn.example.org/huge.txt', size: 5 * 1024 * 1024 } });
      expect(reply).toEqual({
        ok: false,
        command: 'register',
        error: { code: 'too-large', message: 'huge.txt is 5 MB, over the 64 KB limit (REGISTER_MAX_BYTES sets the limit)' },
      });
      await nothingStored();
    });

    it('a URL whose body runs over the limit', async () => {
      server.routes.set('/huge', (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('x'.repeat(200 * 1024));
      });
      const reply = await run('register', { url: `${server.base}/huge` });
      expect(reply).toMatchObject({
        ok: false,
        error: { code: 'too-large', message: expect.stringContaining(`${server.base}/huge is larger than the 64 KB limit`) },
      });
      await nothingStored();
    });

    it('a URL that answers 404', async () => {
      const reply = await run('register', { url: `${server.base}/gone` });
      expect(reply).toEqual({
        ok: false,
        command: 'register',
        error: { code: 'url-status', message: `${server.base}/gone answered 404 Not Found: check that the address opens in a browser` },
      });
      await nothingStored();
    });

    it('a URL that times out', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      server.routes.set('/slow', () => {});
      const arrived = server.arrival('/slow');
      const pending = run('register', { url: `${server.base}/slow` });
      await arrived;
      await vi.advanceTimersByTimeAsync(3000);
      expect(await pending).toMatchObject({
        ok: false,
        error: { code: 'url-timeout', message: expect.stringContaining('did not answer within 3,000 ms') },
      });
      await nothingStored();
    });

    it('a URL on a loopback, private, link-local or metadata address when they are not allowed', async () => {
      await store.close();
      ({ library, store, registry } = registryOn(data.dir, {
        allowPrivate: false,
        resolve: async (host) => [{ address: host === 'intranet.example' ? '10.2.3.4' : '169.254.0.9', family: 4 }],
      }));
      const requestsBefore = server.requests.length;
      const cases = [
        [`${server.base}/second.md`, 'a loopback address'],
        ['http://intranet.example/briefing', 'resolves to 10.2.3.4, which is a private address'],
        ['http://printer.example/', 'resolves to 169.254.0.9, which is a link-local address'],
        ['http://169.254.169.254/latest/meta-data/', 'a cloud-metadata address'],
        ['http://[::1]:9/briefing', 'a loopback address'],
      ];
      for (const [url, kind] of cases) {
        const reply = await run('register', { url });
        expect(reply).toMatchObject({ ok: false, error: { code: 'url-refused' } });
        if (!reply.ok) expect(reply.error.message).toContain(kind);
      }
      expect(server.requests.length).toBe(requestsBefore);
      await nothingStored();
    });
  });
});

describe('/unregister and /audit', () => {
  it('hide a briefing everywhere, keep its history, and list who did what', async () => {
    ok(await run('register', { file: attach('second-briefing.md', SECOND_TEXT), yes: true }));
    const unregisterCommand = command('unregister');
    const choices = unregisterCommand.options[0]?.autocomplete?.(ctx(), 'south', {});
    expect(choices).toEqual([
      { name: 'The South Caucasus Energy Corridor Between the Caspian and Europe (south-caucasus-energy-corridor)', value: SECOND_ID },
    ]);

    const reply = ok(await run('unregister', { id: SECOND_ID }));
    expect(reply.text).toBe(
      '“south-caucasus-energy-corridor” no longer appears in /articles, /ask or digests on any platform. Its revision is kept; registering it again restores it.',
    );
    const articles = ok(await runLine(commands, '/articles', ctx({ moderator: false })));
    expect(articles.items?.map((i) => i.label)).not.toContain(SECOND_ID);

    const audit = ok(await run('audit', {}));
    expect(audit.items?.map((i) => i.text)).toEqual([
      'unregistered south-caucasus-energy-corridor (1 revision kept)',
      'registered south-caucasus-energy-corridor revision 1 (“The South Caucasus Energy Corridor Between the Caspian and Europe” from second-briefing.md)',
    ]);
    expect(audit.items?.[0]?.label).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC · mod \(discord\)$/);
  });

  it('/unregister names an unknown id', async () => {
    expect(await run('unregister', { id: 'no-such-briefing' })).toEqual({
      ok: false,
      command: 'unregister',
      error: { code: 'unknown-article', message: 'No registered briefing with id "no-such-briefing". None is registered yet.' },
    });
  });

  it('/unregister of an unknown id names the registered ids, and the unregistered ones /audit lists', async () => {
    const other = SECOND_TEXT.replace(`id: ${SECOND_ID}`, 'id: other-briefing').replace(/^title: .*$/m, 'title: Another Corridor');
    ok(await run('register', { file: attach('second-briefing.md', SECOND_TEXT), yes: true }));
    ok(await run('register', { file: attach('other.md', other), yes: true }));
    ok(await run('unregister', { id: SECOND_ID }));
    expect(await run('unregister', { id: 'nope' })).toEqual({
      ok: false,
      command: 'unregister',
      error: {
        code: 'unknown-article',
        message: `No registered briefing with id "nope". Registered: other-briefing. Already unregistered (hidden; /audit lists them): ${SECOND_ID}.`,
      },
    });
    ok(await run('unregister', { id: 'other-briefing' }));
    const none = await run('unregister', { id: 'nope' });
    expect(none.ok ? '' : none.error.message).toBe(
      `No registered briefing with id "nope". None is registered now. Already unregistered (hidden; /audit lists them): other-briefing, ${SECOND_ID}.`,
    );
    // Registered again, it is live and no longer listed as hidden.
    ok(await run('register', { file: attach('second-briefing.md', SECOND_TEXT), yes: true }));
    const again = await run('unregister', { id: 'nope' });
    expect(again.ok ? '' : again.error.message).toBe(
      `No registered briefing with id "nope". Registered: ${SECOND_ID}. Already unregistered (hidden; /audit lists them): other-briefing.`,
    );
  });

  it('/audit pages back with an "Older entries" button', async () => {
    for (let i = 0; i < 21; i++)
      await store.audit.append({
        at: `2025-06-01T09:${String(i).padStart(2, '0')}:00.000Z`,
        actor: 'U1',
        action: 'digest.subscribe',
        target: `subscription:${i}`,
      });
    // The terminal is the operator's: it sees entries of every workspace (these name none).
    const operator = ctx({ platform: 'console' });
    const first = ok(await run('audit', {}, operator));
    expect(first.items).toHaveLength(20);
    expect(first.items?.[0]?.text).toBe('digest subscribe subscription:20');
    const older = first.actions?.[0];
    if (older?.type !== 'run') throw new Error('no older button');
    const second = ok(await run('audit', older.invoke.options, operator));
    expect(second.items?.map((i) => i.text)).toEqual(['digest subscribe subscription:0']);
    expect(second.actions).toBeUndefined();
  });

  it("/audit in a chat server shows its own entries and the briefings' history, never another server's", async () => {
    const at = '2025-06-02T09:00:00.000Z';
    await store.audit.append({
      at,
      actor: 'U1',
      platform: 'discord',
      workspaceId: 'G1',
      action: 'digest.subscribe',
      target: 'subscription:g1',
    });
    await store.audit.append({
      at,
      actor: 'U2',
      platform: 'discord',
      workspaceId: 'G2',
      action: 'digest.subscribe',
      target: 'subscription:g2',
    });
    await store.audit.append({ at, actor: 'U2', platform: 'discord', workspaceId: 'G2', action: 'article.unregister', target: 'gone' });
    const inG1 = { ...ctx(), channel: { platform: 'discord' as const, id: 'C1', workspaceId: 'G1' } };
    const texts = ok(await run('audit', {}, inG1)).items?.map((i) => i.text);
    expect(texts).toContain('digest subscribe subscription:g1');
    expect(texts).toContain('unregistered gone');
    expect(texts).not.toContain('digest subscribe subscription:g2');
  });
});

describe('a briefing that was unregistered, asked for by id', () => {
  let clock: Date;
  beforeEach(async () => {
    await store.close();
    clock = new Date('2025-06-20T10:00:00.000Z');
    ({ library, store, registry } = registryOn(data.dir, { now: () => clock }));
    ok(await run('register', { file: attach('second-briefing.md', SECOND_TEXT), yes: true }));
    clock = new Date('2025-06-21T08:30:00.000Z');
    ok(await run('unregister', { id: SECOND_ID }));
  });

  const said = `“${SECOND_ID}” (The South Caucasus Energy Corridor Between the Caspian and Europe) was unregistered by mod on 2025-06-21 08:30 UTC: no command reads it. Its revision is kept; a moderator can restore it by registering it again (/audit --article ${SECOND_ID} shows its history).`;

  it.each([
    ['brief', `/brief --article ${SECOND_ID}`],
    ['ask', `/ask pipeline --article ${SECOND_ID}`],
    ['scenario', `/scenario 1 --article ${SECOND_ID}`],
    ['source', `/source 1 --article ${SECOND_ID}`],
    ['sources', `/sources --article ${SECOND_ID}`],
  ])('/%s says it was unregistered, by whom and when', async (name, line) => {
    expect(await runLine(commands, line, ctx({ moderator: false }))).toEqual({
      ok: false,
      command: name,
      error: { code: 'unregistered-article', message: said },
    });
  });

  it('an id nobody registered still gets "No briefing with id" and the command that lists them', async () => {
    const reply = await runLine(commands, '/brief --article never-was', ctx());
    expect(reply.ok ? '' : reply.error.message).toBe(
      `No briefing with id "never-was". Try one of: ${articleFromFile(BUNDLED_FILE).id}. /articles lists every briefing.`,
    );
  });

  it('/unregister of it again says who unregistered it and when', async () => {
    expect(await run('unregister', { id: SECOND_ID })).toEqual({
      ok: false,
      command: 'unregister',
      error: {
        code: 'already-unregistered',
        message: `"${SECOND_ID}" was already unregistered by mod on 2025-06-21 08:30 UTC; registering it again (/register) restores it.`,
      },
    });
  });

  it('on Discord the history hint is written with options', async () => {
    const discord = { ...ctx(), syntax: discordSyntax(commands) };
    const reply = await runLine(commands, `/sources --article ${SECOND_ID}`, discord);
    expect(reply.ok ? '' : reply.error.message).toContain(`(/audit article:${SECOND_ID} shows its history)`);
  });
});
