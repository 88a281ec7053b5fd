import type { Election } from '../types.js'
import type { PabulibFile, PabulibRow } from './parse.js'

const NEEDS_QUOTES = /[;"\r\n]/

function field(value: string): string {
  return NEEDS_QUOTES.test(value) ? '"' + value.replaceAll('"', '""') + '"' : value
}

function row(values: PabulibRow): string {
  return values.map(field).join(';')
}

export interface WriteOptions {
  /** Line terminator; pabulib files use both. Default "\n". */
  readonly lineEnding?: '\n' | '\r\n'
}

/**
 * Writes the raw content of a parsed file back as .pb text: `parsePabulib(writePabulib(f))` deep-equals `f`.
 * The election is not written: it is derived from the raw rows, which are the source of truth.
 */
export function writePabulib(
  file: Pick<PabulibFile, 'meta' | 'projectColumns' | 'projects' | 'voterColumns' | 'voters'>,
  options: WriteOptions = {},
): string {
  const lines: string[] = ['META', 'key;value']
  for (const [key, value] of Object.entries(file.meta)) lines.push(row([key, value]))
  lines.push('PROJECTS', row(file.projectColumns))
  for (const project of file.projects) lines.push(row(project))
  lines.push('VOTES', row(file.voterColumns))
  for (const voter of file.voters) lines.push(row(voter))
  const eol = options.lineEnding ?? '\n'
  return lines.join(eol) + eol
}

function decimal(value: bigint, scale: number): string {
  if (scale === 0) return value.toString()
  const digits = value.toString().padStart(scale + 1, '0')
  return digits.slice(0, -scale) + '.' + digits.slice(-scale)
}

/**
 * The raw content of a .pb file for an election built in code (tests, exports): one voter line per
 * unit of ballot weight, voter ids 1..n, META holding the mandatory keys plus `meta`.
 */
export function pabulibFromElection(
  election: Election,
  meta: Readonly<Record<string, string>> = {},
): Pick<PabulibFile, 'meta' | 'projectColumns' | 'projects' | 'voterColumns' | 'voters'> {
  const supporters = new Array<number>(election.projects.length).fill(0)
  const voters: string[][] = []
  const cumulative = election.voteType === 'cumulative'
  for (const ballot of election.ballots) {
    const vote = ballot.projects.map((p) => election.projects[p]!.id).join(',')
    const points = (ballot.points ?? []).join(',')
    for (const p of ballot.projects) supporters[p]! += ballot.weight
    for (let w = 0; w < ballot.weight; w++) {
      const id = String(voters.length + 1)
      voters.push(cumulative ? [id, vote, points] : [id, vote])
    }
  }
  const hasCategories = election.projects.some((p) => p.categories.length > 0)
  return {
    meta: {
      description: 'generated',
      country: 'none',
      unit: 'none',
      instance: 'none',
      num_projects: String(election.projects.length),
      num_votes: String(voters.length),
      budget: decimal(election.budget, election.scale),
      vote_type: election.voteType,
      rule: 'unknown',
      date_begin: 'none',
      date_end: 'none',
      currency: 'none',
      ...meta,
    },
    projectColumns: hasCategories
      ? ['project_id', 'cost', 'votes', 'category']
      : ['project_id', 'cost', 'votes'],
    projects: election.projects.map((p, i) => {
      const base = [p.id, decimal(p.cost, election.scale), String(supporters[i])]
      return hasCategories ? [...base, p.categories.join(',')] : base
    }),
    voterColumns: cumulative ? ['voter_id', 'vote', 'points'] : ['voter_id', 'vote'],
    voters,
  }
}
