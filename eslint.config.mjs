// Lint rules that keep the architecture: the domain imports only the domain (architecture.md R1).
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'data/**', 'bin/**', '*.config.js'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'writable', __dirname: 'readonly', process: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                'express',
                'express/*',
                'scimmy',
                'scimmy*',
                'passport*',
                '@node-saml/*',
                'typeorm',
                'typeorm/*',
                'mysql2',
                'better-sqlite3',
                'pino*',
              ],
              message: 'The domain imports only the domain (architecture.md R1): put this in an adapter.',
            },
            {
              group: ['**/adapters/**', '**/cli/**', '**/config/**', '**/jobs/**'],
              message: 'The domain must not import adapters, the CLI, config or jobs.',
            },
          ],
        },
      ],
    },
  },
);
