// Lint for the browser client (src/): ESLint's recommended rules, browser globals.
// Types are checked separately by `tsc -p .` (JSDoc, see tsconfig.json).

import js from '@eslint/js'
import globals from 'globals'

export default [
  js.configs.recommended,
  {
    files: ['src/**/*.js'],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
      globals: globals.browser
    }
  },
  {
    files: ['*.js', '*.mjs'],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
      globals: globals.node
    }
  },
  {
    ignores: ['static/', 'node_modules/']
  }
]
