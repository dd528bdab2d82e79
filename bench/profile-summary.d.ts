/** Types of `profile-summary.js`. */
export interface CallFrame {
  functionName: string
  scriptId?: string
  url: string
  lineNumber: number
  columnNumber: number
}
export interface CpuProfile {
  nodes: Array<{id: number; callFrame: CallFrame; hitCount?: number; children?: number[]}>
  startTime: number
  endTime: number
  samples: number[]
  timeDeltas: number[]
}
export interface Entry {
  name: string
  us: number
}
export interface ProfileSummary {
  busyUs: number
  idleUs: number
  self: Entry[]
  areas: Entry[]
  inclusive: Entry[]
}
export function areaOf(callFrame: CallFrame): string
export function summarizeProfile(profile: CpuProfile, options?: {windows?: Array<[number, number]>}): ProfileSummary
export function formatSummary(summary: ProfileSummary, options?: {top?: number; requests?: number}): string
