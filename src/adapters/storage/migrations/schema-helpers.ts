import { TableForeignKey, TableIndex, type QueryRunner } from 'typeorm';
import type { TableColumnOptions } from 'typeorm/schema-builder/options/TableColumnOptions';
import { dialectOf } from '../dialect';

/** Column, index and foreign-key builders shared by the migrations, the same on SQLite and MySQL. */
export function index(table: string, columnNames: string[]): TableIndex {
  return new TableIndex({ name: `ix_${table}_${columnNames.join('_')}`, columnNames });
}

export function fk(
  table: string,
  columnNames: string[],
  referencedTableName: string,
  referencedColumnNames: string[],
  onDelete: 'CASCADE' | 'RESTRICT' = 'RESTRICT',
): TableForeignKey {
  return new TableForeignKey({
    name: `fk_${table}_${columnNames.join('_')}`,
    columnNames,
    referencedTableName,
    referencedColumnNames,
    onDelete,
  });
}

/**
 * The binary collation without PAD SPACE: `'x' = 'x  '` is false, as on SQLite. MariaDB names it
 * utf8mb4_nopad_bin, MySQL 8 utf8mb4_0900_bin. The driver has read the server's version number by
 * now; MariaDB's are 10 and up, MySQL's 8 and 9 (a mysql:// URL may point at a MariaDB server).
 */
export function noPadCollation(runner: QueryRunner): string {
  const driver = runner.connection.driver as { version?: string; options: { type: string } };
  const major = Number(String(driver.version ?? '').split('.')[0]);
  return driver.options.type === 'mariadb' || major >= 10 ? 'utf8mb4_nopad_bin' : 'utf8mb4_0900_bin';
}

/** Column builders that emit the right type per dialect. */
export function columns(runner: QueryRunner) {
  const mysql = dialectOf(runner) === 'mysql';
  const binary: Partial<TableColumnOptions> = mysql
    ? { charset: 'utf8mb4', collation: noPadCollation(runner) }
    : {};
  return {
    id: (name: string, isPrimary = false, isNullable = false): TableColumnOptions => ({
      name,
      type: 'varchar',
      length: '36',
      isPrimary,
      isNullable,
      ...binary,
    }),
    str: (name: string, length = 255, isNullable = false): TableColumnOptions => ({
      name,
      type: 'varchar',
      length: String(length),
      isNullable,
      ...binary,
    }),
    bool: (name: string): TableColumnOptions => ({ name, type: 'boolean', isNullable: false }),
    int: (name: string, isPrimary = false): TableColumnOptions => ({ name, type: 'integer', isPrimary }),
    time: (name: string, isNullable = false): TableColumnOptions => ({ name, type: 'bigint', isNullable }),
    json: (name: string, isNullable = false): TableColumnOptions => ({
      name,
      type: mysql ? 'mediumtext' : 'text',
      isNullable,
      ...binary,
    }),
    serial: (name: string): TableColumnOptions => ({
      name,
      type: mysql ? 'bigint' : 'integer',
      isPrimary: true,
      isGenerated: true,
      generationStrategy: 'increment',
    }),
  };
}
