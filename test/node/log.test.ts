import { afterEach, describe, expect, it, vi } from 'vitest';
import { log, setLogLevel } from '../../src/lib/log';

describe('LOG_LEVEL', () => {
  afterEach(() => {
    setLogLevel(undefined);
    vi.restoreAllMocks();
  });

  const capture = () => {
    const lines: string[] = [];
    for (const method of ['log', 'warn', 'error'] as const)
      vi.spyOn(console, method).mockImplementation((line: string) => void lines.push(line));
    return lines;
  };
  const levels = (lines: string[]) => lines.map((line) => (JSON.parse(line) as { level: string }).level);

  it('logs every level by default, and when the value is not a level', () => {
    for (const value of [undefined, '', 'debug', 'INFO']) {
      setLogLevel(value);
      const lines = capture();
      log.info('a');
      log.warn('b');
      log.error('c');
      expect(levels(lines)).toEqual(['info', 'warn', 'error']);
      vi.restoreAllMocks();
    }
  });

  it('drops the levels below the one set', () => {
    setLogLevel('warn');
    let lines = capture();
    log.info('request', { status: 202 });
    log.warn('b');
    log.error('c');
    expect(levels(lines)).toEqual(['warn', 'error']);
    vi.restoreAllMocks();
    setLogLevel('error');
    lines = capture();
    log.info('a');
    log.warn('b');
    log.error('c');
    expect(levels(lines)).toEqual(['error']);
  });
});
