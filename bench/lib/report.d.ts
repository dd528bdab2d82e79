/** Types of `report.js`. */
export interface Target {
  id: string
  label: string
  unit: string
  max?: number
  min?: number
  scale?: number
  maxFrom?: (figures: Record<string, number>) => number
  maxText?: string
}
export interface TargetCheck {
  id: string
  label: string
  value: number
  unit: string
  target: string
  ok: boolean
}
export const TARGETS: Target[]
export function evaluateTargets(figures: Record<string, number | null | undefined>): TargetCheck[]
export function table(rows: Array<Array<string | number | null | undefined>>, indent?: string): string
export function int(value: number | null | undefined): string
export function num(value: number | null | undefined, digits: number, unit?: string): string
export function signed(value: number | null | undefined, digits: number, unit: string): string
export function verdict(checks: TargetCheck[], id: string): string
