// Shared flat config: ESLint's recommended rules plus typescript-eslint's type-checked set,
// with type information from each package's tsconfig (project service).
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Lab-view strategy packages: each stands on the lab kit alone, never on another. */
const STRATEGY_PACKAGES = ['baselines', 'vmm-full', 'vmm-para', 'os-containers'];

/**
 * The import rule for `files`: never the runner app, never `forbidden` (other strategy packages).
 * @param {string} files
 * @param {string[]} forbidden
 */
function arrows(files, forbidden) {
  const patterns = [
    { group: ['@virtlab/runner', '@virtlab/runner/*'], message: 'packages never import the runner app' },
    { group: ['**/apps/**'], message: 'packages never import from apps/' },
  ];
  if (forbidden.length > 0) patterns.push({ group: forbidden, message: 'a strategy package never imports another strategy package' });
  return { files: [files], rules: { 'no-restricted-imports': ['error', { patterns }] } };
}

/** @param {{ tsconfigRootDir: string, ignores?: string[] }} options */
export function virtlabEslint({ tsconfigRootDir, ignores = [] }) {
  return tseslint.config(
    {
      ignores: [
        '**/dist/**',
        '**/node_modules/**',
        '**/coverage/**',
        '**/.turbo/**',
        'packages/guest/images/**',
        ...ignores,
      ],
    },
    js.configs.recommended,
    ...tseslint.configs.recommendedTypeChecked,
    {
      languageOptions: {
        globals: { ...globals.node },
        parserOptions: {
          projectService: {
            allowDefaultProject: ['*.js', '*.mjs', 'tooling/*/*.js', 'scripts/*.mjs'],
          },
          tsconfigRootDir,
        },
      },
      rules: {
        '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
        '@typescript-eslint/consistent-type-imports': 'error',
        '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
        // Emulator hot loops use bitwise int32 arithmetic by design.
        'no-bitwise': 'off',
      },
    },
    // Arrows point one way (ARCHITECTURE.md): no package imports the app, and a strategy package
    // imports no other strategy package.
    arrows('packages/**/*.ts', []),
    ...STRATEGY_PACKAGES.map((name) =>
      arrows(
        `packages/${name}/**/*.ts`,
        STRATEGY_PACKAGES.filter((other) => other !== name).map((other) => `@virtlab/${other}`),
      ),
    ),
    {
      files: ['**/*.js', '**/*.mjs'],
      ...tseslint.configs.disableTypeChecked,
    },
  );
}
