/**
 * oclif's `command_not_found` hook: a typed command that does not exist gets the nearest real one, with the words
 * the user typed after it (`router route explian hi` → `router route explain hi`), instead of oclif's bare
 * "command route:explian:hi not found". Exit code 2, like every usage error.
 */
import type {Hook} from '@oclif/core'

import {suggest} from '../../core/suggest.js'

const hook: Hook<'command_not_found'> = async function (options) {
  const commands = options.config.commandIDs.filter((id) => !options.config.findCommand(id)?.hidden)
  // With a space as topic separator, oclif folds every word into the id: find the longest leading words that look
  // like a command, and keep the rest as its arguments.
  const words = options.id.split(':')
  let guess: {command: string; used: number} | undefined
  for (let used = words.length; used >= 1 && guess === undefined; used--) {
    const [best] = suggest(words.slice(0, used).join(':'), commands, 1)
    if (best !== undefined && best.split(':').length === used) guess = {command: best, used}
  }
  const typed = words.join(' ')
  const lines = [`router: "${typed}" is not a router command.`]
  if (guess !== undefined) {
    const rest = [...words.slice(guess.used), ...(options.argv ?? [])]
    lines.push(`Did you mean: router ${[guess.command.replaceAll(':', ' '), ...rest].join(' ')}`)
  }
  lines.push('Run "router --help" for the list of commands.')
  process.stderr.write(lines.join('\n') + '\n')
  this.exit(2)
}

export default hook
