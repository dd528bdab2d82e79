/**
 * Weighted word and phrase data of the classifier. Each tag lists terms; a term is one word or a phrase of words,
 * optionally with a multiplier (`[term, 0.5]`) of its tag's weight (the tag weights live in `task.ts` and
 * `complexity.ts`). Terms are matched on whole tokens (see `scan.ts`), never inside other words, and the longest
 * phrase at a position wins, so `dress code` hides `code` and `training program` hides `program`.
 */

/** Evidence categories the scanner reports. */
export type Tag =
  // Coding
  | 'lang' // an unambiguous programming language
  | 'lang_weak' // a language name that is also an everyday word (go, swift, c, r, rust); counts only beside code words
  | 'tech' // frameworks, tools, protocols, file formats of software
  | 'code_term' // programming concepts that are rarely anything else
  | 'code_weak' // programming vocabulary that is also everyday or maths vocabulary (array, string, return)
  | 'code_artifact' // program, function, script, class, code...: code only when a verb or a language confirms it
  | 'code_verb' // write, implement, fix...: confirms a following artifact
  | 'sysdesign' // system-design vocabulary
  | 'not_code' // phrases that look like code words but are not (dress code, training program)
  | 'media' // film, video, podcast...: a `script` near these is a screenplay
  // Thinking
  | 'math_term'
  | 'competition' // competition-maths phrasing (olympiad, relatively prime, find all functions)
  | 'proof'
  | 'reasoning_cue' // step by step, show your work
  | 'estimation'
  | 'logic' // logic puzzles, deduction, BBH-style judgement tasks
  | 'cipher' // decode, decipher, Caesar: puzzles, not code
  | 'quantity_q' // how many, how much, what is the probability
  | 'calc_verb' // calculate, compute, solve
  | 'number_word' // twice, half, dozen, seven
  | 'unit' // km, kg, hours, dollars
  | 'planning' // schedule, assign, minimum number of
  | 'relation' // ahead of, older than, not, neither, exactly one, daughter of: the constraints of a puzzle's cast
  | 'constraint_word' // must, cannot, at most, unavailable
  | 'kinship' // father, daughter, grandfather: the relations of a family-tree puzzle (counted only)
  | 'puzzle_frame' // exactly one, no two, one each, at a time, is true: how a puzzle fixes its unknowns
  | 'row_end' // from the top, from the left: a place counted from one end when a number or an ordinal precedes it
  | 'method_question' // how can you, is it possible: asks for a method or a verdict of feasibility
  | 'arrangement' // above, directly below, left of, next to, taller than: places and orders (counted only)
  // Instruction following
  | 'format_rule' // explicit output-shape rules
  | 'case_rule' // all lowercase, capital letters
  | 'json_output'
  | 'output_only' // nothing else, no explanation
  | 'extraction'
  | 'rewrite'
  | 'preserve' // without changing, keep the meaning
  | 'structure_word' // bullet points, numbered list, table: a format request, weak alone
  | 'extract_verb' // list, pull out, identify, fill in, convert: an extraction when a source text is referred to
  // General
  | 'general_cue'
  | 'writing' // essays, stories, emails, speeches
  | 'roleplay' // act as, pretend, stay in character: a character to play
  // Complexity only
  | 'depth_advanced'
  | 'depth_intermediate'
  | 'code_hard'
  | 'simplicity'
  | 'effort_up'
  | 'analysis' // compare, discuss, causes and consequences: open-ended analysis
  | 'code_big' // artifacts of some size: an app, a service, a game
  | 'code_small' // artifacts of a few lines: a function, a regex, a query
  // Gates: words whose presence lets the scanner run a structural pattern at all (no weight of their own)
  | 'gate_unit'
  | 'gate_punctuation'
  | 'gate_swap'
  | 'gate_trade'
  | 'gate_arithmetic'
  | 'gate_each'
  | 'gate_problem'
  | 'gate_quantifier'
  | 'gate_boolean'
  | 'gate_trace'
  | 'gate_trace_weak'
  | 'gate_riddle'
  | 'gate_modal'
  | 'gate_letter'
  | 'gate_let'
  | 'gate_fraction'
  | 'gate_claim'

/** A term, or a term with a multiplier of its tag's weight. */
export type TermSpec = string | readonly [string, number]

/** The lexicon: tag → terms. Order does not matter. */
export const LEXICON: Readonly<Record<Tag, readonly TermSpec[]>> = {
  lang: [
    'python', 'python3', 'javascript', 'typescript', 'java', 'c++', 'cpp', 'c#', 'csharp', 'f#', 'golang', 'kotlin',
    'php', 'perl', 'haskell', 'scala', 'sql', 'tsql', 'plsql', 'postgresql', 'mysql', 'sqlite', 'html', 'html5',
    'css', 'scss', 'sass', 'bash', 'zsh', 'powershell', 'matlab', 'fortran', 'cobol', 'lua', 'ocaml', 'erlang',
    'clojure', 'solidity', 'verilog', 'vhdl', 'objective-c', 'objective c', 'jsx', 'tsx', 'webassembly', 'wasm',
    'cuda', 'glsl', 'hlsl', 'vba', 'vb.net', 'groovy', 'elisp', 'fsharp', 'node.js', 'nodejs', 'deno', 'typescript\'s',
    'js',
  ],
  lang_weak: [
    'go', 'swift', 'c', 'r', 'rust', 'ruby', 'shell', 'assembly', 'julia', 'dart', 'elixir', 'crystal', 'pascal',
    'scheme', 'racket', 'lisp', 'prolog', 'nim', 'zig', 'ts', 'py', 'sh', 'node', 'excel', 'sheets',
    'pandas',
  ],
  tech: [
    'django', 'flask', 'fastapi', 'react', 'react native', 'vue', 'vue 3', 'angular', 'svelte', 'next.js', 'nextjs',
    'nuxt', 'express.js', 'expressjs', 'nestjs', 'numpy', 'pandas dataframe', 'dataframe', 'pytorch', 'tensorflow',
    'keras', 'scikit-learn', 'sklearn', 'spring boot', 'hibernate', 'laravel', 'ruby on rails', 'rails', 'jquery',
    'webpack', 'vite', 'babel', 'eslint', 'prettier', 'npm', 'npx', 'yarn', 'pnpm', 'pip install', 'pip', 'cargo',
    'gradle', 'maven', 'docker', 'dockerfile', 'docker-compose', 'kubernetes', 'k8s', 'kubectl', 'helm', 'terraform',
    'ansible', 'nginx', 'kafka', 'rabbitmq', 'redis', 'postgres', 'mongodb', 'dynamodb', 'elasticsearch',
    'cassandra', 'graphql', 'grpc', 'protobuf', 'rest api', 'restful', 'api', 'apis', 'sdk',
    'regex', 'regexes', 'regexp', 'git', 'github', 'gitlab', 'github actions', 'ci/cd', 'aws lambda', 's3', 'ec2',
    'linux', 'unix', 'vscode', 'vim', 'jupyter', 'pygame', 'jetpack compose', 'swiftui', 'uikit', 'flutter', 'opengl',
    'vulkan', 'llvm', 'gcc', 'clang', 'jvm', 'sqlalchemy', 'orm', 'tailwind', 'selenium', 'playwright', 'puppeteer',
    'pytest', 'jest', 'vitest', 'junit', 'mocha', 'rspec', 'asyncio', 'aiohttp', 'goroutine', 'goroutines', 'tokio',
    'serde', 'xcode', 'android studio', 'firebase', 'supabase', 'oauth', 'jwt', 'websocket',
    'websockets', 'tcp', 'udp', 'ssh', 'cron', 'crontab', 'systemd', 'stm32', 'arduino', 'i2c',
    'uart', 'spi', 'dma', 'gpio', 'rtos', 'vlookup', 'xlookup', 'openai api', 'chat completions api', 'localhost',
    'stdlib', 'stl', 'thiserror', 'anyhow', 'usestate', 'useeffect', 'usememo', 'usecallback', 'discord bot',
    'django orm', 'hashmap', 'arraylist', 'std', 'println', 'printf', 'console.log', 'fetch api', 'ajax', 'dom',
    'css grid', 'flexbox', 'codable', 'aiogram', 'discord.py',
    'electron.js', 'electron app', 'excel formula', 'spreadsheet formula', 'sheets formula', 'google sheets formula', 'dataframes',
    'post request', 'get request', 'http request', 'http requests', 'request headers', 'custom headers', 'curl', 'cors', 'csv file', 'json file', 'excel file', 'xml file', 'parquet', 'spark', 'hadoop',
    'listening on port', 'using port', 'on port', 'open port', 'port forwarding', 'macos terminal',
  ],
  code_term: [
    'regular expression', 'regular expressions', 'stack trace', 'stacktrace', 'traceback', 'segfault',
    'segmentation fault', 'core dumped', 'null pointer', 'nullpointerexception', 'compile error', 'compiler error',
    'compilation error', 'syntax error', 'runtime error', 'typeerror', 'valueerror', 'keyerror', 'indexerror',
    'attributeerror', 'zerodivisionerror', 'modulenotfounderror', 'importerror', 'referenceerror', 'syntaxerror',
    'concurrentmodificationexception', 'linked list', 'linked lists', 'hash map', 'hash table', 'hash set',
    'hashset', 'binary tree', 'binary search tree', 'trie', 'priority queue', 'min heap', 'max heap', 'binary heap',
    'data structure', 'data structures', 'unit test', 'unit tests', 'unit testing', 'integration test',
    'integration tests', 'test cases', 'code review', 'refactor', 'refactoring', 'debug', 'debugging', 'debugger',
    'codebase', 'source code', 'pull request', 'merge conflict', 'big o', 'time complexity', 'space complexity',
    'recursion', 'recursive function', 'memoization', 'integer overflow', 'off by one', 'memory leak',
    'race condition', 'deadlock', 'mutex', 'semaphore', 'thread safe', 'multithreading', 'multithreaded',
    'concurrency', 'async', 'async/await', 'callback', 'callbacks', 'promise chains', 'constructor', 'polymorphism',
    'encapsulation', 'getter', 'setter', 'kwargs', 'stdin', 'stdout', 'stderr', 'command line', 'cli', 'compile',
    'compiler', 'compiles', 'interpreter', 'bytecode', 'substring', 'substrings', 'subarray', 'subarrays',
    'integer array', 'array of integers', 'array of strings', 'nums', 'for loop', 'while loop', 'if statement',
    'type hints', 'type annotations', 'generics', 'enum', 'struct', 'list comprehension',
    'iterator', 'endpoint', 'endpoints', 'backend', 'frontend', 'front end', 'back end', 'full stack',
    'database schema', 'rebase', 'microservice', 'microservices', 'web scraper', 'web crawler', 'docstring',
    'linter', 'environment variable', 'environment variables', 'config file', 'tokenizer', 'lexer', 'serialize',
    'deserialize', 'bitwise', 'bitwise operator', 'bit manipulation', 'binary search', 'quicksort', 'merge sort',
    'bubble sort', 'sorting algorithm', 'bfs', 'dfs', 'breadth first', 'depth first', 'graph traversal', 'leetcode',
    'hackerrank', 'codeforces', 'snake case', 'camel case', 'camelcase', 'given a string',
    'input string', 'given an array', 'given the root', 'this code', 'my code', 'the code below', 'following code',
    'code snippet', 'code below', 'this snippet', 'the function below', 'source file', 'my python program',
    'programming', 'programming language', 'programmer', 'developer', 'software', 'software engineer',
    'stack overflow', 'garbage collection', 'gc pauses', 'dependency injection', 'build fails', 'cargo build',
    'npm install', 'npm ci', 'virtual environment', 'venv', 'keyword arguments', 'return value', 'type-safe',
    'object oriented', 'oop', 'nullable', 'mutable', 'immutable', 'borrow checker', 'lifetimes', 'compile time',
    'worker pool', 'goroutine', 'thread pool', 'event loop', 'event emitter', 'type system', 'unit-test',
    'web server', 'http server', 'rest endpoint', 'crud', 'orm', 'sql injection', 'xss', 'csrf', 'login endpoint',
    'readiness probe', 'deployment manifest', 'ci pipeline', 'code completion', 'autocomplete', 'infinite loop',
    'git commit', 'last git commit', 'commits', 'repository', 'repo', 'python dictionary', 'dict', 'json.parse',
    'local storage', 'localstorage', 'responsive navbar', 'hamburger menu', 'div', 'tailwind classes',
    ['code', 0.8], ['coding', 0.8], ['open source', 0.5], 'codable',
    'hello world', 'sorted array', 'sorted arrays', 'free list', 'two pointers', 'sliding window',
    'process and a thread', 'processes and threads', 'threads and processes', 'floating point', 'floats',
    'b+ tree', 'b tree', 'btree', 'write ahead log', 'write ahead logging', 'crash recovery', 'page level locking',
    'storage engine', 'lsm tree', 'skip list', 'bloom filter', 'the first line contains', 'the second line contains',
    'each test case', 'sample input', 'sample output', 'print one integer', 'output a single integer',
  ],
  code_weak: [
    'array', 'arrays', 'string', 'strings', 'lists', 'integer', 'integers', 'return', 'returns', 'method', 'methods',
    'class', 'classes', 'query', 'queries', 'bug', 'bugs', 'server', 'database', 'index', 'indices', 'root', 'node',
    'nodes', 'tree', 'graph', 'stack', 'queue', 'heap', 'cache', 'caching', 'lru', 'ttl', 'loop', 'variable',
    'variables', 'dictionary', 'hash', 'module', 'modules', 'library', 'framework', 'exception', 'exceptions', 'null',
    'undefined', 'runtime', 'lambda', 'scope', 'deploy', 'deployment', 'column', 'columns', 'schema', 'example 1',
    'constraints', 'grid', 'matrix', 'tuple', 'tuples', 'recursive', 'recursively', 'iterates', 'boolean', 'threads',
    'terminal', 'package', 'packages', 'dependency', 'dependencies', 'promise', 'concurrently', 'hashing',
    'parameter', 'parameters', 'input', 'output', 'function', 'functions', 'algorithm', 'program', 'script',
    'thread',
    'pointer', 'pointers', 'palindrome', 'keyword',
  ],
  code_artifact: [
    'program', 'programs', 'function', 'functions', 'script', 'scripts', 'class', 'classes', 'method', 'methods',
    'code', 'snippet', 'module', 'app', 'apps', 'application', 'query', 'implementation', 'component', 'components',
    'website', 'web app', 'webpage', 'web page', 'bot', 'extension', 'plugin', 'library', 'package', 'algorithm',
    'api', 'rest api', 'cli', 'game', 'handler', 'endpoint', 'firmware', 'driver', 'parser', 'unit tests', 'tests',
    'one liner', 'oneliner', 'crawler', 'scraper', 'regex', 'macro', 'dockerfile', 'type', 'data structure',
    'compiler', 'interpreter', 'allocator', 'queue', 'cache', 'server', 'worker pool', 'sql query', 'query',
    'migration', 'shell script', 'bash script', 'cron job',
    'regular expression', 'excel formula', 'spreadsheet formula', 'memory allocator', 'event emitter',
    'engine', 'storage engine', 'database', 'data structure',
  ],
  code_verb: [
    'write', 'implement', 'create', 'develop', 'build', 'code', 'program', 'fix', 'debug', 'refactor', 'optimize',
    'compile', 'complete', 'make', 'generate', 'convert', 'port', 'rewrite', 'review', 'test', 'add', 'modify',
    'update', 'audit', 'deploy', 'set up', 'speed up', 'design', 'give me', 'show me', 'need',
  ],
  sysdesign: [
    'system design', 'distributed system', 'distributed systems', 'distributed', 'rate limiter', 'load balancer',
    'load balancing', 'sharding', 'shard', 'sharded', 'replication', 'replicas', 'eventual consistency',
    'strong consistency', 'consistency trade-offs', 'cap theorem', 'consensus', 'leader election', 'message queue',
    'pub/sub', 'cdn', 'horizontal scaling', 'scalability', 'scalable', 'high availability', 'fault tolerance',
    'fault-tolerant', 'failover', 'multi-region', 'across regions', 'url shortener', 'data model', 'api design',
    'crdt', 'crdts', 'operational transform', 'idempotency', 'idempotent', 'event sourcing', 'monolith',
    'monolithic', 'distributed transactions', 'throughput', 'p99', 'latency', 'multi-tenant', 'row-level security',
    'database tables',
    'at least once delivery', 'at most once delivery', 'exactly once delivery', 'exactly once semantics',
    'exactly once processing', 'job scheduler', 'delayed jobs', 'deduplication', 'task queue', 'job queue',
    'caching layer', 'requests per second', 'cache invalidation', 'invalidation', 'stampede', 'cache stampede', 'thundering herd', 'queries per second', 'qps', 'rps',
  ],
  not_code: [
    'dress code', 'dress codes', 'morse code', 'zip code', 'zip codes', 'postal code', 'post code', 'postcode',
    'area code', 'country code', 'promo code', 'discount code', 'coupon code', 'voucher code', 'gift code',
    'access code', 'pin code', 'security code', 'verification code', 'qr code', 'bar code', 'tax code', 'penal code',
    'civil code', 'legal code', 'building code', 'building codes', 'fire code', 'color code', 'colour code',
    'honor code', 'honour code', 'moral code', 'ethical code', 'genetic code', 'da vinci code', 'enigma code',
    'secret code', 'cheat code', 'cheat codes', 'code of conduct', 'code of ethics', 'code name', 'code word',
    'code words', 'training program', 'training programs', 'exercise program', 'workout program', 'fitness program',
    'tv program', 'television program', 'radio program', 'loyalty program', 'rewards program', 'referral program',
    'degree program', 'degree programs', 'master\'s program', 'master\'s programs', 'masters program',
    'masters programs', 'graduate program', 'graduate programs', 'phd program', 'mba program', 'exchange program',
    'mentorship program', 'mentoring program', 'internship program', 'volunteer program', 'outreach program',
    'wellness program', 'nutrition program', 'diet program', 'weight loss program', 'rehab program',
    'after school program', 'educational program', 'government program', 'social program', 'aid program',
    'assistance program', 'pilot program', 'reading program', 'music program', 'summer program', 'study program',
    'function of the', 'functions of the', 'primary function', 'main function of', 'bodily functions',
    'cognitive function', 'executive function', 'brain function', 'kidney function', 'liver function',
    'lung function', 'immune function', 'social function', 'quadratic function', 'linear function',
    'exponential function', 'logarithmic function', 'trigonometric function', 'continuous function',
    'differentiable function', 'inverse function', 'rational function', 'polynomial function', 'function f',
    'functions f', 'generating function', 'wave function', 'wavefunction', 'utility function', 'production function',
    'density function', 'distribution function', 'objective function', 'class action', 'middle class', 'working class', 'upper class',
    'first class', 'business class', 'economy class', 'yoga class', 'dance class', 'cooking class', 'art class',
    'fitness class', 'a class of', 'in class', 'class of 30', 'my class', 'her class', 'his class', 'scientific method', 'teaching method', 'payment method',
    'method acting', 'cooking method', 'socratic method', 'sales script', 'scripture', 'family tree', 'shell shock', 'conch shell', 'sea shell', 'ruby ring', 'go to',
    'go for', 'go on', 'go out', 'go back', 'swift action', 'taylor swift', 'rust from', 'remove rust', 'python snake',
    'ball python', 'ball pythons', 'java coffee', 'java and sumatra', 'assembly instructions', 'furniture assembly',
    'general assembly', 'c major', 'vitamin c', 'vitamin d', 'plan c', 'option c', 'grade c', 'section c',
    'room c', 'r&d', 'code red', 'go ahead', 'go through', 'go over', 'go with', 'go into', 'let it go', 'on the go',
    'at least once delivery', 'at most once delivery', 'exactly once delivery', 'exactly once semantics',
    'exactly once processing', 'java worth', 'visit java', 'visiting java', 'java island', 'island of java', 'java sea',
    'trip to java', 'travel to java', 'java indonesia',
    'python snakes', 'pythons', 'burmese python', 'reticulated python', 'pet python',
  ],
  media: [
    'video', 'videos', 'youtube', 'film', 'movie', 'movies', 'play', 'podcast', 'tiktok', 'screenplay', 'scene',
    'scenes', 'episode', 'commercial', 'ad', 'advert', 'advertisement', 'radio', 'tv', 'theatre', 'theater', 'skit',
    'sketch', 'comedy', 'speech', 'presentation', 'toast', 'wedding', 'sales', 'cold call', 'call', 'pitch',
    'webinar', 'interview', 'trailer', 'documentary', 'vlog', 'reel', 'reels', 'youtuber', 'channel', 'stage',
    'actors', 'dialogue', 'voiceover', 'voice-over', 'narration', 'story', 'comic', 'animation', 'cartoon', 'sitcom',
    'show', 'audition', 'ceremony', 'instagram', 'short film', 'announcement', 'conversation', 'phone call',
    'customer', 'customers', 'homeowners', 'telemarketing', 'role-play', 'roleplay',
  ],
  math_term: [
    'equation', 'equations', 'integer', 'integers', 'prime', 'primes', 'prime number', 'prime numbers', 'derivative',
    'derivatives', 'integral', 'integrals', 'antiderivative', 'polynomial', 'polynomials', 'quadratic', 'logarithm',
    ['log', 0.5], 'exponent', 'exponents', 'factorial', 'permutation', 'permutations', 'combinations', 'probability',
    'probabilities', 'expected value', 'variance', 'standard deviation', 'modulo', 'mod', 'remainder', 'divisible',
    'divisor', 'divisors', 'gcd', 'lcm', 'greatest common divisor', 'least common multiple', 'digit', 'digits',
    ['sum', 0.6], 'sum of', 'product of', 'triangle', 'triangles', 'rectangle', 'circle', 'circles', 'radius',
    'radii', 'diameter', 'circumference', ['area', 0.5], 'perimeter', ['volume', 0.5], 'hypotenuse', 'angle',
    'angles', 'parallelogram', 'trapezoid', 'polygon', 'pentagon', 'hexagon', 'heptagon', 'octagon', 'sphere',
    'cylinder', 'cone', 'coordinates', 'slope', 'intercept', 'parabola', 'ellipse', 'hyperbola', 'vertices',
    'vertex', 'determinant', 'eigenvalues', 'eigenvalue', 'eigenvectors', 'theorem', 'lemma', 'corollary', 'axiom',
    'conjecture', 'inequality', 'inequalities', 'real numbers', 'real number', 'rational', 'irrational',
    'complex numbers', 'fraction', 'fractions', 'common fraction', 'numerator', 'denominator', 'ratio', 'ratios',
    'proportion', ['percent', 0.5], ['percentage', 0.5], 'compound interest', 'simple interest', 'arithmetic sequence',
    'geometric sequence', 'arithmetic progression', 'geometric series', 'fibonacci', ['sequence', 0.6],
    ['series', 0.4], 'converge', 'converges', 'convergence', 'square root', 'cube root', 'sqrt', 'exponential',
    'sine', 'cosine', 'tangent', 'trigonometry', 'trigonometric', 'sin', 'cos', 'calculus', 'algebra', 'geometry',
    'arithmetic', 'combinatorics', 'number theory', 'solve for', 'mathematically', 'formula', 'divided by',
    'multiplied by', 'squared', 'cubed', 'to the power', 'asymptote', 'asymptotes', 'mean of', 'arithmetic mean',
    'average speed', ['matrix', 0.5], ['matrices', 0.5], 'vector', 'vectors', 'trace', 'perfect square', 'perfect squares',
    'odd integers', 'even integers', 'trailing zeros', 'trailing zeroes', 'multiple of', 'multiples of', 'median', 'nash equilibrium', 'equilibrium',
    'marginal cost', 'demand', 'acceleration', 'velocity', 'momentum', 'friction', 'coefficient', 'moles',
    'altitude', 'tangent line', 'function f', 'functions f', 'quadratic function', 'linear function',
    'exponential function', 'continuous function', 'inverse function', 'generating function', 'field extension',
    'degree of the field', 'group of order', 'homomorphism', 'isomorphism', 'subgroup', 'π', 'equals', 'infinitely many', 'compact', 'uniformly continuous', 'measurable', 'measure space',
    'decimal places', 'decimal place', 'decimals', 'rounded to', 'round to', 'nearest whole number', 'nearest tenth',
    'mathematics', 'math', 'maths', 'abstract algebra', 'college mathematics', 'elementary mathematics',
    'what is the probability', 'the probability that', 'how many ways', 'expected number', ['palindrome', 0.5],
    ['ground state', 0.5], ['square well', 0.5], ['hamiltonian', 0.5], ['kinetic energy', 0.5],
    ['potential energy', 0.5], ['half-life', 0.5], ['spring constant', 0.5], ['wavelength', 0.5],
    ['frequency', 0.3], ['mass', 0.3], ['energy', 0.3], ['velocity', 0.5], ['force', 0.3], ['charge', 0.3],
    'system of equations', 'linear equations', 'predicate logic',
    'arrangements', 'distinct arrangements', 'permutations of', 'combinations of',
  ],
  competition: [
    'olympiad', 'aime', 'imo', 'putnam', 'usamo', 'amc', 'find all functions', 'for all integers',
    'for all positive integers', 'for all real numbers', 'for all real', 'for every positive integer',
    'for every integer', 'positive integers', 'positive integer', 'nonnegative integers', 'non-negative integers',
    'relatively prime', 'coprime', 'ordered pairs', 'ordered triples', 'find the remainder when', 'remainder when',
    'find the number of', 'let n be', 'let abc be', 'circumcircle', 'incircle', 'circumcenter', 'orthocenter',
    'nine-point circle', 'inscribed circle', 'cyclic quadrilateral', 'lattice points', 'determine all',
    'show that there exists', 'show that there exist', 'infinitely many', 'sum of all', 'largest possible',
    'smallest possible', 'greatest integer', 'least positive integer', 'lowest terms', 'with proof',
    'complete proof', 'find all real', 'find all pairs', 'find all integers', 'find all positive', 'determine, with proof',
    'real numbers with', 'positive real numbers', 'prime divisor', 'almost everywhere', ['such that', 0.5],
  ],
  proof: ['prove', 'proves', 'proof', 'proofs', 'show that', 'prove that', 'by induction', 'derive', 'derivation',
    'disprove', 'counterexample', 'justify'],
  reasoning_cue: [
    'step by step', 'step-by-step', 'think step by step', 'let\'s think', 'show your work', 'show the working',
    'show your working', 'show your steps', 'show the steps', 'explain your reasoning', 'reason through',
    'work through', 'justify your answer', 'justify each step', 'chain of thought', 'reasoning', 'logically',
    'deduce', 'deduction', 'infer', 'inference', 'rigorous', 'rigorously', 'explain the logic', 'walk me through',
    'work out', 'figure out', 'explain why the answer', 'uniquely determined', 'check his answer',
    'check her answer', 'check my answer',
  ],
  estimation: [
    'estimate', 'estimation', 'fermi', 'back of the envelope', 'back-of-the-envelope', 'order of magnitude',
    'order-of-magnitude', 'roughly how many', 'approximately how many', 'roughly how much', 'ballpark',
  ],
  logic: [
    'knights and knaves', 'knight', 'knights', 'knave', 'knaves', 'always tells the truth', 'always lies',
    'tells the truth', 'tell the truth', 'lies', 'liar', 'liars', 'truth-teller', 'truth teller', 'riddle',
    'riddles', 'puzzle', 'puzzles', 'brain teaser', 'brainteaser', 'logic puzzle', 'zebra', 'who owns the',
    'sits next to', 'sit next to', 'sitting next to', 'seated', 'seating', 'seating arrangement', 'to the left of',
    'to the right of', 'immediately to the left', 'immediately to the right', 'immediate left', 'immediate right',
    'directly to the right', 'directly to the left', 'directly opposite', 'arranged in a row', 'fixed order',
    'logically consistent', 'deductively valid', 'valid or invalid', 'premises', 'premise', 'syllogism', 'fallacy',
    'fallacies', 'must be true', 'must be false', 'cannot be true', 'could be true', 'necessarily true',
    'which of the following must', 'can we conclude', 'the third statement', 'sudoku', 'river crossing',
    'monty hall', 'prisoners', 'counterfeit', 'balance scale', 'weighings', 'switch partners', 'trade partners',
    'swap balls', 'trade balls', 'at the end of the dance', 'at the end of the game', 'starting point',
    'always face forward', 'truth table', 'boolean expression', 'plausible', 'sarcastic', 'antecedent',
    'adjective order', 'about causation', 'causation', 'humorous edit', 'closed properly', 'alphabetically',
    'web of lies', 'who is lying', 'every label is wrong', 'mislabeled', 'logic', 'logical', 'paradox',
    'how many brothers', 'how many sisters', 'what position', 'the person in second place', 'relabel',
    'could they have gone', 'between what times', 'across the river', 'across a river',
    'conclude', 'it follows that', 'follows logically', 'valid argument', 'invalid argument',
    'contain a particular error', 'identify that error', 'contains an error pertaining to', 'immediately after',
    'immediately before', 'finished last', 'finished first', 'finished above', 'finished below', 'finished before',
    'finished after', 'finished third', 'finished second', 'second from the left', 'second from the right',
    'third from the left', 'third from the right', 'rightmost', 'leftmost', 'each position', 'which position',
    'in what order', 'what order', 'what am i', 'crossings', 'cross the river', 'cross a river', 'left alone with',
    'weakens', 'strengthens', 'most seriously weakens', 'weaken the argument', 'strengthen the argument',
    'the argument', 'assumption', 'assumes', 'flaw', 'flawed', 'if true', 'most strongly supported',
    'properly inferred', 'logically follows', 'must also be true', 'the argument relies', 'formal logic',
    ['is the following sentence plausible', 2], 'predicate logic', 'translation into predicate logic',
    'which conclusion', 'supported by the data', 'best supported', 'conclusion is supported',
    'telling the truth', 'is lying', 'are lying', 'who did it', 'culprit', 'suspects', 'alibi', 'does it follow', 'follow that', 'must be lying',
  ],
  cipher: [
    ['decode', 0.6], ['decoding', 0.6], 'decipher', 'decrypt', 'cipher', 'ciphertext', ['caesar', 0.4], 'caesar shift', 'caesar cipher',
    'substitution cipher', 'encrypted', 'encrypted with', 'crack the code', 'break the code', 'anagram',
    'anagrams', ['decode this', 2], ['decode the following', 2], ['decode the message', 2], ['decode this message', 2],
    ['substituted consistently', 2],
  ],
  quantity_q: [
    'how many', 'how much', 'how long', 'how far', 'how old', 'how fast', 'how tall', 'how high', 'how heavy',
    'how many more', 'how many fewer', 'how much more', 'how much money', 'how much change', 'what is the total',
    'what was the total', 'what\'s the total', 'in total', 'altogether', 'what percentage', 'what percent',
    'what fraction', 'what is the average', 'what is the probability', 'what\'s the probability', 'the probability that',
    'what is the value', 'find the value', 'what is the sum', 'what is the area', 'what time', 'at what time',
    'how many days', 'how many hours', 'what is its', 'final price',
    'final speed', 'what is the least', 'what is the greatest', 'what is the remainder', 'what number',
    'which comes out cheaper', 'is it cheaper', 'how many ways', 'in how many ways', 'minimum number',
    'maximum number', 'shortest total time', 'what is the length', 'find the length', 'find the area',
    'what are the dimensions', 'what is the date', 'how much does', 'how much did', 'how much will',
    'what is the next', 'what comes next', 'next number', 'what is the cost', 'cost of one', 'how much is',
  ],
  calc_verb: [
    'calculate', 'compute', 'solve', 'evaluate', 'simplify', 'convert', 'determine', 'find', 'work out',
    'figure out', 'express your answer',
    'round', 'double it', 'halve',
  ],
  number_word: [
    'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve', 'fifteen', 'twenty',
    'thirty', 'forty', 'fifty', 'hundred', 'thousand', 'half', 'twice', 'thrice', 'double', 'triple', 'quarter',
    'third', 'thirds', 'fifth', 'dozen', 'dozens', 'once', 'percent', 'million', 'billion', 'trillion', 'thousands',
    'hundreds',
  ],
  unit: [
    'km', 'kilometers', 'kilometres', 'm/s', 'km/h', 'mph', 'kg', 'kilograms', 'grams', 'g', 'mg', 'lb', 'lbs',
    'pounds', 'ounce', 'ounces', 'oz', 'cm', 'mm', 'meters', 'metres', 'meter', 'metre', 'miles', 'mile', 'feet',
    'foot', 'inches', 'inch', 'liters', 'litres', 'liter', 'litre', 'ml', 'gallons', 'gallon', 'cups', 'cup',
    'hours', 'hour', 'minutes', 'minute', 'seconds', 'second', 'days', 'weeks', 'months', 'years', 'dollars',
    'dollar', 'cents', 'euros', 'degrees', 'celsius', 'fahrenheit', 'kelvin', 'newtons', 'n', 'joules', 'watts',
    'kwh', 'twh', 'volts', 'moles', 'mol', 'pages', 'percent', 'per',
  ],
  planning: [
    'schedule', 'scheduling', 'timetable', 'assign', 'allocate', 'allocation',
    'feasible', 'feasibility', 'minimize', 'maximise', 'maximize', 'minimise', 'minimum number', 'maximum number',
    'shortest', 'fewest', 'constraints', 'satisfies', 'satisfy', 'valid assignment', 'optimal', 'capacity',
    'commit to', 'depends on', 'dependencies',
    'in what order', 'is it possible', 'is it even possible', 'errands', 'must be back by', 'back by',
  ],
  relation: [
    'older than', 'younger than', 'taller than', 'shorter than', 'heavier than', 'lighter than', 'faster than',
    'slower than', 'richer than', 'bigger than', 'smaller than', 'more expensive than', 'less expensive than',
    'cheaper than', 'earlier than', 'later than', 'ahead of', 'behind', 'in front of', 'next to', 'adjacent',
    'beside', 'directly', 'immediately', 'left of', 'right of', 'between', 'opposite', 'neither', 'nor', 'either',
    'exactly one', 'only one', 'at least one', 'one of them', 'a different', 'different', 'the same', 'same',
    'first', 'last', 'second', 'third', 'fourth', 'fifth', 'youngest', 'oldest', 'tallest', 'shortest', 'father',
    'mother', 'son', 'daughter', 'brother', 'sister', 'grandfather', 'grandmother', 'uncle', 'aunt', 'nephew',
    'niece', 'cousin', 'husband', 'wife', 'not', 'never', 'nobody', 'no one', 'cannot', 'can\'t', 'isn\'t',
    'doesn\'t', 'didn\'t', 'don\'t', 'wasn\'t', 'does not', 'did not', 'is not', 'lies', 'lying', 'truth',
    'before', 'after', 'above', 'below',
  ],
  constraint_word: [
    'must', 'cannot', 'can\'t', 'can only', 'only', 'unavailable', 'available', 'at least', 'at most',
    'no more than', 'before', 'after', 'not next to', 'refuses', 'refuse', 'until', 'overlap', 'conflict', 'no two',
    'depends on', 'needs', 'requires', 'between', 'not on', 'except',
    'left alone', 'must be back', 'can not', 'no later than', 'by the time',
  ],
  kinship: [
    'father', 'mother', 'son', 'daughter', 'brother', 'sister', 'grandfather', 'grandmother', 'grandson',
    'granddaughter', 'uncle', 'aunt', 'nephew', 'niece', 'cousin', 'husband', 'wife', 'sibling', 'siblings',
    'sons', 'daughters', 'brothers', 'sisters', 'parent', 'parents', 'child', 'children', 'father-in-law',
    'mother-in-law', 'brother-in-law', 'sister-in-law', 'only son', 'only daughter', 'only child',
  ],
  arrangement: [
    'above', 'below', 'on top of', 'underneath', 'directly', 'immediately', 'left of', 'right of', 'to the left',
    'to the right', 'between', 'next to', 'adjacent', 'opposite', 'ahead of', 'behind', 'in front of', 'in the middle',
    'at the bottom', 'at the top', 'at one end', 'at either end', 'older than', 'younger than', 'taller than',
    'shorter than', 'heavier than', 'lighter than', 'faster than', 'slower than', 'earlier than', 'later than',
    'richer than', 'bigger than', 'smaller than', 'cheaper than', 'more expensive than', 'the day after',
    'the day before', 'somewhere', 'neighbouring', 'neighboring', 'leftmost', 'rightmost',
  ],
  // Exclusivity, capacity and truth values: the wording that pins down a puzzle's unknowns (one each, exactly one
  // of them, no two, at a time, which is which, the statement is true). Everyday requests rarely use it.
  puzzle_frame: [
    'exactly one', 'exactly two', 'exactly one of', 'exactly two of', 'only one of', 'only one of them', 'one each',
    'each have a different', 'each has a different', 'a different one', 'all different', 'no two', 'at a time',
    'only once', 'at most once', 'which is which', 'is true', 'is false', 'are true', 'are false', 'always lies',
    'never lies', 'always tells the truth', 'never tells the truth', 'lying', 'tells the truth', 'in some order',
    'in a row', 'respectively', 'identical-looking', 'indistinguishable', 'one of which', 'the rest are',
    'at most twice', 'exactly once', 'only twice', 'only one question', 'a single question', 'one question',
    'yes/no question', 'yes-or-no question', 'a single weighing', 'only one trip',
  ],
  row_end: [
    'from the top', 'from the bottom', 'from the left', 'from the right', 'from the front', 'from the back',
    'from the end', 'from the start', 'from the beginning',
  ],
  // A question that asks for a method or a feasibility verdict: with a puzzle's restriction, a puzzle.
  method_question: [
    'how can you', 'how could you', 'how can he', 'how can she', 'how can they',
    'how can we', 'how should he', 'how should she', 'how should they', 'what do you ask', 'what should you ask',
    'what question', 'how is it possible', 'is it possible', 'can it be done', 'how can it be done', 'can all',
  ],
  format_rule: [
    'do not use any commas', 'do not use commas', 'without commas', 'without using commas', 'no commas',
    'not contain any commas', 'refrain from using any commas', 'comma free', 'double quotation marks',
    'double quotes', 'quotation marks', 'wrap your entire response', 'wrap your response', 'wrap the whole output',
    'wrap it in', 'enclose', 'square brackets', 'angular brackets', 'double angular brackets', 'markdown divider',
    'separated by', 'separate them with', 'postscript', 'p.s', 'p.p.s', 'end your response with',
    'end your answer with', 'finish your response with', 'end it with the phrase', 'end with the phrase',
    'end with the sentence', 'end the document with', 'exact phrase', 'this exact phrase', 'start your answer with',
    'start your response with', 'begin your response with', 'start it with', 'first word', 'last word',
    'include the keywords', 'include the keyword', 'the keyword', 'keywords', 'should appear', 'must appear',
    'do not include the words', 'do not include the word', 'do not mention', 'don\'t mention', 'must not contain',
    'should not contain', 'avoid the words', 'without using the word', 'without using the words',
    'without using the letters', 'without using the letter', 'must not use', 'do not use the words',
    'do not use the word', 'must not exceed', 'should not exceed', 'repeat the request', 'word for word',
    'placeholders', 'placeholder', 'highlight at least', 'highlighted section', 'highlighted sections',
    'answer with one of the following options', 'my answer is yes', 'two different responses',
    'responses and only responses', 'your entire response', 'your entire output', 'your response should',
    'your response must', 'your answer must', 'your answer should', 'the response must', 'the response should',
    'must contain', 'should contain', 'must start with', 'must end with', 'must begin with', 'start every sentence',
    'each sentence', 'every sentence', 'each line', 'each starting with', 'each bullet', 'every bullet',
    'in the format', 'following format', 'format your answer', 'formatted as', 'format it as', 'output format',
    'in this order', 'title case', 'no other language', 'no other words', 'in the form of', 'no exclamation marks',
    'exclamation marks', 'asterisk symbols', 'section x', 'mark the beginning of each section', 'syllables',
    'one word answer', 'not one more', 'limit your', 'word limit', 'character limit',
    'follow every rule', 'follow these rules', 'rules below', 'second person', 'present tense',
    'must be a question', 'title wrapped', 'is not allowed', 'are not allowed', 'must not', 'do not use any',
    'each must', 'each name must', 'the whole document must', 'in that order', 'the same wording',
    ['acrostic', 2], 'first letters', 'first letter of each', 'spell out', 'spells',
    'the entire output', 'entire output', 'yyyy-mm-dd', 'iso format', 'in the order they appear',
    'in your response', 'refrain from', 'extraneous', 'strictly adhering', 'line by line format', 'per line',
    'per sentence', 'should be numbered', 'must be numbered', 'in markdown format', 'label each paragraph',
    'paragraph x', 'no lowercase letters', 'no other words should follow',
    'checkboxes', 'checkbox', 'group it by', 'group them by', 'do not include any', 'don\'t include any',
  ],
  case_rule: [
    'all lowercase', 'lowercase letters', 'in lowercase', 'lowercase only', 'lower case', 'all lower case',
    'all capital letters', 'capital letters', 'all caps', 'in all caps', 'uppercase letters', 'in uppercase',
    'all uppercase', 'no capital letters', 'in capitals', 'capitalized', 'lowercase',
  ],
  json_output: [
    'json', 'in json', 'as json', 'json format', 'in json format', 'valid json', 'json object', 'json array',
    'json only', 'respond in json', 'return json', 'output json', 'only the json', 'json schema', 'the json',
    'as a json', 'yaml format', ['csv', 0.6], 'as csv', 'csv format', 'tsv', 'xml format', 'markdown table',
  ],
  output_only: [
    'only output', 'output only', 'nothing else', 'no other text', 'no extra text', 'no additional text',
    'no commentary', 'no explanation', 'no explanations', 'without explanation', 'do not explain', 'don\'t explain',
    'do not add', 'don\'t add', 'just the title', 'just the', 'return only', 'return nothing but', 'nothing but',
    'respond only', 'reply only', 'answer only', 'only respond', 'only reply', 'only answer', 'yes or no only',
    'answer with yes or no', 'only the translated text', 'only the translations', 'output the json only',
    'never add', 'and nothing else', 'no preamble', 'no other', 'only include',
    'with just a number', 'just a number', 'only a number', 'reply with just', 'answer with just', 'just the number',
  ],
  extraction: [
    'extract', 'extracts', 'extraction', 'pull out', 'parse these', 'parse the following', 'named entities',
    'key-value', 'key: value', 'fields', 'following fields', 'fill in the following', 'with the keys', 'the keys',
    'with keys', 'schema', 'conforms to', 'structured data', 'classify each', 'label each', 'categorize each',
    'rate each', 'one per line', 'comma-separated', 'mapping', 'produce a table', 'with the columns', 'columns',
    'use null', 'iso 8601', 'following information', 'from the presented texts', 'from this text',
    'from the text below', 'in the text below', 'mentioned in the text', 'from the following',
    'identify every', 'identify all', 'list every', 'find every', 'find all the',
    'assign them to', 'one of these categories', 'categorize', 'classify', 'into categories',
    'for each of the following', 'for each of these', 'for each one', 'one answer per line', 'answer per line',
  ],
  rewrite: [
    'rewrite', 'rewrite this', 're-write', 'rephrase', 'paraphrase', 'reword', 'reformat', 'proofread', 'shorten',
    'condense', 'edit the following', 'correct the grammar', 'fix the grammar', 'fix only', 'make it more formal',
    'more formal tone', 'change the tone', 'convert this', 'turn this into', 'reading level', 'your previous response',
    'rewrite your previous response', 'reformat the following',
  ],
  preserve: [
    'without changing', 'keep the meaning', 'keeping the meaning', 'same meaning', 'preserve', 'preserving',
    'retain', 'keep all', 'don\'t change anything', 'do not change', 'don\'t change', 'without losing',
    'exactly as they are', 'word for word', 'verbatim', 'keeping the meaning the same', 'without change',
  ],
  structure_word: [
    'bullet points', 'bullet point', 'bulleted list', 'numbered list', 'markdown', 'as a table', 'in a table',
    'table with', 'headings', 'checklist', 'as a list', 'one per line', 'comma separated', 'semicolons',
    'two column table', 'three column table', 'column table', 'into a table',
  ],
  // Full weight: picks things out of a text by itself. Half weight: reshapes a text, an extraction only when the
  // prompt also names an output structure (`turn these notes into a table`, not `turn this story into a poem`).
  extract_verb: [
    'extract', 'pull out', 'pull', 'pick out', 'list', 'make a list', 'identify', 'find all', 'find every',
    'fill in', 'tag', 'label', 'classify', 'categorize', 'categorise', 'count', 'collect', 'gather', 'parse',
    'highlight', 'mentioned', 'give me every', 'give me all', 'scan', 'go through', 'which people',
    ['convert', 0.5], ['turn', 0.5], ['put', 0.5], ['organize', 0.5], ['organise', 0.5], ['sort', 0.5],
    ['produce', 0.5], ['build', 0.5], ['give the', 0.5], ['give me the', 0.5], ['tell me', 0.5],
    'tabulate', 'fill out', 'note down', 'pick', ['get', 0.5], ['break', 0.5], ['split', 0.5], ['map', 0.5],
    ['normalise', 0.5], ['normalize', 0.5], ['write down', 0.5], ['read', 0.5], ['summarise each', 0.5],
    ['summarize each', 0.5], ['group', 0.5],
  ],
  roleplay: [
    'role-play', 'roleplay', 'role play', 'act as', 'pretend', 'pretend to be', 'pretend you are', 'imagine you are',
    'imagine yourself as', 'in character', 'stay in character', 'persona', 'take on the persona', 'take on the role',
    'play the role', 'embody', 'as if you were', 'you are now', 'never break character',
    'imagine you\'re', 'pretend you\'re', 'you\'re now', 'respond in character', 'in the voice of',
    'from the point of view of', 'i want you to be', 'you will play',
  ],
  general_cue: [
    'explain', 'describe', 'tell me about', 'history', 'history of', 'recommend', 'recommendations', 'suggest',
    'suggestions', 'advice', 'tips', 'ideas', 'opinion', 'pros and cons', 'compare', 'difference between',
    'what does', 'meaning', 'mean', 'translate', 'summarize', 'summarise', 'summary', 'tl;dr', 'who was', 'who is',
    'who were', 'who wrote', 'who invented', 'who built', 'why do', 'why does', 'why is', 'how does', 'how do',
    'what are', 'what is', 'when did', 'where is', 'should i', 'is it safe', 'is it normal', 'help me', 'discuss',
    'analysis', 'causes', 'impact', 'what should', 'what kind', 'you are',
    'captain', 'brainstorm', 'plan a', 'itinerary', 'recipe', 'which of the following', 'best describes',
    'most likely', 'primary cause',
  ],
  writing: [
    'essay', 'story', 'poem', 'email', 'letter', 'blog post', 'blog', 'speech', 'toast', 'eulogy', 'caption',
    'captions', 'tweet', 'linkedin post', 'cover letter', 'bio', 'review', 'screenplay', 'sonnet', 'haiku',
    'limerick', 'song', 'rap', 'lyrics', 'advertisement', 'ad', 'slogan', 'product description', 'note',
    'thank-you note', 'invitation', 'announcement', 'newsletter', 'press release', 'dialogue', 'monologue',
  ],
  depth_advanced: [
    'measure theory', 'measure space', 'σ-finite', 'sigma-finite', 'lebesgue', 'almost everywhere', 'hilbert space',
    'banach space', 'category theory', 'homology', 'cohomology', 'manifold', 'manifolds', 'topology',
    'quantum field theory', 'renormalization', 'gauge theory', 'qed', 'one-loop', 'feynman diagram',
    'anomalous magnetic moment', 'ads/cft', 'string theory', 'quantum gravity', 'general relativity',
    'distributed consensus', 'raft', 'paxos', 'byzantine', 'linearizability', 'linearizable', 'lock-free',
    'wait-free', 'memory ordering', 'memory model', 'atomics', 'aba problem', 'compiler front end',
    'type inference', 'hindley-milner', 'register allocation', 'sat solver', 'np-hard', 'np-complete',
    'zero-knowledge', 'elliptic curve', 'stochastic calculus', 'field extension', 'galois', 'uniformly continuous',
    'compact metric space', 'nine-point circle', 'orthocenter', 'functional equation', 'find all functions',
    'crdt', 'crdts', 'operational transform', 'conflict resolution', 'multi-region', 'across regions',
    'consistency trade-offs', 'network partitions', 'snapshotting', 'log replication', 'leader election',
    'memory allocator', 'coalescing', 'interrupt priorities', 'dma', 'kernel module', 'garbage collector',
    'jit', 'row-level security', 'multi-tenant', 'sharding', 'shard', 'distributed transactions', 'cournot',
    'nash equilibrium', 'bayesian', 'eigenvectors', 'positive definite', 'converging in measure',
    'converges in measure', 'subsequence that converges', 'prime divisor',
  ],
  depth_intermediate: [
    'dynamic programming', 'recursion', 'binary search', 'graph', 'dijkstra', 'shortest path', 'concurrency',
    'concurrent', 'thread-safe', 'thread safe', 'mutex', 'race condition', 'deadlock', 'async', 'asyncio',
    'goroutines', 'worker pool', 'graceful shutdown', 'context cancellation', 'lru', 'ttl', 'cache', 'caching',
    'transactions', 'index', 'indexes', 'query plan', 'explain analyze', 'sequential scan', 'sql injection',
    'security', 'authentication', 'jwt', 'refresh tokens', 'oauth', 'encryption', 'mixed precision',
    'gradient accumulation', 'learning-rate schedule', 'transformer', 'backpropagation', 'regression',
    'derivative', 'integral', 'eigenvalues', 'probability', 'expected value', 'combinatorics', 'induction',
    'irrational', 'primes', 'modular', 'polynomial', 'matrix', 'asymptotes', 'statistics', 'monty hall',
    'counterfeit', 'balance scale', 'knights', 'knaves', 'zebra', 'scheduling', 'dependencies', 'type-safe',
    'compile time', 'generic', 'generics', 'deep partial', 'event emitter', 'microservices', 'message queue',
    'architecture', 'scalability', 'throughput', 'latency', 'p99', 'garbage collection', 'gc pauses', 'profiling',
    'memory leak', 'segmentation fault', 'timer interrupt', 'firmware', 'robots.txt', 'exponential backoff',
    'retries', 'rate limiting', 'consistency', 'replication', 'securitisation', 'securitization',
    'credit default swaps', 'monetary policy', 'fiscal policy', 'antitrust', 'quantum', 'entanglement',
    'superposition', 'crispr', 'gene editing', 'static friction', 'equilibrium', 'compound interest',
    'coefficient', 'proof', 'prove', 'theorem', 'lemma', 'infinitely many', 'sliding window',
    'two pointers', 'heap', 'trie', 'linked lists', 'binary tree', 'traversal', 'amortized', 'o(1)',
    'o(log n)', 'median', 'sorted arrays', 'data model', 'database schema', 'schema', 'indexing',
    'without replacement', 'distinguishable', 'indistinguishable', 'conditional probability', 'bayes',
    'sensitivity', 'specificity', 'compounded', 'compounded monthly', 'annuity', 'real solutions', 'roots',
    'sum of the squares', 'slant height', 'recurrence', 'sequence is defined', 'externally tangent', 'tangent',
    'inscribed', 'altitude', 'modular arithmetic', 'diophantine', 'permutations', 'combinations', 'arrangements',
    'round table', 'expected number', 'random variable', 'distribution', 'variance', 'hypothesis test',
    'p-value', 'confidence interval', 'regression', 'differential equation', 'limit', 'series', 'convergence',
    'presents with', 'diagnosis', 'diagnostic', 'pathophysiology', 'pharmacology', 'tort', 'jurisdiction',
    'constitution', 'statute', 'international law', 'case law', 'monetary', 'inflation', 'gdp', 'elasticity',
    'thermodynamics', 'entropy', 'electromagnetic', 'relativity', 'organic chemistry', 'stoichiometry',
    'enzyme', 'dna replication', 'gene expression', 'epistemology', 'metaphysics', 'categorical imperative',
  ],
  code_hard: [
    'thread-safe', 'lock-free', 'wait-free', 'concurrent', 'distributed', 'consensus', 'atomics', 'allocator',
    'compiler', 'type inference', 'kernel', 'interrupt', 'firmware', 'race condition', 'deadlock', 'zero-copy',
    'simd', 'vectorized', 'memory ordering', 'garbage collection', 'design the backend', 'system design',
    'rate limiter', 'at scale', 'million users', 'million daily users', 'high availability', 'fault tolerant',
    'fault-tolerant', 'network partitions', 'worker pool', 'graceful shutdown', 'type-safe', 'compile time',
    'o(log', 'sharding', 'multi-tenant', 'row-level security', 'under load', 'throughput', 'p99',
  ],
  simplicity: [
    'simple', 'simply', 'quick', 'quickly', 'briefly', 'brief', 'short', 'one-liner', 'one liner', 'hello world',
    'basic', 'beginner', 'easy', 'eli5', 'tl;dr', 'in one sentence', 'one word', 'one-word', 'just', 'yes or no',
    'reverse a string', 'a single sentence', 'fun fact',
  ],
  analysis: [
    'compare', 'contrast', 'compare and contrast', 'analyze', 'analyse', 'analysis', 'discuss', 'evaluate',
    'causes and consequences', 'consequences', 'implications', 'pros and cons', 'balanced view', 'critique',
    'assess', 'persuasive', 'argue', 'case studies', 'insights', 'correlation', 'in detail', 'for and against',
    'strategy', 'outline', 'realistic', 'how would you', 'what would', 'why not', 'explain why', 'justify',
    'the role of', 'impact', 'limitations',
  ],
  code_big: [
    'app', 'application', 'website', 'web app', 'game', 'api', 'rest api', 'service', 'backend', 'bot', 'crawler',
    'scraper', 'server', 'library', 'framework', 'cli', 'extension', 'plugin', 'compiler', 'interpreter', 'system',
    'platform', 'dashboard', 'engine', 'allocator', 'database schema', 'data structure', 'training loop',
    'firmware', 'module', 'crud', 'authentication', 'persistence', 'error handling', 'input validation', 'tests',
    'unit tests', 'migration', 'workflow', 'pipeline', 'deployment', 'manifest', 'terraform module',
  ],
  code_small: [
    'one liner', 'oneliner', 'one line', 'this line', 'a line', 'regex', 'regular expression', 'snippet', 'formula',
    'what does', 'difference between', 'how do i', 'how to', 'what is', 'syntax',
  ],
  gate_unit: [
    'word', 'words', 'sentence', 'sentences', 'paragraph', 'paragraphs', 'bullet', 'bullets', 'line', 'lines',
    'section', 'sections', 'character', 'characters', 'letter', 'letters', 'item', 'items', 'syllable', 'syllables',
    'stanza', 'stanzas', 'verse', 'verses', 'placeholder', 'placeholders', 'row', 'rows', 'times', 'twice', 'once',
    'thrice',
  ],
  gate_punctuation: [
    'comma', 'commas', 'exclamation', 'semicolon', 'semicolons', 'hyphen', 'hyphens', 'dash', 'dashes', 'emoji',
    'emojis', 'punctuation', 'capital', 'lowercase',
  ],
  gate_swap: ['swap', 'swaps', 'swapped', 'switch', 'switches', 'switched'],
  gate_trade: ['trade', 'trades', 'traded', 'exchange', 'exchanges', 'exchanged'],
  gate_arithmetic: ['divided', 'times', 'multiplied', 'plus', 'minus', 'over', 'power'],
  gate_each: ['each', 'every'],
  gate_problem: ['input', 'output', 'example', 'contains', 'test', 'print', 'sample', 'length'],
  gate_quantifier: ['all', 'some', 'no', 'none', 'every', 'not'],
  gate_boolean: ['true', 'false'],
  gate_trace: ['traceback', 'exception', 'panicked', 'segmentation', 'dumped', 'err'],
  gate_trace_weak: ['error', 'file'],
  gate_riddle: ['but'],
  gate_modal: ['should', 'must'],
  gate_letter: ['letter', 'letters'],
  gate_let: ['let'],
  gate_fraction: ['half', 'third', 'thirds', 'quarter', 'quarters', 'fifth'],
  gate_claim: [
    'says', 'said', 'say', 'claims', 'claimed', 'states', 'stated', 'replies', 'replied', 'answers', 'answered',
    'insists', 'insisted', 'declares', 'declared', 'announces', 'announced', 'tells', 'told', 'adds', 'added',
  ],
  effort_up: [
    'in depth', 'in-depth', 'detailed', 'comprehensive', 'thorough', 'thoroughly', 'carefully', 'rigorous',
    'rigorously', 'think hard', 'deeply', 'trade-offs', 'tradeoffs', 'trade offs', 'edge cases', 'every bug',
    'all the valid', 'prove why', 'explain why none', 'complete proof', 'with proof', 'justify each step',
    'production-ready', 'production ready', 'at the level of', 'phd', 'graduate-level', 'expert',
  ],
}

/** Words the classifier's rules look at one by one (besides the tagged terms above); all are in the vocabulary. */
export const RULE_WORDS = {
  /** Before a counted unit: `at least` 3 words, `exactly` two paragraphs, `in` one sentence. */
  countPrefixes: [
    'exactly', 'least', 'most', 'than', 'under', 'over', 'max', 'maximum', 'minimum', 'to', 'and', 'in', 'within',
    'using', 'only', 'with', 'of', 'contain', 'contains', 'have', 'has', 'a', 'an', 'single', 'exceeding', 'write',
    'use', 'include', 'into', 'be',
  ],
  numberWords: [
    'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve', 'fifteen',
    'twenty', 'thirty', 'forty', 'fifty', 'hundred', 'single',
  ],
  repeatUnits: ['once', 'twice', 'thrice'],
  repeatPrefixes: ['exactly', 'least', 'most'],
  appear: ['appear', 'appears', 'used', 'use', 'mentioned', 'repeated', 'occur', 'occurs'],
  /** `in Rust`, `using Go`: a language name after these is about code when code words are around. */
  langPrepositions: ['in', 'using', 'with', 'into'],
  /** `Given an array ... return ...`: the shape of a programming problem. */
  problemStart: ['given'],
  problemNouns: [
    'array', 'arrays', 'string', 'strings', 'list', 'lists', 'integer', 'integers', 'tree', 'root', 'matrix', 'grid',
    'graph', 'nums', 'head', 'linked', 'n', 'k', 'number',
  ],
  problemEnd: ['return', 'returns'],
  /** Verbs that make a calculation request when they open a text. */
  imperativeCalculation: ['calculate', 'compute', 'solve', 'simplify', 'derive'],
  politeOpeners: ['please'],
  /** `one` counts as a quantity in a word problem (`I ate one`), not elsewhere (`one of the best`). */
  one: ['one'],
  /** Capitalised, these are still not names (see `Tokens.repeatedNames`): function words, labels, titles. */
  notNames: [
    'the', 'a', 'an', 'if', 'in', 'on', 'at', 'to', 'of', 'for', 'from', 'by', 'with', 'and', 'or', 'but', 'so',
    'then', 'now', 'what', 'which', 'who', 'whom', 'whose', 'how', 'when', 'where', 'why', 'it', 'its', 'he', 'she',
    'they', 'we', 'you', 'i', 'my', 'your', 'his', 'her', 'their', 'our', 'this', 'that', 'these', 'those', 'there',
    'here', 'each', 'every', 'all', 'some', 'no', 'not', 'none', 'both', 'either', 'neither', 'one', 'two', 'three',
    'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'first', 'second', 'third', 'finally', 'next', 'after',
    'before', 'given', 'let', 'suppose', 'assume', 'consider', 'find', 'write', 'please', 'can', 'could', 'would',
    'should', 'do', 'does', 'did', 'is', 'are', 'was', 'were', 'be', 'will', 'may', 'might', 'must', 'as', 'also',
    'however', 'yes', 'answer', 'question', 'options', 'option', 'statement', 'statements', 'conclusion',
    'conclusions', 'example', 'note', 'true', 'false', 'input', 'output', 'step', 'rules', 'dear', 'hi', 'hello',
    'thanks', 'mr', 'mrs', 'ms', 'dr', 'ok', 'okay',
  ],
  /** What an extraction reads from, when a `sourceMarkers` word points at it (`the text below`, `this email`). */
  documents: [
    'text', 'passage', 'paragraph', 'paragraphs', 'article', 'email', 'emails', 'message', 'messages', 'tweet',
    'tweets', 'post', 'posts', 'story', 'review', 'reviews', 'listing', 'recipe', 'note', 'notes', 'transcript',
    'citation', 'citations', 'thread', 'conversation', 'confirmation', 'document', 'documents', 'excerpt', 'minutes',
    'invite', 'invitation', 'posting', 'description', 'bio', 'biography', 'résumé', 'resume', 'cv', 'report',
    'letter', 'contract', 'invoice', 'invoices', 'log', 'logs', 'lines', 'sentence', 'sentences', 'chat', 'ticket',
    'receipt', 'menu', 'abstract', 'news', 'item', 'memo', 'announcement', 'release', 'booking', 'itinerary',
    'agenda', 'records', 'entries', 'results', 'comments', 'feedback', 'responses', 'summary', 'page', 'chapter',
    'lyrics', 'poem', 'speech', 'interview', 'statement', 'table', 'data', 'dataset', 'spreadsheet', 'form',
    'survey', 'profile', 'address', 'addresses', 'signature', 'ad', 'ads', 'advert', 'advertisement', 'prescription',
    'timeline', 'schedule', 'inventory', 'catalog', 'catalogue', 'quote', 'quotes', 'headline', 'headlines', 'paper',
    'study', 'dialogue', 'debate', 'script', 'record', 'label', 'manifest', 'bill', 'sample', 'block', 'snippet',
    'input', 'json', 'csv', 'file',
  ],
  /** Before a verb, these make it a noun (`a todo list`, `the count`, `what sort of`). */
  nounMarkers: [
    'a', 'an', 'the', 'this', 'that', 'these', 'those', 'my', 'your', 'our', 'their', 'his', 'her', 'its', 'do',
    'todo', 'shopping', 'reading', 'mailing', 'wish', 'bucket', 'guest', 'what', 'which', 'some', 'any', 'each',
    'every', 'no',
  ],
  /** Words that point at a document given in the prompt. */
  sourceMarkers: [
    'this', 'these', 'following', 'below', 'above', 'provided', 'attached', 'pasted', 'from', 'according', 'reference',
    'given',
  ],
  /** Before a `writing` term, these make a writing request (`write a blog post`, `draft a polite email`). */
  composeVerbs: ['write', 'compose', 'draft', 'craft', 'pen', 'create', 'prepare'],
  /** A question about how two people are related (`how is she related to him`, `the relationship between A and C`). */
  related: ['related', 'relation', 'relationship'],
  /** Before a `row_end` phrase, these count a place from one end (`third from the left`). */
  ordinals: ['first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth', 'tenth', 'last'],
  /** Words that open a question about a given text (`what were the figures …`, `which people …`). */
  questionWords: ['what', 'which', 'who', 'whom', 'when', 'where', 'how'],
  /** `each … a different`: every member gets its own value (an assignment puzzle). */
  each: ['each'],
  different: ['different'],
  /** What a date question asks for (`what day will it be`, `what is the date`). */
  dateTargets: ['day', 'date', 'weekday'],
  /** A shift in time from a reference day (`3 days ago`, `the day after tomorrow`, `100 days from now`). */
  dateShifts: ['ago', 'later', 'hence', 'yesterday', 'tomorrow', 'earlier', 'now'],
  /** Fixed points in the calendar that a date question counts from. */
  dateAnchors: [
    'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday', 'january', 'february', 'march',
    'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december', 'yesterday', 'tomorrow',
    'today',
  ],
  /** The asker speaking of themselves. */
  firstPerson: ['i', 'me', 'my', 'mine', 'myself'],
  /** A last user turn with these leans on the earlier turns ("now make it faster"). */
  followUp: [
    'it', 'its', 'this', 'that', 'these', 'those', 'them', 'they', 'now', 'also', 'too', 'again', 'instead', 'same',
    'above', 'previous', 'earlier', 'more', 'another', 'then', 'and', 'but', 'why', 'ok', 'okay',
  ],
} as const
