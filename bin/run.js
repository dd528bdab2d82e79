#!/usr/bin/env node
// React (the dashboard) reads NODE_ENV when it loads: its development build costs twice the CPU.
process.env.NODE_ENV ??= 'production'

const {execute} = await import('@oclif/core')
await execute({dir: import.meta.url})
