import { readdirSync } from 'node:fs'
import { isDeepStrictEqual } from 'node:util'
import t, { type Test } from 'tap'
import { PabulibParseError, parsePabulib, rowRecord } from '../../src/counting/pabulib/parse.js'
import { pabulibFromElection, writePabulib } from '../../src/counting/pabulib/write.js'
import type { Election } from '../../src/counting/types.js'
import { INSTANCES_DIR, readInstance } from './fixtures/pabulib.js'

const SMALL = [
  'META',
  'key;value',
  'description;"A test; with ""quotes"""',
  'num_projects;3',
  'num_votes;4',
  'budget;100.5',
  'vote_type;approval',
  'PROJECTS',
  'project_id;cost;votes;name;category',
  'a;10;3;"Park; ""green"" part";Nature, Sport',
  'b;20.25;2;plain;none',
  'c;0.0;0;x;',
  'VOTES',
  'voter_id;vote;age',
  '1;a,b;30',
  '2;a;40',
  '3;;50',
  '4;a,b;60',
]

function expectError(t: Test, text: string, line: number, column: number, message: RegExp): void {
  try {
    parsePabulib(text)
    t.fail(`no error, expected one at line ${line}, column ${column}`)
  } catch (error) {
    if (!(error instanceof PabulibParseError)) throw error
    t.match(
      { line: error.line, column: error.column, message: error.message },
      { line, column, message },
      `error at line ${line}, column ${column}: ${error.message}`,
    )
  }
}

const withLines = (lines: string[]) => lines.join('\n') + '\n'

t.test('when a small file is parsed, then every field is kept and amounts are exact', async (t) => {
  const file = parsePabulib(withLines(SMALL))
  t.equal(file.meta.description, 'A test; with "quotes"')
  t.equal(file.meta.budget, '100.5')
  t.same(file.projectColumns, ['project_id', 'cost', 'votes', 'name', 'category'])
  t.same(file.projects[0], ['a', '10', '3', 'Park; "green" part', 'Nature, Sport'])
  t.same(file.voterColumns, ['voter_id', 'vote', 'age'])
  t.same(file.voters, [
    ['1', 'a,b', '30'],
    ['2', 'a', '40'],
    ['3', '', '50'],
    ['4', 'a,b', '60'],
  ])
  t.same(rowRecord(file.voterColumns, file.voters[0]!), { voter_id: '1', vote: 'a,b', age: '30' })
  t.equal(file.numVoters, 4)
  const e = file.election
  t.equal(e.voteType, 'approval')
  t.equal(e.scale, 2, 'the largest number of significant decimals')
  t.equal(e.budget, 10050n)
  t.same(
    e.projects.map((p) => [p.id, p.cost, p.categories]),
    [
      ['a', 1000n, ['Nature', 'Sport']],
      ['b', 2025n, []],
      ['c', 0n, []],
    ],
  )
  t.same(e.ballots, [
    { projects: [0, 1], weight: 2 },
    { projects: [0], weight: 1 },
    { projects: [], weight: 1 },
  ])
})

t.test('when costs are written as "10000.0", then the scale stays 0', async (t) => {
  const lines = [...SMALL]
  lines[5] = 'budget;400000.0'
  lines[10] = 'b;20.000;2;plain;none'
  const e = parsePabulib(withLines(lines)).election
  t.equal(e.scale, 0)
  t.equal(e.budget, 400000n)
  t.equal(e.projects[1]!.cost, 20n)
})

t.test('when the file uses CRLF, a BOM, or blank lines, then the result is the same', async (t) => {
  const plain = parsePabulib(withLines(SMALL))
  t.ok(isDeepStrictEqual(parsePabulib(SMALL.join('\r\n') + '\r\n'), plain), 'CRLF')
  t.ok(isDeepStrictEqual(parsePabulib('\uFEFF' + withLines(SMALL)), plain), 'BOM')
  t.ok(isDeepStrictEqual(parsePabulib(SMALL.join('\n')), plain), 'no final newline')
  const blank = [...SMALL.slice(0, 7), '', ...SMALL.slice(7, 14), '', '  ', ...SMALL.slice(14), '']
  t.ok(isDeepStrictEqual(parsePabulib(withLines(blank)), plain), 'blank lines')
})

t.test(
  'when a quoted field spans lines, then it is one field and later lines keep their numbers',
  async (t) => {
    const lines = [...SMALL]
    lines[10] = 'b;20.25;2;"two\nlines";none'
    const file = parsePabulib(withLines(lines))
    t.equal(file.projects[1]![3], 'two\nlines')
    const broken = [...lines]
    broken[15] = '2;zz;40'
    // lines[15] is on physical line 17 because of the newline inside the quoted name
    expectError(t, withLines(broken), 17, 3, /unknown project "zz"/)
  },
)

t.test('when a voter line has quotes, then it takes the general path and groups the same', async (t) => {
  const lines = [...SMALL]
  lines[15] = '2;"a";"4""0"'
  const file = parsePabulib(withLines(lines))
  t.same(file.voters[1], ['2', 'a', '4"0'])
  t.equal(
    file.election.ballots.reduce((n, b) => n + b.weight, 0),
    4,
  )
  const broken = [...SMALL]
  broken[16] = '3;"a,q";50'
  expectError(t, withLines(broken), 17, 3, /unknown project "q"/)
})

t.test('when a file is broken, then the error names the line and column', async (t) => {
  const at = (index: number, value: string) => {
    const lines = [...SMALL]
    lines[index] = value
    return withLines(lines)
  }
  expectError(t, at(14, '1;a,x;30'), 15, 3, /unknown project "x"/)
  expectError(t, at(14, '1;a,a;30'), 15, 3, /names project "a" twice/)
  expectError(t, at(14, '1;a;30;extra'), 15, 8, /expected 3 fields/)
  expectError(t, at(14, '1;a'), 15, 4, /expected 3 fields/)
  expectError(t, at(10, 'b;20,25;2;plain;none'), 11, 3, /cost "20,25" is not/)
  expectError(t, at(10, 'b;20;2;plain'), 11, 13, /expected 5 fields/)
  expectError(t, at(10, 'b;abc;2;plain;none'), 11, 3, /cost "abc" is not/)
  expectError(t, at(10, 'b;-5;2;plain;none'), 11, 3, /cost "-5" is not/)
  expectError(t, at(5, 'budget;lots'), 6, 8, /budget "lots"/)
  expectError(t, at(11, 'a;1;1;x;'), 12, 1, /project_id "a" appears twice/)
  expectError(t, at(9, 'a;10;3;"Park;Nature'), 10, 8, /quoted field is not closed/)
  expectError(t, at(9, 'a;10;3;"Park"x;Nature'), 10, 14, /after a closing quote/)
  expectError(t, at(6, 'vote_type;scoring'), 13, 1, /unsupported vote_type "scoring"/)
  expectError(t, withLines(SMALL.slice(0, 12)), 12, 11, /section VOTES is missing/)
  expectError(t, withLines(['PROJECTS', ...SMALL.slice(8)]), 1, 1, /PROJECTS found where META was expected/)
  expectError(t, withLines(['hello;world']), 1, 1, /must start with a META section/)
})

t.test('when ballots are cumulative or choose-1, then points and lengths are checked', async (t) => {
  const cumulative = [
    ...SMALL.slice(0, 6),
    'vote_type;cumulative',
    ...SMALL.slice(7, 13),
    'voter_id;vote;points',
    '1;a,b;3,2',
    '2;a,b;3,2',
    '3;b;0',
  ]
  const e = parsePabulib(withLines(cumulative)).election
  t.same(e.ballots, [
    { projects: [0, 1], points: [3, 2], weight: 2 },
    { projects: [1], points: [0], weight: 1 },
  ])
  const badCount = [...cumulative]
  badCount[15] = '3;b;1,2'
  expectError(t, withLines(badCount), 16, 5, /2 points for 1 voted projects/)
  const badPoints = [...cumulative]
  badPoints[15] = '3;b;1.5'
  expectError(t, withLines(badPoints), 16, 5, /points "1.5" is not a whole number/)
  const noPoints = [...cumulative]
  noPoints[13] = 'voter_id;vote'
  expectError(t, withLines(noPoints.slice(0, 14)), 14, 14, /no "points" column/)

  const choose = [...SMALL]
  choose[6] = 'vote_type;choose-1'
  expectError(t, withLines(choose), 15, 3, /choose-1 ballot names 2 projects/)
})

t.test('when any pabulib instance is written and parsed again, then the result is identical', async (t) => {
  const files = readdirSync(INSTANCES_DIR).filter((f) => f.endsWith('.pb'))
  t.equal(files.length, 40)
  for (const file of files) {
    const parsed = parsePabulib(readInstance(file))
    const again = parsePabulib(writePabulib(parsed, { lineEnding: file.length % 2 === 0 ? '\n' : '\r\n' }))
    if (!isDeepStrictEqual(again, parsed)) {
      t.same(again.meta, parsed.meta, `${file}: meta`)
      t.same(again.projects, parsed.projects, `${file}: projects`)
      t.same(again.election, parsed.election, `${file}: election`)
      t.fail(`${file}: round trip differs`)
    } else {
      t.pass(`${file}: round trip identical`)
    }
  }
})

t.test('when fields need quoting, then the writer quotes and doubles quotes', async (t) => {
  const file = parsePabulib(withLines(SMALL))
  const text = writePabulib(file)
  t.match(text, /^a;10;3;"Park; ""green"" part";Nature, Sport$/m)
  t.match(text, /^description;"A test; with ""quotes"""$/m)
  t.match(text, /^3;;50$/m)
})

t.test('when an election built in code is exported, then parsing it gives the election back', async (t) => {
  const election: Election = {
    voteType: 'cumulative',
    projects: [
      { id: 'p1', cost: 1050n, categories: ['x'] },
      { id: 'p;2', cost: 5n, categories: [] },
    ],
    budget: 2001n,
    scale: 1,
    ballots: [
      { projects: [1, 0], points: [2, 1], weight: 2 },
      { projects: [], points: [], weight: 1 },
    ],
  }
  const parsed = parsePabulib(writePabulib(pabulibFromElection(election)))
  t.same(parsed.election, election)
  t.equal(parsed.numVoters, 3)
})

t.test('when the largest file is parsed, then it takes well under a second', async (t) => {
  // A guard against accidental quadratic behaviour; the 0.25 s target is tracked by the bench.
  const text = readInstance('Poland_Lodz_2022.pb')
  const start = performance.now()
  const file = parsePabulib(text)
  const seconds = (performance.now() - start) / 1000
  t.equal(file.numVoters, 90494)
  t.ok(seconds < 1, `parsed in ${seconds.toFixed(3)} s`)
})
