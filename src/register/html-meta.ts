import { type DomDocument, type DomElement, type DomNode, firstOf, firstText, squash } from './dom.ts';

/** What a page says about its article outside the body text. */
export interface PageMeta {
  title?: string;
  kicker?: string;
  author?: string;
  authorBio?: string;
  /** YYYY-MM-DD. */
  date?: string;
  language?: string;
  keyPoints: string[];
}

const SHORT_LABEL = (t: string) => t !== '' && t.length <= 40 && t.split(' ').length <= 4;
const NAME = (t: string) => t !== '' && t.length <= 80 && t.split(' ').length <= 6 && !/[@/|:]/.test(t);

const KICKER = [
  'meta[property="article:section"]',
  '.kicker',
  '.eyebrow',
  '.overline',
  '.entry-category',
  '.post-category',
  '.category',
  '.cat-links a',
  'a[rel~="category"]',
];

const AUTHOR = [
  'meta[name="author"]',
  'meta[property="article:author"]',
  '[itemprop="author"] [itemprop="name"]',
  '.author-name',
  '.author .name',
  '.byline .author',
  'a[rel~="author"]',
  '.author-box h3',
  '.author-box h4',
];

const AUTHOR_BIO = [
  '.author-bio',
  '.author-description',
  '.author-box p',
  '[itemprop="author"] [itemprop="description"]',
  '.about-author p',
];

const DATE = ['meta[property="article:published_time"]', 'meta[name="date"]', 'meta[itemprop="datePublished"]', 'time[datetime]'];

/** Containers that hold a briefing's key points (summary bullets under the title). */
const KEY_POINTS = [
  '[class*="key-point"]',
  '[class*="keypoint"]',
  '[class*="key_point"]',
  '[class*="takeaway"]',
  '[class*="highlights"]',
  '[class*="summary"]',
  '[class*="abstract"]',
];

function isoDate(text: string | undefined): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(text ?? '');
  return m ? `${m[1]}-${m[2]}-${m[3]}` : undefined;
}

function keyPointsIn(el: DomElement): string[] {
  const items = Array.from(el.querySelectorAll('li'));
  const texts = (items.length ? items : Array.from(el.querySelectorAll('p'))).map((i) => squash(i.textContent)).filter((t) => t !== '');
  return texts.length >= 1 && texts.length <= 7 && texts.every((t) => t.length <= 400) ? texts : [];
}

/** A "Key points" heading followed by a list. */
function keyPointsAfterHeading(doc: DomDocument): string[] {
  for (const heading of Array.from(doc.querySelectorAll('h2, h3, h4, strong'))) {
    if (!/^key\s+(?:points|takeaways|findings)$/i.test(squash(heading.textContent))) continue;
    let next = heading.parentNode && heading.tagName === 'STRONG' ? heading.parentNode : heading;
    for (let k = 0; k < 3 && next; k++) {
      const sibling = nextElement(next);
      if (!sibling) break;
      if (sibling.tagName === 'UL' || sibling.tagName === 'OL') return keyPointsIn(sibling);
      next = sibling;
    }
  }
  return [];
}

function nextElement(node: DomNode): DomElement | undefined {
  const parent = node.parentNode;
  if (!parent) return undefined;
  const siblings = Array.from(parent.childNodes);
  for (let i = siblings.indexOf(node) + 1; i < siblings.length; i++) {
    const s = siblings[i] as DomNode;
    if (s.nodeType === 1) return s as DomElement;
  }
  return undefined;
}

/**
 * Reads the metadata of an article page before its body is extracted (extraction drops the
 * header and the author box): title, kicker, author and bio, date, language and key points.
 */
export function readPageMeta(doc: DomDocument): PageMeta {
  const h1 = firstText(doc, ['article h1', 'main h1', 'h1']);
  const ogTitle = firstText(doc, ['meta[property="og:title"]', 'meta[name="twitter:title"]']);
  const meta: PageMeta = { keyPoints: [] };
  const title = h1 ?? ogTitle;
  if (title) meta.title = title;
  const kicker = firstText(doc, KICKER, SHORT_LABEL);
  if (kicker && kicker.toLowerCase() !== title?.toLowerCase()) meta.kicker = kicker;
  const author = firstText(doc, AUTHOR, NAME)?.replace(/^by\s+/i, '');
  if (author) meta.author = author;
  const bio = firstText(doc, AUTHOR_BIO, (t) => t.length >= 40);
  if (bio) meta.authorBio = bio;
  const dateEl = firstOf(doc, DATE);
  const date = isoDate(dateEl?.getAttribute('content') ?? dateEl?.getAttribute('datetime') ?? undefined);
  if (date) meta.date = date;
  const lang = doc.documentElement.getAttribute('lang')?.trim();
  if (lang && /^[a-z]{2,3}(?:-[a-z0-9]+)*$/i.test(lang)) meta.language = (lang.split('-')[0] as string).toLowerCase();
  for (const selector of KEY_POINTS) {
    const el = firstOf(doc, [selector]);
    const points = el ? keyPointsIn(el) : [];
    if (points.length) {
      meta.keyPoints = points;
      break;
    }
  }
  if (meta.keyPoints.length === 0) meta.keyPoints = keyPointsAfterHeading(doc);
  return meta;
}
