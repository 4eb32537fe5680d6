import { stringify, type Options } from 'csv-stringify/sync';

/**
 * CSV for people who open it in a spreadsheet: a cell that a spreadsheet would run as a formula
 * (starting with =, +, -, @, a tab or a carriage return) is escaped, since the IdP, the HR export
 * and users control these values. Every report Roster writes as CSV goes through here.
 */
export function spreadsheetCsv(rows: unknown[], options: Pick<Options, 'header' | 'columns'> = {}): string {
  return stringify(rows, { ...options, escape_formulas: true, cast: { boolean: String } });
}
