import type { Ballot, Election, Project, VoteType } from '../types.js'

/** A broken .pb file: `line` and `column` are 1-based and point at the offending character or field. */
export class PabulibParseError extends Error {
  override readonly name = 'PabulibParseError'
  readonly line: number
  readonly column: number

  constructor(message: string, line: number, column: number) {
    super(`line ${line}, column ${column}: ${message}`)
    this.line = line
    this.column = column
  }
}

/** Raw rows are kept as strings, aligned with their section's header columns. */
export type PabulibRow = readonly string[]

/** A parsed .pb file: everything the file says, as raw strings, plus the exact election derived from it. */
export interface PabulibFile {
  readonly meta: Readonly<Record<string, string>>
  readonly projectColumns: readonly string[]
  readonly projects: readonly PabulibRow[]
  readonly voterColumns: readonly string[]
  readonly voters: readonly PabulibRow[]
  /** Number of voters, empty ballots included (= voters.length = sum of ballot weights). */
  readonly numVoters: number
  /** Identical ballots are grouped (Ballot.weight); projects in file order. */
  readonly election: Election
}

const VOTE_TYPES: readonly VoteType[] = ['approval', 'choose-1', 'cumulative', 'ordinal']
const SECTIONS = ['META', 'PROJECTS', 'VOTES'] as const
type Section = (typeof SECTIONS)[number]

const SEMICOLON = 59
const QUOTE = 34
const LF = 10
const CR = 13

/**
 * A `;`-separated, `"`-quoted CSV reader, hand-rolled because loading a 90,000-voter file is
 * dominated by it. `plainLine` is the fast path for VOTES lines: it only locates the separators
 * of a line without quotes, so that no string is made for it until someone asks.
 */
class RowReader {
  private readonly text: string
  private pos: number
  /** 1-based line of the next character to read. */
  private nextLine = 1
  private nextLineStart: number
  /** The last row read: its first line, that line's start offset, and each field's start offset. */
  line = 0
  lineStart = 0
  readonly starts: number[] = []
  readonly startLines: number[] = []
  readonly startLineOffsets: number[] = []
  /** After plainLine: offsets in the line of its width - 1 semicolons. */
  separators = new Int32Array(0)
  private nextQuote = -1
  private nextCr = -1

  constructor(text: string) {
    this.text = text
    this.pos = text.charCodeAt(0) === 0xfeff ? 1 : 0
    this.nextLineStart = this.pos
  }

  /**
   * Reads the next line if it has no quote and exactly `width` fields and returns the offset of
   * its end (before any CR), else returns -1 and reads nothing (the caller then uses next(), which
   * also reports errors), or -2 after skipping a blank line. Sets `line`, `lineStart` and
   * `separators` (absolute offsets).
   */
  plainLine(width: number): number {
    const text = this.text
    const pos = this.pos
    let eol = text.indexOf('\n', pos)
    if (eol < 0) eol = text.length
    if (this.nextQuote < pos) {
      this.nextQuote = text.indexOf('"', pos)
      if (this.nextQuote < 0) this.nextQuote = text.length
    }
    if (this.nextQuote < eol) return -1
    let end = eol
    if (end > pos && text.charCodeAt(end - 1) === CR) end--
    if (this.nextCr < pos) {
      this.nextCr = text.indexOf('\r', pos)
      if (this.nextCr < 0) this.nextCr = text.length
    }
    if (this.nextCr < end) return -1
    if ((end === pos || text.charCodeAt(pos) <= 32) && text.slice(pos, end).trim() === '') {
      this.nextLine++
      this.pos = eol + 1
      this.nextLineStart = this.pos
      return -2
    }
    if (this.separators.length < width) this.separators = new Int32Array(width)
    let from = pos
    for (let k = 0; k < width - 1; k++) {
      const semi = text.indexOf(';', from)
      if (semi < 0 || semi >= end) return -1
      this.separators[k] = semi
      from = semi + 1
    }
    const extra = text.indexOf(';', from)
    if (extra >= 0 && extra < end) return -1
    this.line = this.nextLine
    this.lineStart = pos
    this.nextLine++
    this.pos = eol + 1
    this.nextLineStart = this.pos
    return end
  }

  /** The fields of the next non-blank row, or undefined at the end of the text. */
  next(): string[] | undefined {
    const text = this.text
    const end = text.length
    for (;;) {
      if (this.pos >= end) return undefined
      this.line = this.nextLine
      this.lineStart = this.nextLineStart
      this.starts.length = 0
      this.startLines.length = 0
      this.startLineOffsets.length = 0
      const fields: string[] = []
      let pos = this.pos
      for (;;) {
        this.starts.push(pos)
        this.startLines.push(this.nextLine)
        this.startLineOffsets.push(this.nextLineStart)
        if (pos < end && text.charCodeAt(pos) === QUOTE) {
          pos = this.readQuoted(pos, fields)
        } else {
          let i = pos
          while (i < end) {
            const c = text.charCodeAt(i)
            if (c === SEMICOLON || c === LF || c === CR) break
            i++
          }
          fields.push(text.slice(pos, i))
          pos = i
        }
        if (pos >= end) break
        const c = text.charCodeAt(pos)
        if (c === SEMICOLON) {
          pos++
          continue
        }
        pos += c === CR && text.charCodeAt(pos + 1) === LF ? 2 : 1
        this.nextLine++
        this.nextLineStart = pos
        break
      }
      this.pos = pos
      if (fields.length === 1 && fields[0]!.trim() === '' && text.charCodeAt(this.starts[0]!) !== QUOTE)
        continue
      return fields
    }
  }

  /** Column (1-based) of field `index` of the last row, or of the end of the row past its last field. */
  position(index: number): { line: number; column: number } {
    if (index < this.starts.length) {
      return {
        line: this.startLines[index]!,
        column: this.starts[index]! - this.startLineOffsets[index]! + 1,
      }
    }
    let i = this.starts[this.starts.length - 1] ?? this.lineStart
    const last = this.startLines[this.startLines.length - 1] ?? this.line
    const lineOffset = this.startLineOffsets[this.startLineOffsets.length - 1] ?? this.lineStart
    while (i < this.text.length && this.text.charCodeAt(i) !== LF && this.text.charCodeAt(i) !== CR) i++
    return { line: last, column: i - lineOffset + 1 }
  }

  private readQuoted(start: number, fields: string[]): number {
    const text = this.text
    let value = ''
    let from = start + 1
    let i = from
    for (;;) {
      const q = text.indexOf('"', i)
      if (q < 0) {
        const line = this.nextLine
        throw new PabulibParseError('quoted field is not closed', line, start - this.nextLineStart + 1)
      }
      this.countNewlines(i, q)
      if (text.charCodeAt(q + 1) === QUOTE) {
        value += text.slice(from, q + 1)
        from = q + 2
        i = from
        continue
      }
      value += text.slice(from, q)
      const after = q + 1
      if (after < text.length) {
        const c = text.charCodeAt(after)
        if (c !== SEMICOLON && c !== LF && c !== CR) {
          throw new PabulibParseError(
            'unexpected character after a closing quote (a quote inside a quoted field must be doubled)',
            this.nextLine,
            after - this.nextLineStart + 1,
          )
        }
      }
      fields.push(value)
      return after
    }
  }

  private countNewlines(from: number, to: number): void {
    const text = this.text
    for (let i = from; i < to; i++) {
      const c = text.charCodeAt(i)
      if (c === LF || (c === CR && text.charCodeAt(i + 1) !== LF)) {
        this.nextLine++
        this.nextLineStart = i + 1
      }
    }
  }
}

/**
 * Groups identical VOTES lines without making strings: an open-addressing hash table keyed by the
 * text spans of the vote (and points) fields. Two lines group when those spans hold the same
 * characters. (Lines with quotes go through a Map on the unquoted strings instead; at worst an
 * identical ballot then appears as two weighted entries, which no rule can tell apart.)
 */
class SpanTable {
  private readonly text: string
  private slots = new Int32Array(1 << 12)
  private count = 0
  /** Per ballot: vote start, vote end, points start, points end. */
  private readonly spans: number[] = []
  private readonly hashes: number[] = []
  private lastHash = 0

  constructor(text: string) {
    this.text = text
  }

  /** The ballot of a line with these spans, or -1; insert() may follow with the same spans. */
  find(vs: number, ve: number, ps: number, pe: number): number {
    const mask = this.slots.length - 1
    const h = this.hash(vs, ve, ps, pe)
    this.lastHash = h
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const slot = this.slots[i]!
      if (slot === 0) return -1
      const b = slot - 1
      if (this.hashes[b] === h && this.same(b, vs, ve, ps, pe)) return b
    }
  }

  insert(ballot: number, vs: number, ve: number, ps: number, pe: number): void {
    while (this.spans.length < 4 * ballot) this.spans.push(0, 0, 0, 0)
    while (this.hashes.length < ballot) this.hashes.push(0)
    this.spans.push(vs, ve, ps, pe)
    this.hashes.push(this.lastHash)
    if (++this.count * 2 > this.slots.length) {
      this.slots = new Int32Array(this.slots.length * 2)
      for (let b = 0; b < this.hashes.length; b++) if (this.spans[4 * b + 1]! > 0) this.place(b)
    } else {
      this.place(ballot)
    }
  }

  private place(ballot: number): void {
    const mask = this.slots.length - 1
    let i = this.hashes[ballot]! & mask
    while (this.slots[i] !== 0) i = (i + 1) & mask
    this.slots[i] = ballot + 1
  }

  /** FNV-1a over the UTF-16 units of both spans, with a separator. */
  private hash(vs: number, ve: number, ps: number, pe: number): number {
    const text = this.text
    let h = 0x811c9dc5
    for (let i = vs; i < ve; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193)
    h = Math.imul(h ^ SEMICOLON, 0x01000193)
    for (let i = ps; i < pe; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193)
    return h >>> 0
  }

  private same(b: number, vs: number, ve: number, ps: number, pe: number): boolean {
    const spans = this.spans
    const text = this.text
    const bvs = spans[4 * b]!
    const bps = spans[4 * b + 2]!
    if (spans[4 * b + 1]! - bvs !== ve - vs || spans[4 * b + 3]! - bps !== pe - ps) return false
    for (let i = 0; i < ve - vs; i++) if (text.charCodeAt(bvs + i) !== text.charCodeAt(vs + i)) return false
    for (let i = 0; i < pe - ps; i++) if (text.charCodeAt(bps + i) !== text.charCodeAt(ps + i)) return false
    return true
  }
}

/** Project ids looked up straight from spans of the text, without making a string per id. */
class IdTable {
  private readonly text: string
  private readonly ids: readonly string[]
  private readonly slots: Int32Array

  constructor(text: string, ids: readonly string[]) {
    this.text = text
    this.ids = ids
    let size = 16
    while (size < ids.length * 2) size *= 2
    this.slots = new Int32Array(size)
    ids.forEach((id, p) => {
      let i = fnv(id, 0, id.length) & (size - 1)
      while (this.slots[i] !== 0) i = (i + 1) & (size - 1)
      this.slots[i] = p + 1
    })
  }

  /** Index of the project whose id is text[start, end), or -1. */
  find(start: number, end: number): number {
    const text = this.text
    const mask = this.slots.length - 1
    for (let i = fnv(text, start, end) & mask; ; i = (i + 1) & mask) {
      const slot = this.slots[i]!
      if (slot === 0) return -1
      const id = this.ids[slot - 1]!
      if (id.length !== end - start) continue
      let k = 0
      while (k < id.length && id.charCodeAt(k) === text.charCodeAt(start + k)) k++
      if (k === id.length) return slot - 1
    }
  }
}

function fnv(s: string, start: number, end: number): number {
  let h = 0x811c9dc5
  for (let i = start; i < end; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193)
  return h >>> 0
}

interface Decimal {
  readonly digits: bigint
  /** Decimal places after dropping trailing zeros: "10000.0" has 0, "1331751.11" has 2. */
  readonly places: number
}

const DECIMAL = /^\d+(?:\.\d+)?$/

function parseDecimal(raw: string): Decimal | undefined {
  const s = raw.trim()
  if (!DECIMAL.test(s)) return undefined
  const dot = s.indexOf('.')
  if (dot < 0) return { digits: BigInt(s), places: 0 }
  const fraction = s.slice(dot + 1).replace(/0+$/, '')
  return { digits: BigInt(s.slice(0, dot) + fraction), places: fraction.length }
}

function scaleTo(value: Decimal, scale: number): bigint {
  return value.digits * 10n ** BigInt(scale - value.places)
}

/** pabulib writes "none" (any case) for a missing value. */
function isNone(value: string): boolean {
  const v = value.trim()
  return v === '' || v.toLowerCase() === 'none'
}

function parseCategories(raw: string | undefined): string[] {
  if (raw === undefined || isNone(raw)) return []
  return raw
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c !== '')
}

const POINTS = /^\d+$/

/** Parses the text of a .pb file (see ../shared/pabulib/README.md). Throws PabulibParseError. */
export function parsePabulib(text: string): PabulibFile {
  const reader = new RowReader(text)
  const fail: (message: string, field: number) => never = (message, field) => {
    const { line, column } = reader.position(field)
    throw new PabulibParseError(message, line, column)
  }

  const metaEntries: [string, string][] = []
  const metaKeys = new Set<string>()
  let projectColumns: string[] | undefined
  const projects: string[][] = []
  const costAt: { line: number; column: number }[] = []
  let costColumn = -1
  const projectIndex = new Map<string, number>()
  let voterColumns: string[] | undefined
  // A VOTES line without quotes is kept as its (start, end) offsets in the text and split on first
  // access of `voters`: making 450,000 field strings up front would triple the parse time.
  // Lines with quotes are kept as fields, marked by a -1 start.
  const voterSpans: number[] = []
  const quotedVoters = new Map<number, string[]>()
  let metaHeader = false
  let budgetAt = { line: 1, column: 1 }

  let section: Section | undefined
  const seen = new Set<Section>()
  let header = false
  let width = 0
  let voteColumn = -1
  let pointsColumn = -1

  // The election is built while reading VOTES, so META and PROJECTS must come first.
  let voteType: VoteType | undefined
  const ballotByKey = new Map<string, number>()
  const spanTable = new SpanTable(text)
  const ballotProjects: number[][] = []
  const ballotPoints: (number[] | undefined)[] = []
  const ballotWeights: number[] = []

  const startVotes = (): void => {
    const type = metaKeys.has('vote_type')
      ? metaEntries.find(([k]) => k === 'vote_type')![1].trim()
      : undefined
    if (type === undefined) fail('META has no vote_type (needed before VOTES)', 0)
    if (!VOTE_TYPES.includes(type as VoteType)) {
      fail(`unsupported vote_type "${type}" (expected one of ${VOTE_TYPES.join(', ')})`, 0)
    }
    voteType = type as VoteType
    lastSeen = new Int32Array(projects.length)
    idTable = new IdTable(
      text,
      projects.map((row) => row[0]!.trim()),
    )
  }

  // Grouping on the raw text: identical ballots resolve to one Ballot, and are validated once.
  const isSpace = (c: number) => c <= 32
  let idTable: IdTable | undefined
  // The fast path's ballot parser: ids and points read from spans of the text (same checks as
  // newBallot, which serves lines with quotes); whitespace around ids and points is ignored.
  const newBallotFromText = (vs: number, ve: number, ps: number, pe: number, lineStart: number): number => {
    const line = reader.line
    const indices: number[] = []
    stamp++
    let start = vs
    while (start < ve && isSpace(text.charCodeAt(start))) start++
    if (start < ve) {
      for (let a = vs; ; ) {
        let b = a
        while (b < ve && text.charCodeAt(b) !== 44) b++
        let s = a
        let e = b
        while (s < e && isSpace(text.charCodeAt(s))) s++
        while (e > s && isSpace(text.charCodeAt(e - 1))) e--
        const index = idTable!.find(s, e)
        if (index < 0) {
          throw new PabulibParseError(
            `vote names unknown project "${text.slice(s, e)}"`,
            line,
            vs - lineStart + 1,
          )
        }
        if (lastSeen[index] === stamp) {
          throw new PabulibParseError(
            `vote names project "${text.slice(s, e)}" twice`,
            line,
            vs - lineStart + 1,
          )
        }
        lastSeen[index] = stamp
        indices.push(index)
        if (b === ve) break
        a = b + 1
      }
    }
    if (voteType === 'choose-1' && indices.length > 1) {
      throw new PabulibParseError(
        `a choose-1 ballot names ${indices.length} projects`,
        line,
        vs - lineStart + 1,
      )
    }
    let points: number[] | undefined
    if (pointsColumn >= 0) {
      const column = ps - lineStart + 1
      points = []
      let p = ps
      while (p < pe && isSpace(text.charCodeAt(p))) p++
      if (p < pe) {
        for (let a = ps; ; ) {
          let b = a
          while (b < pe && text.charCodeAt(b) !== 44) b++
          let s = a
          let e = b
          while (s < e && isSpace(text.charCodeAt(s))) s++
          while (e > s && isSpace(text.charCodeAt(e - 1))) e--
          let value = 0
          for (let i = s; i < e; i++) {
            const digit = text.charCodeAt(i) - 48
            if (digit < 0 || digit > 9) value = Number.NaN
            value = value * 10 + digit
          }
          if (s === e || !Number.isSafeInteger(value)) {
            throw new PabulibParseError(`points "${text.slice(s, e)}" is not a whole number`, line, column)
          }
          points.push(value)
          if (b === pe) break
          a = b + 1
        }
      }
      if (points.length !== indices.length) {
        throw new PabulibParseError(
          `${points.length} points for ${indices.length} voted projects`,
          line,
          column,
        )
      }
    }
    ballotProjects.push(indices)
    ballotPoints.push(points)
    ballotWeights.push(0)
    return ballotProjects.length - 1
  }

  // Duplicate ids in a vote: lastSeen[p] === stamp when p was already named by the current vote.
  let lastSeen = new Int32Array(0)
  let stamp = 0
  const newBallot = (
    vote: string,
    pointsRaw: string,
    voteLine: number,
    voteColumnAt: number,
    pointsLine: number,
    pointsColumnAt: number,
  ): number => {
    const ids = vote.trim() === '' ? [] : vote.split(',')
    const indices: number[] = []
    stamp++
    for (const raw of ids) {
      const id = raw.trim()
      const index = projectIndex.get(id)
      if (index === undefined) {
        throw new PabulibParseError(`vote names unknown project "${id}"`, voteLine, voteColumnAt)
      }
      if (lastSeen[index] === stamp) {
        throw new PabulibParseError(`vote names project "${id}" twice`, voteLine, voteColumnAt)
      }
      lastSeen[index] = stamp
      indices.push(index)
    }
    if (voteType === 'choose-1' && indices.length > 1) {
      throw new PabulibParseError(
        `a choose-1 ballot names ${indices.length} projects`,
        voteLine,
        voteColumnAt,
      )
    }
    let points: number[] | undefined
    if (pointsColumn >= 0) {
      const parts = pointsRaw.trim() === '' ? [] : pointsRaw.split(',')
      if (parts.length !== indices.length) {
        throw new PabulibParseError(
          `${parts.length} points for ${indices.length} voted projects`,
          pointsLine,
          pointsColumnAt,
        )
      }
      points = parts.map((part) => {
        const p = part.trim()
        const value = Number(p)
        if (!POINTS.test(p) || !Number.isSafeInteger(value)) {
          throw new PabulibParseError(`points "${p}" is not a whole number`, pointsLine, pointsColumnAt)
        }
        return value
      })
    }
    ballotProjects.push(indices)
    ballotPoints.push(points)
    ballotWeights.push(0)
    return ballotProjects.length - 1
  }

  for (;;) {
    if (section === 'VOTES' && !header) {
      const end = reader.plainLine(width)
      if (end === -2) continue
      if (end >= 0) {
        const start = reader.lineStart
        voterSpans.push(start, end)
        const seps = reader.separators
        const voteStart = voteColumn === 0 ? start : seps[voteColumn - 1]! + 1
        const voteEnd = voteColumn === width - 1 ? end : seps[voteColumn]!
        let pointsStart = voteEnd
        let pointsEnd = voteEnd
        if (pointsColumn >= 0) {
          pointsStart = pointsColumn === 0 ? start : seps[pointsColumn - 1]! + 1
          pointsEnd = pointsColumn === width - 1 ? end : seps[pointsColumn]!
        }
        let ballot = spanTable.find(voteStart, voteEnd, pointsStart, pointsEnd)
        if (ballot < 0) {
          ballot = newBallotFromText(voteStart, voteEnd, pointsStart, pointsEnd, start)
          spanTable.insert(ballot, voteStart, voteEnd, pointsStart, pointsEnd)
        }
        ballotWeights[ballot]!++
        continue
      }
    }
    const fields = reader.next()
    if (fields === undefined) break
    if (fields.length === 1) {
      const name = fields[0]!.trim().toUpperCase()
      if ((SECTIONS as readonly string[]).includes(name)) {
        const next = name as Section
        if (seen.has(next)) fail(`section ${next} appears twice`, 0)
        const expected = SECTIONS[seen.size]
        if (next !== expected) fail(`section ${next} found where ${expected} was expected`, 0)
        seen.add(next)
        section = next
        header = true
        if (next === 'VOTES') startVotes()
        continue
      }
    }
    if (section === undefined) fail('the file must start with a META section', 0)
    if (header) {
      header = false
      width = fields.length
      const columns = fields.map((f) => f.trim())
      const duplicate = columns.findIndex((c, i) => columns.indexOf(c) !== i)
      if (duplicate >= 0) fail(`column "${columns[duplicate]}" appears twice`, duplicate)
      if (section === 'META') {
        if (columns[0] !== 'key' || columns[1] !== 'value' || width !== 2)
          fail('META header must be "key;value"', 0)
        metaHeader = true
      } else if (section === 'PROJECTS') {
        if (columns[0] !== 'project_id') fail('PROJECTS header must start with "project_id"', 0)
        costColumn = columns.indexOf('cost')
        if (costColumn < 0) fail('PROJECTS header has no "cost" column', width)
        projectColumns = columns
      } else {
        if (columns[0] !== 'voter_id') fail('VOTES header must start with "voter_id"', 0)
        voteColumn = columns.indexOf('vote')
        if (voteColumn < 0) fail('VOTES header has no "vote" column', width)
        pointsColumn = voteType === 'cumulative' ? columns.indexOf('points') : -1
        if (voteType === 'cumulative' && pointsColumn < 0) {
          fail('vote_type is cumulative but VOTES has no "points" column', width)
        }
        voterColumns = columns
      }
      continue
    }
    if (fields.length !== width) {
      fail(
        `expected ${width} fields as in the ${section} header, found ${fields.length}`,
        Math.min(width, fields.length),
      )
    }
    if (section === 'META') {
      const key = fields[0]!.trim()
      if (metaKeys.has(key)) fail(`META key "${key}" appears twice`, 0)
      metaKeys.add(key)
      metaEntries.push([key, fields[1]!])
      if (key === 'budget') budgetAt = reader.position(1)
    } else if (section === 'PROJECTS') {
      const id = fields[0]!.trim()
      if (id === '') fail('empty project_id', 0)
      if (projectIndex.has(id)) fail(`project_id "${id}" appears twice`, 0)
      projectIndex.set(id, projects.length)
      projects.push(fields)
      costAt.push(reader.position(costColumn))
    } else {
      quotedVoters.set(voterSpans.length / 2, fields)
      voterSpans.push(-1, -1)
      const vote = fields[voteColumn]!
      const pointsRaw = pointsColumn >= 0 ? fields[pointsColumn]! : ''
      const key = `${vote};${pointsRaw}`
      let ballot = ballotByKey.get(key)
      if (ballot === undefined) {
        const v = reader.position(voteColumn)
        const pt = pointsColumn >= 0 ? reader.position(pointsColumn) : v
        ballot = newBallot(vote, pointsRaw, v.line, v.column, pt.line, pt.column)
        ballotByKey.set(key, ballot)
      }
      ballotWeights[ballot]!++
    }
  }

  if (!seen.has('VOTES')) {
    const missing = SECTIONS.find((s) => !seen.has(s))
    const end = reader.position(Number.MAX_SAFE_INTEGER)
    throw new PabulibParseError(`section ${missing} is missing`, end.line, end.column)
  }
  if (!metaHeader || projectColumns === undefined || voterColumns === undefined) {
    const end = reader.position(Number.MAX_SAFE_INTEGER)
    throw new PabulibParseError('a section header line is missing', end.line, end.column)
  }

  const meta = Object.fromEntries(metaEntries)
  if (!metaKeys.has('budget')) throw new PabulibParseError('META has no budget', 1, 1)
  const budget = parseDecimal(meta.budget!)
  if (budget === undefined) {
    throw new PabulibParseError(
      `budget "${meta.budget}" is not a non-negative decimal number`,
      budgetAt.line,
      budgetAt.column,
    )
  }
  const categoryColumn = projectColumns.includes('category')
    ? projectColumns.indexOf('category')
    : projectColumns.indexOf('categories')
  const costs: Decimal[] = []
  let scale = budget.places
  for (let p = 0; p < projects.length; p++) {
    const cost = parseDecimal(projects[p]![costColumn]!)
    if (cost === undefined) {
      const { line, column } = costAt[p]!
      throw new PabulibParseError(
        `cost "${projects[p]![costColumn]}" is not a non-negative decimal number`,
        line,
        column,
      )
    }
    costs.push(cost)
    if (cost.places > scale) scale = cost.places
  }

  const electionProjects: Project[] = projects.map((row, p) => ({
    id: row[0]!.trim(),
    cost: scaleTo(costs[p]!, scale),
    categories: categoryColumn >= 0 ? parseCategories(row[categoryColumn]) : [],
  }))
  const ballots: Ballot[] = ballotProjects.map((indices, b) => {
    const points = ballotPoints[b]
    return points === undefined
      ? { projects: indices, weight: ballotWeights[b]! }
      : { projects: indices, points, weight: ballotWeights[b]! }
  })

  const file = {
    meta,
    projectColumns,
    projects,
    voterColumns,
    voters: [] as PabulibRow[],
    numVoters: voterSpans.length / 2,
    election: {
      voteType: voteType!,
      projects: electionProjects,
      budget: scaleTo(budget, scale),
      scale,
      ballots,
    },
  }
  let voters: PabulibRow[] | undefined
  Object.defineProperty(file, 'voters', {
    enumerable: true,
    get: () => {
      if (voters === undefined) {
        voters = []
        for (let v = 0; v < voterSpans.length; v += 2) {
          const start = voterSpans[v]!
          voters.push(start < 0 ? quotedVoters.get(v / 2)! : text.slice(start, voterSpans[v + 1]!).split(';'))
        }
      }
      return voters
    },
  })
  return file
}

/** The row as an object keyed by column name. */
export function rowRecord(columns: readonly string[], row: PabulibRow): Record<string, string> {
  return Object.fromEntries(columns.map((c, i) => [c, row[i] ?? '']))
}
