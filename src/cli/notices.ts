/**
 * Messages for the terminal while `serve` runs: written to stderr at once, or held while the dashboard owns the
 * terminal and written when it closes.
 */
export interface Notices {
  notice(line: string): void
  /** From now on, hold messages (the dashboard is up). */
  hold(): void
  /** Writes what was held, and writes at once again. */
  release(): void
}

export function terminalNotices(write: (text: string) => void = (text) => process.stderr.write(text)): Notices {
  const held: string[] = []
  let holding = false
  return {
    notice(line) {
      if (holding) held.push(line)
      else write(line + '\n')
    },
    hold() {
      holding = true
    },
    release() {
      holding = false
      for (const line of held.splice(0)) write(line + '\n')
    },
  }
}
