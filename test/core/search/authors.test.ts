import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { commands } from '../../../commands/index.ts';
import { answerQuestion } from '../../../src/core/answer.ts';
import { runLine } from '../../../src/core/dispatch.ts';
import type { OkReply } from '../../../src/core/reply.ts';
import { articleHash } from '../../../src/core/search/article-hash.ts';
import { aboutId } from '../../../src/core/search/documents.ts';
import { PassageIndex } from '../../../src/core/search/passage-index.ts';
import { askThroughCommand, REPOSITORY_QUESTIONS } from '../../../src/eval.ts';
import { articleFromFile, SECOND_FILE, testContext } from '../../helpers/library.ts';
import { bundled, libraryWith, makeArticle } from './fixtures.ts';

/**
 * Who wrote a briefing is reachable from /ask through one document about each briefing
 * (`<id>#a`, its author), scored below passages so that questions about the content are
 * answered by passages as before; a question asking who wrote something, or naming a title,
 * opens with the line about that briefing (bylines.ts).
 */

const second = articleFromFile(SECOND_FILE);
const library = libraryWith(bundled, second);

const about = (articleId: string) => aboutId(articleId);
const ids = (question: string) => answerQuestion(library, question, { perPage: 5 }).excerpts.map((e) => e.passageId);

describe('authors and titles in /ask', () => {
  it.each([
    ['Ergün Mamedov', bundled.id],
    ['Mamedov', bundled.id],
    ['ergun mamedov', bundled.id],
    ['Nino Beridze', second.id],
    ['Beridze', second.id],
  ])('"%s" finds the briefing the author wrote, first', (question, articleId) => {
    expect(ids(question)[0]).toBe(about(articleId));
  });

  it('answers with a line saying which briefing it is and who wrote it, the name highlighted', () => {
    const [excerpt] = answerQuestion(library, 'Mamedov').excerpts;
    expect(excerpt).toMatchObject({
      label: 'Briefing',
      text: `“${bundled.title}” by Ergün Mamedov · Analysis`,
      citations: [],
      articleId: bundled.id,
    });
    expect(excerpt?.highlights.map(([s, e]) => excerpt.text.slice(s, e))).toEqual(['Mamedov']);
  });

  it('answers who wrote a briefing, and an author’s briefing on a subject', () => {
    expect(ids('Who wrote about Central Asia?')[0]).toBe(about(bundled.id));
    expect(ids('Who is the author of the briefing on the Caspian?')).toContain(about(second.id));
    expect(ids('Beridze pipeline')[0]).toBe(about(second.id));
  });

  it('opens with the briefing a question names by its title; part of a title is answered by passages', () => {
    for (const article of [bundled, second]) {
      const excerpts = answerQuestion(library, article.title, { perPage: 10 }).excerpts;
      expect(excerpts[0]?.passageId, article.title).toBe(about(article.id));
      expect(new Set(excerpts.map((e) => e.articleId)), article.title).toEqual(new Set([article.id]));
    }
    expect(ids('Central Asia and Southeast Asia in China’s “Counter-Balancing” Strategy')[0]).toBe(about(bundled.id));
    expect(ids('What is China’s strategy in Southeast Asia?')).not.toContain(about(bundled.id));
    expect(ids('South Caucasus Energy Corridor')).not.toContain(about(second.id));
  });

  it('/ask offers the briefing’s summary when it found the briefing itself', async () => {
    const reply = (await runLine(commands, '/ask Ergün Mamedov', testContext(library))) as OkReply;
    expect(reply.excerpts[0]?.label).toBe('Briefing');
    expect(reply.actions).toContainEqual({
      type: 'run',
      label: expect.stringMatching(/^Summary: Central Asia and Southeast Asia/),
      invoke: { command: 'brief', options: { article: bundled.id } },
    });
  });

  it('keeps the document about a briefing out of the top three for every question of the repository’s relevance set', async () => {
    const set = JSON.parse(readFileSync(REPOSITORY_QUESTIONS, 'utf8')) as { items: { q: string }[] };
    const ask = askThroughCommand(libraryWith(bundled));
    for (const { q } of set.items) {
      const top = (await ask(q)).slice(0, 3).map((e) => e.passageId);
      expect(
        top.filter((id) => id.endsWith('#a')),
        q,
      ).toEqual([]);
    }
  });

  it('re-indexes a briefing whose author changed, and its fingerprint changes with it', () => {
    const index = new PassageIndex();
    const first = makeArticle('renamed', ['The railway to Osh opened.']);
    const withAuthor = { ...first, author: { name: 'Aigerim Tokaeva' } };
    expect(articleHash(withAuthor)).not.toBe(articleHash(first));
    index.addArticle(first);
    expect(index.search('Tokaeva').hits).toEqual([]);
    index.addArticle(withAuthor);
    expect(index.search('Tokaeva').hits.map((h) => [h.id, h.kind])).toEqual([[aboutId('renamed'), 'about']]);
    index.compact();
    expect(index.search('Tokaeva').hits.map((h) => h.id)).toEqual([aboutId('renamed')]);
  });
});
