import { describe, expect, it } from 'vitest';
import { StderrCapture } from '../src/downstream/stderr-capture.js';

const SECRET = 'sk-live-0123456789abcdef';

function capture(): { lines: string[]; stderr: StderrCapture } {
  const lines: string[] = [];
  return { lines, stderr: new StderrCapture((line) => lines.push(line), [SECRET]) };
}

describe("a child's stderr", () => {
  it('masks a secret that a long line cuts through, and one that arrives in two chunks', () => {
    const { lines, stderr } = capture();
    stderr.write(`${'x'.repeat(1_990)}${SECRET} tail\n`);
    stderr.write(`key=${SECRET.slice(0, 10)}`);
    stderr.write(`${SECRET.slice(10)} done\n`);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe(`${'x'.repeat(1_990)}[redacted]…`);
    expect(lines[1]).toBe('key=[redacted] done');
    for (const line of lines) expect(line).not.toContain(SECRET.slice(0, 8));
  });

  it('keeps one cut line of a huge line, however it is chunked, then goes on with the next line', () => {
    const { lines, stderr } = capture();
    for (let i = 0; i < 50; i++) stderr.write(`${i === 25 ? SECRET : 'y'.repeat(100)}`.repeat(10));
    stderr.write('rest of the huge line\nnext line\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toHaveLength(2_001);
    expect(lines[1]).toBe('next line');
    expect(stderr.explanation()).toBe('next line');
  });

  it("names npm's 404 when npx cannot find the package, not its pointer to the debug log", () => {
    const { stderr } = capture();
    // What `npx -y @modelcontextprotocol/server-tim` (a misspelt package) prints, as captured from npm 11.
    stderr.write(
      [
        'npm error code E404',
        'npm error 404 Not Found - GET https://registry.npmjs.org/@modelcontextprotocol%2fserver-tim',
        'npm error 404',
        "npm error 404  The requested resource '@modelcontextprotocol/server-tim@*' could not be found or you do not have permission to access it.",
        'npm error 404',
        'npm error 404 Note that you can also install from a',
        'npm error 404 tarball, folder, http url, or git url.',
        'npm error A complete log of this run can be found in: /root/.npm/_logs/2026-12-07T23_27_13_508Z-debug-0.log',
        '',
      ].join('\n'),
    );
    expect(stderr.explanation()).toBe('npm error 404 Not Found - GET https://registry.npmjs.org/@modelcontextprotocol%2fserver-tim');
  });
});
