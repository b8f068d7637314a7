'use strict';

// A small expander of Make's IML templates, for the expressions integrations/make uses and no more:
// "{{path}}" (a template that is one expression keeps the value's type, else it is text), paths with
// "." and "[n]", 'single' or "double" quoted strings, numbers, unary "!", the comparisons = != < > <= >=
// (dates compare by time, anything else "=" compares as text), the variables now, uuid, emptystring
// and emptyarray, and the functions below. Make's own runtime is not available offline; where Make's
// documentation leaves a detail open the choice is said next to it.

const crypto = require('crypto');

const FUNCTIONS = {
  ifempty: (value, fallback) => (value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0) ? fallback : value),
  join: (array, separator) => (array || []).join(separator),
  // sha256(text, encoding): the digest as hex (default) or base64.
  sha256: (text, encoding = 'hex') => crypto.createHash('sha256').update(String(text)).digest(encoding),
  // replace(text, search, replacement): a search written "/pattern/flags" is a regular expression.
  replace: (text, search, replacement) => {
    const regex = /^\/(.*)\/([gimsuy]*)$/.exec(search);
    return regex ? String(text).replace(new RegExp(regex[1], regex[2]), replacement) : String(text).replaceAll(search, replacement);
  },
  addSeconds: (date, n) => new Date(new Date(date).getTime() + Number(n) * 1000),
  addMinutes: (date, n) => new Date(new Date(date).getTime() + Number(n) * 60000),
  addDays: (date, n) => new Date(new Date(date).getTime() + Number(n) * 86400000),
  // toCollection(array, key, value): [{name: "a", value: 1}] → {a: 1}.
  toCollection: (array, key, value) => Object.fromEntries((array || []).map((entry) => [entry[key], entry[value]])),
  get: (object, path) => String(path).split('.').reduce((at, step) => (at === undefined || at === null ? undefined : at[step]), object),
  contains: (haystack, needle) => (Array.isArray(haystack) ? haystack.includes(needle) : String(haystack ?? '').includes(needle)),
  encodeURL: (text) => encodeURIComponent(String(text)),
};

const VARIABLES = {
  now: () => new Date(),
  uuid: () => crypto.randomUUID(),
  emptystring: () => '',
  emptyarray: () => [],
  true: () => true,
  false: () => false,
  null: () => null,
};

const TOKEN = /\s*(?:(\d+(?:\.\d+)?)|'([^']*)'|"([^"]*)"|([A-Za-z_][\w]*)|(!=|<=|>=|==|[=<>!().,[\]]))/y;

function tokenize(source) {
  const tokens = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < source.length) {
    if (/^\s*$/.test(source.slice(TOKEN.lastIndex))) break;
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(source);
    if (!m) throw new Error(`IML: cannot read "${source.slice(at)}" in {{${source}}}`);
    if (m[1] !== undefined) tokens.push({ kind: 'literal', value: Number(m[1]) });
    else if (m[2] !== undefined || m[3] !== undefined) tokens.push({ kind: 'literal', value: m[2] ?? m[3] });
    else if (m[4] !== undefined) tokens.push({ kind: 'name', value: m[4] });
    else tokens.push({ kind: 'op', value: m[5] });
  }
  return tokens;
}

const comparable = (v) => {
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'string' && /^\d{4}-\d\d-\d\dT/.test(v) && !Number.isNaN(Date.parse(v))) return Date.parse(v);
  return v;
};

const COMPARISONS = {
  '=': (a, b) => text(a) === text(b),
  '==': (a, b) => text(a) === text(b),
  '!=': (a, b) => text(a) !== text(b),
  '<': (a, b) => comparable(a) < comparable(b),
  '>': (a, b) => comparable(a) > comparable(b),
  '<=': (a, b) => comparable(a) <= comparable(b),
  '>=': (a, b) => comparable(a) >= comparable(b),
};

/** Evaluates one expression (the inside of {{ }}) against the context's variables. */
function evaluateExpression(source, context) {
  const tokens = tokenize(source);
  let i = 0;
  const peek = (value) => tokens[i] && tokens[i].kind === 'op' && tokens[i].value === value;
  const expect = (value) => {
    if (!peek(value)) throw new Error(`IML: expected "${value}" in {{${source}}}`);
    i++;
  };
  const primary = () => {
    const token = tokens[i++];
    if (!token) throw new Error(`IML: unexpected end of {{${source}}}`);
    if (token.kind === 'literal') return token.value;
    if (token.kind === 'op' && token.value === '(') {
      const value = comparison();
      expect(')');
      return value;
    }
    if (token.kind !== 'name') throw new Error(`IML: unexpected "${token.value}" in {{${source}}}`);
    if (peek('(')) {
      i++;
      const args = [];
      while (!peek(')')) {
        args.push(comparison());
        if (!peek(')')) expect(',');
      }
      i++;
      const fn = FUNCTIONS[token.value];
      if (!fn) throw new Error(`IML: function ${token.value}() is not implemented by this test expander`);
      return fn(...args);
    }
    if (Object.hasOwn(context, token.value)) return context[token.value];
    if (VARIABLES[token.value]) return VARIABLES[token.value]();
    return undefined;
  };
  const postfix = () => {
    let value = primary();
    for (;;) {
      if (peek('.')) {
        i++;
        const name = tokens[i++];
        value = value === undefined || value === null ? undefined : value[name.value];
      } else if (peek('[')) {
        i++;
        const index = comparison();
        expect(']');
        value = value === undefined || value === null ? undefined : value[index];
      } else return value;
    }
  };
  const unary = () => {
    if (peek('!')) {
      i++;
      return !unary();
    }
    return postfix();
  };
  const comparison = () => {
    const left = unary();
    const op = tokens[i] && tokens[i].kind === 'op' && COMPARISONS[tokens[i].value];
    if (!op) return left;
    i++;
    return op(left, unary());
  };
  const value = comparison();
  if (i !== tokens.length) throw new Error(`IML: unexpected "${tokens[i].value}" in {{${source}}}`);
  return value;
}

/** Text form of a value inside a longer template. */
function text(value) {
  if (value === undefined || value === null) return '';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Expands every template in a value (strings, arrays and objects, recursively). */
function expand(value, context) {
  if (typeof value === 'string') {
    const whole = /^\{\{([^{}]*)\}\}$/.exec(value);
    if (whole) return evaluateExpression(whole[1], context);
    return value.replace(/\{\{([^{}]*)\}\}/g, (_, source) => text(evaluateExpression(source, context)));
  }
  if (Array.isArray(value)) return value.map((item) => expand(item, context));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expand(v, context)]));
  return value;
}

module.exports = { expand, evaluateExpression, FUNCTIONS: Object.keys(FUNCTIONS) };
