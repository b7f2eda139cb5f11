/**
 * Reads comma-separated values as PowerShell's `Import-Csv` does, the way the community report
 * scripts for Lync's audit files read them: the first record names the columns, every later record
 * becomes an object keyed by those names (a missing cell is null, an extra one dropped), RFC 4180
 * quoting (a quoted cell may hold commas, doubled quotes and line breaks), records end in CRLF or
 * LF. Stricter than PowerShell where PowerShell guesses: a quote inside an unquoted cell, text after
 * a closing quote or an unterminated quote throws, so a test cannot pass on a malformed file.
 */
export function importCsv(text: string): Record<string, string | null>[] {
  const records = parseCsv(text);
  const header = records.shift();
  if (!header) return [];
  if (new Set(header).size !== header.length) throw new Error(`repeated column names in ${JSON.stringify(header)}`);
  return records.map((cells) => Object.fromEntries(header.map((name, index) => [name, cells[index] ?? null])));
}

/** The records of an RFC 4180 text, each a list of cells; an empty last line is no record. */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let cell = '';
  let at = 0;
  let quoted = false;
  let afterQuote = false;
  const endCell = () => {
    record.push(cell);
    cell = '';
    afterQuote = false;
  };
  while (at < text.length) {
    const char = text[at];
    if (quoted) {
      if (char === '"') {
        if (text[at + 1] === '"') {
          cell += '"';
          at += 2;
          continue;
        }
        quoted = false;
        afterQuote = true;
      } else {
        cell += char;
      }
      at += 1;
      continue;
    }
    if (char === ',') {
      endCell();
    } else if (char === '\r' || char === '\n') {
      endCell();
      records.push(record);
      record = [];
      if (char === '\r' && text[at + 1] === '\n') at += 1;
    } else if (char === '"') {
      if (cell !== '' || afterQuote) throw new Error(`a quote inside an unquoted cell at ${at}`);
      quoted = true;
    } else {
      if (afterQuote) throw new Error(`text after a closing quote at ${at}`);
      cell += char;
    }
    at += 1;
  }
  if (quoted) throw new Error('an unterminated quoted cell');
  if (cell !== '' || record.length > 0 || afterQuote) {
    endCell();
    records.push(record);
  }
  return records;
}
