import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { autocomplete, buttonClick, chatInput } from '../../fakes/discord-interactions.ts';
import { hostileLibrary } from '../../helpers/library.ts';
import { buttonId, type Callback, type Harness, startHarness } from './harness.ts';
import { testCommands } from './test-commands.ts';

let h: Harness;
let app: string;

beforeAll(async () => {
  h = await startHarness(await hostileLibrary(), testCommands());
  app = h.fake.applicationId;
});
afterAll(async () => h?.close());

const UNESCAPED_MARKUP = /(^|[^\\])[_~`|<>[\]()#]/;

/** Markdown text in which every special character is escaped, apart from our own bold markers. */
function expectInert(markdown: string, where: string) {
  const withoutBold = markdown.replace(/(^|[^\\])\*\*/g, '$1');
  expect(withoutBold, where).not.toMatch(UNESCAPED_MARKUP);
  expect(withoutBold.replace(/\\\*/g, ''), where).not.toContain('*');
  expect(markdown, where).not.toMatch(/@everyone|@here/i);
}

function expectSafe(data: Callback['data']) {
  expect(data.allowed_mentions).toEqual({ parse: [] });
  for (const [i, e] of (data.embeds ?? []).entries()) {
    if (e.title) expectInert(e.title, `embed ${i} title`);
    if (e.description) expectInert(e.description, `embed ${i} description`);
    if (e.footer) expect(e.footer.text).not.toMatch(/<[@#!]|@everyone|@here/);
    for (const f of e.fields ?? []) {
      expectInert(f.name, 'field name');
      const masked = /^\[(.*)\]\((https:\/\/[^)\s]+)\)(\n[\s\S]*)?$/s.exec(f.value);
      if (masked) {
        expectInert(masked[1] as string, 'masked link text');
        expect(masked[2]).not.toContain('evil.example');
      } else {
        // A title that looks like a link is shown as text with the real address beside it.
        for (const line of f.value.split('\n')) if (!/^https:\/\/\S+$/.test(line)) expectInert(line, 'field value line');
      }
    }
  }
  expect(JSON.stringify(data)).not.toContain('](https://evil.example');
}

describe('an article full of mentions, markup and fake links', () => {
  for (const [name, options] of [
    ['brief', {}],
    ['ask', { question: 'gulf ports pipelines' }],
    ['source', { n: 1 }],
    ['source', { n: 2 }],
    ['sources', {}],
    ['scenario', { name: 'gulf' }],
  ] as const) {
    it(`renders /${name} ${JSON.stringify(options)} as inert text`, async () => {
      const cb = await h.push(chatInput(app, name, options));
      expect(cb.type).toBe(4);
      expect(cb.data.embeds?.length).toBeGreaterThan(0);
      expectSafe(cb.data);
    });
  }

  it('links the hostile source to its real address, never to the fake link in its title', async () => {
    const cb = await h.push(chatInput(app, 'source', { n: 1 }));
    const field = cb.data.embeds?.[0]?.fields?.[0];
    expect(field?.value).toContain('\nhttps://shipping-monitor.example/gulf-2025');
    expect(field?.value).toContain('\\[fake\\]\\(https://evil.example\\)');
  });

  it('keeps a shared hostile answer inert, with only the sharer shown as a mention', async () => {
    const first = await h.push(chatInput(app, 'source', { n: 2 }));
    const shared = await h.push(buttonClick(app, buttonId(first, 'Share in channel')));
    expect(shared.data.content).toMatch(/^<@\d+> shared \/source n:2$/);
    expectSafe(shared.data);
  });

  it('strips mention syntax from autocomplete labels', async () => {
    const cb = await h.push(autocomplete(app, 'source', { n: '' }, 'n'));
    expect(cb.data.choices?.length).toBe(2);
    for (const c of cb.data.choices ?? []) expect(c.name).not.toMatch(/<[@#!]|@everyone|@here/);
  });
});
