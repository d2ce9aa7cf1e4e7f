import { describe, expect, it } from 'vitest';
import { parsePathList } from './files';

describe('parsePathList', () => {
  it('splits on newlines and semicolons, trims and unquotes', () => {
    expect(parsePathList(' /a/b \n"/c d/e";  \'/f\' ;;')).toEqual(['/a/b', '/c d/e', '/f']);
    expect(parsePathList('   ')).toEqual([]);
  });
});
