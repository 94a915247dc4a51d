import { Readability } from '@mozilla/readability';
import { stringify } from 'yaml';
import { type DomElement, type DomNode, isElement, parseDocument, squash, TEXT_NODE } from './dom.ts';
import { type PageMeta, readPageMeta } from './html-meta.ts';

/** The page turned into Markdown with front matter, which the Markdown importer reads. */
export interface ExtractedPage {
  ok: true;
  markdown: string;
  meta: PageMeta;
}

export interface NoArticle {
  ok: false;
  code: 'no-article';
  message: string;
}

const SKIP = new Set([
  'SCRIPT',
  'STYLE',
  'NOSCRIPT',
  'TEMPLATE',
  'NAV',
  'ASIDE',
  'FORM',
  'BUTTON',
  'SELECT',
  'TEXTAREA',
  'IFRAME',
  'SVG',
  'IMG',
  'PICTURE',
  'VIDEO',
  'AUDIO',
  'CANVAS',
  'FIGURE',
]);
const BLOCK = new Set([
  'P',
  'DIV',
  'SECTION',
  'ARTICLE',
  'MAIN',
  'HEADER',
  'FOOTER',
  'BLOCKQUOTE',
  'PRE',
  'UL',
  'OL',
  'LI',
  'DL',
  'DT',
  'DD',
  'TABLE',
  'TR',
  'TD',
  'TH',
  'TBODY',
  'THEAD',
  'H1',
  'H2',
  'H3',
  'H4',
  'H5',
  'H6',
  'HR',
  'FIGCAPTION',
  'ADDRESS',
  'DETAILS',
  'SUMMARY',
]);
const HEADING = /^H[1-6]$/;
const NOISE_CLASS =
  /(?:^|[\s_-])(?:share|sharing|social|related|similar|newsletter|subscribe|comments?|tags|breadcrumbs?|pagination|advert|ads)(?:$|[\s_-])/i;
const FOOTNOTE_CONTAINER = /foot-?notes?|endnotes?|references|sources/i;
const FOOTNOTE_HEADING = /^(?:notes|footnotes|endnotes|references|sources|bibliography|kaynakça|kaynaklar)$/i;
const SHARE_LINE = /^(?:paylaş|share|share this(?: post| article)?|share on)\s*:?$/i;
const LANGUAGES_LINE = /^this (?:post|article|page|analysis) is also available in\s*:?\s*(.*)$/i;
const TRAILER_LINE = /^(?:similar|related)\s+(?:posts|articles|content|analyses)\s*:?$/i;

interface Block {
  kind: 'paragraph' | 'heading' | 'footnote';
  text: string;
}

/** Walks the extracted body into paragraphs, headings and numbered footnotes. */
class BodyWriter {
  readonly blocks: Block[] = [];
  #line = '';
  #lines: string[] = [];
  #footnoteN = 0;
  #inFootnotes = false;

  walk(node: DomNode): void {
    for (const child of Array.from(node.childNodes)) this.#visit(child);
  }

  #visit(node: DomNode): void {
    if (node.nodeType === TEXT_NODE) {
      this.#line += (node.textContent ?? '').replace(/\s+/g, ' ');
      return;
    }
    if (!isElement(node) || SKIP.has(node.tagName)) return;
    if (NOISE_CLASS.test(node.getAttribute('class') ?? '')) return;
    const tag = node.tagName;
    if (tag === 'BR') {
      this.#breakLine();
      return;
    }
    if (tag === 'SUP' && /^\[?\d{1,3}\]?$/.test(squash(node.textContent))) {
      this.#line += `[${squash(node.textContent).replace(/[[\]]/g, '')}]`;
      return;
    }
    if (!BLOCK.has(tag)) {
      this.walk(node);
      if (tag === 'A' && this.#inFootnotes) this.#appendHref(node);
      return;
    }
    this.flush();
    if (HEADING.test(tag)) {
      const text = squash(node.textContent);
      if (text) this.blocks.push({ kind: 'heading', text });
      this.#inFootnotes = FOOTNOTE_HEADING.test(text);
      return;
    }
    if (
      tag === 'OL' &&
      (FOOTNOTE_CONTAINER.test(`${node.getAttribute('class') ?? ''} ${node.getAttribute('id') ?? ''}`) ||
        this.#inFootnotes ||
        looksLikeNotes(node))
    ) {
      const start = Number.parseInt(node.getAttribute('start') ?? '1', 10) || 1;
      this.#footnoteN = start;
      const was = this.#inFootnotes;
      this.#inFootnotes = true;
      for (const li of Array.from(node.childNodes).filter((c): c is DomElement => isElement(c) && c.tagName === 'LI')) {
        this.walk(li);
        this.flush(this.#footnoteN++);
      }
      this.#inFootnotes = was;
      return;
    }
    if (FOOTNOTE_CONTAINER.test(`${node.getAttribute('class') ?? ''} ${node.getAttribute('id') ?? ''}`) && tag !== 'P') {
      const was = this.#inFootnotes;
      this.#inFootnotes = true;
      this.walk(node);
      this.flush();
      this.#inFootnotes = was;
      return;
    }
    this.walk(node);
    this.flush();
  }

  #appendHref(a: DomElement): void {
    const href = a.getAttribute('href') ?? '';
    if (/^https?:\/\//i.test(href) && !this.#line.includes(href) && !this.#lines.some((l) => l.includes(href))) this.#line += ` ${href}`;
  }

  #breakLine(): void {
    const line = squash(this.#line);
    if (line) this.#lines.push(line);
    this.#line = '';
  }

  /** Ends the current block; `number` makes it footnote `[number]` unless it already starts with one. */
  flush(number?: number): void {
    this.#breakLine();
    const lines = this.#lines;
    this.#lines = [];
    if (lines.length === 0) return;
    if (number !== undefined) {
      const text = lines.join(' ');
      this.blocks.push({ kind: 'footnote', text: /^\[\^?\d+\]/.test(text) ? text : `[${number}] ${text.replace(/^\^?\s*/, '')}` });
      return;
    }
    // Footnotes printed as `[1] …<br>[2] …` in one paragraph: one footnote a line.
    if (lines.every((l) => /^\[\^?\d{1,4}\]/.test(l))) {
      for (const l of lines) this.blocks.push({ kind: 'footnote', text: l });
      return;
    }
    this.blocks.push({
      kind: this.#inFootnotes && /^\[\^?\d{1,4}\]/.test(lines[0] as string) ? 'footnote' : 'paragraph',
      text: lines.join(' '),
    });
  }
}

function looksLikeNotes(ol: DomElement): boolean {
  const items = Array.from(ol.querySelectorAll('li'));
  return items.length > 0 && items.every((li) => /^(?:fn|footnote|note|ref|cite)/i.test(li.getAttribute('id') ?? ''));
}

/** Escapes what would start Markdown syntax at the beginning of a paragraph. */
function escapeParagraph(text: string): string {
  return text.replace(/^([#>*+-])/, '\\$1');
}

const fold = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();

/**
 * Extracts the article of an HTML page with Readability (scripts never run) and writes it as
 * Markdown with front matter: title, kicker, author and bio, date, language and key points in
 * the front matter; paragraphs, headings and `[n]` footnotes (numbered list items and
 * superscript markers included) in the body. Share buttons, language links and "Similar
 * posts" are left out. Returns `no-article` when the page has no body of paragraphs.
 */
export function extractHtml(html: string, label: string): ExtractedPage | NoArticle {
  const noArticle: NoArticle = {
    ok: false,
    code: 'no-article',
    message: `${label} has no article: no body of paragraphs was found in the HTML page (an index, login or consent page?). Register the article's own page, or save its text as a .txt file`,
  };
  const meta = readPageMeta(parseDocument(html));
  let parsed: ReturnType<Readability<string>['parse']>;
  try {
    const doc = parseDocument(html);
    // biome-ignore lint/suspicious/noExplicitAny: Readability is typed against the DOM library, which this project does not load.
    parsed = new Readability(doc as any, { keepClasses: true, charThreshold: 200 }).parse();
  } catch {
    return noArticle;
  }
  if (!parsed?.content) return noArticle;
  if (!meta.title && parsed.title) meta.title = squash(parsed.title);
  if (!meta.author && parsed.byline && squash(parsed.byline).length <= 80) meta.author = squash(parsed.byline).replace(/^by\s+/i, '');
  if (!meta.date && parsed.publishedTime) meta.date = /^\d{4}-\d{2}-\d{2}/.exec(parsed.publishedTime)?.[0];

  const writer = new BodyWriter();
  writer.walk(parseDocument(`<!doctype html><html><body>${parsed.content}</body></html>`).querySelector('body') as DomElement);
  writer.flush();

  const skip = new Set(
    [meta.title, meta.kicker, meta.author, meta.authorBio, ...meta.keyPoints].filter((s): s is string => Boolean(s)).map(fold),
  );
  const otherLanguages: string[] = [];
  const body: string[] = [];
  for (const block of cutTrailer(writer.blocks)) {
    const text = block.text;
    if (skip.has(fold(text)) || SHARE_LINE.test(text)) continue;
    const langs = LANGUAGES_LINE.exec(text);
    if (langs) {
      otherLanguages.push(...(langs[1] ?? '').split(/\s*,\s*|\s+/).filter(Boolean));
      continue;
    }
    if (block.kind === 'heading') body.push(`## ${text.replace(/^#+\s*/, '')}`);
    else if (block.kind === 'footnote') body.push(text);
    else body.push(escapeParagraph(text));
  }
  if (!body.some((b) => !b.startsWith('## ') && !/^\[\^?\d/.test(b) && b.length >= 80)) return noArticle;

  const front: Record<string, unknown> = {};
  if (meta.title) front.title = meta.title;
  if (meta.kicker) front.kicker = meta.kicker;
  if (meta.author) front.author = meta.authorBio ? { name: meta.author, bio: meta.authorBio } : meta.author;
  if (meta.date) front.date = meta.date;
  if (meta.language) front.language = meta.language;
  if (otherLanguages.length) front.other_languages = otherLanguages;
  if (meta.keyPoints.length) front.key_points = meta.keyPoints;
  const markdown = `---\n${stringify(front, { lineWidth: 0 })}---\n\n${body.join('\n\n')}\n`;
  return { ok: true, markdown, meta };
}

function cutTrailer(blocks: Block[]): Block[] {
  const at = blocks.findIndex((b, i) => i > 0 && TRAILER_LINE.test(b.text));
  return at > 0 ? blocks.slice(0, at) : blocks;
}
