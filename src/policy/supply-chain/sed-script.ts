/** What `sedRunsCommands` names when it cannot read a script as sed would: it may hide an `e`. */
export const UNREADABLE_SED_SCRIPT = '(a script toolscope cannot read)';

/** sed refuses the script: no further reading is needed to know where its commands are. */
class Unreadable extends Error {}

/**
 * What in a GNU sed script hands text to a shell, if anything: the `e` command (`e id`, or `e` alone, running the
 * pattern space) or the `e` flag of `s` (`s/x/id/e`). The script is read as sed 4.9 compiles it (compile.c), so
 * an `e` inside a regex, a replacement, `a` text, a file name, a label or a comment is none. A script it cannot read
 * is named too, rather than trusted: sed refuses such a script, unless this reading falls short of sed's.
 */
export function sedRunsCommands(script: string): string | undefined {
  const cursor = new Cursor(script);
  try {
    for (let c = cursor.next(); c !== undefined; c = cursor.next()) {
      if (c === ';' || isSpace(c)) continue;
      const runs = command(cursor, afterAddresses(cursor, c));
      if (runs) return runs;
    }
    return undefined;
  } catch (error) {
    if (error instanceof Unreadable) return UNREADABLE_SED_SCRIPT;
    throw error;
  }
}

/** The script, one character at a time, as sed's `inchar`, `savchar` and `in_nonblank` read it. */
class Cursor {
  private at = 0;

  constructor(private readonly text: string) {}

  /** The next character, undefined at the end. */
  next(): string | undefined {
    const c = this.text[this.at];
    if (c !== undefined) this.at += 1;
    return c;
  }

  /** Puts back the character just read (nothing at the end). */
  back(c: string | undefined): void {
    if (c !== undefined) this.at -= 1;
  }

  /** The next character that is no space or tab. */
  nonBlank(): string | undefined {
    let c = this.next();
    while (c === ' ' || c === '\t') c = this.next();
    return c;
  }

  /** Reads to the end of the line, its newline included: a comment, a file name. */
  skipLine(): void {
    for (let c = this.next(); c !== undefined && c !== '\n'; c = this.next());
  }
}

const isSpace = (c: string | undefined) => c !== undefined && ' \t\n\v\f\r'.includes(c);
const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';

/** The command's character, after its addresses (`1,/x/I`, `0~4`, `$`) and `!`. */
function afterAddresses(cursor: Cursor, first: string): string | undefined {
  let c: string | undefined = first;
  if (address(cursor, c)) {
    c = cursor.nonBlank();
    if (c === ',') {
      if (!address(cursor, cursor.nonBlank())) throw new Unreadable();
      c = cursor.nonBlank();
    }
  }
  return c === '!' ? cursor.nonBlank() : c;
}

/** Reads an address that starts with `c`, if one does: `/regex/` or `\%regex%` with flags, `N`, `N~M`, `+N`, `~N`, `$`. */
function address(cursor: Cursor, c: string | undefined): boolean {
  if (c === '/' || c === '\\') {
    delimited(cursor, c === '\\' ? cursor.next() : c, true);
    let flag = cursor.nonBlank();
    while (flag === 'I' || flag === 'M') flag = cursor.nonBlank();
    cursor.back(flag);
    return true;
  }
  if (isDigit(c)) {
    integer(cursor, c);
    const step = cursor.nonBlank();
    if (step === '~') integer(cursor, cursor.nonBlank());
    else cursor.back(step);
    return true;
  }
  if (c === '+' || c === '~') {
    integer(cursor, cursor.nonBlank());
    return true;
  }
  return c === '$';
}

/** Reads one command from its character on: what it runs through a shell, if it does. */
function command(cursor: Cursor, c: string | undefined): string | undefined {
  switch (c) {
    case 'e':
      return 'e';
    case 's':
      return substitution(cursor);
    case '#':
    case 'r':
    case 'R':
    case 'w':
    case 'W':
      cursor.skipLine();
      return undefined;
    case ':':
    case 'b':
    case 't':
    case 'T':
    case 'v':
      label(cursor);
      return undefined;
    case 'a':
    case 'i':
    case 'c':
      text(cursor);
      return undefined;
    case 'y': {
      const delimiter = cursor.next();
      delimited(cursor, delimiter, false);
      delimited(cursor, delimiter, false);
      endOfCommand(cursor);
      return undefined;
    }
    case 'q':
    case 'Q':
    case 'l':
    case 'L':
      integer(cursor, cursor.nonBlank());
      endOfCommand(cursor);
      return undefined;
    case '{':
      return undefined;
    default:
      if (c === undefined || !'}=dDFgGhHnNpPxz'.includes(c)) throw new Unreadable();
      endOfCommand(cursor);
      return undefined;
  }
}

/** `s/regex/replacement/flags`: its `e` flag runs the result through a shell; `w` takes the rest of the line. */
function substitution(cursor: Cursor): string | undefined {
  const delimiter = cursor.next();
  delimited(cursor, delimiter, true);
  delimited(cursor, delimiter, false);
  for (;;) {
    const flag = cursor.nonBlank();
    if (flag === 'e') return 's///e';
    if (flag === 'w') {
      cursor.skipLine();
      return undefined;
    }
    if (isDigit(flag)) integer(cursor, flag);
    else if (flag === '}' || flag === '#') {
      cursor.back(flag);
      return undefined;
    } else if (flag === undefined || flag === '\n' || flag === ';' || (flag === '\r' && cursor.next() === '\n')) {
      return undefined;
    } else if (!'iImMpg'.includes(flag)) {
      throw new Unreadable();
    }
  }
}

/**
 * Reads up to and past `delimiter`, as sed's `match_slash`: a backslash escapes the next character (a newline too);
 * in a regex, a bracket expression may hold the delimiter (`s/[/]/x/`). A newline or the end first: sed refuses.
 */
function delimited(cursor: Cursor, delimiter: string | undefined, regex: boolean): void {
  if (delimiter === undefined || delimiter > '\x7f') throw new Unreadable();
  for (let c = cursor.next(); c !== undefined && c !== '\n'; c = cursor.next()) {
    if (c === delimiter) return;
    if (c === '\\') {
      if (cursor.next() === undefined) break;
    } else if (c === '[' && regex && bracketEnd(cursor) !== ']') {
      break;
    }
  }
  throw new Unreadable();
}

/** Reads the rest of a bracket expression (`[^]/[:alpha:]]`), as sed's `snarf_char_class`: the character ending it. */
function bracketEnd(cursor: Cursor): string | undefined {
  let c = cursor.next();
  if (c === '^') c = cursor.next();
  if (c === ']') c = cursor.next();
  // 0: plain; 1: after `[`; 2: inside `[:`, `[.` or `[=`; 3: after its closing `:`, `.` or `=`.
  let state = 0;
  let opener: string | undefined;
  for (; ; c = cursor.next()) {
    if (c === undefined || c === '\n') return c;
    if ((c === '.' || c === ':' || c === '=') && state === 1) {
      opener = c;
      state = 2;
      continue;
    }
    if (c === opener && state === 2) {
      state = 3;
      continue;
    }
    if (c === '[') {
      if (state === 0) state = 1;
      continue;
    }
    if (c === ']') {
      if (state <= 1) return c;
      if (state === 3) state = 0;
    }
    state &= ~1;
  }
}

/** Digits from `c` on (none is fine), as sed's `in_integer`. */
function integer(cursor: Cursor, c: string | undefined): void {
  let digit = c;
  while (isDigit(digit)) digit = cursor.next();
  cursor.back(digit);
}

/** A label (`:a`, `b a`, `v 4.2`): up to a blank, `;`, `}`, `#` or the line's end, which are left to read. */
function label(cursor: Cursor): void {
  let c = cursor.nonBlank();
  while (c !== undefined && !'\n \t;}#'.includes(c)) c = cursor.next();
  cursor.back(c);
}

/** `a`, `i` and `c` text (`a foo`, `a\` and the next line): to a newline no backslash escapes. */
function text(cursor: Cursor): void {
  const first = cursor.nonBlank();
  if (first === undefined) throw new Unreadable();
  // After `a\`, the next character is the text's first, even a backslash or the newline before it.
  if (first !== '\\') cursor.back(first);
  else if (cursor.next() === undefined) return;
  for (let c = cursor.next(); c !== undefined && c !== '\n'; c = cursor.next()) if (c === '\\') cursor.next();
}

/** After a command, only a blank, `;`, a newline, `}` or `#` may follow: anything else, sed refuses. */
function endOfCommand(cursor: Cursor): void {
  const c = cursor.nonBlank();
  if (c === '}' || c === '#') cursor.back(c);
  else if (c !== undefined && c !== '\n' && c !== ';') throw new Unreadable();
}
