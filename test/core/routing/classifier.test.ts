import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

import {describe, expect, it} from 'vitest'

import type {Complexity, Task} from '../../../src/core/config/schema.js'
import {classifyRequest} from '../../../src/core/routing/classifier.js'
import {ClassificationSchema, type Classification, type Endpoint} from '../../../src/core/routing/schema.js'

type Body = Record<string, unknown>

function chat(prompt: string, extra: Body = {}, system?: string): Body {
  const messages = system ? [{role: 'system', content: system}] : []
  return {model: 'auto', messages: [...messages, {role: 'user', content: prompt}], ...extra}
}

function classify(prompt: string, extra: Body = {}, system?: string): Classification {
  return classifyRequest(chat(prompt, extra, system), 'chat.completions')
}

function signalNames(c: Classification, target?: string): string[] {
  return c.signals.filter((s) => target === undefined || s.target === target).map((s) => s.name)
}

const TIERS: readonly Complexity[] = ['low', 'medium', 'high', 'xhigh']
const tierIndex = (tier: Complexity): number => TIERS.indexOf(tier)

describe('classifyRequest: the known failures of keyword routers', () => {
  it('does not read "information" as a formatting request', () => {
    const c = classify('Can you give me some information about the Great Barrier Reef?')
    expect(c.task).toBe('general')
    expect(signalNames(c, 'instruction_following')).toEqual([])
  })

  it('matches words whole, never inside other words', () => {
    const c = classify('The informational brochure about transformation and performance was encoded in a codebook.')
    expect(c.task).toBe('general')
    expect(signalNames(c, 'instruction_following')).toEqual([])
    expect(signalNames(c, 'coding')).toEqual([])
  })

  it('does not read "decode" as coding', () => {
    const c = classify('What does it mean to decode body language? Give me some examples.')
    expect(c.task).toBe('general')
    expect(signalNames(c, 'coding')).toEqual([])
  })

  it('does not read "Enigma code" as coding', () => {
    const c = classify('How did the British crack the Enigma code during World War II?')
    expect(c.task).not.toBe('coding')
    expect(signalNames(c, 'coding')).toEqual([])
  })

  it('treats decoding a cipher text as a puzzle (thinking), not coding', () => {
    const c = classify('Decode this message, it was encrypted with a Caesar shift of 3: "Wkh phhwlqj lv dw qrrq."')
    expect(c.task).toBe('thinking')
    expect(signalNames(c)).toContain('cipher')
  })

  it('reads "write a script for a YouTube video" as writing, not code', () => {
    const c = classify('Write a script for a YouTube video about the best hiking trails in Colorado.')
    expect(c.task).toBe('general')
    expect(signalNames(c)).toContain('screenplay')
    expect(signalNames(c)).not.toContain('code_request')
  })

  it('still reads a Python script for downloading videos as code', () => {
    expect(classify('Write a Python script that downloads every video in a YouTube playlist.').task).toBe('coding')
  })

  it('recognises "Develop a C++ program" as coding', () => {
    const c = classify('Develop a C++ program that reads numbers until the user enters 0 and prints the average.')
    expect(c.task).toBe('coding')
    expect(c.signals.find((s) => s.name === 'language_with_artifact')?.detail).toContain('c++')
  })

  it('recognises a C program and a Go function, whose language names are everyday words', () => {
    expect(classify('Create a C program that copies one file to another using fread and fwrite.').task).toBe('coding')
    expect(classify('Write a Go function that returns the maximum of a slice of ints.').task).toBe('coding')
  })

  it('does not read dress codes, zip codes or Morse code as coding', () => {
    for (const prompt of [
      'What does "smart casual" dress code mean for a job interview?',
      "What's the zip code for downtown Seattle?",
      'What is Morse code and who invented it?',
      'Develop a 12-week training program for a beginner half marathon runner.',
    ]) {
      expect(classify(prompt).task, prompt).toBe('general')
    }
  })

  it('sees a GSM8K-style word problem without maths words as thinking', () => {
    const c = classify(
      'Natalia sold clips to 48 of her friends in April, and then she sold half as many clips to her friends in May. ' +
        'How many clips did Natalia sell altogether in April and May?',
    )
    expect(c.task).toBe('thinking')
    expect(signalNames(c)).toContain('math_word_problem')
  })

  it('sees a knights-and-knaves puzzle as thinking', () => {
    const c = classify(
      'On an island, knights always tell the truth and knaves always lie. A says: "B is a knave." B says: ' +
        '"A and I are of the same type." What are A and B?',
    )
    expect(c.task).toBe('thinking')
    expect(signalNames(c)).toContain('logic_puzzle')
  })

  it('sees a seating-arrangement puzzle as thinking', () => {
    const c = classify(
      "Six friends sit around a round table. Ana sits directly opposite Ben. Cy sits to Ana's immediate left. " +
        "Dee is not next to Cy. Who sits on Ben's immediate right?",
    )
    expect(c.task).toBe('thinking')
  })

  it('sees "who owns the zebra" as thinking', () => {
    const c = classify(
      'There are five houses in a row. The Brit lives in the red house. The Swede keeps dogs. The green house is ' +
        'immediately to the left of the white house. The Norwegian lives in the first house. Who owns the zebra?',
    )
    expect(c.task).toBe('thinking')
  })
})

describe('classifyRequest: tasks', () => {
  it('reads a code fence and code lines as coding', () => {
    const c = classify(
      'Why does this loop never end?\n\n```js\nlet i = 0;\nwhile (i < 10) {\n  console.log(i);\n}\n```',
    )
    expect(c.task).toBe('coding')
    expect(signalNames(c)).toEqual(expect.arrayContaining(['code_fence', 'code_lines']))
  })

  it('reads a pasted stack trace as coding', () => {
    const c = classify(
      'Traceback (most recent call last):\n  File "app.py", line 14, in <module>\n    total = sum(p) / len(p)\n' +
        'ZeroDivisionError: division by zero',
    )
    expect(c.task).toBe('coding')
    expect(signalNames(c)).toContain('stack_trace')
  })

  it('reads a HumanEval stub and an MBPP request as coding', () => {
    const stub =
      'def truncate_number(number: float) -> float:\n    """ Return the decimal part of the number.\n    >>> truncate_number(3.5)\n    0.5\n    """\n'
    expect(classify(stub).task).toBe('coding')
    expect(classify('Write a function to find the shared elements from the given two lists.').task).toBe('coding')
  })

  it('reads explicit output constraints as instruction following', () => {
    const c = classify(
      'Write a 300+ word essay about the history of the bicycle. Do not use any commas in your response.',
    )
    expect(c.task).toBe('instruction_following')
    expect(signalNames(c, 'instruction_following')).toContain('counted_constraint')
  })

  it('reads extraction into a JSON schema as instruction following', () => {
    const c = classify(
      'Extract all the people, organizations and dates mentioned in the text below and return them as JSON with the ' +
        'keys "people", "organizations" and "dates".\n\nOn March 3, 2021, Maria Chen joined Helix Robotics as CTO.',
    )
    expect(c.task).toBe('instruction_following')
  })

  it('counts a format rule in the system prompt', () => {
    const c = classify(
      "Hi, I've been locked out of my account since this morning!",
      {},
      'Always reply with a single JSON object of the form {"category": "...", "urgency": "low|medium|high"} and nothing else.',
    )
    expect(c.task).toBe('instruction_following')
  })

  it('reads response_format as instruction following and requires JSON mode', () => {
    const c = classify('Give me the sentiment of: "the delivery was late but the food was great"', {
      response_format: {type: 'json_object'},
    })
    expect(c.task).toBe('instruction_following')
    expect(c.requirements.json_mode).toBe(true)
    expect(signalNames(c)).toContain('response_format')
  })

  it('sends any request with an image to the image task, keeping the text task as a signal', () => {
    const c = classifyRequest(
      {
        messages: [
          {
            role: 'user',
            content: [
              {type: 'text', text: 'This screenshot shows my Python stack trace. How do I fix the function?'},
              {type: 'image_url', image_url: {url: 'https://example.com/error.png'}},
            ],
          },
        ],
      },
      'chat.completions',
    )
    expect(c.task).toBe('image')
    expect(c.requirements.vision).toBe(true)
    expect(c.signals.find((s) => s.name === 'text_task')).toMatchObject({target: 'coding'})
  })

  it('tells a knowledge multiple-choice question (general) from a calculation one (thinking)', () => {
    const knowledge = classify(
      'Which organelle is known as the powerhouse of the cell?\nA. Nucleus\nB. Ribosome\nC. Mitochondrion\nD. Golgi apparatus',
    )
    const calculation = classify(
      'A 2.0 kg block is pushed across a frictionless floor with a constant force of 10 N for 3 seconds, starting ' +
        'from rest. What is its final speed?\nA. 5 m/s\nB. 10 m/s\nC. 15 m/s\nD. 30 m/s',
    )
    expect(knowledge.task).toBe('general')
    expect(calculation.task).toBe('thinking')
  })

  it('weighs the last user turn most and earlier turns less', () => {
    const body = {
      messages: [
        {role: 'user', content: 'Write a function in Python that checks if a string is a valid IPv4 address.'},
        {role: 'assistant', content: '```python\ndef is_ipv4(s):\n    return len(s.split(".")) == 4\n```'},
        {role: 'user', content: 'Now make it support IPv6 too.'},
      ],
    }
    expect(classifyRequest(body, 'chat.completions').task).toBe('coding')
    const switched = {
      messages: [
        ...body.messages,
        {role: 'assistant', content: 'Done.'},
        {role: 'user', content: 'Thanks! Unrelated: what should I cook tonight?'},
      ],
    }
    expect(classifyRequest(switched, 'chat.completions').task).toBe('general')
  })

  it('reports a confidence between 0 and 1 that grows with the margin', () => {
    const clear = classify('```python\ndef f(x):\n    return x * 2\n```\nAdd type hints and unit tests with pytest.')
    const unclear = classify('What should I do this weekend?')
    expect(clear.confidence).toBeGreaterThan(0.8)
    expect(clear.confidence).toBeLessThanOrEqual(1)
    expect(unclear.confidence).toBeGreaterThanOrEqual(0)
    expect(unclear.confidence).toBeLessThan(clear.confidence)
  })
})

describe('classifyRequest: the hard cases (puzzles, extraction, writing, role-play, multiple choice)', () => {
  it('sees a cast of names under constraints as a deduction puzzle, whatever kind of puzzle it is', () => {
    for (const prompt of [
      'Mina, Oto, Pia and Rui each drive a different car: a van, a taxi, a coupe and a jeep. Oto does not drive the taxi. ' +
        'Pia drives neither the van nor the jeep. Rui is not in the coupe, and Mina drives the jeep. Who drives the taxi?',
      'Lena finished the race before Omar but after Kofi. Omar was not last. Tess finished immediately after Lena. ' +
        'In what position did Kofi finish?',
      'X is the mother of Y. Y is the brother of Z. Z is not the son of X. How is Z related to X?',
    ]) {
      const c = classify(prompt)
      expect(c.task, prompt).toBe('thinking')
      expect(signalNames(c), prompt).toContain('deduction_puzzle')
    }
  })

  it("does not take the asker's own family, a story with names, or a dialogue for a puzzle", () => {
    const family = classify(
      'My sister Anna is older than me and my brother Tom is not married. Anna turns 40 before Tom does. What should I get Anna for her birthday?',
    )
    const story = classify(
      'Write a short story in which Ann is not the oldest, Ben is never on time, and Ann and Ben are not friends after the first day.',
    )
    const dialogue = classify(
      'Ana: I am not coming before noon.\nBen: Then I will not wait.\nAna: Fine.\nBen: Fine.\nWhat is the tone of this exchange?',
    )
    for (const c of [family, story, dialogue]) expect(signalNames(c)).not.toContain('deduction_puzzle')
    expect(family.task).toBe('general')
    expect(story.task).toBe('general')
  })

  it('reads "list / pull out / fill in … from the text below" as an extraction (instruction following)', () => {
    for (const prompt of [
      'List every city that the letter below mentions.\n\n"Dear Ines, after Porto we drove to Braga, then flew from Lisbon to Madeira."',
      'Pull out the sender, the date and the amount from this receipt: "Harbor Books, 2 May 2024, total 31.50 EUR".',
      'From the job posting below, fill in: title, company, city, salary.\n\n"Staff Nurse at St. Anne\'s Hospital, Leeds. £34,000 a year."',
      'Turn these minutes into a table with the columns decision and owner: the board approved the budget (Sara) and hired a designer (Tom).',
    ]) {
      const c = classify(prompt)
      expect(c.task, prompt).toBe('instruction_following')
      expect(signalNames(c), prompt).toContain('extraction_request')
    }
  })

  it('reads field names, a shape and the data as an extraction, with or without a verb that picks things out', () => {
    for (const prompt of [
      'I need the invoice number, the supplier and the total in a table. Invoice INV-2231 from Norda Supplies: 40 boxes of A4 paper and 6 toner cartridges, total €412.80, due 30 June.',
      'Get the title, author and year out of this citation and put each on its own line.\n\nOkafor, B. (2019). Rivers of Salt. Leeds: Kite Press.',
    ]) {
      const c = classify(prompt)
      expect(c.task, prompt).toBe('instruction_following')
      expect(signalNames(c), prompt).toContain('extraction_request')
    }
    const code = classify(
      'Write a Python function that returns the name, email and phone number of a contact as a CSV line: {"name": "Ana"}',
    )
    expect(code.task).toBe('coding')
    expect(signalNames(code)).not.toContain('extraction_request')
  })

  it('sees constraint statements about things told apart by description, and date arithmetic, as thinking', () => {
    const regatta = classify(
      'Four boats finished a regatta with no ties. The boat with the red sail finished before the blue one but after the white one. ' +
        'The green boat was not last. The blue boat did not finish directly after the red one. Which boat came second?',
    )
    expect(regatta.task).toBe('thinking')
    expect(signalNames(regatta)).toContain('constraint_puzzle')
    const date = classify('Last Tuesday was the 14th of May. What date will it be 10 days later?')
    expect(date.task).toBe('thinking')
    expect(signalNames(date)).toContain('date_arithmetic')
    for (const prompt of ['What day is it today in Tokyo?', 'What is the date of the next full moon?']) {
      expect(signalNames(classify(prompt)), prompt).not.toContain('date_arithmetic')
    }
  })

  it('ranks a multiple-choice question whose options are statements above one whose options are single words', () => {
    const facts = classify(
      'Which of these cells carries oxygen?\nA. neuron\nB. red blood cell\nC. platelet\nD. skin cell',
    )
    const statements = classify(
      'Which of these best explains why red blood cells carry oxygen efficiently?\n' +
        'A. Haemoglobin binds oxygen cooperatively, so small changes in pressure load or unload much of it\n' +
        'B. Their nucleus stores oxygen for later release in the tissues\n' +
        'C. Their mitochondria consume none of the oxygen they carry to the tissues\n' +
        'D. Oxygen dissolves in their membrane far better than in plasma',
    )
    expect(signalNames(facts)).not.toContain('option_length')
    expect(signalNames(statements)).toContain('option_length')
    expect(statements.complexity_score).toBeGreaterThan(facts.complexity_score)
  })

  it('reads a language or tool named inside the document as data, not as a coding request', () => {
    const c = classify(
      "From the CV below, list the applicant's employers and years.\n\nAda Ruiz. 2018-2023 data engineer at Kestrel (Python, SQL, Kafka). 2015-2018 analyst at Brio.",
    )
    expect(c.task).toBe('instruction_following')
  })

  it('does not read a summary, a translation, a judgement or a build request about a text as an extraction', () => {
    for (const prompt of [
      'Produce a summary of the following text: The council met on Monday and agreed to plant 400 trees.',
      'Translate the following email into French: "We will arrive on Friday."',
      'Can you read this email and tell me if the tone is too harsh? "Sam, your report was late again."',
      'Find a good title for this article: cities are planting more trees than ever.',
    ]) {
      expect(signalNames(classify(prompt)), prompt).not.toContain('extraction_request')
    }
    const app = classify('Build a React app from this description: a todo list with due dates and reminders.')
    expect(app.task).toBe('coding')
    expect(signalNames(app)).not.toContain('extraction_request')
  })

  it('reads a piece of writing about a programming subject as writing, and code that sends an email as code', () => {
    expect(
      classify('Write a blog post about what I learned in my first year of learning Rust and TypeScript.').task,
    ).toBe('general')
    expect(
      classify('Draft a heartfelt letter to the Python community thanking them for a decade of PyCon talks.').task,
    ).toBe('general')
    expect(classify('Write a Python function that sends an email with an attachment.').task).toBe('coding')
    expect(classify('Write an email validation function in Go.').task).toBe('coding')
  })

  it('reads a role-play as general even when the character reasons, but a role-played terminal as coding', () => {
    const detective = classify(
      'Role-play as Hercule Poirot and tell me what you deduce from my muddy boots and my tired eyes.',
    )
    expect(detective.task).toBe('general')
    expect(signalNames(detective)).toContain('roleplay')
    const terminal = classify(
      'I want you to act as a Linux terminal. I will type commands and you reply with what the terminal shows. First command: ls -la',
    )
    expect(terminal.task).toBe('coding')
  })

  it('does not count the numbers of the answer options as quantities of the question', () => {
    const recall = classify(
      'At what temperature does pure water boil at sea level?\nA. 50 °C\nB. 90 °C\nC. 100 °C\nD. 120 °C',
    )
    expect(recall.task).toBe('general')
    const calculation = classify('Which of the following is a prime number?\nA. 21\nB. 27\nC. 29\nD. 33')
    expect(calculation.task).toBe('thinking')
    expect(signalNames(calculation)).toContain('numeric_answers')
    const inline = classify('What is a third of 60?\n(A) 15 (B) 20 (C) 30 (D) 180')
    expect(inline.task).toBe('thinking')
  })

  it('reads objects named by a letter ("let X be") and maths symbols as maths', () => {
    const c = classify(
      'Let G be a finite group and H a subgroup of index 2. Which statement must hold?\nA. H is normal\nB. H is cyclic\nC. G is abelian\nD. H is trivial',
    )
    expect(c.task).toBe('thinking')
    expect(signalNames(c, 'complexity')).toContain('abstraction')
    expect(classify('Simplify (a² · a⁵) / a³ and give the exponent.').task).toBe('thinking')
  })

  it('ranks the same kind of question higher when its vocabulary is that of a specialist', () => {
    const school = classify(
      'Which part of a plant takes in water from the soil?\nA. the leaves\nB. the roots\nC. the flower\nD. the seeds',
    )
    const graduate = classify(
      'Which mechanism best explains the constitutive activation of adenylyl cyclase after ADP-ribosylation of the ' +
        'stimulatory G-protein alpha subunit?\nA. inhibited GTPase activity\nB. enhanced phosphodiesterase activity\n' +
        'C. dissociation of the beta-gamma complex\nD. receptor desensitization',
    )
    expect(graduate.complexity_score).toBeGreaterThan(school.complexity_score + 0.5)
    expect(signalNames(graduate, 'complexity')).toContain('vocabulary_level')
    expect(signalNames(school, 'complexity')).not.toContain('vocabulary_level')
  })
})

describe('classifyRequest: complexity', () => {
  it.each([
    ['What is 15% of 80?', ['low']],
    [
      'Natalia sold clips to 48 of her friends in April, and then she sold half as many clips to her friends in May. How many clips did Natalia sell altogether in April and May?',
      ['medium'],
    ],
    [
      'Find the number of ordered pairs of positive integers $(m, n)$ such that $m^2 n = 20^{20}$. Find the remainder when it is divided by 1000.',
      ['high', 'xhigh'],
    ],
    ['write a function to reverse a string', ['low']],
    ['implement a thread-safe LRU cache with TTL in Rust', ['high']],
    ['design a distributed rate limiter across regions with consistency trade-offs', ['xhigh']],
  ] as Array<[string, Complexity[]]>)('rates %j as %j', (prompt, tiers) => {
    expect(tiers).toContain(classify(prompt).complexity)
  })

  it('keeps the tier consistent with the score', () => {
    for (const prompt of [
      'hi',
      'Prove that there are infinitely many primes of the form 4k + 3.',
      'Design a URL shortener.',
    ]) {
      const c = classify(prompt)
      const expected =
        c.complexity_score >= 4.8
          ? 'xhigh'
          : c.complexity_score >= 2.9
            ? 'high'
            : c.complexity_score >= 1.4
              ? 'medium'
              : 'low'
      expect(c.complexity).toBe(expected)
      expect(c.complexity_score).toBeGreaterThanOrEqual(0)
    }
  })

  it('lets reasoning_effort dominate the tier in both directions', () => {
    const olympiad =
      'Find all functions f: R -> R such that f(x + f(y)) = f(x) + y for all real numbers x and y. Give a complete proof.'
    expect(classify(olympiad).complexity).toBe('xhigh')
    expect(classify(olympiad, {reasoning_effort: 'minimal'}).complexity).toBe('low')
    expect(tierIndex(classify(olympiad, {reasoning_effort: 'low'}).complexity)).toBeLessThanOrEqual(tierIndex('medium'))

    const trivial = 'What is 12 squared?'
    expect(classify(trivial).complexity).toBe('low')
    expect(classify(trivial, {reasoning_effort: 'high'}).complexity).toBe('high')
    expect(classify(trivial, {reasoning_effort: 'xhigh'}).complexity).toBe('xhigh')
    expect(classify(trivial, {reasoning_effort: 'medium'}).complexity).toBe('low')

    const c = classify(trivial, {reasoning_effort: 'high'})
    expect(c.signals.find((s) => s.name === 'reasoning_effort')).toMatchObject({
      target: 'complexity',
      detail: 'effort "high"',
    })
  })

  it('reads the responses API reasoning.effort as well', () => {
    const c = classifyRequest(
      {input: 'How many trailing zeros does 100! have?', reasoning: {effort: 'xhigh'}},
      'responses',
    )
    expect(c.complexity).toBe('xhigh')
  })

  it('raises complexity for long context, long conversations and tools', () => {
    const question = 'Summarise the main decisions.'
    const short = classify(question)
    const long = classify(
      `${'The committee discussed the budget, the hiring plan and the office move at length. '.repeat(400)}\n${question}`,
    )
    expect(long.complexity_score).toBeGreaterThan(short.complexity_score + 1.5)
    expect(signalNames(long, 'complexity')).toContain('length')

    const turns = Array.from({length: 8}, (_, i) => [
      {role: 'user', content: `Question ${i} about the garden?`},
      {role: 'assistant', content: 'An answer.'},
    ]).flat()
    const conversation = classifyRequest({messages: [...turns, {role: 'user', content: question}]}, 'chat.completions')
    expect(signalNames(conversation, 'complexity')).toContain('conversation')
    expect(conversation.complexity_score).toBeGreaterThan(short.complexity_score)

    const tool = {
      type: 'function',
      function: {name: 'read_file', parameters: {type: 'object', properties: {path: {type: 'string'}}}},
    }
    const withTools = classify(question, {tools: [tool]})
    expect(withTools.requirements.tools).toBe(true)
    expect(withTools.complexity_score).toBeGreaterThan(short.complexity_score)
  })
})

describe('classifyRequest: requirements for each endpoint', () => {
  it('reads a chat request: images, tools, JSON mode, streaming, output tokens and an input estimate', () => {
    const c = classifyRequest(
      {
        model: 'auto',
        stream: true,
        max_completion_tokens: 512,
        response_format: {type: 'json_schema', json_schema: {name: 'x', schema: {type: 'object'}}},
        tools: [{type: 'function', function: {name: 'lookup', parameters: {type: 'object'}}}],
        messages: [
          {role: 'system', content: 'a'.repeat(400)},
          {
            role: 'user',
            content: [
              {type: 'text', text: 'b'.repeat(400)},
              {type: 'image_url', image_url: {url: 'https://x/y.png', detail: 'low'}},
            ],
          },
        ],
      },
      'chat.completions',
    )
    expect(c.requirements).toMatchObject({
      vision: true,
      tools: true,
      json_mode: true,
      streaming: true,
      embeddings: false,
      image_generation: false,
      output_tokens: 512,
    })
    // 800 characters of text (200 tokens), 2 messages, a low-detail image (85), the tool definition.
    expect(c.requirements.input_tokens).toBeGreaterThan(200 + 85)
    expect(c.requirements.input_tokens).toBeLessThan(200 + 85 + 60)
  })

  it('reads max_tokens when no newer field is given, and null when none is', () => {
    expect(classify('hi', {max_tokens: 100}).requirements.output_tokens).toBe(100)
    expect(classify('hi').requirements.output_tokens).toBeNull()
    expect(classify('hi').requirements.streaming).toBe(false)
  })

  it('reads a responses request: instructions, input items, images, text format and max_output_tokens', () => {
    const c = classifyRequest(
      {
        instructions: 'Return a JSON object with keys "title" and "tags".',
        input: [
          {
            role: 'user',
            content: [
              {type: 'input_text', text: 'Scientists found a glowing frog.'},
              {type: 'input_image', image_url: 'https://x/frog.png'},
            ],
          },
          {type: 'function_call_output', call_id: 'c1', output: '{"ok": true}'},
        ],
        text: {format: {type: 'json_object'}},
        max_output_tokens: 300,
      },
      'responses',
    )
    expect(c.task).toBe('image')
    expect(c.requirements).toMatchObject({vision: true, json_mode: true, output_tokens: 300})
    expect(c.signals.find((s) => s.name === 'text_task')).toMatchObject({target: 'instruction_following'})
  })

  it('reads a responses request whose input is a plain string', () => {
    const c = classifyRequest({input: 'Write a python function to count vowels in a string.'}, 'responses')
    expect(c.task).toBe('coding')
    expect(c.requirements.input_tokens).toBeGreaterThan(10)
  })

  it('reads an Anthropic Messages request: system blocks, tool results as tool turns, images, tools and the thinking budget', () => {
    const body = {
      model: 'auto',
      max_tokens: 4096,
      stream: true,
      system: [
        {type: 'text', text: 'You are a coding agent in the user repository.', cache_control: {type: 'ephemeral'}},
      ],
      tools: [
        {
          name: 'bash',
          description: 'Run a command',
          input_schema: {type: 'object', properties: {command: {type: 'string'}}},
        },
      ],
      thinking: {type: 'enabled', budget_tokens: 32_000},
      messages: [
        {role: 'user', content: 'Fix the failing test in src/parser.ts and make the parser handle escaped quotes.'},
        {
          role: 'assistant',
          content: [
            {type: 'thinking', thinking: 'Let me look at the test output first.', signature: 'sig'},
            {type: 'tool_use', id: 'toolu_1', name: 'bash', input: {command: 'npm test'}},
          ],
        },
        {
          role: 'user',
          content: [
            {type: 'tool_result', tool_use_id: 'toolu_1', content: 'FAIL src/parser.test.ts: expected "a\\"b"'},
          ],
        },
      ],
    }
    const c = classifyRequest(body, 'messages')
    expect(c.task).toBe('coding')
    expect(c.requirements).toMatchObject({tools: true, streaming: true, output_tokens: 4096, vision: false})
    // The thinking budget is the user's own effort signal, as reasoning_effort is for OpenAI's API.
    expect(c.signals.find((s) => s.name === 'reasoning_effort')?.detail).toContain('high')
    const image = classifyRequest(
      {
        max_tokens: 100,
        messages: [
          {
            role: 'user',
            content: [
              {type: 'image', source: {type: 'url', url: 'https://x/cat.png'}},
              {type: 'text', text: 'What is this?'},
            ],
          },
        ],
      },
      'messages',
    )
    expect(image.task).toBe('image')
    expect(image.requirements.vision).toBe(true)
  })

  it('reads a completions prompt, as a string or a list, and treats a suffix as code', () => {
    expect(classifyRequest({prompt: 'Once upon a time, in a village by the sea,'}, 'completions').task).toBe('general')
    const list = classifyRequest({prompt: ['What is 17 times 23?', 'And 18 times 24?']}, 'completions')
    expect(list.task).toBe('thinking')
    const fim = classifyRequest({prompt: 'def fizzbuzz(n):\n    ', suffix: '\n    return out\n'}, 'completions')
    expect(fim.task).toBe('coding')
    expect(signalNames(fim)).toContain('fill_in_middle')
    const tokens = classifyRequest({prompt: [1, 2, 3, 4, 5, 6, 7, 8]}, 'completions')
    expect(tokens.requirements.input_tokens).toBeGreaterThanOrEqual(8)
  })

  it('marks an embeddings request as general, low, needing embeddings', () => {
    const c = classifyRequest({input: ['The quick brown fox', 'jumps over the lazy dog']}, 'embeddings')
    expect(c).toMatchObject({task: 'general', complexity: 'low', complexity_score: 0, confidence: 1})
    expect(c.requirements).toMatchObject({embeddings: true, image_generation: false, vision: false})
    expect(c.requirements.input_tokens).toBeGreaterThan(0)
  })

  it('marks an image generation request as image, needing image generation', () => {
    const c = classifyRequest(
      {prompt: 'A watercolor fox reading under a maple tree', size: '1024x1024'},
      'images.generations',
    )
    expect(c.task).toBe('image')
    expect(c.requirements).toMatchObject({image_generation: true, embeddings: false, vision: false})
  })

  it('guesses the shape of a passthrough request', () => {
    expect(classifyRequest(chat('Write a Rust function that parses a CSV line.'), 'passthrough').task).toBe('coding')
    expect(classifyRequest({input: 'How many ways can 5 people sit in a row?'}, 'passthrough').task).toBe('thinking')
  })

  it('never throws on malformed bodies', () => {
    const bodies: unknown[] = [
      null,
      undefined,
      42,
      'just a string',
      [],
      {messages: 'nope'},
      {messages: [null, 3, {role: 'user', content: 7}]},
      {input: {weird: true}},
    ]
    for (const body of bodies) {
      for (const endpoint of [
        'chat.completions',
        'responses',
        'completions',
        'embeddings',
        'passthrough',
      ] as Endpoint[]) {
        const c = classifyRequest(body, endpoint)
        expect(ClassificationSchema.safeParse(c).success).toBe(true)
      }
    }
  })
})

describe('classifyRequest: determinism and signals', () => {
  const sample = chat(
    'Our Java service throws ConcurrentModificationException under load:\n\tat com.acme.Cache.evict(Cache.java:88)\n' +
      'Exception in thread "pool-3" java.util.ConcurrentModificationException\nWhat is the cleanest fix? Answer in at most 5 bullet points.',
  )

  it('gives the same decision for the same request', () => {
    const first = classifyRequest(sample, 'chat.completions')
    const again = classifyRequest(structuredClone(sample), 'chat.completions')
    expect(again).toEqual(first)
    expect(JSON.stringify(classifyRequest(sample, 'chat.completions'))).toBe(JSON.stringify(first))
  })

  it('returns a valid classification whose signals are short and sensible', () => {
    const c = classifyRequest(sample, 'chat.completions')
    expect(ClassificationSchema.parse(c)).toEqual(c)
    expect(c.signals.length).toBeGreaterThan(3)
    for (const signal of c.signals) {
      expect(Number.isFinite(signal.weight)).toBe(true)
      expect(signal.weight).not.toBe(0)
      expect((signal.detail ?? '').length).toBeLessThanOrEqual(60)
    }
    const names = signalNames(c)
    expect(names).toEqual(expect.arrayContaining(['stack_trace', 'general_prior', 'task_base', 'length']))
    // Strongest first.
    const weights = c.signals.map((s) => Math.abs(s.weight))
    expect([...weights].sort((a, b) => b - a)).toEqual(weights)
  })

  it('never copies long stretches of the prompt into signal details', () => {
    const prompt =
      'Quintessential marmalade hovercraft negotiations require seventeen purple umbrellas, according to the ' +
      'distinguished committee of lighthouse keepers from Reykjavik who met on Tuesday.'
    const words = prompt.toLowerCase().split(/\s+/)
    const c = classify(prompt)
    for (const signal of c.signals) {
      const detail = (signal.detail ?? '').toLowerCase()
      for (let i = 0; i + 3 <= words.length; i++) expect(detail).not.toContain(words.slice(i, i + 3).join(' '))
    }
  })
})

interface FixtureItem {
  prompt?: string
  system?: string
  request?: Body
  endpoint?: Endpoint
  task: Task
  complexity: Complexity
  style: string
  /** `hard-cases`: the puzzles, extraction requests, graded multiple-choice questions and writing added for them. */
  set?: string
  holdout?: boolean
}

function fixtureBody(item: FixtureItem): Body {
  return item.request ?? chat(item.prompt ?? '', {}, item.system)
}

const TASKS: readonly Task[] = ['general', 'coding', 'thinking', 'instruction_following', 'image']

/**
 * Ranking metric: over every pair of fixture prompts with different complexity labels, the share the classifier
 * orders the same way by `complexity_score` (ties count one half). 1 is a perfect ranking, 0.5 a coin toss.
 */
function pairwiseOrdering(rows: Array<{label: Complexity; score: number}>): number {
  let agree = 0
  let pairs = 0
  for (const a of rows) {
    for (const b of rows) {
      if (tierIndex(a.label) >= tierIndex(b.label)) continue
      pairs++
      agree += a.score < b.score ? 1 : a.score === b.score ? 0.5 : 0
    }
  }
  return pairs === 0 ? 1 : agree / pairs
}

/**
 * AUC of hard against easy: the chance that a prompt labelled `high` or `xhigh` scores above one labelled `low` or
 * `medium` (ties count one half). It asks only whether what stumps a small model ranks above what it gets right.
 */
function hardVersusEasy(rows: Array<{label: Complexity; score: number}>): number {
  const hard = rows.filter((r) => tierIndex(r.label) >= tierIndex('high'))
  const easy = rows.filter((r) => tierIndex(r.label) < tierIndex('high'))
  let agree = 0
  for (const h of hard) for (const e of easy) agree += h.score > e.score ? 1 : h.score === e.score ? 0.5 : 0
  return hard.length * easy.length === 0 ? 1 : agree / (hard.length * easy.length)
}

interface Report {
  n: number
  accuracy: number
  /** Share of each label's prompts classified as that label. */
  taskAccuracy: Partial<Record<Task, number>>
  /** Task accuracy per style. */
  styleAccuracy: Record<string, {n: number; accuracy: number}>
  pairwise: number
  auc: number
  tierAccuracy: number
  meanScore: Record<Complexity, number>
  confusion: Record<string, Record<string, number>>
}

function evaluate(items: FixtureItem[]): Report {
  const confusion: Record<string, Record<string, number>> = {}
  const styles: Record<string, {n: number; correct: number}> = {}
  const scores: Record<Complexity, number[]> = {low: [], medium: [], high: [], xhigh: []}
  const rows: Array<{label: Complexity; score: number}> = []
  let correct = 0
  let tierCorrect = 0
  for (const item of items) {
    const c = classifyRequest(fixtureBody(item), item.endpoint ?? 'chat.completions')
    confusion[item.task] ??= {}
    confusion[item.task][c.task] = (confusion[item.task][c.task] ?? 0) + 1
    styles[item.style] ??= {n: 0, correct: 0}
    styles[item.style].n++
    if (c.task === item.task) {
      correct++
      styles[item.style].correct++
    }
    if (c.complexity === item.complexity) tierCorrect++
    scores[item.complexity].push(c.complexity_score)
    rows.push({label: item.complexity, score: c.complexity_score})
  }
  const mean = (xs: number[]): number => (xs.length === 0 ? Number.NaN : xs.reduce((s, x) => s + x, 0) / xs.length)
  const taskAccuracy: Partial<Record<Task, number>> = {}
  for (const task of TASKS) {
    const row = confusion[task]
    if (row) taskAccuracy[task] = (row[task] ?? 0) / Object.values(row).reduce((s, x) => s + x, 0)
  }
  return {
    n: items.length,
    accuracy: correct / items.length,
    taskAccuracy,
    styleAccuracy: Object.fromEntries(
      Object.entries(styles).map(([style, {n, correct: ok}]) => [style, {n, accuracy: ok / n}]),
    ),
    pairwise: pairwiseOrdering(rows),
    auc: hardVersusEasy(rows),
    tierAccuracy: tierCorrect / items.length,
    meanScore: {low: mean(scores.low), medium: mean(scores.medium), high: mean(scores.high), xhigh: mean(scores.xhigh)},
    confusion,
  }
}

function printReport(name: string, report: Report, styles = false): void {
  const lines = [
    `classifier fixture, ${name}: n=${report.n} task accuracy=${report.accuracy.toFixed(3)} ` +
      `pairwise complexity ordering=${report.pairwise.toFixed(3)} hard-vs-easy AUC=${report.auc.toFixed(3)} ` +
      `exact tier=${report.tierAccuracy.toFixed(3)}`,
    `  task accuracy per label: ${TASKS.filter((t) => report.taskAccuracy[t] !== undefined)
      .map((t) => `${t}=${report.taskAccuracy[t]!.toFixed(3)}`)
      .join(' ')}`,
    ...(styles
      ? [
          `  task accuracy per style: ${Object.entries(report.styleAccuracy)
            .map(([s, {n, accuracy}]) => `${s}=${accuracy.toFixed(3)} (n=${n})`)
            .join(' ')}`,
        ]
      : []),
    `  mean complexity_score: ${TIERS.map((t) => `${t}=${report.meanScore[t].toFixed(2)}`).join(' ')}`,
    `  confusion (rows: label, columns: predicted) ${TASKS.map((t) => t.slice(0, 8).padStart(9)).join('')}`,
    ...TASKS.map(
      (label) =>
        `  ${label.padEnd(42)}${TASKS.map((p) => String(report.confusion[label]?.[p] ?? 0).padStart(9)).join('')}`,
    ),
  ]
  console.log(lines.join('\n'))
}

describe('classifyRequest: labelled fixture', () => {
  const path = fileURLToPath(new URL('../../fixtures/classifier/prompts.jsonl', import.meta.url))
  const items = readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as FixtureItem)
  /**
   * Fresh sets of the hard kinds, all held out and reported on their own, each written before the classifier was
   * scored on it: `fresh-hard` before the changes for puzzles without names and questions about a given text (0.817
   * then), `fresh-hard-2` after a second round (0.844 then), `fresh-hard-3` after a third, `fresh-hard-4` (in the
   * style of BIG-Bench Hard, LogiQA, Alpaca extraction, MMLU/ARC/GPQA and MT-Bench, with general and coding prompts to
   * test precision) after a fourth; the earlier sets' figures were read (in aggregate) before the later rounds, and
   * only sets 1 and 2 were tuned on.
   */
  const isFresh = (item: FixtureItem): boolean => item.set?.startsWith('fresh-hard') === true
  const freshSets = ['fresh-hard', 'fresh-hard-2', 'fresh-hard-3', 'fresh-hard-4'].map((set) =>
    items.filter((item) => item.set === set),
  )
  /** The fixture split into a tuned part and a holdout; the fresh sets are reported on their own. */
  const split = items.filter((item) => !isFresh(item))
  const tuned = split.filter((item) => !item.holdout)
  const holdout = split.filter((item) => item.holdout)
  const original = items.filter((item) => item.set === undefined)
  const hard = items.filter((item) => item.set === 'hard-cases')
  const gradedChoice = (item: FixtureItem): boolean => item.style.startsWith('graded-mc-')

  it('is a sizeable fixture with a holdout of about a fifth, besides the fresh set', () => {
    expect(items.length).toBeGreaterThanOrEqual(1000)
    expect(holdout.length / split.length).toBeGreaterThan(0.15)
    expect(holdout.length / split.length).toBeLessThan(0.25)
    for (const set of freshSets) {
      expect(set.length).toBeGreaterThanOrEqual(60)
      expect(set.every((item) => item.holdout)).toBe(true)
    }
    for (const task of TASKS) expect(items.some((item) => item.task === task)).toBe(true)
    // Each tier of the graded multiple-choice questions has science and maths on both sides of the split.
    for (const side of [true, false]) {
      for (const tier of TIERS) {
        for (const subject of ['science', 'math']) {
          const n = hard.filter(
            (i) => !!i.holdout === side && i.complexity === tier && i.style === `graded-mc-${subject}`,
          ).length
          expect(n, `${tier} ${subject} ${side ? 'holdout' : 'tuned'}`).toBeGreaterThanOrEqual(4)
        }
      }
    }
  })

  // The hard cases' holdout was first classified after the classifier was tuned on their other half: 0.876 then (goal
  // 0.9; the constraint puzzles without a cast of names are what it misses). Its bar guards that figure.
  it('classifies the task of at least 90% of prompts on the tuned parts and the original holdout, 85% on the hard holdout and the fresh sets', () => {
    const reports = {
      tuned: evaluate(original.filter((i) => !i.holdout)),
      holdout: evaluate(original.filter((i) => i.holdout)),
      hardTuned: evaluate(hard.filter((i) => !i.holdout)),
      hardHoldout: evaluate(hard.filter((i) => i.holdout)),
    }
    printReport('tuned part', reports.tuned)
    printReport('holdout', reports.holdout)
    printReport('hard cases, tuned part', reports.hardTuned, true)
    printReport('hard cases, holdout', reports.hardHoldout, true)
    const freshReports = freshSets.map((set) => evaluate(set))
    for (const [k, report] of freshReports.entries()) printReport(`fresh hard cases, set ${k + 1}`, report, true)
    expect(reports.tuned.accuracy).toBeGreaterThanOrEqual(0.9)
    expect(reports.holdout.accuracy).toBeGreaterThanOrEqual(0.9)
    expect(reports.hardTuned.accuracy).toBeGreaterThanOrEqual(0.9)
    expect(reports.hardHoldout.accuracy).toBeGreaterThanOrEqual(0.85)
    // The fresh sets: 0.845, 0.875, 0.828 and 0.890 when the last was written (the goal is 0.9); 0.944, 0.891, 0.859
    // and 0.934 after the round that followed (the shapes of extractions, constraint lists and date arithmetic).
    for (const report of freshReports) expect(report.accuracy).toBeGreaterThanOrEqual(0.85)
  })

  it('ranks complexity: mean score rises with each label and pairs are ordered at least 80% of the time', () => {
    const all = evaluate(split)
    expect(all.meanScore.low).toBeLessThan(all.meanScore.medium)
    expect(all.meanScore.medium).toBeLessThan(all.meanScore.high)
    expect(all.meanScore.high).toBeLessThan(all.meanScore.xhigh)
    expect(evaluate(tuned).pairwise).toBeGreaterThanOrEqual(0.8)
    expect(evaluate(holdout).pairwise).toBeGreaterThanOrEqual(0.8)
  })

  // The goal is an AUC of 0.6; the bar sits higher to keep what the vocabulary level brought (0.67 tuned and 0.87
  // holdout before it, 0.80 and 0.90 with it) and the length of the options (0.835 and 0.917 with it).
  it('ranks graded multiple-choice questions: undergraduate and harder above school level', () => {
    const reports = {
      tuned: evaluate(hard.filter((i) => gradedChoice(i) && !i.holdout)),
      holdout: evaluate(hard.filter((i) => gradedChoice(i) && i.holdout)),
    }
    printReport('graded multiple choice, tuned part', reports.tuned)
    printReport('graded multiple choice, holdout', reports.holdout)
    // The fresh sets' questions (AUC 0.769 when set 4 was written, 0.767 after the options' length) are reported,
    // not held to the bar.
    printReport('graded multiple choice, fresh sets', evaluate(items.filter((i) => isFresh(i) && gradedChoice(i))))
    for (const report of Object.values(reports)) expect(report.auc).toBeGreaterThanOrEqual(0.8)
  })
})
