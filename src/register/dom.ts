import { parseHTML } from 'linkedom';

/**
 * The few DOM members the extraction uses, typed locally (the project compiles without the
 * DOM library). linkedom's nodes satisfy them.
 */
export interface DomNode {
  nodeType: number;
  nodeName: string;
  textContent: string | null;
  childNodes: ArrayLike<DomNode>;
  parentNode: DomNode | null;
}

export interface DomElement extends DomNode {
  tagName: string;
  getAttribute(name: string): string | null;
  querySelector(selector: string): DomElement | null;
  querySelectorAll(selector: string): ArrayLike<DomElement>;
  remove(): void;
}

export interface DomDocument {
  documentElement: DomElement;
  querySelector(selector: string): DomElement | null;
  querySelectorAll(selector: string): ArrayLike<DomElement>;
}

export const ELEMENT_NODE = 1;
export const TEXT_NODE = 3;

/** Parses an HTML page (never runs its scripts). */
export function parseDocument(html: string): DomDocument {
  return parseHTML(html).document as unknown as DomDocument;
}

export function isElement(node: DomNode): node is DomElement {
  return node.nodeType === ELEMENT_NODE;
}

/** Text with whitespace collapsed. */
export function squash(text: string | null | undefined): string {
  return (text ?? '').replace(/\s+/g, ' ').trim();
}

/** The first selector that matches, trying them in order (querySelector with a list picks document order instead). */
export function firstOf(root: DomDocument | DomElement, selectors: string[]): DomElement | undefined {
  for (const selector of selectors) {
    try {
      const found = root.querySelector(selector);
      if (found) return found;
    } catch {
      // A selector the DOM implementation does not support: try the next one.
    }
  }
  return undefined;
}

/** Text of the first matching element or `content` attribute that passes `accept`. */
export function firstText(root: DomDocument, selectors: string[], accept: (text: string) => boolean = (t) => t !== ''): string | undefined {
  for (const selector of selectors) {
    let list: ArrayLike<DomElement>;
    try {
      list = root.querySelectorAll(selector);
    } catch {
      continue;
    }
    for (const el of Array.from(list)) {
      const text = squash(el.tagName === 'META' ? el.getAttribute('content') : el.textContent);
      if (accept(text)) return text;
    }
  }
  return undefined;
}
