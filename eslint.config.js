/**
 * Lint: typescript-eslint's recommended rules, plus the house rules a machine can check. The rooms of `src/` and the
 * arrows between them are stated here once (ROOMS, CORE_FOLDERS); docs/architecture.md explains them.
 */
import path from 'node:path'

import js from '@eslint/js'
import {defineConfig} from 'eslint/config'
import globals from 'globals'
import tseslint from 'typescript-eslint'

/**
 * The core's folders in the one order they may import each other: each imports the core root (`src/core/*.ts`, leaf
 * helpers that import no folder) and the folders before it, never one after it. So the core reads one way.
 */
const CORE_FOLDERS = [
  'settings',
  'credentials',
  'sim',
  'catalog',
  'config',
  'policy',
  'routing',
  'audit',
  'metrics',
  'auth',
  'replay',
]

/** The rooms outside the core and the rooms each may import (`core`: any of src/core). */
const ROOMS = {
  gateway: ['core'],
  tui: ['core'],
  sim: ['core'],
  cli: ['core', 'gateway', 'tui', 'sim'],
  commands: ['core', 'cli', 'sim'],
}

/** Packages of the shells around the core (CLI, terminal UI, HTTP server and client): src/core stays pure. */
const FRAMEWORKS = [
  '@oclif/*',
  '@inquirer/*',
  'ink',
  'ink/*',
  'ink-*',
  'react',
  'react/*',
  'fastify',
  'fastify/*',
  '@fastify/*',
  'undici',
  'undici/*',
]

const SRC = path.join(import.meta.dirname, 'src')

/** `core` for the core root, `core/<folder>`, or the top folder under src/; undefined outside src/ rooms. */
function roomOf(file) {
  const parts = path.relative(SRC, file).split(path.sep)
  if (parts[0] === '..' || path.isAbsolute(parts[0]) || parts.length === 1) return undefined
  if (parts[0] === 'core') return parts.length === 2 ? 'core' : `core/${parts[1]}`
  return parts[0]
}

function isKnown(room) {
  return room === 'core' || (room.startsWith('core/') ? CORE_FOLDERS.includes(room.slice(5)) : room in ROOMS)
}

function mayImport(from, to) {
  if (from === to) return true
  if (from === 'core') return false
  const inCore = to === 'core' || to.startsWith('core/')
  if (from.startsWith('core/')) {
    if (to === 'core') return true
    return inCore && CORE_FOLDERS.indexOf(to.slice(5)) < CORE_FOLDERS.indexOf(from.slice(5))
  }
  return ROOMS[from].includes(to) || (inCore && ROOMS[from].includes('core'))
}

/** What a room may import, for the message. */
function allowedFor(from) {
  if (from === 'core') return 'the core root only'
  if (from.startsWith('core/')) {
    const before = CORE_FOLDERS.slice(0, CORE_FOLDERS.indexOf(from.slice(5)))
    return ['core root', ...before.map((folder) => `core/${folder}`)].join(', ')
  }
  return ROOMS[from].join(', ')
}

/** `house/rooms`: a relative import (static, dynamic or re-export) may only cross an arrow of ROOMS / CORE_FOLDERS. */
const rooms = {
  meta: {
    type: 'problem',
    docs: {description: 'Imports between the rooms of src/ follow the arrows in eslint.config.js'},
    schema: [],
  },
  create(context) {
    const from = roomOf(context.filename)
    if (from === undefined) return {}
    if (!isKnown(from)) {
      return {
        Program(node) {
          context.report({
            node,
            message: `src/${from} is not a room yet: add it to ROOMS or CORE_FOLDERS in eslint.config.js (and docs/architecture.md).`,
          })
        },
      }
    }
    const check = (source) => {
      if (source?.type !== 'Literal' || typeof source.value !== 'string' || !source.value.startsWith('.')) return
      const to = roomOf(path.resolve(path.dirname(context.filename), source.value))
      if (to === undefined || mayImport(from, to)) return
      context.report({
        node: source,
        message: `src/${from} may not import src/${to}: it may import ${allowedFor(from)} (see docs/architecture.md).`,
      })
    }
    return {
      ImportDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source),
    }
  },
}

export default defineConfig(
  {ignores: ['dist/', 'coverage/', 'logs/', 'bench/results/']},
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: {globals: globals.node},
    plugins: {house: {rules: {rooms}}},
    rules: {
      // A leading underscore marks a parameter or a destructured field that is deliberately left unused.
      '@typescript-eslint/no-unused-vars': [
        'error',
        {argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true},
      ],
      // `catch {}` is how "not JSON, keep the text" reads here.
      'no-empty': ['error', {allowEmptyCatch: true}],
      // Runs of spaces in test regexps match column alignment, and read as such.
      'no-regex-spaces': 'off',
      'house/rooms': 'error',
    },
  },
  {
    files: ['src/core/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {group: FRAMEWORKS, message: 'src/core is pure: no CLI, UI or HTTP framework (see docs/architecture.md).'},
          ],
        },
      ],
      'no-console': 'error',
      'no-restricted-properties': [
        'error',
        {object: 'process', property: 'exit', message: 'src/core throws typed errors; the CLI decides how to exit.'},
      ],
    },
  },
  {
    // Schemas live only in src/core/**/schema.ts; elsewhere zod's types may be used, not its builders.
    files: ['src/**'],
    ignores: ['src/core/**/schema.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'zod',
              allowTypeImports: true,
              message: 'zod schemas live in src/core/**/schema.ts; import them from there.',
            },
          ],
        },
      ],
    },
  },
  {
    // Node 20's V8 builds an object literal that goes on after a spread (`{...base, more}`, `{...a, ...b}`) through a
    // slow runtime path: 1.5 to 8 µs a literal, against 30 ns for the same object written out, and 20 ns for a literal
    // whose only spread comes last. On the request path those literals cost the gateway a large share of its CPU per
    // request. Write the fields out, put the one spread last, or use Object.assign.
    files: [
      'src/gateway/**',
      'src/tui/**',
      'src/core/routing/**',
      'src/core/metrics/**',
      'src/core/audit/**',
      'src/core/policy/**',
      'src/core/auth/**',
      'src/core/replay/**',
    ],
    ignores: ['**/schema.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'ObjectExpression > SpreadElement:not(:last-child)',
          message:
            'On the request path an object literal may not go on after a spread (slow in Node 20: 1.5-8 µs): write the fields out, put the spread last, or use Object.assign.',
        },
      ],
    },
  },
  {
    // A command file is its command class: static metadata and a run() that hands off to src/cli or src/core.
    files: ['src/commands/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'Program > :not(ImportDeclaration, ExportDefaultDeclaration)',
          message: 'src/commands holds command classes only: move helpers, constants and types to src/cli.',
        },
        {
          selector: 'ExportDefaultDeclaration > :not(ClassDeclaration[superClass])',
          message: 'A command file default-exports its command class (extending BaseCommand or Command).',
        },
      ],
    },
  },
  {
    files: ['src/sim/**', 'test/**', 'bench/**'],
    rules: {
      // The simulator and the tests walk untyped JSON bodies; the product code keeps `any` out.
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    files: ['test/**'],
    rules: {
      'no-restricted-properties': [
        'error',
        {object: 'vi', property: 'mock', message: 'Never mock our own code: run it (see the house rules).'},
        {object: 'vi', property: 'doMock', message: 'Never mock our own code: run it (see the house rules).'},
      ],
    },
  },
)
