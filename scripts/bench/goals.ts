/** The goals `npm run bench` checks, per database, and how a figure is judged and printed. */
import { loadavg } from 'node:os';

export type Database = 'sqlite' | 'mariadb';

export type GoalKey =
  | 'getById'
  | 'filterThroughput'
  | 'usersPage'
  | 'groupsPage'
  | 'authorize'
  | 'filterP99'
  | 'addMember'
  | 'cursorEnd'
  | 'mapAdd'
  | 'mapRemove'
  | 'serverRss'
  | 'hrFirstRun'
  | 'hrPeakRss';

interface GoalSpec {
  label: string;
  /** `min`: the figure must reach the goal; `max`: it must stay at or under it. */
  kind: 'min' | 'max';
  unit: string;
  goal: Record<Database, number | null>;
}

/** null: no goal on that database (the figure is still printed). */
export const goalSpecs: Record<GoalKey, GoalSpec> = {
  getById: {
    label: 'GET /Users/{id} / ceiling',
    kind: 'min',
    unit: '',
    goal: { sqlite: 0.5, mariadb: 0.35 },
  },
  filterThroughput: {
    label: 'filter userName eq / ceiling',
    kind: 'min',
    unit: '',
    goal: { sqlite: 0.4, mariadb: 0.3 },
  },
  usersPage: {
    label: 'page of 100 users / ceiling',
    kind: 'min',
    unit: '',
    goal: { sqlite: 0.1, mariadb: 0.1 },
  },
  groupsPage: {
    label: 'page of 100 groups, no members / ceiling',
    kind: 'min',
    unit: '',
    goal: { sqlite: 0.1, mariadb: 0.1 },
  },
  authorize: {
    label: 'POST /api/v1/authorize / ceiling',
    kind: 'min',
    unit: '',
    goal: { sqlite: 0.7, mariadb: null },
  },
  filterP99: {
    label: 'filter p99, 100,000 / 1,000 users',
    kind: 'max',
    unit: '',
    goal: { sqlite: 1.5, mariadb: 1.5 },
  },
  addMember: {
    label: 'add a member, 100,000- / 100-member group',
    kind: 'max',
    unit: '',
    goal: { sqlite: 1.5, mariadb: 1.5 },
  },
  cursorEnd: {
    label: 'cursor page at the end / first page (100,000 users)',
    kind: 'max',
    unit: '',
    goal: { sqlite: 1.5, mariadb: 1.5 },
  },
  mapAdd: {
    label: 'map a 100,000-member group to a role',
    kind: 'max',
    unit: 's',
    goal: { sqlite: 10, mariadb: null },
  },
  mapRemove: { label: 'remove that mapping', kind: 'max', unit: 's', goal: { sqlite: 10, mariadb: null } },
  serverRss: {
    label: 'server peak RSS, 100,000 users + 1,000 groups, mixed load',
    kind: 'max',
    unit: 'MB',
    goal: { sqlite: 250, mariadb: 250 },
  },
  hrFirstRun: {
    label: 'HR sync, realistic export (SQLite 100,000 rows; MariaDB 10,000)',
    kind: 'max',
    unit: 's',
    goal: { sqlite: 60, mariadb: null },
  },
  hrPeakRss: { label: 'HR sync peak RSS', kind: 'max', unit: 'MB', goal: { sqlite: 300, mariadb: null } },
};

export interface GoalResult {
  key: GoalKey;
  database: Database;
  figure: number;
  /** Load average (1 min) when the figure was taken. */
  load: number;
  /** e.g. "(3,664 / 6,775 req/s)". */
  detail: string;
}

export function judge(result: GoalResult): { goalText: string; verdict: 'PASS' | 'MISS' | 'no goal' } {
  const spec = goalSpecs[result.key];
  const goal = spec.goal[result.database];
  if (goal === null) return { goalText: '—', verdict: 'no goal' };
  const pass = spec.kind === 'min' ? result.figure >= goal : result.figure <= goal;
  const goalText = `${spec.kind === 'min' ? '≥' : '≤'} ${goal}${spec.unit ? ` ${spec.unit}` : ''}`;
  return { goalText, verdict: pass ? 'PASS' : 'MISS' };
}

export function formatFigure(result: GoalResult): string {
  const unit = goalSpecs[result.key].unit;
  const digits = unit === '' ? 3 : unit === 's' ? 1 : 0;
  return `${result.figure.toFixed(digits)}${unit ? ` ${unit}` : ''}`;
}

/** One line per goal: what, figure, goal, verdict, load, detail. */
export function goalLine(result: GoalResult): string {
  const { goalText, verdict } = judge(result);
  return (
    `   ${goalSpecs[result.key].label.padEnd(56)} ${formatFigure(result).padStart(9)}  ${goalText.padEnd(9)} ` +
    `${verdict.padEnd(7)} load ${result.load.toFixed(1)}  ${result.detail}`
  );
}

export function currentLoad(): number {
  return loadavg()[0];
}
