// Expected outputs were checked against GNU diff -u (diffutils) with --label a/resume.md b/resume.md.
import { describe, expect, it } from 'vitest';
import { unifiedDiff } from '../../src/env/resume/diff.js';

const ten = Array.from({ length: 10 }, (_, i) => `l${i + 1}`).join('\n') + '\n';

describe('unifiedDiff', () => {
  it('is empty for equal texts', () => {
    expect(unifiedDiff(ten, ten)).toBe('');
  });

  it('one changed line with 3 lines of context', () => {
    expect(unifiedDiff(ten, ten.replace('l5\n', 'L5\n'))).toBe(
      ['--- a/resume.md', '+++ b/resume.md', '@@ -2,7 +2,7 @@', ' l2', ' l3', ' l4', '-l5', '+L5', ' l6', ' l7', ' l8'].join('\n'),
    );
  });

  it('context is cut at the start of the file', () => {
    expect(unifiedDiff(ten, ten.replace('l1\n', 'L1\n'))).toBe(
      ['--- a/resume.md', '+++ b/resume.md', '@@ -1,4 +1,4 @@', '-l1', '+L1', ' l2', ' l3', ' l4'].join('\n'),
    );
  });

  it('a line split in two and a deletion', () => {
    expect(unifiedDiff(ten, ten.replace('l9\n', 'l9a\nl9b\n'))).toBe(
      ['--- a/resume.md', '+++ b/resume.md', '@@ -6,5 +6,6 @@', ' l6', ' l7', ' l8', '-l9', '+l9a', '+l9b', ' l10'].join('\n'),
    );
    expect(unifiedDiff(ten, ten.replace('l10\n', ''))).toBe(
      ['--- a/resume.md', '+++ b/resume.md', '@@ -7,4 +7,3 @@', ' l7', ' l8', ' l9', '-l10'].join('\n'),
    );
  });

  it('omits ",1" and writes an empty range as the line before with ",0"', () => {
    expect(unifiedDiff('a\n', 'b\n')).toBe('--- a/resume.md\n+++ b/resume.md\n@@ -1 +1 @@\n-a\n+b');
    expect(unifiedDiff('', 'a\n')).toBe('--- a/resume.md\n+++ b/resume.md\n@@ -0,0 +1 @@\n+a');
    expect(unifiedDiff('a\nb\n', 'b\n')).toBe('--- a/resume.md\n+++ b/resume.md\n@@ -1,2 +1 @@\n-a\n b');
  });

  it('far-apart changes make two hunks, near ones merge', () => {
    const twenty = Array.from({ length: 20 }, (_, i) => `l${i + 1}`).join('\n') + '\n';
    const far = twenty.replace('l2\n', 'X\n').replace('l18\n', 'Y\n');
    expect(unifiedDiff(twenty, far)).toBe(
      [
        '--- a/resume.md',
        '+++ b/resume.md',
        '@@ -1,5 +1,5 @@',
        ' l1',
        '-l2',
        '+X',
        ' l3',
        ' l4',
        ' l5',
        '@@ -15,6 +15,6 @@',
        ' l15',
        ' l16',
        ' l17',
        '-l18',
        '+Y',
        ' l19',
        ' l20',
      ].join('\n'),
    );
    // 6 unchanged lines between changes (= 2 x context) still make one hunk.
    const near = twenty.replace('l2\n', 'X\n').replace('l9\n', 'Y\n');
    const d = unifiedDiff(twenty, near);
    expect(d.match(/^@@/gm)).toHaveLength(1);
    expect(d.split('\n')[2]).toBe('@@ -1,12 +1,12 @@');
    // 7 unchanged lines split them.
    const apart = twenty.replace('l2\n', 'X\n').replace('l10\n', 'Y\n');
    expect(unifiedDiff(twenty, apart).match(/^@@/gm)).toHaveLength(2);
  });

  it('marks a missing final newline', () => {
    expect(unifiedDiff('a\nb', 'a\nc')).toBe(
      '--- a/resume.md\n+++ b/resume.md\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file',
    );
    // Only the final newline changes: still a diff.
    expect(unifiedDiff('a\nb\n', 'a\nb')).toBe(
      '--- a/resume.md\n+++ b/resume.md\n@@ -1,2 +1,2 @@\n a\n-b\n+b\n\\ No newline at end of file',
    );
  });

  it('keeps Unicode as is', () => {
    expect(unifiedDiff('Café ☕\n', 'Café 🚀\n')).toBe('--- a/resume.md\n+++ b/resume.md\n@@ -1 +1 @@\n-Café ☕\n+Café 🚀');
  });
});
