import { ConfigError } from './errors.js';

export type TokenKind = 'word' | 'string' | '{' | '}' | ';' | '=' | '+=' | 'newline' | 'eof';

export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  readonly line: number;
  readonly column: number;
}

const PUNCT = new Set(['{', '}', ';', '=']);
const isWordChar = (c: string) => /[A-Za-z0-9_.\-/:,*@%()!]/.test(c);

/**
 * Tokens of a configuration text, with 1-based line and column: words, double-quoted strings
 * (backslash escapes \" \\ \n \t), punctuation, and (when keepNewlines) line ends. Comments:
 * `#` and `//` to the end of the line, `/* ... *\/`. One pass over the text.
 */
export function tokenize(text: string, file: string, keepNewlines = false): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let column = 1;
  const advance = () => {
    if (text[i] === '\n') {
      line++;
      column = 1;
    } else {
      column++;
    }
    i++;
  };
  while (i < text.length) {
    const c = text[i] as string;
    if (c === '\n') {
      if (keepNewlines) tokens.push({ kind: 'newline', text: '\n', line, column });
      advance();
    } else if (c === ' ' || c === '\t' || c === '\r') {
      advance();
    } else if (c === '#' || (c === '/' && text[i + 1] === '/')) {
      while (i < text.length && text[i] !== '\n') advance();
    } else if (c === '/' && text[i + 1] === '*') {
      const at = { line, column };
      advance();
      advance();
      while (i < text.length && !(text[i] === '*' && text[i + 1] === '/')) advance();
      if (i >= text.length) throw new ConfigError('syntax', { file, ...at }, 'unterminated comment');
      advance();
      advance();
    } else if (c === '"') {
      const at = { line, column };
      advance();
      let value = '';
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\n') throw new ConfigError('syntax', { file, ...at }, 'unterminated string');
        if (text[i] === '\\') {
          advance();
          const e = text[i];
          if (e === undefined) break;
          value += e === 'n' ? '\n' : e === 't' ? '\t' : e;
        } else {
          value += text[i];
        }
        advance();
      }
      if (i >= text.length) throw new ConfigError('syntax', { file, ...at }, 'unterminated string');
      advance();
      tokens.push({ kind: 'string', text: value, ...at });
    } else if (c === '+' && text[i + 1] === '=') {
      tokens.push({ kind: '+=', text: '+=', line, column });
      advance();
      advance();
    } else if (PUNCT.has(c)) {
      tokens.push({ kind: c as TokenKind, text: c, line, column });
      advance();
    } else if (isWordChar(c)) {
      const at = { line, column };
      let word = '';
      while (i < text.length && isWordChar(text[i] as string)) {
        word += text[i];
        advance();
      }
      tokens.push({ kind: 'word', text: word, ...at });
    } else {
      throw new ConfigError('syntax', { file, line, column }, `unexpected character '${c}'`);
    }
  }
  tokens.push({ kind: 'eof', text: '', line, column });
  return tokens;
}
