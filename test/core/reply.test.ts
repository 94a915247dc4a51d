import { describe, expect, it } from 'vitest';
import { mergeRanges, okReply, toJson } from '../../src/core/reply.ts';

describe('mergeRanges', () => {
  it('clamps to the text, drops empty ranges, sorts and merges overlapping or touching ones', () => {
    expect(
      mergeRanges(
        [
          [20, 30],
          [4, 9],
          [0, 5],
          [9, 12],
          [7, 7],
          [-3, 1],
        ],
        25,
      ),
    ).toEqual([
      [0, 12],
      [20, 25],
    ]);
  });
});

describe('toJson', () => {
  it('leaves out the buttons, which are not part of the JSON interface', () => {
    const reply = okReply('brief', 'T', { actions: [{ type: 'share', label: 'Share in channel' }] });
    expect(toJson(reply)).not.toHaveProperty('actions');
    expect(toJson(reply)).toMatchObject({ ok: true, command: 'brief', title: 'T', excerpts: [], sources: [], visibility: 'private' });
  });
});
