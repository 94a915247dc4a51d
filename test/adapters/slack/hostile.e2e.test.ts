import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ButtonElement, SlackBlock } from '../../../src/adapters/slack/block-types.ts';
import { hostileLibrary } from '../../helpers/library.ts';
import { type Harness, startHarness, textsOf } from './harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ library: await hostileLibrary() });
});
afterAll(async () => h?.close());

/** Slack's special sequences: broadcasts, user/group/channel mentions and links. */
const SPECIAL = /<[!@#]|<https:\/\/evil\.example\|/;

describe('an article full of <!channel>, <@U123> and fake links', () => {
  it('arrives escaped in every answer, with only our own links and formatting', async () => {
    for (const [command, text] of [
      ['/brief', ''],
      ['/ask', 'gulf ports pipelines'],
      ['/scenario', '1'],
      ['/source', '1'],
      ['/sources', ''],
      ['/articles', ''],
    ] as const) {
      const res = await h.slash(command, text);
      expect(res.status, command).toBe(200);
      const ack = res.json() as { text: string; blocks: SlackBlock[] };
      expect(ack.blocks[0]?.type, `${command} answered`).toBe('header');
      for (const s of textsOf({ text: ack.text, blocks: ack.blocks })) expect(s, command).not.toMatch(SPECIAL);
      expect(JSON.stringify(ack.blocks)).toContain('&lt;!channel&gt;');
    }
  });

  it('stays escaped when shared in the channel, where a ping would reach everyone', async () => {
    const ack = (await h.slash('/scenario', '1')).json() as { blocks: SlackBlock[] };
    const share = ack.blocks
      .flatMap((b) => (b.type === 'actions' ? b.elements : []))
      .find((e) => e.action_id === 'briefing_share') as ButtonElement;
    await h.click('briefing_share', share.value as string, { id: 'hostile-share', userId: 'U0ALICE' });
    await h.fake.until(() => h.fake.callsTo('chat.postMessage').length > 0);
    const post = h.fake.callsTo('chat.postMessage')[0];
    const texts = textsOf({ text: post?.body.text, blocks: post?.body.blocks });
    expect(texts).toContain('Shared by <@U0ALICE>');
    for (const s of texts.filter((t) => t !== 'Shared by <@U0ALICE>')) expect(s).not.toMatch(SPECIAL);
    expect(post?.body.link_names).toBeUndefined();
  });
});
