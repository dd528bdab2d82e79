/**
 * Interactive questions, only ever asked in a terminal. Commands take a `Prompter` so that every question has a flag
 * that answers it, and a run without a terminal fails with the flag's name instead of waiting for input.
 */
import {RouterError} from '../core/errors.js'

/** A choice in a list question. */
export interface Choice<T extends string> {
  name: string
  value: T
  description?: string
  checked?: boolean
}

/** The questions a command may ask. */
export interface Prompter {
  select<T extends string>(message: string, choices: ReadonlyArray<Choice<T>>, defaultValue?: T): Promise<T>
  input(message: string, options?: {default?: string; validate?: (value: string) => true | string}): Promise<string>
  /** Masked input (a key). */
  password(message: string, options?: {validate?: (value: string) => true | string}): Promise<string>
  checkbox<T extends string>(message: string, choices: ReadonlyArray<Choice<T>>): Promise<T[]>
  confirm(message: string, defaultValue?: boolean): Promise<boolean>
}

/** True when questions can be asked: stdin and stdout are both terminals. */
export function isInteractive(): boolean {
  return Boolean(process.stdin.isTTY && process.stdout.isTTY)
}

/** Questions with @inquirer/prompts; Ctrl-C ends the command with "Cancelled." and exit code 130. */
export function terminalPrompter(): Prompter {
  // Loaded on the first question: scripted runs never pay for it.
  const prompts = () => import('@inquirer/prompts')
  return {
    select: async (message, choices, defaultValue) =>
      cancellable(
        (await prompts()).select({
          message,
          choices: choices.map(({checked: _checked, ...choice}) => choice),
          default: defaultValue,
          pageSize: 12,
        }),
      ),
    input: async (message, options = {}) =>
      cancellable((await prompts()).input({message, default: options.default, validate: options.validate})),
    password: async (message, options = {}) =>
      cancellable((await prompts()).password({message, mask: '*', validate: options.validate})),
    checkbox: async (message, choices) =>
      cancellable((await prompts()).checkbox({message, choices: [...choices], pageSize: 15})),
    confirm: async (message, defaultValue) => cancellable((await prompts()).confirm({message, default: defaultValue})),
  }
}

async function cancellable<T>(answer: Promise<T>): Promise<T> {
  try {
    return await answer
  } catch (error) {
    if (error instanceof Error && (error.name === 'ExitPromptError' || error.name === 'AbortPromptError')) {
      throw new RouterError('cancelled', 'Cancelled; nothing was written.', {exitCode: 130})
    }
    throw error
  }
}
