/** Types of `stats.js` (plain JavaScript, so that `npm run bench` needs no build step of its own). */
export function mean(values: number[]): number | null
export function quantile(values: number[], q: number): number | null
export function linearFit(points: Array<[number, number]>): {slope: number; intercept: number; r2: number} | null
export function round(value: number | null | undefined, digits?: number): number | null
