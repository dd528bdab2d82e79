#!/usr/bin/env node
// The older command name: the same as `router serve`, with the same flags.
process.env.NODE_ENV ??= 'production'

const {execute} = await import('@oclif/core')
await execute({args: ['serve', ...process.argv.slice(2)], dir: import.meta.url})
